// Where a cookie yt-dlp handed over may go: RFC 6265's domain, path and
// secure rules (section 5.4), as yt-dlp's own downloader applies them. Ports
// never separate cookies; a Domain cookie reaches the domain's subdomains, a
// host-only one its host alone; IP addresses match only themselves. Pure.
import { isIP } from 'node:net';
import type { JarCookie } from './types.js';

export type { JarCookie } from './types.js';

/** A host as cookies compare it: lower case, no IPv6 brackets, no trailing dot. */
export const bare = (host: string): string => host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();

/**
 * RFC 6265 5.1.3: `host` is `domain`, or a name under it. An IP address only
 * matches itself, and a one-label domain (`com`, `localhost`) only itself: a
 * stray top-level Domain attribute must not reach every site below it.
 */
export function domainMatches(host: string, domain: string): boolean {
  const h = bare(host);
  const d = bare(domain).replace(/^\./, '');
  if (d === '') return false;
  if (h === d) return true;
  if (isIP(h) || !d.includes('.')) return false;
  return h.endsWith(`.${d}`);
}

/** RFC 6265 5.1.4: the cookie's path is the request's, or a directory prefix of it. */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  const path = requestPath.startsWith('/') ? requestPath : '/';
  if (path === cookiePath) return true;
  return path.startsWith(cookiePath) && (cookiePath.endsWith('/') || path[cookiePath.length] === '/');
}

/** Whether `cookie`'s domain covers `host`: the host itself for a host-only cookie, else RFC 6265 domain matching. */
const hostMatches = (cookie: JarCookie, host: string): boolean =>
  (cookie.hostOnly ? bare(host) === bare(cookie.domain) : domainMatches(host, cookie.domain));

/** Whether `cookie` goes with a request to `url`. */
export function cookieApplies(cookie: JarCookie, url: URL): boolean {
  if (cookie.secure && url.protocol !== 'https:') return false;
  return hostMatches(cookie, url.hostname) && pathMatches(url.pathname, cookie.path);
}

/** The `Cookie` header for `url` (longer paths first, RFC 6265 5.4 step 2), or undefined when none applies. */
export function cookieHeaderFor(jar: readonly JarCookie[], url: URL): string | undefined {
  const sent = jar.filter((cookie) => cookieApplies(cookie, url)).sort((a, b) => b.path.length - a.path.length);
  return sent.length > 0 ? sent.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') : undefined;
}

/**
 * A `Cookie` request header (`a=1; b=2`, as yt-dlp 2023 put in `http_headers`)
 * as host-only cookies of `host`, every path, any scheme: all it is known to
 * belong to is the URL it was computed for.
 */
export function jarFromHeader(header: string | undefined, host: string): JarCookie[] {
  if (!header) return [];
  const jar: JarCookie[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    const name = (eq === -1 ? '' : pair.slice(0, eq)).trim();
    if (name) jar.push({ name, value: pair.slice(eq + 1).trim(), domain: bare(host), hostOnly: true, path: '/', secure: false });
  }
  return jar;
}

/** Only cookies that may be sent to `url` itself: a cookie for another site is none of this format's business. */
export function scopeToUrl(jar: readonly JarCookie[], url: URL): JarCookie[] {
  return jar.filter((cookie) => hostMatches(cookie, url.hostname));
}
