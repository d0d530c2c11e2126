// The output-size budget of a one-track WebM input. Matroska lists no sample
// sizes, so this works from the file's size: every frame in it is wrapped in
// at least `minHeaderBytes` of block header, and the MP4 output spends
// 4 bytes per field that varies per sample (size; durations for video;
// composition offsets for codecs with B-frames). Where the WebM spends more
// per frame than the MP4 will, the difference is subtracted for the frames it
// surely has; where less, added for the most it may have. Frame spacing comes
// from the first cluster and the track's DefaultDuration; keyframes from the
// Cues. A file that breaks those patterns later (a new frame length, keyframes
// between cue points) can pass the bound: the server then cuts the download
// and counts it (passmux_length_overruns_total).
import type { TrackBudget } from '../types.js';
import type { WebmHead } from './webm-index.js';

/** Codecs whose frames may be presented out of decode order. */
const REORDERING = /^V_MPEG4\/ISO\/AVC|^V_MPEGH\/ISO\/HEVC/;
const MAX_SECONDS = 7 * 24 * 3600;
/** Keyframes are assumed no closer than this where the Cues may not list them all. */
const MIN_GOP_SECONDS = 2;
/** How far the frame count may fall short of duration ÷ the longest frame seen. */
const FRAME_COUNT_SLACK = 0.9;

function spacing(times: number[], tick: number, defaultDuration: number | undefined): { min: number; max: number; even: boolean } | undefined {
  const sorted = [...times].sort((a, b) => a - b);
  const deltas = sorted.slice(1).map((t, i) => t - sorted[i]!).filter((d) => d > 0);
  if (defaultDuration) deltas.push(defaultDuration);
  if (deltas.length === 0) return undefined;
  const min = Math.min(...deltas);
  const max = Math.max(...deltas);
  // Block times are rounded to the tick: 1024-sample AAC frames come out 23 or 24 ms apart.
  return { min: Math.max(min - tick, 1), max: max + tick, even: max - min <= tick };
}

/** The budget of the one media track of a WebM file of `size` bytes, or undefined when the file is not that simple. */
export function budgetOfWebm(head: WebmHead, cueTimes: number[] | undefined, size: number): TrackBudget | undefined {
  const media = head.tracks.filter((track) => track.kind !== 'other');
  const track = media[0];
  const sample = track && head.samples.get(track.number);
  if (media.length !== 1 || !track || !sample || sample.irregular || sample.blocks < 2 || head.samples.size !== 1) return undefined;
  const frame = spacing(sample.times, head.timecodeScale, track.defaultDuration);
  // A week at most: a Duration or TimecodeScale beyond reason is a broken or hostile file, not a video.
  if (!frame || !(head.seconds > 0 && head.seconds < MAX_SECONDS)) return undefined;
  const nanoseconds = head.seconds * 1e9;
  // The Cues reach to near the end; a Duration far past the last cue is wrong, and every count from it too.
  if (cueTimes && cueTimes.length > 0 && nanoseconds - Math.max(...cueTimes) > Math.max(60e9, 0.2 * nanoseconds)) return undefined;
  const most = Math.ceil(nanoseconds / frame.min) + 2;
  const least = Math.floor((FRAME_COUNT_SLACK * nanoseconds) / frame.max);
  const video = track.kind === 'video';
  // Sizes always; durations for video (frame rates drift) and uneven audio; offsets for B-frames.
  const outBytes = 4 * (1 + Number(video || !frame.even) + Number(video && REORDERING.test(track.codec)));
  const saved = Math.max(0, sample.minHeaderBytes - outBytes);
  let keyframes = 1;
  let maxGopSamples = 1;
  if (video) {
    if (!cueTimes || cueTimes.length === 0) return undefined;
    const edges = [...cueTimes, nanoseconds].sort((a, b) => a - b);
    const gap = Math.max(edges[0]!, ...edges.slice(1).map((t, i) => t - edges[i]!));
    // Muxers cue every keyframe (ffmpeg) or every cluster (others): allow for a keyframe every 2 s besides.
    keyframes = Math.max(cueTimes.length, Math.ceil(head.seconds / MIN_GOP_SECONDS)) + 1;
    maxGopSamples = Math.ceil(gap / frame.min) + 1;
  }
  return {
    kind: track.kind as 'video' | 'audio',
    payload: size - head.firstCluster - saved * least,
    samples: most,
    seconds: head.seconds,
    keyframes,
    maxGopSamples,
    maxSampleSeconds: frame.max / 1e9,
    sampleBytes: Math.max(0, outBytes - sample.minHeaderBytes),
    edgeDurations: !video,
    // vpcC, dOps and friends are small; ffmpeg adds btrt and the like.
    descriptionBytes: 1024,
  };
}
