// A clip's inputs as the bound and the skip plan see them: each mapped track
// cut down to the samples the clip's plan says ffmpeg copies
// (lib/length/clip-plan.ts), budgets and tables alike. Pure.
import type { SampleTable } from '../media/mp4-samples.js';
import type { InputKind, TrackBudget } from '../types.js';
import { boundForInputs, mappedTracks } from './output-bound.js';
import type { ClipPlan, SampleWindow } from './clip-plan.js';

/** The keyframe times of `table` within samples `window`. */
const keyframesIn = (keyframes: Float64Array, table: SampleTable, { first, end }: SampleWindow) =>
  keyframes.filter((time) => time >= table.dts[first]! && time <= table.dts[end - 1]!);

/** A track's budget cut down to the samples of `window`; what varies per sample stays the whole track's (an upper bound). */
export function restrictBudget(budget: TrackBudget, table: SampleTable, window: SampleWindow): TrackBudget {
  const { first, end } = window;
  let payload = 0;
  for (let i = first; i < end; i++) payload += table.sizes[i]!;
  return {
    ...budget,
    payload,
    samples: end - first,
    seconds: table.dts[end - 1]! - table.dts[first]! + budget.maxSampleSeconds,
    keyframes: table.keyframes ? keyframesIn(table.keyframes, table, window).length : end - first,
    // A clip's first and last fragments may list every duration (its edges are cut from the middle of the track).
    edgeDurations: true,
  };
}

/** A table cut down to `window`: the samples a clip's ffmpeg may copy (their offsets stay the input's). */
export function windowTable(table: SampleTable, window: SampleWindow): SampleTable {
  const { first, end } = window;
  return {
    ...table,
    offsets: table.offsets.subarray(first, end), sizes: table.sizes.subarray(first, end), dts: table.dts.subarray(first, end),
    ...(table.keyframes ? { keyframes: keyframesIn(table.keyframes, table, window) } : {}),
  };
}

export interface ClipInput {
  kind: InputKind;
  tracks?: readonly TrackBudget[];
  tables?: readonly SampleTable[];
}

/** Each input with only its mapped tracks, cut to the plan's windows; undefined when an input's budgets or tables are missing. */
export function windowInputs(inputs: readonly ClipInput[], plan: ClipPlan, audioOnly: boolean): ClipInput[] | undefined {
  const windowed: ClipInput[] = [];
  for (const [index, input] of inputs.entries()) {
    const budgets = mappedTracks(input.kind, input.tracks, audioOnly);
    const tables = mappedTracks(input.kind, input.tables, audioOnly);
    const windows = plan.windows[index];
    if (!budgets || !tables || !windows || budgets.length !== tables.length || tables.length !== windows.length) return undefined;
    if (windows.some(({ first, end }) => end <= first)) return undefined;
    windowed.push({
      kind: input.kind,
      tracks: budgets.map((budget, t) => restrictBudget(budget, tables[t]!, windows[t]!)),
      tables: tables.map((table, t) => windowTable(table, windows[t]!)),
    });
  }
  return windowed;
}

/** The bound of the clip `plan` describes: the whole-file bound over its windows. */
export function boundForClip(inputs: readonly ClipInput[], plan: ClipPlan, audioOnly: boolean): number | undefined {
  const windowed = windowInputs(inputs, plan, audioOnly);
  return windowed && boundForInputs(windowed, audioOnly);
}
