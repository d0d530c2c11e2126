// Checks on URLs that strangers type in, before any process starts. Literal
// addresses and localhost only; resolving names happens at connect time.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { MuxError } from './errors.js';

export const MAX_URL_LENGTH = 2048;

// Two lists: node's BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules too.
const blocked4 = new BlockList();
const blocked6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
] as const) blocked4.addSubnet(net, prefix, 'ipv4');
// IPv6 ranges that are local, or that embed an IPv4 address a gateway may turn into a private one
// (mapped, compatible, translated, 6to4, NAT64): refused whole rather than decoded.
for (const [net, prefix] of [
  ['::', 96], ['::1', 128], ['::ffff:0:0', 96], ['::ffff:0:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48],
  ['100::', 64], ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked6.addSubnet(net, prefix, 'ipv6');

/** True for loopback, private, link-local, CGNAT, multicast and unspecified IP literals. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIPv4(bare)) return blocked4.check(bare, 'ipv4');
  return isIPv6(bare) && blocked6.check(bare, 'ipv6');
}

/** True for names that always mean this machine or the local network. */
export function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.local') || name.endsWith('.internal');
}

export interface UrlCheckOptions {
  /** Allow loopback/private/link-local targets (tests, intranets). @default false */
  allowPrivateNetworks?: boolean;
  /** Word used in error messages ("page URL", "format URL"). @default 'URL' */
  label?: string;
  /** Longest accepted URL (signed CDN URLs run long). @default MAX_URL_LENGTH */
  maxLength?: number;
}

/**
 * Validates a URL we are about to hand to yt-dlp or ffmpeg and returns it parsed.
 * Throws `MuxError('INVALID_URL')` with a message naming the problem.
 */
export function checkUrl(input: unknown, options: UrlCheckOptions = {}): URL {
  const label = options.label ?? 'URL';
  const fail = (why: string) => new MuxError('INVALID_URL', `${label} ${why}`);
  if (typeof input !== 'string' || input.trim() === '') throw fail('is missing');
  const maxLength = options.maxLength ?? MAX_URL_LENGTH;
  if (input.length > maxLength) throw fail(`is longer than ${maxLength} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) throw fail('contains control characters');
  if (input.startsWith('-')) throw fail('must not start with "-"');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw fail('is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fail(`must use http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username || url.password) throw fail('must not contain credentials');
  if (!options.allowPrivateNetworks && (isLocalName(url.hostname) || isPrivateAddress(url.hostname))) {
    throw fail(`points at a private or local address (${url.hostname})`);
  }
  return url;
}
