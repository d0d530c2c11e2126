// Request headers we pass on from yt-dlp: never a line break in a value,
// never a name that is not an HTTP token.

const NOT_TOKEN = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g;

/** Drops CR, LF and NUL so a value can never start a new header line. */
export function sanitizeHeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\r\n\u0000]/g, '').trim();
}

/** A copy with bad names dropped and values cleaned, minus the names in `omit` (lower case). */
export function cleanHeaders(headers: Record<string, string>, omit: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.replace(NOT_TOKEN, '');
    if (!name || omit.includes(name.toLowerCase())) continue;
    out[name] = sanitizeHeaderValue(value);
  }
  return out;
}
