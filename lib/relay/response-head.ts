// The head of an HTTP/1.1 response, parsed from socket chunks as they come, for
// the lean body reader (lib/relay/lean-request.ts) that passes the body's socket
// Buffers on as they are, instead of Node's parser copying each byte. Pure: no sockets here.
import { MuxError } from '../errors.js';

/** Larger heads are refused: a media server's answer has no reason to be near this. */
const MAX_HEAD_BYTES = 64 * 1024;

export interface ResponseHead {
  status: number;
  /** The minor HTTP version: 1.0 closes by default, 1.1 keeps alive by default. */
  minor: 0 | 1;
  /** Lower-case names; repeated headers joined with ", " (set-cookie kept apart). */
  headers: Record<string, string>;
  setCookies: string[];
}

const bad = (why: string) => new MuxError('MUX_FAILED', `the media server sent a malformed response head (${why})`);

/** Parses the text of a head (without its blank line). */
export function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const match = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: .*)?$/.exec(lines[0] ?? '');
  if (!match) throw bad('status line');
  const headers: Record<string, string> = {};
  const setCookies: string[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    // No obsolete line folding, no spaces before the colon (RFC 9112 5.1), no control bytes.
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon)) || /[\0-\x08\x0a-\x1f\x7f]/.test(line)) throw bad('header line');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'set-cookie') setCookies.push(value);
    else headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(match[2]), minor: match[1] === '1' ? 1 : 0, headers, setCookies };
}

/** Collects chunks until the head is complete; then gives it and the body bytes that came with it. */
export class HeadReader {
  #pending: Buffer[] = [];
  #length = 0;

  /** undefined while the head is incomplete. `rest` is a view of the last chunk: no copy of body bytes. */
  push(chunk: Buffer): { head: ResponseHead; rest: Buffer } | undefined {
    this.#pending.push(chunk);
    this.#length += chunk.length;
    // Only the head's bytes are ever joined; the search may start 3 bytes before the new chunk.
    const joined = this.#pending.length === 1 ? chunk : Buffer.concat(this.#pending, this.#length);
    const end = joined.indexOf('\r\n\r\n', Math.max(0, this.#length - chunk.length - 3), 'latin1');
    if (end < 0) {
      if (this.#length > MAX_HEAD_BYTES) throw bad('too long');
      this.#pending = [joined];
      return undefined;
    }
    if (end > MAX_HEAD_BYTES) throw bad('too long');
    const head = parseHead(joined.subarray(0, end).toString('latin1'));
    const restStart = end + 4 - (this.#length - chunk.length);
    return { head, rest: restStart >= 0 ? chunk.subarray(restStart) : joined.subarray(end + 4) };
  }
}

/** How the lean reader may read a body: its exact length, and whether the socket may serve again after it. */
export interface BodyPlan { length: number; keepAlive: boolean }

/**
 * A body the lean reader takes on: a Content-Length (one plain number) and no
 * Transfer-Encoding, on a status that has a body. Anything else (chunked,
 * read-to-close, 1xx, 204, 304, doubtful lengths) is undefined: Node's client reads it.
 */
export function planBody(head: ResponseHead): BodyPlan | undefined {
  const { status, headers } = head;
  if (status < 200 || status === 204 || status === 304 || 'transfer-encoding' in headers) return undefined;
  const length = headers['content-length'];
  if (length === undefined || !/^\d{1,15}$/.test(length)) return undefined;
  const tokens = (headers.connection ?? '').toLowerCase().split(',').map((token) => token.trim());
  const keepAlive = head.minor === 1 ? !tokens.includes('close') : tokens.includes('keep-alive');
  return { length: Number(length), keepAlive };
}
