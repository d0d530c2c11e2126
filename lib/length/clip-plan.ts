// A clip of whole MP4 files whose sample tables are read: the cut each input
// gets, chosen so that which samples ffmpeg copies follows from the tables
// alone — what gives a clip an exact length. Pure.
//
// What ffmpeg 5.1 does with `-ss` before `-i`, `-c copy` (checked sample by
// sample on the fixture shapes: H.264 with and without B-frames, AV1, AAC,
// one file or two, plain or fragmented):
// - video starts at the last keyframe whose decode time is at or before the
//   seek (it keeps the packets before the seek: it needs its keyframe);
// - audio starts at its first frame at or after the origin (`-copypriorss:a 0`);
// - every track stops at its first packet timed at or past `-t`, timed on
//   ffmpeg's clock: the decode time less what the edit list skips.
// So the video is sought to the middle of its keyframe's group and `-t` is put
// half a frame before the first frame to drop: the tables and ffmpeg's own
// rounding then agree with room to spare.
import type { SampleTable } from '../media/mp4-samples.js';
import type { InputKind } from '../types.js';
import type { Clip } from '../section.js';
import { mappedTracks } from './output-bound.js';

/** One input's cut, as ffmpeg's input options take it (seconds). */
export interface InputClip {
  /** `-ss`: where ffmpeg seeks to. */
  seek?: number;
  /** `-itsoffset`: moves the input's timeline so that its 0 is the clip's origin. */
  shift?: number;
  /** `-t`: how long the input is read from the clip's origin. */
  seconds?: number;
}

/** Samples `first` to `end` (exclusive) of a track. */
export interface SampleWindow {
  first: number;
  end: number;
}

export interface ClipPlan {
  /** Where the clip really starts: the video's keyframe (the clip's start without video). */
  origin: number;
  /** Per input. */
  cuts: InputClip[];
  /** Per input, per track ffmpeg maps from it (mappedTracks' order): the samples it may copy, at most. */
  windows: SampleWindow[][];
}

export interface PlanInput {
  kind: InputKind;
  tables?: readonly SampleTable[];
}

/** Float slack when a time from a table meets a time a person typed. */
const EPSILON = 1e-9;

/** The first index of ascending `times` whose value is at or past `at`. */
function firstAtOrAfter(times: ArrayLike<number>, at: number, from = 0): number {
  let low = from;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid]! < at - EPSILON) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first sample ffmpeg drops for a stop at `at` on its clock (decode time less the edit). */
const stopIndex = (table: SampleTable, at: number | undefined, from: number) =>
  at === undefined ? table.dts.length : Math.max(from + 1, firstAtOrAfter(table.dts, at + table.editStart, from));

/** Half a frame before sample `index` on ffmpeg's clock: where to put a stop so that it falls there and nowhere else. */
function stopBefore(table: SampleTable, index: number): number | undefined {
  if (index >= table.dts.length) return undefined;
  return (table.dts[index - 1]! + table.dts[index]!) / 2 - table.editStart;
}

interface VideoStart {
  origin: number;
  first: number;
  seek: number;
}

/** The keyframe ffmpeg lands on for a start at `start`, and a seek that lands there whatever its rounding; undefined when none would be sure. */
function videoStart(video: SampleTable, start: number): VideoStart | undefined {
  const keys = video.keyframes ?? video.dts;
  const k = firstAtOrAfter(keys, start + 2 * EPSILON) - 1;
  if (k < 0) return undefined;
  const origin = keys[k]!;
  const next = keys[k + 1] ?? video.dts.at(-1)! + 1;
  const seek = (origin + next) / 2;
  // ffmpeg's seek runs on the clock the edit list shifts: only a group wider than that shift is sure.
  if (seek - origin <= video.editStart + 0.005) return undefined;
  return { origin, first: firstAtOrAfter(video.dts, origin), seek };
}

/**
 * The plan for `clip`, or undefined when an input's tables are missing (not
 * MP4, not ranged) or ffmpeg's choice would not be sure (a fragmented file
 * whose fragments carry several tracks: its seek lands a fragment early).
 */
export function planClip(inputs: readonly PlanInput[], clip: Clip, audioOnly: boolean): ClipPlan | undefined {
  const mapped = inputs.map((input) => mappedTracks(input.kind, input.tables, audioOnly));
  if (mapped.some((tables) => !tables || tables.some((table) => table.sharedFragments || table.dts.length === 0))) return undefined;
  const videoInput = mapped.findIndex((tables) => tables!.some((table) => table.kind === 'video'));
  const video = videoInput >= 0 ? mapped[videoInput]!.find((table) => table.kind === 'video')! : undefined;
  let origin = clip.start;
  let videoCut: InputClip | undefined;
  let videoWindow: SampleWindow | undefined;
  // On ffmpeg's clock of the inputs: where every track stops.
  let stop = clip.end;
  if (video) {
    const start = clip.start > 0 ? videoStart(video, clip.start) : { origin: 0, first: 0, seek: 0 };
    if (!start) return undefined;
    origin = start.origin;
    const end = stopIndex(video, clip.end, start.first);
    // The video may end before `end` (audio longer than it): the audio still stops there.
    stop = stopBefore(video, end) ?? clip.end;
    videoWindow = { first: start.first, end };
    videoCut = {
      ...(start.seek > 0 ? { seek: start.seek, shift: start.seek - origin } : {}),
      ...(stop !== undefined ? { seconds: stop - origin } : {}),
    };
  }
  const audioCut: InputClip = { ...(origin > 0 ? { seek: origin } : {}), ...(stop !== undefined ? { seconds: stop - origin } : {}) };
  const windows = mapped.map((tables) => tables!.map((table): SampleWindow => {
    if (table === video) return videoWindow!;
    // Audio: from its first frame at or after the origin to its first at or past the stop, one more each side for rounding.
    const first = firstAtOrAfter(table.dts, origin + table.editStart);
    const end = stopIndex(table, stop, first);
    return { first: Math.max(0, first - 1), end: Math.min(table.dts.length, end + 1) };
  }));
  const cuts = inputs.map((_, index) => (index === videoInput ? videoCut! : audioCut));
  return { origin, cuts, windows };
}
