// The index of a fragmented MP4 whole file (YouTube's H.264/AV1 `mp4_dash`,
// the SegmentBase files of Facebook, Instagram, Reddit, Bilibili), asked of
// its media server by ranges: the sidx after the moov, then each fragment's
// moof (and its mdat's header), a few at a time. The sample data itself is
// never read. A file without a sidx, or whose fragments disagree with it, is
// left without an index (its download is chunked, as before).
import { readBoxHeader } from './mp4-boxes.js';
import { FragmentedIndex } from './mp4-fragment-index.js';
import { parseSidx, type SidxReference } from './mp4-fragments.js';
import type { TrackIndex } from './mp4-index.js';
import type { SampleTable } from './mp4-samples.js';

export type ReadRange = (start: number, end: number) => Promise<Buffer>;

/** Fragments a file may list to be read: 5.5 hours of 2 s fragments; more is not worth as many requests. */
export const MAX_FRAGMENT_READS = 10_000;
/** Bytes of moofs one file may make us read (a 3-hour 60 fps video's are about 10 MB). */
const MAX_MOOF_BYTES = 32 * 1024 * 1024;
/** Moof requests under way at once for one file. */
const PARALLEL_READS = 6;
/** Top-level boxes stepped over after the moov, looking for the sidx. */
const MAX_HOPS = 8;
/** What is read of the first fragment, before any moof's size is known. */
const FIRST_GUESS = 16 * 1024;
/** The longest mdat header, read with its moof. */
const MDAT_HEADER = 16;

/** The first top-level sidx after `from` (before any moof), or undefined. `known` holds the file's bytes from `base` on. */
async function findSidx(known: Buffer, base: number, from: number, size: number, read: ReadRange): Promise<{ sidx: Buffer; at: number } | undefined> {
  let buffer = known;
  let start = base;
  for (let at = from, hops = 0; at < size && hops < MAX_HOPS; hops++) {
    let box = at - start >= 0 ? readBoxHeader(buffer, at - start, size - start) : undefined;
    if (!box) {
      buffer = await read(at, Math.min(at + 64 * 1024, size) - 1);
      start = at;
      box = readBoxHeader(buffer, 0, size - at);
      if (!box) return undefined;
    }
    if (box.type === 'moof' || box.type === 'mdat') return undefined;
    if (box.type === 'sidx') {
      if (box.size > MAX_MOOF_BYTES || at + box.size > size) return undefined;
      const whole = box.start + box.size <= buffer.length ? buffer.subarray(box.start, box.start + box.size) : await read(at, at + box.size - 1);
      return { sidx: whole, at };
    }
    at += box.size;
  }
  return undefined;
}

/**
 * The tracks and sample tables of a fragmented MP4 of `size` bytes, from its
 * whole `moov` (which ends at `moovEnd`) and ranges read through `read`.
 * `known`: bytes already read, from file offset `base` on. Throws where the
 * file is not one to index.
 */
export async function readFragmentedIndex(moov: Buffer, moovEnd: number, known: Buffer, base: number, size: number, read: ReadRange):
  Promise<{ tracks: TrackIndex[]; tables: SampleTable[] }> {
  const index = new FragmentedIndex(moov);
  const found = await findSidx(known, base, moovEnd, size, read);
  if (!found) throw new Error('a fragmented MP4 without a sidx');
  const { trackId, references } = parseSidx(found.sidx, found.at);
  if (references.length === 0 || references.length > MAX_FRAGMENT_READS) throw new Error(`a sidx of ${references.length} fragments`);
  const last = references.at(-1)!;
  if (references[0]!.offset < found.at + found.sidx.length || last.offset + last.size > size) throw new Error('a sidx that points outside its file');
  let guess = FIRST_GUESS;
  let largest = 0;
  let spent = 0;
  const readMoof = async (reference: SidxReference): Promise<Buffer> => {
    const want = (bytes: number) => {
      spent += bytes;
      if (spent > MAX_MOOF_BYTES) throw new Error('moofs larger than an index may be');
      return read(reference.offset, reference.offset + bytes - 1);
    };
    let buffer = await want(Math.min(guess, reference.size));
    const moof = readBoxHeader(buffer, 0, reference.size);
    const needed = moof ? Math.min(moof.size + MDAT_HEADER, reference.size) : 0;
    if (moof && needed > buffer.length) buffer = await want(needed);
    // Enough for the largest moof so far and then some: one read per fragment, little media read with it.
    if (moof) largest = Math.max(largest, moof.size);
    guess = Math.ceil(largest * 1.5) + 256 + MDAT_HEADER;
    return buffer;
  };
  // Read a few ahead, added strictly in order (each tfdt continues the fragment before).
  const pending: Array<Promise<Buffer>> = [];
  let next = 0;
  const topUp = () => { while (next < references.length && pending.length < PARALLEL_READS) pending.push(readMoof(references[next++]!)); };
  try {
    // The first alone: its moof's size tells how much to read of the others.
    index.add(await readMoof(references[0]!), references[0]!, trackId);
    next = 1;
    for (let i = 1; i < references.length; i++) {
      topUp();
      index.add(await pending.shift()!, references[i]!, trackId);
    }
  } finally {
    // Reads still under way when one failed must not reject unobserved.
    for (const read of pending) read.catch(() => {});
  }
  return index.finish();
}
