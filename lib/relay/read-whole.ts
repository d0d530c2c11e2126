// Reading a small upstream body (a playlist, a key) whole, with a cap: a
// hostile server must not make us hold more than we expect.
import type { Readable } from 'node:stream';

/** The whole body, or `tooLarge()` thrown (and the response dropped) past `max` bytes. */
export async function readWhole(res: Readable, max: number, tooLarge: () => Error): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of res) {
    length += (part as Buffer).length;
    if (length > max) throw (res.destroy(), tooLarge());
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts, length);
}
