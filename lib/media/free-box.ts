// The padding at the end of an exact-length body: one top-level `free` box,
// which every MP4 reader skips (ISO/IEC 14496-12 §8.1.2).

/** The smallest `free` box: its header. The body always ends with one. */
export const FREE_BOX_MIN = 8;

/** A `free` box of exactly `size` bytes (at least its 8-byte header; a 64-bit size past 4 GB). */
export function freeBox(size: number): Buffer {
  if (!Number.isSafeInteger(size) || size < FREE_BOX_MIN) throw new RangeError(`a free box needs at least 8 bytes, not ${size}`);
  const box = Buffer.alloc(size);
  if (size <= 0xffffffff) {
    box.writeUInt32BE(size, 0);
    box.write('free', 4, 'latin1');
  } else {
    box.writeUInt32BE(1, 0);
    box.write('free', 4, 'latin1');
    box.writeBigUInt64BE(BigInt(size), 8);
  }
  return box;
}
