// A fragmented MP4's own index, read box by box: its `sidx` (where each
// fragment sits and how long it lasts) and each fragment's `moof` (per
// sample: size, duration, flags, composition offset, with the defaults of
// tfhd and the moov's trex). Pure: bytes in, numbers out. What the sidx
// says and what the moofs say must agree, or the file is not read at all.
import { body, child, children, readBoxHeader, type BoxHeader } from './mp4-boxes.js';

/** One fragment as the sidx lists it: file offset and size of its boxes, its duration in seconds. */
export interface SidxReference {
  offset: number;
  size: number;
  seconds: number;
}

/** A sidx: the track whose durations it gives, and its references in order. */
export interface Sidx {
  trackId: number;
  references: SidxReference[];
}

/** The references of a whole `sidx` box at `buffer[0…]` that starts at file offset `fileOffset`. */
export function parseSidx(buffer: Buffer, fileOffset: number): Sidx {
  const box = readBoxHeader(buffer, 0, buffer.length);
  if (!box || box.type !== 'sidx' || box.size > buffer.length) throw new Error('not a whole sidx box');
  const v1 = buffer[box.headerBytes] === 1;
  const at = body(box);
  const timescale = buffer.readUInt32BE(at + 4);
  const firstOffset = v1 ? Number(buffer.readBigUInt64BE(at + 16)) : buffer.readUInt32BE(at + 12);
  const countAt = at + (v1 ? 24 : 16) + 2;
  const count = buffer.readUInt16BE(countAt);
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
    references.push({ offset, size, seconds: buffer.readUInt32BE(countAt + 6 + i * 12) / timescale });
    offset += size;
  }
  return { trackId: buffer.readUInt32BE(at), references };
}

/** What a track's fragments take from the moov when a tfhd says nothing (trex). */
export interface TrackDefaults {
  duration: number;
  size: number;
  flags: number;
}

/** One sample of a fragment. */
export interface FragmentSample {
  /** File offset of its data. */
  offset: number;
  size: number;
  /** Decode duration in the track's timescale. */
  duration: number;
  sync: boolean;
  /** Composition offset (B-frames), in the track's timescale. */
  composition: number;
}

/** One traf of a moof: its track, its decode start (tfdt, when given) and its samples. */
export interface TrackFragment {
  trackId: number;
  decodeTime: number | undefined;
  samples: FragmentSample[];
}

/** A sample's flags say it is not a sync sample (ISO/IEC 14496-12 8.8.3.1). */
const isSync = (flags: number) => ((flags >>> 16) & 1) === 0;

function readTfhd(buffer: Buffer, tfhd: BoxHeader, moofStart: number, trex: Map<number, TrackDefaults>) {
  const flags = buffer.readUInt32BE(tfhd.start + tfhd.headerBytes) & 0xffffff;
  let at = body(tfhd);
  const trackId = buffer.readUInt32BE(at);
  at += 4;
  const defaults = trex.get(trackId);
  if (!defaults) throw new Error(`a fragment of track ${trackId}, which the moov does not extend`);
  let base = moofStart;
  // An explicit base is a file offset; otherwise ffmpeg, YouTube and DASH segments count from the moof.
  if (flags & 0x01) { base = Number(buffer.readBigUInt64BE(at)); at += 8; }
  if (flags & 0x02) at += 4;
  const duration = flags & 0x08 ? buffer.readUInt32BE((at += 4) - 4) : defaults.duration;
  const size = flags & 0x10 ? buffer.readUInt32BE((at += 4) - 4) : defaults.size;
  const sampleFlags = flags & 0x20 ? buffer.readUInt32BE((at += 4) - 4) : defaults.flags;
  if (at > tfhd.start + tfhd.size) throw new Error('tfhd shorter than its flags');
  return { trackId, base, defaults: { duration, size, flags: sampleFlags } };
}

