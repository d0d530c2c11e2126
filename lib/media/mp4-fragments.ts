// A fragmented MP4's fragments, read box by box: each `moof` (per sample:
// size, duration, flags, composition offset, with the defaults of tfhd and
// the moov's trex), refusing any box there that ffmpeg would act on and the
// index would not. Pure: bytes in, numbers out.
import { assertNoFragmentBoxes, body, child, children, readBoxHeader, type BoxHeader } from './mp4-boxes.js';

/** What a track's fragments take from the moov when a tfhd says nothing (trex). */
export interface TrackDefaults {
  /** The sample description (stsd entry, from 1) its samples use. */
  description: number;
  duration: number;
  size: number;
  flags: number;
}

/** One traf of a moof: its track, its decode start (tfdt), and its samples column by column. */
export interface TrackFragment {
  trackId: number;
  decodeTime: number;
  /** File offsets of the samples' data. */
  offsets: Float64Array;
  sizes: Uint32Array;
  /** Decode durations in the track's timescale. */
  durations: Uint32Array;
  /** 1 where the sample is a keyframe. */
  sync: Uint8Array;
  /** Some sample has a composition offset (B-frames). */
  composition: boolean;
}

/**
 * A keyframe as ffmpeg's mov demuxer sees one: neither "not a sync sample"
 * nor "depends on other samples" (ISO/IEC 14496-12 8.8.3.1).
 */
const isSync = (flags: number) => (flags & 0x01010000) === 0;

/** What ffmpeg reads in a moof and in a traf; anything else there (a nested moof, a loose trun) makes the file one not to index. */
const MOOF_CHILDREN = new Set(['mfhd', 'traf', 'pssh', 'free', 'skip']);
const TRAF_AFTER_TFDT = new Set(['trun', 'sdtp', 'sbgp', 'sgpd', 'subs', 'saiz', 'saio', 'senc', 'free', 'skip']);

function readTfhd(buffer: Buffer, tfhd: BoxHeader, moofStart: number, trex: Map<number, TrackDefaults>) {
  const flags = buffer.readUInt32BE(tfhd.start + tfhd.headerBytes) & 0xffffff;
  let at = body(tfhd);
  const trackId = buffer.readUInt32BE(at);
  at += 4;
  const defaults = trex.get(trackId);
  if (!defaults) throw new Error(`a fragment of track ${trackId}, which the moov does not extend`);
  // ISO counts an implicit base from the end of the traf before; ffmpeg does not always: only an explicit base is read.
  if (!(flags & 0x01) && !(flags & 0x020000)) throw new Error('a tfhd without a base data offset or default-base-is-moof');
  let base = moofStart;
  if (flags & 0x01) { base = Number(buffer.readBigUInt64BE(at)); at += 8; }
  // ffmpeg drops, without a word, the samples of a traf whose sample description is not the track's one.
  const description = flags & 0x02 ? buffer.readUInt32BE((at += 4) - 4) : defaults.description;
  if (description !== 1) throw new Error(`a fragment of sample description ${description}`);
  const duration = flags & 0x08 ? buffer.readUInt32BE((at += 4) - 4) : defaults.duration;
  const size = flags & 0x10 ? buffer.readUInt32BE((at += 4) - 4) : defaults.size;
  const sampleFlags = flags & 0x20 ? buffer.readUInt32BE((at += 4) - 4) : defaults.flags;
  if (at > tfhd.start + tfhd.size) throw new Error('tfhd shorter than its flags');
  return { trackId, base, defaults: { description, duration, size, flags: sampleFlags } };
}

/** A trun's flags, count and where its entries start, checked against its box. */
function trunHeader(buffer: Buffer, trun: BoxHeader) {
  const version = buffer[trun.start + trun.headerBytes]!;
  const flags = buffer.readUInt32BE(trun.start + trun.headerBytes) & 0xffffff;
  // Without a data offset ISO and ffmpeg disagree on where the data is: not indexed.
  if (!(flags & 0x01)) throw new Error('a trun without a data offset');
  const count = buffer.readUInt32BE(body(trun));
  const entries = body(trun) + 8 + (flags & 0x04 ? 4 : 0);
  const entryBytes = 4 * ((flags >> 8 & 1) + (flags >> 9 & 1) + (flags >> 10 & 1) + (flags >> 11 & 1));
  if (entries + count * entryBytes > trun.start + trun.size) throw new Error('trun shorter than its count');
  return { version, flags, count, entries };
}

/** Fills `out` from index `from` with a trun's samples; returns the index after them. */
function readTrun(buffer: Buffer, trun: BoxHeader, base: number, defaults: TrackDefaults, out: TrackFragment, from: number): number {
  const { version, flags, count, entries } = trunHeader(buffer, trun);
  let offset = base + buffer.readInt32BE(body(trun) + 4);
  const first = flags & 0x04 ? buffer.readUInt32BE(body(trun) + 8) : undefined;
  let at = entries;
  for (let i = 0; i < count; i++) {
    const k = from + i;
    out.durations[k] = flags & 0x100 ? buffer.readUInt32BE((at += 4) - 4) : defaults.duration;
    const size = flags & 0x200 ? buffer.readUInt32BE((at += 4) - 4) : defaults.size;
    const sampleFlags = flags & 0x400 ? buffer.readUInt32BE((at += 4) - 4) : i === 0 && first !== undefined ? first : defaults.flags;
    const composition = flags & 0x800 ? (version === 0 ? buffer.readUInt32BE((at += 4) - 4) : buffer.readInt32BE((at += 4) - 4)) : 0;
    out.offsets[k] = offset;
    out.sizes[k] = size;
    out.sync[k] = isSync(sampleFlags) ? 1 : 0;
    if (composition !== 0) out.composition = true;
    offset += size;
  }
  return from + count;
}

