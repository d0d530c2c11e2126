// Bytes of the cached MP4 test media, as the index tests cut and mend them.
import { readFile } from 'node:fs/promises';
import { readBoxHeader } from '../../lib/media/mp4-boxes.js';
import { readFragmentedIndex } from '../../lib/length/probe-fragments.js';
import { ensureMedia } from './media.js';

/** The offset and size of the first top-level box of `type`. */
export function find(file: Buffer, type: string): { start: number; size: number } {
  for (let offset = 0; offset < file.length;) {
    const box = readBoxHeader(file, offset, file.length)!;
    if (box.type === type) return box;
    offset += box.size;
  }
  throw new Error(`no ${type}`);
}

/** readFragmentedIndex over bytes in memory, counting the reads. */
export async function indexOf(file: Buffer) {
  const moov = find(file, 'moov');
  const reads: Array<[number, number]> = [];
  const read = async (start: number, end: number) => { reads.push([start, end]); return file.subarray(start, end + 1); };
  const index = await readFragmentedIndex(file.subarray(moov.start, moov.start + moov.size), moov.start + moov.size,
    file.subarray(0, 64 * 1024), 0, file.length, read);
  return { ...index, reads };
}

export const load = async (name: string) => readFile(await ensureMedia(name));
export const u32 = (...values: number[]) => Buffer.concat(values.map((value) => { const b = Buffer.alloc(4); b.writeUInt32BE(value >>> 0); return b; }));
export const box = (type: string, ...parts: Buffer[]) => { const body = Buffer.concat(parts); return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]); };
export const plainMoov = (file: Buffer) => { const moov = find(file, 'moov'); return file.subarray(moov.start, moov.start + moov.size); };
export const withoutDescription = <T extends { descriptionBytes: number }>(budget: T) => ({ ...budget, descriptionBytes: 0 });

