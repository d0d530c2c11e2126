// The exact-length bound of a clip: output-bound.ts over only the samples the
// clip's plan says ffmpeg copies (lib/length/clip-plan.ts). Pure.
import type { SampleTable } from '../media/mp4-samples.js';
import type { InputKind, TrackBudget } from '../types.js';
import { audioFragmentSeconds } from '../media/output-fragments.js';
import { boundOutputSize, mappedTracks } from './output-bound.js';
import type { ClipPlan, SampleWindow } from './clip-plan.js';

/** How many of ascending `times` lie in [from, to]. */
function countBetween(times: Float64Array, from: number, to: number): number {
  let n = 0;
  for (const time of times) if (time >= from && time <= to) n++;
  return n;
}

/** A track's budget cut down to the samples of `window`; what varies per sample stays the whole track's (an upper bound). */
export function restrictBudget(budget: TrackBudget, table: SampleTable, window: SampleWindow): TrackBudget {
  const { first, end } = window;
  let payload = 0;
  for (let i = first; i < end; i++) payload += table.sizes[i]!;
  const from = table.dts[first]!;
  const to = table.dts[end - 1]!;
  return {
    ...budget,
    payload,
    samples: end - first,
    seconds: to - from + budget.maxSampleSeconds,
    keyframes: table.keyframes ? countBetween(table.keyframes, from, to) : end - first,
    // A clip's first and last fragments may list every duration (its edges are cut from the middle of the track).
    edgeDurations: true,
  };
}

export interface ClipBoundInput {
  kind: InputKind;
  tracks?: readonly TrackBudget[];
  tables?: readonly SampleTable[];
}

/** The bound of the clip `plan` describes, or undefined when an input's budgets or tables are missing. */
export function boundForClip(inputs: readonly ClipBoundInput[], plan: ClipPlan, audioOnly: boolean): number | undefined {
  const tracks: TrackBudget[] = [];
  for (const [index, input] of inputs.entries()) {
    const budgets = mappedTracks(input.kind, input.tracks, audioOnly);
    const tables = mappedTracks(input.kind, input.tables, audioOnly);
    const windows = plan.windows[index];
    if (!budgets || !tables || !windows || budgets.length !== tables.length || tables.length !== windows.length) return undefined;
    budgets.forEach((budget, t) => tracks.push(restrictBudget(budget, tables[t]!, windows[t]!)));
  }
  if (tracks.length === 0 || tracks.some((track) => track.samples <= 0)) return undefined;
  return boundOutputSize(tracks, { audioFragmentSeconds: audioFragmentSeconds(inputs, audioOnly) });
}

/** A table cut down to `window`: the samples a clip's ffmpeg may copy (their offsets stay the input's). */
export function windowTable(table: SampleTable, window: SampleWindow): SampleTable {
  const { first, end } = window;
  const from = table.dts[first]!;
  const to = table.dts[end - 1]!;
  return {
    ...table,
    offsets: table.offsets.subarray(first, end), sizes: table.sizes.subarray(first, end), dts: table.dts.subarray(first, end),
    ...(table.keyframes ? { keyframes: table.keyframes.filter((time) => time >= from && time <= to) } : {}),
  };
}
