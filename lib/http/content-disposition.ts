// Content-Disposition for a download name from an untrusted title (RFC 6266):
// an ASCII `filename` for old clients plus `filename*` in UTF-8 for the rest.
// Node refuses header values outside Latin-1, so the raw title never goes in.

/** RFC 5987 attr-char percent-encoding (encodeURIComponent leaves ' ( ) * ! unencoded). */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const SPELLED: Record<string, string> = { 'ß': 'ss', 'Æ': 'AE', 'æ': 'ae', 'Ø': 'O', 'ø': 'o', 'Œ': 'OE', 'œ': 'oe', 'Ł': 'L', 'ł': 'l', '–': '-', '—': '-', '‘': "'", '’': "'", '“': "'", '”': "'", '…': '...' };

/** Printable ASCII only: accents stripped where possible, anything else becomes `_`. */
export function asciiFallback(filename: string): string {
  const ascii = filename
    .replace(/[ßÆæØøŒœŁł–—‘’“”…]/g, (c) => SPELLED[c]!)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_')
    .replace(/_+/g, '_');
  return ascii.trim() || 'download';
}

export function contentDisposition(filename: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = filename.replace(/[\u0000-\u001f\u007f]/g, '');
  return `attachment; filename="${asciiFallback(clean)}"; filename*=UTF-8''${encodeRfc5987(clean)}`;
}
