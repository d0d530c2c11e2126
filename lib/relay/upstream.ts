// One request to the media server: the extracted headers, an optional byte
// range, redirects followed (a few) under the same URL checks as the first hop.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { cookieHeaderFor, jarFromHeader } from '../cookie-jar.js';
import { abortError, MuxError } from '../errors.js';
import { cleanHeaders, sanitizeHeaderValue } from '../headers.js';
import type { JarCookie } from '../types.js';
import { checkPort, guardedLookup, portOf, resolveChecked, type EgressPolicy } from '../egress/guard.js';
import { checkUrl } from '../url.js';
import { canGoLean, fetchLean } from './lean-request.js';
import type { UpstreamResponse } from './lean-response.js';

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** What a request may carry besides the format's plain headers: each credential by its own rule. */
export interface Credentials {
  /** The format's origin: the only one Authorization goes to. */
  origin: string;
  /** Cookies, each sent where RFC 6265 scoping allows (lib/cookie-jar.ts), ports ignored. */
  jar: readonly JarCookie[];
}

/** Whether a header of the format goes to `url`: a Cookie header never (the jar decides), Authorization on its origin only. */
function passes(name: string, credentials: Credentials, url: URL): boolean {
  const lower = name.toLowerCase();
  return lower !== 'cookie' && (lower !== 'authorization' || url.origin === credentials.origin);
}

/**
 * The headers for a hop to `url`: the format's headers (User-Agent, Referer, …)
 * on every hop; Authorization on the format's origin only; the jar's cookies
 * that match this URL.
 */
export function headersForHop(headers: Record<string, string>, credentials: Credentials, url: URL): Record<string, string> {
  const out = Object.fromEntries(Object.entries(headers).filter(([name]) => passes(name, credentials, url)));
  const cookie = cookieHeaderFor(credentials.jar, url);
  if (cookie) out.Cookie = sanitizeHeaderValue(cookie);
  return out;
}

/** The jar a target carries, plus any `Cookie` header in its headers as host-only cookies of the format's host. */
function credentialsOf(headers: Record<string, string>, cookies: readonly JarCookie[] | undefined, origin: string): Credentials {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'cookie');
  const loose = name ? jarFromHeader(headers[name], new URL(origin).hostname) : [];
  if (name) delete headers[name];
  return { origin, jar: [...(cookies ?? []), ...loose] };
}

// Keep-alive: consecutive ranges reuse connections instead of a new handshake each.
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 512, scheduling: 'lifo' }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 512, scheduling: 'lifo' }),
};

export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
  cookies?: JarCookie[];
}

export interface OpenOptions {
  /** Inclusive byte range (an open end: to the end); omit for the whole resource. */
  range?: [number, number | undefined];
  /**
   * The format's origin: Authorization goes there only, and a `Cookie` header belongs to its host.
   * @default the target's own (a fragment's request passes its format's).
   */
  credentialOrigin?: string;
  signal: AbortSignal;
  /** Which addresses and ports may be dialled; checked on every hop. */
  policy: EgressPolicy;
  /** No byte for this long → the request fails (and may be retried). */
  readTimeoutMs: number;
  /** Read a plain Content-Length body off the socket, without Node's parser copy (lib/relay/lean-request.ts). */
  lean?: boolean;
}

/** The lean reader where it fits the answer, else Node's client (asked again: a GET of a range may be repeated). */
async function send(url: URL, headers: Record<string, string>, options: OpenOptions): Promise<UpstreamResponse> {
  if (options.lean && canGoLean(url)) {
    const res = await fetchLean(url, headers, options);
    if (res) return res;
  }
  return sendNode(url, headers, options);
}

function sendNode(url: URL, headers: Record<string, string>, options: OpenOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Names are resolved once, checked, and dialled at exactly the checked address.
    const lookup = guardedLookup(options.policy) as unknown as RequestOptions['lookup'];
    const req = request(url, { headers, agent: agents[url.protocol as 'http:' | 'https:'], signal: options.signal, lookup }, resolve);
    req.setTimeout(options.readTimeoutMs, () => req.destroy(new MuxError('TIMEOUT', `no answer from ${url.host} in ${options.readTimeoutMs} ms`)));
    req.once('error', (error) => reject(options.signal.aborted ? abortError(options.signal) : error));
    req.end();
  });
}

/** Opens `target` (following redirects); resolves with the response and the URL that answered. */
export async function openUpstream(target: UpstreamTarget, options: OpenOptions): Promise<{ res: UpstreamResponse; url: string }> {
  const headers = cleanHeaders(target.headers, ['range', 'host', 'accept-encoding', 'connection', 'content-length']);
  headers['Accept-Encoding'] = 'identity';
  if (options.range) headers.Range = `bytes=${options.range[0]}-${options.range[1] ?? ''}`;
  let url = target.url;
  const credentials = credentialsOf(headers, target.cookies, options.credentialOrigin ?? new URL(target.url).origin);
  for (let hop = 0; ; hop += 1) {
    // Syntax here; addresses by the guard (literal IPs now, names at connect time).
    const parsed = checkUrl(url, { allowPrivateNetworks: true, label: 'media URL', maxLength: 16_384 });
    checkPort(portOf(parsed), options.policy);
    if (isIP(parsed.hostname.replace(/^\[|\]$/g, ''))) await resolveChecked(parsed.hostname, options.policy);
    const res = await send(parsed, headersForHop(headers, credentials, parsed), options);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return { res, url };
    res.resume();
    if (hop >= MAX_REDIRECTS) throw new MuxError('UPSTREAM_FORBIDDEN', `more than ${MAX_REDIRECTS} redirects from the media server`);
    url = new URL(location, parsed).href;
  }
}

/** What an unexpected status means for a download. */
export function statusError(status: number, host: string): MuxError {
  if (status === 401 || status === 403 || status === 410) return new MuxError('UPSTREAM_FORBIDDEN', `the media server (${host}) answered ${status}`);
  if (status === 404) return new MuxError('NOT_FOUND', `the media server (${host}) answered 404`);
  return new MuxError('MUX_FAILED', `the media server (${host}) answered ${status}`);
}
