// A file name that is safe on every common file system and in a
// Content-Disposition header, built from an untrusted title.

const MAX_NAME_BYTES = 200;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    out += char;
  }
  return out;
}

/** `title` → `title.ext` with path separators, control, bidi and reserved characters gone. */
export function safeFilename(title: string | null | undefined, extension = 'mp4'): string {
  return `${safeBasename(title)}.${extension}`;
}

/** The same name without an extension (a folder named after a playlist), `fallback` when nothing is left. */
export function safeBasename(title: string | null | undefined, fallback = 'video'): string {
  let name = (title ?? '')
    .normalize('NFC')
    // Control characters, bidi overrides/isolates and zero-width marks can disguise the extension.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[/\\:*?"<>|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s-]+|[.\s]+$/g, '');
  name = truncateUtf8(name, MAX_NAME_BYTES).trim();
  if (!name) name = fallback;
  if (RESERVED.test(name)) name = `_${name}`;
  return name;
}
