// yt-dlp reports cookies in two shapes. Older versions leave a `Cookie` header
// in `http_headers` (computed for the format's URL); current ones drop it and
// give each format a `cookies` string in Set-Cookie style:
// `a=1; Domain=x; Path=/; Secure; b=2; Domain=x`. Both become jar cookies
// (lib/cookie-jar.ts), sent only where their scope allows, never one header
// sent everywhere.
import { bare, jarFromHeader, scopeToUrl } from '../cookie-jar.js';
import type { JarCookie } from '../types.js';

const ATTRIBUTES = new Set(['domain', 'path', 'expires', 'max-age', 'secure', 'httponly', 'samesite', 'version', 'comment', 'port', 'discard']);

/** Undoes Python's http.cookies quoting: `"a\"b\054c"` → `a"b,c`. */
export function unquoteCookieValue(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\([0-3][0-7]{2}|.)/g, (_m, escaped: string) =>
    escaped.length === 3 ? String.fromCharCode(parseInt(escaped, 8)) : escaped);
}

/** Domain, Path and Secure scope a cookie; the rest (Expires: yt-dlp hands over live cookies only) changes nothing here. */
function applyAttribute(cookie: JarCookie, attribute: string, value: string): void {
  if (attribute === 'domain' && value.replace(/^\./, '') !== '') {
    cookie.domain = value.replace(/^\./, '').toLowerCase();
    cookie.hostOnly = false;
  } else if (attribute === 'path' && value.startsWith('/')) {
    cookie.path = value;
  } else if (attribute === 'secure') {
    cookie.secure = true;
  }
}

/**
 * The `cookies` field's cookies, each with the attributes that follow it. A
 * cookie without Domain is host-only for `host` (yt-dlp would refuse it as
 * unscoped); without Path it goes to every path.
 */
function readCookieField(field: unknown, host: string): JarCookie[] {
  if (typeof field !== 'string') return [];
  const jar: JarCookie[] = [];
  let current: JarCookie | undefined;
  for (const token of field.split(';')) {
    const eq = token.indexOf('=');
    const name = (eq === -1 ? token : token.slice(0, eq)).trim();
    const value = eq === -1 ? '' : token.slice(eq + 1).trim();
    if (ATTRIBUTES.has(name.toLowerCase())) {
      if (current) applyAttribute(current, name.toLowerCase(), value);
    } else if (name && eq !== -1) {
      current = { name, value: unquoteCookieValue(value), domain: bare(host), hostOnly: true, path: '/', secure: false };
      jar.push(current);
    }
  }
  return jar;
}

/**
 * The `cookies` field → jar cookies of the format at `formatUrl`. A cookie
 * whose domain is not that URL's host or one of its parents is dropped: it
 * belongs to another site.
 */
export function jarFromField(field: unknown, formatUrl: URL): JarCookie[] {
  return scopeToUrl(readCookieField(field, formatUrl.hostname), formatUrl);
}

/** `cookies` field → `Cookie` header value (`a=1; b=2`), or undefined when there are none. Attributes ignored. */
export function cookieHeaderFromField(field: unknown): string | undefined {
  const pairs = readCookieField(field, '').map((cookie) => `${cookie.name}=${cookie.value}`);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

const isCookieName = (name: string) => name.toLowerCase() === 'cookie';

/** A format's `http_headers` as strings, without `Cookie` (cookies go in the jar: `cookiesFor`). */
export function requestHeadersFor(format: { http_headers?: unknown }): Record<string, string> {
  const headers: Record<string, string> = {};
  const given = format.http_headers;
  if (given && typeof given === 'object') {
    for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
      if (!isCookieName(name) && (typeof value === 'string' || typeof value === 'number')) headers[name] = String(value);
    }
  }
  return headers;
}

/** A format's cookies, either shape: the `cookies` field when present, else its `Cookie` header for `url`'s host. */
export function cookiesFor(format: { http_headers?: unknown; cookies?: unknown }, url: string): JarCookie[] {
  const formatUrl = new URL(url);
  if (typeof format.cookies === 'string' && format.cookies.trim() !== '') return jarFromField(format.cookies, formatUrl);
  const given = format.http_headers && typeof format.http_headers === 'object' ? format.http_headers as Record<string, unknown> : {};
  const header = Object.entries(given).find(([name]) => isCookieName(name))?.[1];
  return typeof header === 'string' ? jarFromHeader(header, formatUrl.hostname) : [];
}
