// How each input of a clip is cut: a whole file is seeked by ffmpeg (`-ss`
// before `-i`: the demuxer jumps to the keyframe at or before the start, over
// a Range request to the relay); a segmented one is given only the segments
// that overlap, and shifted so that its timeline matches (`-itsoffset`).
// `-t` ends every input at the clip's end.
import type { Clip } from '../section.js';
import { pickFragments } from '../media/clip-fragments.js';
import type { SourceTarget } from '../relay/upstream-source.js';
import type { RelayOptions } from '../relay/relay-server.js';
import type { InputClip } from '../length/clip-plan.js';

export type { InputClip } from '../length/clip-plan.js';

/**
 * A clip's relay reads ahead of ffmpeg by about ranges × parallel per input:
 * ffmpeg stops where the clip ends, and what the relay fetched past that
 * (20 MiB with the defaults) was fetched for nothing. Measured on a 5 s clip
 * of a 1080p minute: 512 KiB × 2 fetches 15 MB of 73, 4 MiB × 5 fetches 32–45 MB.
 */
const CLIP_RANGE_BYTES = 512 * 1024;
const CLIP_PARALLEL = 2;

/** The relay's tuning for a clip: short ranges, few at once (the operator's smaller values kept). */
export function clipRelay<T extends Pick<RelayOptions, 'rangeSize' | 'parallel'>>(options: T, clip: Clip | undefined): T {
  if (!clip) return options;
  return { ...options, rangeSize: Math.min(options.rangeSize, CLIP_RANGE_BYTES), parallel: Math.min(options.parallel, CLIP_PARALLEL) };
}

/**
 * The target the relay fetches for this clip, and the options ffmpeg reads it
 * with. Every input is put on one clock whose 0 is `origin`, where the clip
 * really starts (the video's keyframe at or before the start: clip-keyframe.ts);
 * `-t` then ends each at the clip's end. Video is sought to the clip's start
 * (ffmpeg lands on that keyframe), audio to the origin; audio before the
 * origin is dropped by `-copypriorss:a 0` (ffmpeg-args.ts).
 */
export function clipTarget(target: SourceTarget, clip: Clip, origin: number, audio: boolean): { target: SourceTarget; cut: InputClip } {
  const seconds = clip.end !== undefined ? { seconds: clip.end - origin } : {};
  const from = audio ? origin : clip.start;
  if (!target.fragments) {
    return { target, cut: { ...(from > 0 ? { seek: from } : {}), ...(from !== origin ? { shift: from - origin } : {}), ...seconds } };
  }
  const picked = pickFragments(target.fragments, from, clip.end);
  return { target: { ...target, fragments: picked.fragments }, cut: { shift: picked.from - origin, ...seconds } };
}

/** ffmpeg's input options for a cut (placed before its `-i`). */
export function clipArgs(cut: InputClip | undefined): string[] {
  if (!cut) return [];
  // Fixed-point: ffmpeg's time parser takes no exponent (1e-7).
  const time = (seconds: number) => seconds.toFixed(6);
  return [
    ...(cut.seek !== undefined ? ['-ss', time(cut.seek)] : []),
    ...(cut.shift !== undefined ? ['-itsoffset', time(cut.shift)] : []),
    ...(cut.seconds !== undefined ? ['-t', time(cut.seconds)] : []),
  ];
}
