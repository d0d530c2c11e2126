// Where a clip really starts: at the video's last keyframe at or before the
// clip's start (ffmpeg's `-ss` on the video lands there), read from the
// video's own index. The audio is cut there too, so a clip does not open on
// seconds of silent picture (separate files) or of sound over a frozen frame
// (a WebM's audio is sought to its cluster, seconds earlier).
import type { InputProbe } from '../length/probe-input.js';
import type { Clip } from '../section.js';
import type { MediaInput, Selection } from '../types.js';
import type { SourceTarget } from '../relay/upstream-source.js';
import { pickFragments } from '../media/clip-fragments.js';
import { planClip, type ClipPlan } from '../length/clip-plan.js';

/** The last of `times` (ascending or not) at or before `at`. */
function lastAtOrBefore(times: ArrayLike<number>, at: number): number | undefined {
  let found: number | undefined;
  for (let i = 0; i < times.length; i++) if (times[i]! <= at && (found === undefined || times[i]! > found)) found = times[i];
  return found;
}

/** The keyframe time an index gives for `at` (MP4: its sync samples; WebM: its Cues), if it gives one. */
export function keyframeIn(probe: InputProbe, at: number): number | undefined {
  const video = probe.tables?.find((table) => table.kind === 'video');
  // Every sample a keyframe (no stss): ffmpeg lands on `at` itself.
  if (video) return video.keyframes ? lastAtOrBefore(video.keyframes, at) : at;
  return probe.cues ? lastAtOrBefore(probe.cues, at) : undefined;
}

/**
 * Where a clip really starts: at the keyframe ffmpeg lands on for the first
 * input that gives the output its video. A segmented one starts at its first
 * picked segment; a whole file's is read from its index (`probe`: with its
 * tables; a failure costs only the alignment). Audio alone, or no index: the
 * clip's own start. Never later than that.
 */
export async function clipOrigin(selection: Selection, targets: readonly SourceTarget[], clip: Clip, audioOnly: boolean,
  probe: (input: MediaInput) => Promise<InputProbe>): Promise<number> {
  const index = audioOnly ? -1 : selection.inputs.findIndex((input) => input.kind !== 'audio');
  const input = selection.inputs[index];
  const fragments = targets[index]?.fragments;
  if (!input || clip.start <= 0) return clip.start;
  const keyframe = fragments ? pickFragments(fragments, clip.start, clip.end).from
    : keyframeIn(await probe(input).catch(() => ({ size: undefined })), clip.start);
  return Math.min(keyframe ?? clip.start, clip.start);
}

/**
 * The plan of a clip of whole MP4 files (lib/length/clip-plan.ts): the same
 * one the exact length was measured by, from the same cached probes. Undefined
 * for segmented inputs, or an input without sample tables (WebM, no ranges).
 */
export async function planWholeClip(selection: Selection, targets: readonly SourceTarget[], clip: Clip, audioOnly: boolean,
  probe: (input: MediaInput) => Promise<InputProbe>): Promise<ClipPlan | undefined> {
  if (targets.some((target) => target.fragments) || selection.inputs.some((input) => input.protocol !== 'http')) return undefined;
  const probes = await Promise.all(selection.inputs.map((input) => probe(input).catch((): InputProbe => ({ size: undefined }))));
  return planClip(selection.inputs.map((input, i) => ({ kind: input.kind, ...(probes[i]!.tables ? { tables: probes[i]!.tables } : {}) })), clip, audioOnly);
}