/** Appends a trun's samples to `out`; its data starts at `base` + its data offset, or without one at `following` (where the trun before ended). */
function readTrun(buffer: Buffer, trun: BoxHeader, base: number, following: number, defaults: TrackDefaults, out: FragmentSample[], maxSamples: number): number {
  const version = buffer[trun.start + trun.headerBytes]!;
  const flags = buffer.readUInt32BE(trun.start + trun.headerBytes) & 0xffffff;
  let at = body(trun);
  const count = buffer.readUInt32BE(at);
  at += 4;
  let offset = following;
  if (flags & 0x01) { offset = base + buffer.readInt32BE(at); at += 4; }
  const first = flags & 0x04 ? buffer.readUInt32BE((at += 4) - 4) : undefined;
  const entryBytes = 4 * ((flags >> 8 & 1) + (flags >> 9 & 1) + (flags >> 10 & 1) + (flags >> 11 & 1));
  if (out.length + count > maxSamples) throw new Error('more samples than an index may have');
  if (at + count * entryBytes > trun.start + trun.size) throw new Error('trun shorter than its count');
  for (let i = 0; i < count; i++) {
    const duration = flags & 0x100 ? buffer.readUInt32BE((at += 4) - 4) : defaults.duration;
    const size = flags & 0x200 ? buffer.readUInt32BE((at += 4) - 4) : defaults.size;
    const sampleFlags = flags & 0x400 ? buffer.readUInt32BE((at += 4) - 4) : i === 0 && first !== undefined ? first : defaults.flags;
    const composition = flags & 0x800 ? (version === 0 ? buffer.readUInt32BE((at += 4) - 4) : buffer.readInt32BE((at += 4) - 4)) : 0;
    out.push({ offset, size, duration, sync: isSync(sampleFlags), composition });
    offset += size;
  }
  return offset;
}

/**
 * The trafs of a whole `moof` box at `buffer[0…]` that starts at file offset
 * `moofStart`. `maxSamples`: how many samples all fragments may still add.
 */
export function parseMoof(buffer: Buffer, moofStart: number, trex: Map<number, TrackDefaults>, maxSamples: number): TrackFragment[] {
  const moof = readBoxHeader(buffer, 0, buffer.length);
  if (!moof || moof.type !== 'moof' || moof.size > buffer.length) throw new Error('not a whole moof box');
  const fragments: TrackFragment[] = [];
  let added = 0;
  for (const traf of children(buffer, moof.headerBytes, moof.size)) {
    if (traf.type !== 'traf') continue;
    const tfhd = child(buffer, traf, ['tfhd']);
    if (!tfhd) throw new Error('traf without tfhd');
    const { trackId, base, defaults } = readTfhd(buffer, tfhd, moofStart, trex);
    const tfdt = child(buffer, traf, ['tfdt']);
    const decodeTime = tfdt && (buffer[tfdt.start + tfdt.headerBytes] === 1 ? Number(buffer.readBigUInt64BE(body(tfdt))) : buffer.readUInt32BE(body(tfdt)));
    const samples: FragmentSample[] = [];
    let next = base;
    for (const trun of children(buffer, traf.start + traf.headerBytes, traf.start + traf.size)) {
      // A trun without a data offset continues where the one before it ended.
      if (trun.type === 'trun') next = readTrun(buffer, trun, base, next, defaults, samples, maxSamples - added);
    }
    added += samples.length;
    fragments.push({ trackId, decodeTime, samples });
  }
  return fragments;
}

/** Per track ID, the defaults of the moov's `mvex/trex` boxes (moov: the whole box). */
export function readTrex(moov: Buffer, root: BoxHeader): Map<number, TrackDefaults> {
  const mvex = child(moov, root, ['mvex']);
  const defaults = new Map<number, TrackDefaults>();
  if (!mvex) return defaults;
  for (const trex of children(moov, mvex.start + mvex.headerBytes, mvex.start + mvex.size)) {
    if (trex.type !== 'trex' || trex.size < 32) continue;
    const at = body(trex);
    defaults.set(moov.readUInt32BE(at), { duration: moov.readUInt32BE(at + 8), size: moov.readUInt32BE(at + 12), flags: moov.readUInt32BE(at + 16) });
  }
  return defaults;
}

/** A trak's track ID (tkhd). */
export function trackIdOf(moov: Buffer, trak: BoxHeader): number {
  const tkhd = child(moov, trak, ['tkhd']);
  if (!tkhd) throw new Error('trak without tkhd');
  return moov.readUInt32BE(body(tkhd) + (moov[tkhd.start + tkhd.headerBytes] === 1 ? 16 : 8));
}
