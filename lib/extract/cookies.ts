// yt-dlp reports cookies in two shapes. Older versions leave a `Cookie` header
// in `http_headers`; current ones drop it and give each format a `cookies`
// string in Set-Cookie style: `a=1; Domain=x; Path=/; Secure; b=2; Domain=x`.
// This turns the latter back into a request `Cookie` header value.

const ATTRIBUTES = new Set(['domain', 'path', 'expires', 'max-age', 'secure', 'httponly', 'samesite', 'version', 'comment', 'port', 'discard']);

/** Undoes Python's http.cookies quoting: `"a\"b\054c"` → `a"b,c`. */
export function unquoteCookieValue(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\([0-3][0-7]{2}|.)/g, (_m, escaped: string) =>
    escaped.length === 3 ? String.fromCharCode(parseInt(escaped, 8)) : escaped);
}

/** `cookies` field → `Cookie` header value (`a=1; b=2`), or undefined when there are none. */
export function cookieHeaderFromField(field: unknown): string | undefined {
  if (typeof field !== 'string' || field.trim() === '') return undefined;
  const pairs: string[] = [];
  for (const token of field.split(/;\s*/)) {
    const eq = token.indexOf('=');
    const name = (eq === -1 ? token : token.slice(0, eq)).trim();
    if (!name || eq === -1 || ATTRIBUTES.has(name.toLowerCase())) continue;
    pairs.push(`${name}=${unquoteCookieValue(token.slice(eq + 1).trim())}`);
  }
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

/**
 * The request headers a format needs: its `http_headers`, with cookies from
 * either shape folded into one `Cookie` header. Values are kept as strings only.
 */
export function requestHeadersFor(format: { http_headers?: unknown; cookies?: unknown }): Record<string, string> {
  const headers: Record<string, string> = {};
  const given = format.http_headers;
  if (given && typeof given === 'object') {
    for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
    }
  }
  const fromField = cookieHeaderFromField(format.cookies);
  if (fromField) {
    const existing = Object.keys(headers).find((name) => name.toLowerCase() === 'cookie');
    if (existing) delete headers[existing];
    headers.Cookie = fromField;
  }
  return headers;
}