/**
 * How many more samples a track may have in the index; undefined for a track
 * it does not hold (ffmpeg would read its samples all the same).
 */
export type SampleRoom = (trackId: number) => number | undefined;

/** One traf: tfhd first, one tfdt, then truns and the boxes ffmpeg reads beside them. */
function readTraf(buffer: Buffer, traf: BoxHeader, moofStart: number, trex: Map<number, TrackDefaults>, room: SampleRoom): TrackFragment {
  const boxes = [...children(buffer, traf.start + traf.headerBytes, traf.start + traf.size)];
  const [tfhd, tfdt, ...rest] = boxes;
  // ffmpeg times a fragment without a tfdt from the sidx, rounded: only fragments that say their time are indexed.
  if (tfhd?.type !== 'tfhd' || tfdt?.type !== 'tfdt') throw new Error('a traf that does not open with tfhd and tfdt');
  if (rest.some((box) => !TRAF_AFTER_TFDT.has(box.type))) throw new Error('a traf with boxes ffmpeg reads that are not indexed');
  const { trackId, base, defaults } = readTfhd(buffer, tfhd, moofStart, trex);
  const truns = rest.filter((box) => box.type === 'trun');
  const count = truns.reduce((sum, trun) => sum + trunHeader(buffer, trun).count, 0);
  const left = room(trackId);
  if (left === undefined) throw new Error(`a fragment of track ${trackId}, which is not an audio or video track`);
  // Counted before anything is allocated: a 20-byte trun may claim billions of default samples.
  if (count > left) throw new Error('more samples than an index may have');
  const decodeTime = buffer[tfdt.start + tfdt.headerBytes] === 1 ? Number(buffer.readBigUInt64BE(body(tfdt))) : buffer.readUInt32BE(body(tfdt));
  const fragment: TrackFragment = {
    trackId, decodeTime, offsets: new Float64Array(count), sizes: new Uint32Array(count), durations: new Uint32Array(count),
    sync: new Uint8Array(count), composition: false,
  };
  let filled = 0;
  for (const trun of truns) filled = readTrun(buffer, trun, base, defaults, fragment, filled);
  return fragment;
}

/**
 * The trafs of a whole `moof` box at `buffer[0…]` that starts at file offset
 * `moofStart`. `room`: how many samples each track may still take.
 */
export function parseMoof(buffer: Buffer, moofStart: number, trex: Map<number, TrackDefaults>, room: SampleRoom): TrackFragment[] {
  const moof = readBoxHeader(buffer, 0, buffer.length);
  if (!moof || moof.type !== 'moof' || moof.size > buffer.length) throw new Error('not a whole moof box');
  const fragments: TrackFragment[] = [];
  const taken = new Map<number, number>();
  for (const box of children(buffer, moof.headerBytes, moof.size)) {
    if (!MOOF_CHILDREN.has(box.type)) throw new Error(`a ${JSON.stringify(box.type)} box in a moof`);
    if (box.type !== 'traf') continue;
    // Two trafs of one track in a moof share its room.
    const fragment = readTraf(buffer, box, moofStart, trex, (id) => { const left = room(id); return left === undefined ? undefined : left - (taken.get(id) ?? 0); });
    taken.set(fragment.trackId, (taken.get(fragment.trackId) ?? 0) + fragment.sizes.length);
    fragments.push(fragment);
  }
  return fragments;
}

/**
 * Per track ID, the defaults of the moov's `mvex/trex` boxes (moov: the whole
 * box). Throws when the moov holds fragment boxes anywhere else.
 */
export function readTrex(moov: Buffer, root: BoxHeader): Map<number, TrackDefaults> {
  const mvex = child(moov, root, ['mvex']);
  const defaults = new Map<number, TrackDefaults>();
  if (!mvex) return defaults;
  const boxes = [...children(moov, mvex.start + mvex.headerBytes, mvex.start + mvex.size)];
  assertNoFragmentBoxes(moov, new Set([0, mvex.start, ...boxes.filter((box) => box.type === 'trex').map((box) => box.start)]));
  for (const trex of boxes) {
    if (trex.type !== 'trex' || trex.size < 32) continue;
    const at = body(trex);
    // ffmpeg takes the first trex of a track, a Map the last: neither is right.
    if (defaults.has(moov.readUInt32BE(at))) throw new Error(`two trex boxes for track ${moov.readUInt32BE(at)}`);
    defaults.set(moov.readUInt32BE(at), {
      description: moov.readUInt32BE(at + 4), duration: moov.readUInt32BE(at + 8), size: moov.readUInt32BE(at + 12), flags: moov.readUInt32BE(at + 16),
    });
  }
  return defaults;
}

/** A trak's track ID (tkhd). */
export function trackIdOf(moov: Buffer, trak: BoxHeader): number {
  const tkhd = child(moov, trak, ['tkhd']);
  if (!tkhd) throw new Error('trak without tkhd');
  return moov.readUInt32BE(body(tkhd) + (moov[tkhd.start + tkhd.headerBytes] === 1 ? 16 : 8));
}
