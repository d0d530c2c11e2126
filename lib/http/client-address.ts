// Who the client is, for the log. Behind a reverse proxy every connection
// comes from the proxy; X-Forwarded-For names the client, but anyone can send
// that header, so it is believed only from a proxy the operator named.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) → `127.0.0.1`; IPv6 lower-cased. */
export function normalizeAddress(address: string): string {
  const bare = address.trim().replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  return mapped ? mapped[1]! : bare;
}

/** `"127.0.0.1, ::1"` → the addresses; throws RangeError on anything that is not an IP address. */
export function parseTrustedProxies(raw: string): string[] {
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    if (isIP(entry.replace(/^\[|\]$/g, '')) === 0) throw new RangeError(`expected IP addresses separated by commas, got "${entry}"`);
  }
  return entries.map(normalizeAddress);
}

/**
 * The client's address: the peer's, unless the peer is a trusted proxy; then
 * X-Forwarded-For is read from the right (each proxy appends the address it
 * saw), skipping trusted proxies, and the first other address is the client.
 * Entries a client put in front itself are never reached.
 */
export function resolveClientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined,
  trusted: readonly string[]): string | null {
  if (!peer) return null;
  let client = normalizeAddress(peer);
  if (!trusted.includes(client) || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map(normalizeAddress);
  for (const hop of hops.reverse()) {
    // A malformed entry ends the chain: nothing left of it can be trusted.
    if (isIP(hop) === 0) break;
    client = hop;
    if (!trusted.includes(hop)) break;
  }
  return client;
}

/** The client address of a request (see resolveClientAddress). */
export function clientAddress(req: IncomingMessage, trusted: readonly string[]): string | null {
  return resolveClientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted);
}

/**
 * The group a client address counts in for per-client limits: an IPv4
 * address itself, an IPv6 address its /64 (one subscriber's prefix: a host
 * may pick any of its 2^64 addresses at will).
 */
export function clientGroup(address: string): string {
  const bare = normalizeAddress(address);
  if (isIP(bare) !== 6) return bare;
  const [head = '', tail = ''] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 is handled above; 64:ff9b::1.2.3.4) counts as two groups.
  const groups = bare.includes('::') ? [...left, ...Array(8 - left.length - right.length - (right.at(-1)?.includes('.') ? 1 : 0)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
