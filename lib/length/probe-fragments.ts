// The index of a fragmented MP4 whole file (YouTube's H.264/AV1 `mp4_dash`,
// the SegmentBase files of Facebook, Instagram, Reddit, Bilibili), asked of
// its media server by ranges: the sidx after the moov, then each fragment's
// moof (and its mdat's header), a few at a time. The sample data itself is
// never read. A file without a sidx, or whose fragments disagree with it, is
// left without an index (its download is chunked, as before).
import { readBoxHeader } from '../media/mp4-boxes.js';
import { FragmentedIndex } from '../media/mp4-fragment-index.js';
import { parseSidx, type SidxReference } from '../media/mp4-sidx.js';
import type { TrackIndex } from '../media/mp4-index.js';
import type { SampleTable } from '../media/mp4-samples.js';

export type ReadRange = (start: number, end: number) => Promise<Buffer>;

/** Fragments a file may list to be read: 5.5 hours of 2 s fragments; more is not worth as many requests. */
export const MAX_FRAGMENT_READS = 10_000;
/** Bytes of moofs one file may make us read (a 3-hour 60 fps video's are about 10 MB). */
const MAX_MOOF_BYTES = 32 * 1024 * 1024;
/** Moof requests under way at once for one file. */
const PARALLEL_READS = 6;
/** Top-level boxes stepped over after the moov (sidx, free…) and after the last fragment. */
const MAX_HOPS = 8;
/** What is read of the first fragment, before any moof's size is known. */
const FIRST_GUESS = 16 * 1024;
/** The longest mdat header, read with its moof. */
const MDAT_HEADER = 16;

/** Boxes ffmpeg steps over between the moov and the first fragment, and after the last one. */
const BEFORE_FRAGMENTS = new Set(['sidx', 'free', 'skip', 'styp']);
const AFTER_FRAGMENTS = new Set(['mfra', 'free', 'skip']);
/** The largest sidx there can be: a 16-bit count of 12-byte references after a 40-byte header. */
const MAX_SIDX_BYTES = 40 + 12 * 0xffff;
/**
 * Fragments smaller than SMALL_FRAGMENT are read whole, up to GROUP_BYTES in
 * one request: reading a few KiB of them costs about a request's worth of
 * bytes anyway, and a file of tiny fragments must not cost a request per 44
 * bytes (a review made one). So a file costs at most one request per 32 KiB.
 */
const SMALL_FRAGMENT = 32 * 1024;
const GROUP_BYTES = 256 * 1024;

/**
 * Walks the top-level boxes from `from` while their types are in `allowed`:
 * ffmpeg reads every top-level box in turn, so nothing may sit there that the
 * index has not seen. Resolves with where the walk stopped and the first sidx.
 */
async function walkTop(known: Buffer, base: number, from: number, size: number, allowed: Set<string>, read: ReadRange):
  Promise<{ stop: number; sidx?: { bytes: Buffer; at: number } }> {
  let buffer = known;
  let start = base;
  let sidx: { bytes: Buffer; at: number } | undefined;
  let at = from;
  for (let hops = 0; at < size; hops++) {
    if (hops >= MAX_HOPS) throw new Error('too many boxes between the fragments');
    let box = at - start >= 0 ? readBoxHeader(buffer, at - start, size - start) : undefined;
    if (!box) {
      buffer = await read(at, Math.min(at + 64 * 1024, size) - 1);
      start = at;
      box = readBoxHeader(buffer, 0, size - at);
      if (!box) throw new Error('a box header cut by the end of the file');
    }
    if (!allowed.has(box.type)) break;
    if (box.type === 'sidx' && !sidx) {
      if (box.size > MAX_SIDX_BYTES || at + box.size > size) throw new Error('a sidx larger than any can be');
      const whole = box.start + box.size <= buffer.length ? buffer.subarray(box.start, box.start + box.size) : await read(at, at + box.size - 1);
      sidx = { bytes: whole, at };
    }
    at += box.size;
  }
  return { stop: Math.min(at, size), ...(sidx ? { sidx } : {}) };
}

