// Reading an exact-length MP4 body as it streams: its top-level boxes, a hash
// from some byte on, the padding rule the exact length must keep.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What the issue allows the padding to be. */
export const allowed = (length: number) => 0.005 * length + 64 * 1024;

/** Walks a body's top-level boxes as it streams past: their types and sizes, the byte count and a hash (nothing held). */
export async function walkBoxes(res: IncomingMessage): Promise<{ boxes: Array<[string, number]>; bytes: number; sha: string }> {
  const boxes: Array<[string, number]> = [];
  const hash = createHash('sha256');
  let bytes = 0;
  let next = 0;
  let pending = Buffer.alloc(0);
  for await (const chunk of res) {
    hash.update(chunk as Buffer);
    pending = Buffer.concat([pending, chunk as Buffer]);
    // pending starts at byte `bytes`; read every header that lies wholly in it.
    while (next - bytes + 8 <= pending.length) {
      const at = next - bytes;
      let size = pending.readUInt32BE(at);
      if (size === 1) {
        if (at + 16 > pending.length) break;
        size = Number(pending.readBigUInt64BE(at + 8));
      }
      boxes.push([pending.toString('latin1', at + 4, at + 8), size]);
      next += size;
    }
    const keep = Math.max(0, Math.min(pending.length, next - bytes));
    bytes += keep;
    pending = pending.subarray(keep);
  }
  return { boxes, bytes: bytes + pending.length, sha: hash.digest('hex') };
}

/** SHA-256 of a body from byte `from` on, and its whole length (nothing held). */
export async function hashFrom(res: IncomingMessage, from: number): Promise<{ sha: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of res) {
    const buffer = chunk as Buffer;
    if (bytes + buffer.length > from) hash.update(buffer.subarray(Math.max(0, from - bytes)));
    bytes += buffer.length;
  }
  return { sha: hash.digest('hex'), bytes };
}

/** Offset of the last top-level box of a whole MP4 body. */
export function lastBoxStart(body: Buffer): number {
  let last = 0;
  for (let at = 0; at + 8 <= body.length;) {
    last = at;
    const size = body.readUInt32BE(at);
    at += size === 1 ? Number(body.readBigUInt64BE(at + 8)) : size;
  }
  return last;
}
