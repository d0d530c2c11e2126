// A fragmented MP4's `sidx`: where each fragment sits. (Not how long: ffmpeg
// times fragments by their tfdt.) Pure: bytes in, numbers out.
import { body, readBoxHeader } from './mp4-boxes.js';

/** One fragment as the sidx lists it: file offset and size of its boxes. */
export interface SidxReference {
  offset: number;
  size: number;
}

/** The references, in order, of a whole `sidx` box at `buffer[0…]` that starts at file offset `fileOffset`. */
export function parseSidx(buffer: Buffer, fileOffset: number): SidxReference[] {
  const box = readBoxHeader(buffer, 0, buffer.length);
  if (!box || box.type !== 'sidx' || box.size > buffer.length) throw new Error('not a whole sidx box');
  const v1 = buffer[box.headerBytes] === 1;
  const at = body(box);
  const timescale = buffer.readUInt32BE(at + 4);
  const firstOffset = v1 ? Number(buffer.readBigUInt64BE(at + 16)) : buffer.readUInt32BE(at + 12);
  const countAt = at + (v1 ? 24 : 16) + 2;
  const count = buffer.readUInt16BE(countAt);
  // ffmpeg refuses such a file; so does the index.
  if (timescale === 0) throw new Error('sidx with a timescale of 0');
  if (countAt + 2 + count * 12 > box.size) throw new Error('sidx shorter than its count');
  const references: SidxReference[] = [];
  let offset = fileOffset + box.size + firstOffset;
  for (let i = 0; i < count; i++) {
    const word = buffer.readUInt32BE(countAt + 2 + i * 12);
    // A reference to another sidx (a hierarchy) is not followed.
    if (word >>> 31) throw new Error('a sidx that points to another sidx');
    const size = word & 0x7fffffff;
    if (size === 0) throw new Error('a sidx reference of 0 bytes');
    references.push({ offset, size });
    offset += size;
  }
  return references;
}