/** References read together: runs of small fragments whole, a large one alone (its moof only). */
function groupReferences(references: readonly SidxReference[]): SidxReference[][] {
  const groups: SidxReference[][] = [];
  let bytes = Infinity;
  for (const reference of references) {
    if (reference.size < SMALL_FRAGMENT && bytes + reference.size <= GROUP_BYTES) {
      groups.at(-1)!.push(reference);
      bytes += reference.size;
    } else {
      groups.push([reference]);
      bytes = reference.size < SMALL_FRAGMENT ? reference.size : Infinity;
    }
  }
  return groups;
}

/**
 * The tracks and sample tables of a fragmented MP4 of `size` bytes, from its
 * whole `moov` (which ends at `moovEnd`) and ranges read through `read`.
 * `known`: bytes already read, from file offset `base` on; `charge` is told
 * the memory its sample tables take. Throws where the file is not one to index.
 */
export async function readFragmentedIndex(moov: Buffer, moovEnd: number, known: Buffer, base: number, size: number, read: ReadRange,
  charge: (bytes: number) => void = () => {}): Promise<{ tracks: TrackIndex[]; tables: SampleTable[] }> {
  const index = new FragmentedIndex(moov, charge);
  const head = await walkTop(known, base, moovEnd, size, BEFORE_FRAGMENTS, read);
  if (!head.sidx) throw new Error('a fragmented MP4 without a sidx before its fragments');
  const references = parseSidx(head.sidx.bytes, head.sidx.at);
  if (references.length === 0 || references.length > MAX_FRAGMENT_READS) throw new Error(`a sidx of ${references.length} fragments`);
  const end = references.at(-1)!.offset + references.at(-1)!.size;
  if (references[0]!.offset !== head.stop || end > size) throw new Error('a sidx whose fragments do not start where its boxes end, or run past the file');
  // After the last fragment: an mfra at most, up to the end (ffmpeg would read another moof there).
  if (end < size && (await walkTop(Buffer.alloc(0), end, end, size, AFTER_FRAGMENTS, read)).stop !== size) throw new Error('boxes after the last fragment');
  let guess = FIRST_GUESS;
  let largest = 0;
  let spent = 0;
  const want = (at: number, bytes: number) => {
    spent += bytes;
    if (spent > MAX_MOOF_BYTES) throw new Error('moofs larger than an index may be');
    return read(at, at + bytes - 1);
  };
  /** Each reference's first bytes: the whole group of small ones, or a large one's moof and mdat header. */
  const readGroup = async (group: SidxReference[]): Promise<Buffer[]> => {
    const first = group[0]!;
    if (group.length > 1 || first.size < SMALL_FRAGMENT) {
      const whole = await want(first.offset, group.reduce((sum, r) => sum + r.size, 0));
      return group.map((r) => whole.subarray(r.offset - first.offset, r.offset - first.offset + r.size));
    }
    let buffer = await want(first.offset, Math.min(guess, first.size));
    const moof = readBoxHeader(buffer, 0, first.size);
    const needed = moof ? Math.min(moof.size + MDAT_HEADER, first.size) : 0;
    if (moof && needed > buffer.length) buffer = await want(first.offset, needed);
    // Enough for the largest moof so far and then some: one read per fragment, little media read with it.
    if (moof) largest = Math.max(largest, moof.size);
    guess = Math.ceil(largest * 1.5) + 256 + MDAT_HEADER;
    return [buffer];
  };
  const groups = groupReferences(references);
  // Read a few ahead, added strictly in order (each tfdt continues the fragment before).
  const pending: Array<Promise<Buffer[]>> = [];
  let next = 0;
  const topUp = () => {
    while (next < groups.length && pending.length < PARALLEL_READS) {
      const reading = readGroup(groups[next++]!);
      // Observed at once: a read failing while an earlier one is awaited must not go unhandled.
      reading.catch(() => {});
      pending.push(reading);
    }
  };
  let added = 0;
  const addAll = (buffers: Buffer[]) => { for (const buffer of buffers) index.add(buffer, references[added++]!); };
  // The first alone: its moof's size tells how much to read of the others.
  addAll(await readGroup(groups[0]!));
  next = 1;
  while (added < references.length) {
    topUp();
    addAll(await pending.shift()!);
  }
  return index.finish();
}
