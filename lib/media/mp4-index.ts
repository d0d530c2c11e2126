// An MP4's own index (its `moov`), read for what decides the size of our
// remux: per track, how many samples, how many bytes of them, where the
// keyframes are, and whether sizes, durations and composition offsets vary.
// Pure: top-level box headers and the moov bytes in, numbers out.
import type { TrackBudget } from '../types.js';
import { assertNoFragmentBoxes, body, child, children, isPlainEdit, movieTimescale, readBoxHeader, type BoxHeader } from './mp4-boxes.js';
import { copyTraits, DATA_ENTRIES, entryAgrees, firstEntry } from './mp4-codec.js';
import { checkFirstKeyframe, hasOffsets, readDurations, readSizes, readSync, sampleBoxes } from './mp4-tables.js';

export { readBoxHeader } from './mp4-boxes.js';

/** One track of an input, as the output-size bound needs it. */
export interface TrackIndex {
  kind: 'video' | 'audio';
  /** Samples (packets) in the track. */
  samples: number;
  /** Bytes of sample data: what `-c copy` carries over unchanged. */
  payload: number;
  /** Track length in seconds. */
  seconds: number;
  /** The longest sample duration, in seconds. */
  maxSampleSeconds: number;
  /** 1-based numbers of the keyframes; undefined when every sample is one. */
  syncSamples?: Uint32Array;
  sizesVary: boolean;
  /** Sample durations differ somewhere other than the first and last sample. */
  durationsVary: boolean;
  /** Some sample is presented at another time than it is decoded (B-frames). */
  compositionOffsets: boolean;
  /** Size of the sample description (`stsd`), which the output's moov repeats. */
  descriptionBytes: number;
  /** ffmpeg copies it with its parsers off (lib/media/mp4-codec.ts: copiesUnparsed). */
  blindCopy: boolean;
}

/** An audio or video trak of a moov: its box, its sample table box (stbl) and its media timescale. */
export interface MediaTrak {
  trak: BoxHeader;
  stbl: BoxHeader;
  kind: 'video' | 'audio';
  timescale: number;
}

function readTimescale(buffer: Buffer, trak: BoxHeader): number {
  const mdhd = child(buffer, trak, ['mdia', 'mdhd']);
  if (!mdhd) throw new Error('track without mdhd');
  const v1 = buffer[mdhd.start + mdhd.headerBytes] === 1;
  const timescale = buffer.readUInt32BE(body(mdhd) + (v1 ? 16 : 8));
  // ffmpeg reads it as a signed number and takes one of 2^31 or more for 1: every sample a thousand seconds long.
  if (timescale === 0 || timescale > 0x7fffffff) throw new Error(`track with a timescale of ${timescale}`);
  return timescale;
}

/**
 * The whole `moov` box in `moov` (header included), checked, and its audio and
 * video traks in order; other traks (text, hints) are left out. What both
 * readers of an index walk: the bound's (parseMoov) and a resume's (mp4-samples.ts).
 */
export function mediaTraks(moov: Buffer): { root: BoxHeader; traks: MediaTrak[] } {
  const root = readBoxHeader(moov, 0, moov.length);
  if (!root || root.type !== 'moov' || root.size > moov.length) throw new Error('not a whole moov box');
  const traks: MediaTrak[] = [];
  for (const trak of children(moov, root.headerBytes, root.size)) {
    if (trak.type !== 'trak') continue;
    const hdlr = child(moov, trak, ['mdia', 'hdlr']);
    const handler = hdlr ? moov.toString('latin1', body(hdlr) + 4, body(hdlr) + 8) : '';
    const stbl = child(moov, trak, ['mdia', 'minf', 'stbl']);
    const stsd = stbl && child(moov, stbl, ['stsd']);
    // ffmpeg goes by the sample entry, not the handler: a track left out must be one it takes for neither audio nor video.
    if (handler !== 'vide' && handler !== 'soun') {
      const entry = stsd && firstEntry(moov, stsd);
      if (entry && !DATA_ENTRIES.has(entry.type)) throw new Error(`a ${JSON.stringify(handler)} track of ${JSON.stringify(entry.type)} samples`);
      continue;
    }
    if (!stbl || !stsd) throw new Error('track without stbl or stsd');
    const type = firstEntry(moov, stsd)?.type ?? '';
    // Encrypted samples would be copied as they are: a file of the announced length that plays nothing.
    if (ENCRYPTED_ENTRIES.has(type)) throw new Error('an encrypted track');
    const kind = handler === 'vide' ? 'video' : 'audio';
    if (!entryAgrees(type, kind)) throw new Error(`a ${kind} track whose samples are of another kind`);
    traks.push({ trak, stbl, kind, timescale: readTimescale(moov, trak) });
  }
  return { root, traks };
}

