// Walking ISO BMFF (MP4) boxes in a buffer: headers, children, paths.

export interface BoxHeader {
  type: string;
  /** Offset of the box from the buffer's or file's start. */
  start: number;
  /** Whole size, header included (a size-0 box runs to `limit`). */
  size: number;
  headerBytes: number;
}

/** The header of the box at `offset`, or undefined when fewer than its header's bytes are there. */
export function readBoxHeader(buffer: Buffer, offset: number, limit = Infinity): BoxHeader | undefined {
  if (offset + 8 > buffer.length) return undefined;
  let size = buffer.readUInt32BE(offset);
  const type = buffer.toString('latin1', offset + 4, offset + 8);
  let headerBytes = 8;
  if (size === 1) {
    if (offset + 16 > buffer.length) return undefined;
    size = Number(buffer.readBigUInt64BE(offset + 8));
    headerBytes = 16;
  } else if (size === 0) {
    size = limit - offset;
  }
  if (size < headerBytes || !Number.isSafeInteger(size)) throw new Error(`bad ${JSON.stringify(type)} box size at ${offset}`);
  return { type, start: offset, size, headerBytes };
}

/** The boxes directly inside [start, end) of `buffer`. */
export function* children(buffer: Buffer, start: number, end: number): Generator<BoxHeader> {
  for (let offset = start; offset + 8 <= end;) {
    const box = readBoxHeader(buffer, offset, end);
    if (!box || box.start + box.size > end) throw new Error(`truncated ${box?.type ?? 'box'} at ${offset}`);
    yield box;
    offset += box.size;
  }
}

export function child(buffer: Buffer, parent: BoxHeader, path: string[]): BoxHeader | undefined {
  let box: BoxHeader | undefined = parent;
  for (const type of path) {
    const within: BoxHeader = box;
    box = undefined;
    for (const candidate of children(buffer, within.start + within.headerBytes, within.start + within.size)) {
      if (candidate.type !== type) continue;
      // ffmpeg takes the last of two (an stsz, an stts…), a reader the first: such a file is read by neither.
      if (box) throw new Error(`two ${JSON.stringify(type)} boxes in one ${JSON.stringify(within.type)}`);
      box = candidate;
    }
    if (!box) return undefined;
  }
  return box;
}

/** Start of a full box's payload (after version and flags). */
export const body = (box: BoxHeader) => box.start + box.headerBytes + 4;

/**
 * The entry count of a full box's table, checked against the box: a hostile
 * count must not make a reader walk past its box (into its neighbours: many
 * tiny boxes each walking to the end of the moov cost moov size × boxes).
 * `header` is the bytes between the count and the first entry.
 */
export function tableCount(buffer: Buffer, box: BoxHeader, entryBytes: number, header = 0): number {
  const count = buffer.readUInt32BE(body(box));
  if (body(box) + 4 + header + count * entryBytes > box.start + box.size) throw new Error(`${box.type} shorter than its count`);
  return count;
}

/** The movie's timescale (mvhd) of a whole moov. */
export function movieTimescale(moov: Buffer, root: BoxHeader): number {
  const mvhd = child(moov, root, ['mvhd']);
  if (!mvhd) throw new Error('moov without mvhd');
  const timescale = moov.readUInt32BE(body(mvhd) + (moov[mvhd.start + mvhd.headerBytes] === 1 ? 16 : 8));
  // As ffmpeg reads it: a signed number.
  if (timescale > 0x7fffffff) throw new Error(`a movie timescale of ${timescale}`);
  return timescale;
}

/** Edits of at most this much are taken for what they are: AAC priming, a frame of delay. */
const PLAIN_EDIT_SECONDS = 0.25;

/** A track's edit list: how many edits, and the first one's duration (movie timescale) and media time (media timescale). */
function readEdits(buffer: Buffer, trak: BoxHeader): { count: number; duration: number; mediaTime: number } | undefined {
  const elst = child(buffer, trak, ['edts', 'elst']);
  if (!elst) return undefined;
  const v1 = buffer[elst.start + elst.headerBytes] === 1;
  const count = tableCount(buffer, elst, v1 ? 20 : 12);
  if (count === 0) return { count, duration: 0, mediaTime: 0 };
  const at = body(elst) + 4;
  const duration = v1 ? Number(buffer.readBigUInt64BE(at)) : buffer.readUInt32BE(at);
  const mediaTime = v1 ? Number(buffer.readBigInt64BE(at + 8)) : buffer.readInt32BE(at + 4);
  return { count, duration, mediaTime };
}

/**
 * Whether a track's edit list leaves its media as it is, near enough: none,
 * or one edit that starts within PLAIN_EDIT_SECONDS and runs to the end. An
 * empty edit (a delay), several edits or a trim make ffmpeg shift or drop
 * samples, which neither the output bound nor a resume's skip plan follows.
 */
export function isPlainEdit(buffer: Buffer, trak: BoxHeader, movieScale: number, mediaScale: number, mediaSeconds: number, fragmented = false): boolean {
  const edits = readEdits(buffer, trak);
  if (!edits || edits.count === 0) return true;
  if (edits.count > 1 || movieScale === 0 || mediaScale === 0) return false;
  const { duration, mediaTime } = edits;
  const start = mediaTime / mediaScale;
  // In a fragmented file an edit of duration 0 runs to the end of the media, however long the fragments make it.
  const toTheEnd = duration === 0 && fragmented;
  return mediaTime >= 0 && start <= PLAIN_EDIT_SECONDS && (toTheEnd || duration / movieScale >= mediaSeconds - start - PLAIN_EDIT_SECONDS);
}

/** Seconds of media a plain edit list skips (AAC priming, B-frame delay): where ffmpeg's clock puts 0. 0 without one. */
export function editStart(buffer: Buffer, trak: BoxHeader, mediaScale: number): number {
  const edits = readEdits(buffer, trak);
  if (!edits || mediaScale === 0) return 0;
  return Math.max(0, edits.mediaTime) / mediaScale;
}

/**
 * Box types ffmpeg's mov demuxer acts on wherever it meets them, which would
 * make a plain moov fragmented, add samples, or hide boxes (cmov: a
 * compressed moov ffmpeg inflates; stz2: sample sizes the index does not read).
 */
const FRAGMENT_TYPES = ['moov', 'mvex', 'trex', 'moof', 'traf', 'tfhd', 'tfdt', 'trun', 'sidx', 'cmov', 'stz2'];

/**
 * Throws when `moov` holds a box of FRAGMENT_TYPES anywhere but at the
 * offsets in `allowed` (its own start, its mvex and trex boxes). A plain
 * search, for any depth: a type name counts unless the four bytes before it
 * are a size ffmpeg stops at (2 to 7). ffmpeg cuts a child that claims more
 * than its parent holds down to fit and reads 0 as "to the end", so every
 * other size is one it would read; a title that says "trun" may cost an
 * exact length, never a wrong one.
 */
export function assertNoFragmentBoxes(moov: Buffer, allowed: ReadonlySet<number>): void {
  for (const type of FRAGMENT_TYPES) {
    for (let at = moov.indexOf(type, 4, 'latin1'); at !== -1; at = moov.indexOf(type, at + 1, 'latin1')) {
      const size = moov.readUInt32BE(at - 4);
      if ((size < 2 || size > 7) && !allowed.has(at - 4)) throw new Error(`a ${type} box inside the moov`);
    }
  }
}
