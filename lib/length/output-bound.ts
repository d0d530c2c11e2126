// An upper bound of the size of ffmpeg's fragmented MP4 (`-c copy`,
// frag_keyframe+empty_moov+default_base_moof), from what the inputs' own
// indexes say. Pure. The sample data is copied unchanged; everything else
// is boxes whose sizes follow from counts:
//   ftyp, an empty moov (its sample descriptions copied from the inputs),
//   per fragment: moof{mfhd, per track traf{tfhd, tfdt, trun}} + mdat header,
//   per sample in a trun: 4 bytes for each field that varies in that fragment,
//   mfra{tfra per track (an entry per fragment), mfro}, then our `free` box.
// Each constant is at or above what ffmpeg 5.1–7.1 writes (measured: the
// bound tests in test/integration/exact-length.test.ts print the figures).
import type { MediaInput, TrackBudget } from '../types.js';
import { FREE_BOX_MIN } from '../media/free-box.js';
import { audioFragmentSeconds } from '../media/output-fragments.js';

/** ftyp (28 with two compatible brands; room for more). */
const FTYP = 48;
/** mvhd 108, mvex header, udta under +bitexact (61), iods: all but the tracks. */
const MOOV_FIXED = 512;
/** tkhd 92, edts/elst, mdia/hdlr/mdhd, minf (vmhd/smhd, dinf), empty stts/stsc/stsz/stco, trex: 447–508 measured, stsd apart. */
const MOOV_PER_TRACK = 1024;
/** moof, mfhd and mdat headers. */
const FRAGMENT_FIXED = 8 + 16 + 8;
/** traf, tfhd (≤ 32 with all defaults), tfdt (64-bit), trun header with data offset and first-sample flags. */
const TRAF_FIXED = 8 + 32 + 20 + 24;
/** A tfra entry: 64-bit time and moof offset, three 1-byte numbers (19), rounded up. */
const TFRA_ENTRY = 24;
/** mfra, mfro, and each track's tfra header. */
const MFRA_FIXED = 8 + 16;
const TFRA_FIXED = 24;

export interface BoundOptions {
  /** Outputs without video are cut every this many seconds (-frag_duration); undefined: one fragment. */
  audioFragmentSeconds: number | undefined;
}

/** Samples of `track` in the longest fragment, given the longest fragment's duration. */
function samplesIn(track: TrackBudget, seconds: number): number {
  const perSecond = track.seconds > 0 ? track.samples / track.seconds : track.samples;
  // Interleaving may move a few packets across a cut.
  return Math.min(track.samples, Math.ceil(seconds * perSecond) + 16);
}

/** Bytes that do not grow with the media: ftyp, moov, mfra's headers, the smallest padding box. */
export function fixedBytes(tracks: readonly TrackBudget[]): number {
  return FTYP + MOOV_FIXED + MFRA_FIXED + FREE_BOX_MIN + tracks.reduce((sum, track) => sum + MOOV_PER_TRACK + track.descriptionBytes + TFRA_FIXED, 0);
}

/** Bytes each fragment costs beyond its samples' trun entries and data. */
export function fragmentBytes(tracks: readonly TrackBudget[]): number {
  // Past 4 GB an mdat may need its 64-bit header.
  const mdatHeader = tracks.reduce((sum, track) => sum + track.payload, 0) > 0xffffffff ? 8 : 0;
  return FRAGMENT_FIXED + mdatHeader + tracks.length * (TRAF_FIXED + TFRA_ENTRY);
}

/** The longest a fragment may last, in seconds. */
export function longestFragmentSeconds(tracks: readonly TrackBudget[], every: number | undefined): number {
  const video = tracks.find((track) => track.kind === 'video');
  const seconds = Math.max(0, ...tracks.map((track) => track.seconds));
  // The last fragment also holds whatever audio outlasts the video.
  if (video) return video.maxGopSamples * video.maxSampleSeconds + Math.max(0, seconds - video.seconds);
  return every ? every + 1 : seconds;
}

/** The most bytes ffmpeg may write for these tracks, plus the smallest padding box. */
export function boundOutputSize(tracks: readonly TrackBudget[], options: BoundOptions): number {
  const video = tracks.find((track) => track.kind === 'video');
  // Every fragment starts at a video keyframe (one more if the first sample is not one); without video, every N seconds.
  const seconds = Math.max(0, ...tracks.map((track) => track.seconds));
  const every = options.audioFragmentSeconds;
  const fragments = video ? video.keyframes + 1 : every ? Math.floor(seconds / every) + 2 : 2;
  const longestFragment = longestFragmentSeconds(tracks, every);
  let total = fixedBytes(tracks) + fragments * fragmentBytes(tracks);
  for (const track of tracks) {
    total += track.payload + track.samples * track.sampleBytes;
    const edge = track === video ? track.maxGopSamples : samplesIn(track, longestFragment);
    if (track.edgeDurations) total += 2 * 4 * Math.min(track.samples, edge);
  }
  return Math.ceil(total);
}

/** One input as the bound sees it: its kind, and its tracks when its index was read. */
export interface BoundInput extends Pick<MediaInput, 'kind'> {
  tracks?: readonly TrackBudget[];
}

/**
 * Of an input's tracks (anything with a kind), the ones ffmpeg maps, as
 * ffmpeg-args.ts asks: its first video and/or first audio. Undefined when
 * they are unknown, or a video or audio input lacks its track (an av input
 * may lack one: `-map v:0?`).
 */
export function mappedTracks<T extends { kind: 'video' | 'audio' }>(kind: MediaInput['kind'], tracks: readonly T[] | undefined, audioOnly: boolean): T[] | undefined {
  const first = (wanted: T['kind']) => tracks?.find((track) => track.kind === wanted);
  const kinds: Array<T['kind']> = kind === 'audio' ? ['audio'] : kind === 'video' ? (audioOnly ? [] : ['video'])
    : audioOnly ? ['audio'] : ['video', 'audio'];
  const mapped = kinds.map(first).filter((track) => track !== undefined);
  if (!tracks || (kind !== 'av' && mapped.length < kinds.length)) return undefined;
  return mapped;
}

/** The output's exact-length bound, or undefined when some input's index is unknown. */
export function boundForInputs(inputs: readonly BoundInput[], audioOnly: boolean): number | undefined {
  const tracks: TrackBudget[] = [];
  for (const input of inputs) {
    const mapped = mappedTracks(input.kind, input.tracks, audioOnly);
    if (!mapped) return undefined;
    tracks.push(...mapped);
  }
  if (tracks.length === 0) return undefined;
  return boundOutputSize(tracks, { audioFragmentSeconds: audioFragmentSeconds(inputs, audioOnly) });
}