/** Sample entries of protected media (ISO common encryption, older DRM). */
const ENCRYPTED_ENTRIES = new Set(['encv', 'enca', 'drms', 'drmi']);

function readTrack(buffer: Buffer, { trak, stbl, kind, timescale }: MediaTrak, movieScale: number): TrackIndex {
  const { stsz, stts, stsd } = sampleBoxes(buffer, stbl);
  const copy = copyTraits(buffer, stsd, kind, timescale);
  const sizes = readSizes(buffer, stsz);
  const syncSamples = readSync(buffer, child(buffer, stbl, ['stss']));
  const { durationsVary, maxDelta, total } = readDurations(buffer, stts, sizes.samples);
  if (syncSamples) checkFirstKeyframe(kind, syncSamples);
  if (!isPlainEdit(buffer, trak, movieScale, timescale, total / timescale)) throw new Error('an edit list that delays, trims or splits the track');
  return {
    kind,
    ...sizes,
    seconds: total / timescale,
    maxSampleSeconds: maxDelta / timescale,
    ...(syncSamples ? { syncSamples } : {}),
    // Audio timed by another clock than its sample rate comes out with every duration rounded anew.
    durationsVary: durationsVary || !copy.keepsTiming,
    compositionOffsets: hasOffsets(buffer, child(buffer, stbl, ['ctts'])),
    descriptionBytes: stsd.size,
    blindCopy: copy.unparsed,
  };
}

/**
 * The audio and video tracks of a `moov` box (`moov` holds the whole box,
 * header included). Throws on a fragmented file (its samples live in the
 * moofs, not here) and on anything malformed.
 */
export function parseMoov(moov: Buffer): TrackIndex[] {
  const { root, traks } = mediaTraks(moov);
  if (child(moov, root, ['mvex'])) throw new Error('fragmented MP4: its samples are indexed in moof boxes');
  // An mvex or moof deeper down makes ffmpeg read fragments this index never saw.
  assertNoFragmentBoxes(moov, new Set([0]));
  const movieScale = movieTimescale(moov, root);
  return traks.map((trak) => readTrack(moov, trak, movieScale));
}

/** The most samples from one keyframe to the next (or to the end, or from the start to the first). */
function longestGop(track: TrackIndex): number {
  const sync = track.syncSamples;
  if (!sync) return 1;
  if (sync.length === 0) return track.samples;
  let longest = sync[0]! - 1;
  for (let i = 1; i < sync.length; i++) longest = Math.max(longest, sync[i]! - sync[i - 1]!);
  return Math.max(longest, track.samples - sync.at(-1)! + 1);
}

/** What the output-size bound needs of a track, from its MP4 index. */
export function budgetOfTrack(track: TrackIndex): TrackBudget {
  return {
    kind: track.kind,
    payload: track.payload,
    samples: track.samples,
    seconds: track.seconds,
    keyframes: track.syncSamples?.length ?? track.samples,
    maxGopSamples: longestGop(track),
    maxSampleSeconds: track.maxSampleSeconds,
    // A trun lists sizes, durations and composition offsets sample by sample when they vary.
    sampleBytes: 4 * (Number(track.sizesVary) + Number(track.durationsVary) + Number(track.compositionOffsets)),
    edgeDurations: !track.durationsVary,
    descriptionBytes: track.descriptionBytes,
    blindCopy: track.blindCopy,
  };
}
