// The one check every outgoing connection passes: resolve the name once,
// refuse addresses inside private networks and ports outside the allowed
// set, then connect to exactly the address that was checked (a lookup
// function handed to node:net), so a second DNS answer cannot sneak in.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { MuxError } from '../errors.js';
import { checkUrl, isLocalName, isPrivateAddress } from '../url.js';

/** Resolves a host name to its addresses (replaceable in tests). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
});

export interface EgressPolicy {
  /** Allow loopback/private/link-local targets. @default false */
  allowPrivateNetworks: boolean;
  /** Ports that may be dialled; undefined means any. @default [80, 443] */
  allowedPorts: readonly number[] | undefined;
  resolver: Resolver;
  /** Addresses treated as public even though they are not (tests: the fixture on 127.0.0.1). */
  exempt?: readonly string[];
}

export interface PolicyOptions {
  /** Shorthand for policy.allowPrivateNetworks. */
  allowPrivateNetworks?: boolean;
  policy?: Partial<EgressPolicy>;
}

/**
 * The policy in force, from explicit values only (the environment is read at
 * the edges: readServerConfig, the CLI, the library's entry points).
 * Without a port list: 80 and 443, or any port when private networks are
 * allowed (tests, intranets: such services rarely sit on 80/443).
 */
export function egressPolicy(options: PolicyOptions = {}): EgressPolicy {
  const given = options.policy ?? {};
  const allowPrivateNetworks = given.allowPrivateNetworks ?? options.allowPrivateNetworks ?? false;
  return {
    allowPrivateNetworks,
    allowedPorts: 'allowedPorts' in given ? given.allowedPorts : (allowPrivateNetworks ? undefined : [80, 443]),
    resolver: given.resolver ?? systemResolver,
    ...(given.exempt ? { exempt: given.exempt } : {}),
  };
}

/** `80,443` → [80, 443]; `*` → undefined (any). Throws RangeError on anything else. */
export function parseAllowedPorts(raw: string): number[] | undefined {
  if (raw.trim() === '*') return undefined;
  const ports = raw.split(',').map((part) => part.trim());
  if (!ports.every((port) => /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw new RangeError(`expected "*" or a comma-separated list of ports, got "${raw}"`);
  }
  return ports.map(Number);
}

/** The port a URL dials. */
export function portOf(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** Throws INVALID_URL unless `port` may be dialled. */
export function checkPort(port: number, policy: EgressPolicy): void {
  if (policy.allowedPorts && !policy.allowedPorts.includes(port)) {
    // The allowed list stays in the log: a stranger need not learn it.
    throw new MuxError('INVALID_URL', `port ${port} is not allowed`, { detail: `allowed: ${policy.allowedPorts.join(', ')}` });
  }
}

/** Resolves `hostname` once and returns the first acceptable address; throws INVALID_URL if any answer is private. */
export async function resolveChecked(hostname: string, policy: EgressPolicy): Promise<LookupAddress> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(bare);
  // A name that does not resolve and one that resolves inward get the same words: otherwise a
  // stranger could map the internal names of our network. The log keeps which it was.
  const noPublicAddress = (detail: string, cause?: unknown) =>
    new MuxError('INVALID_URL', `${bare} has no public address passmux may fetch from`, { cause, detail });
  const addresses = literal ? [{ address: bare, family: literal }] : await policy.resolver(bare).catch((error: unknown) => {
    throw noPublicAddress(`cannot resolve ${bare}: ${(error as Error).message}`, error);
  });
  if (addresses.length === 0) throw noPublicAddress(`${bare} resolved to nothing`);
  // One private answer is enough to refuse: a name that mixes them is a rebinding attempt, not a CDN.
  const refused = (address: string) => isPrivateAddress(address) && !policy.exempt?.includes(address);
  if (!policy.allowPrivateNetworks && addresses.some((a) => refused(a.address))) {
    if (literal) throw new MuxError('INVALID_URL', `${bare} is a private or local address`);
    throw noPublicAddress(`${bare} resolves to ${addresses.map((a) => a.address).join(', ')}`);
  }
  return addresses[0]!;
}

/**
 * The whole check of a URL about to be dialled by someone else (yt-dlp, or
 * ffmpeg in direct mode): syntax, local names, port, and every address its
 * host resolves to. Returns the parsed URL.
 */
export async function checkTarget(input: string, policy: EgressPolicy, options: { label: string; maxLength?: number }): Promise<URL> {
  // Syntax here; addresses below, where exemptions are known.
  const url = checkUrl(input, { ...options, allowPrivateNetworks: true });
  if (!policy.allowPrivateNetworks && isLocalName(url.hostname)) {
    throw new MuxError('INVALID_URL', `${options.label} points at a private or local address (${url.hostname})`);
  }
  checkPort(portOf(url), policy);
  await resolveChecked(url.hostname, policy);
  return url;
}

/**
 * Whether `url` passes the same check as anything we dial (scheme, address,
 * port). For addresses we hand to others: a thumbnail the visitor's browser
 * loads must not point it into its own network.
 */
export async function isFetchable(url: string, policy: EgressPolicy): Promise<boolean> {
  try {
    await checkTarget(url, policy, { label: 'URL', maxLength: 16_384 });
    return true;
  } catch {
    return false;
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for node:net/http that answers with the checked address only. */
export function guardedLookup(policy: EgressPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolveChecked(hostname, policy).then(
      (address) => (options.all ? callback(null, [address]) : callback(null, address.address, address.family)),
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
