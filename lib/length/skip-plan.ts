// A resume from byte N re-runs the remux and drops its first N bytes. Those
// bytes need not come from upstream: ffmpeg copies H.264, HEVC, AAC, VP9 and
// Opus samples without looking inside, and the layout of its output (every
// box size and offset) follows from the inputs' indexes alone. So samples
// whose output surely lands before N may be read as zeros: the relay serves
// them without fetching, and the bytes from N on are the same as ever.
// "Surely" is the output bound again, summed up to a time: every sample
// decoded before X sits in a fragment that starts before X and ends within
// the longest fragment after it. Pure.
import type { SampleTable } from '../media/mp4-samples.js';
import type { InputKind, TrackBudget } from '../types.js';
import { audioFragmentSeconds } from '../media/output-fragments.js';
import { fixedBytes, fragmentBytes, longestFragmentSeconds, mappedTracks } from './output-bound.js';

/** Inclusive byte ranges of one input that may be served as zeros. */
export type Blanks = Array<[number, number]>;

export interface SkipInput {
  kind: InputKind;
  tracks?: readonly TrackBudget[];
  tables?: readonly SampleTable[];
}

/** Smaller holes are not worth splitting a range request for. */
const MIN_BLANK = 256 * 1024;
/** How far ffmpeg's interleaving may carry a packet past a fragment's cut, in seconds. */
const INTERLEAVE_SLACK = 1;

/** Samples of `table` decoded before `time` (decode times ascend). */
function countBefore(times: Float64Array, time: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid]! < time) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first `count` samples of `table` as byte ranges, neighbours joined as they come (no entry per sample). */
function runsOf(table: SampleTable, count: number): Blanks {
  const runs: Blanks = [];
  for (let k = 0; k < count; k++) {
    const start = table.offsets[k]!;
    const end = start + table.sizes[k]! - 1;
    const last = runs.at(-1);
    if (last && start === last[1] + 1) last[1] = end;
    else if (table.sizes[k]! > 0) runs.push([start, end]);
  }
  return runs;
}

function mergeRanges(ranges: Blanks): Blanks {
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Blanks = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged.filter(([start, end]) => end - start + 1 >= MIN_BLANK);
}

/** Per input, the byte ranges that may be zeros when the body is wanted from byte `skip` on; none unless every input is tabled. */
export function planBlanks(inputs: readonly SkipInput[], audioOnly: boolean, skip: number): Blanks[] {
  const none = inputs.map((): Blanks => []);
  const picked = inputs.map((input) => ({ budgets: mappedTracks(input.kind, input.tracks, audioOnly), tables: mappedTracks(input.kind, input.tables, audioOnly) }));
  if (picked.some(({ budgets, tables }) => !budgets || !tables || budgets.length !== tables.length)) return none;
  const budgets = picked.flatMap(({ budgets }) => budgets!);
  const tables = picked.flatMap(({ tables }) => tables!);
  const every = audioFragmentSeconds(inputs, audioOnly);
  const reach = longestFragmentSeconds(budgets, every) + INTERLEAVE_SLACK;
  const video = tables.find((table) => table.kind === 'video');
  const sums = tables.map((table) => { const sum = new Float64Array(table.sizes.length + 1); table.sizes.forEach((size, i) => { sum[i + 1] = sum[i]! + size; }); return sum; });
  const fixed = fixedBytes(budgets);
  const perFragment = fragmentBytes(budgets);
  // The most output bytes up to the end of every sample decoded before `time`.
  const prefix = (time: number): number => {
    const until = time + reach;
    const fragments = video ? (video.keyframes ? countBefore(video.keyframes, until) : countBefore(video.dts, until)) + 1 : every ? Math.floor(until / every) + 2 : 2;
    return tables.reduce((total, table, i) => {
      const n = countBefore(table.dts, until);
      // A sample's data, its trun fields, and a duration field it may get in an edge fragment.
      return total + sums[i]![n]! + n * (budgets[i]!.sampleBytes + 4);
    }, fixed + fragments * perFragment);
  };
  let low = 0;
  let high = Math.max(...tables.map((table) => table.dts.at(-1) ?? 0));
  if (prefix(0) > skip) return none;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (prefix(mid) <= skip) low = mid;
    else high = mid;
  }
  return inputs.map((_, index) => {
    const ranges: Blanks = [];
    const tables = picked[index]!.tables!;
    // An input ffmpeg parses must get its real bytes, every one (ffmpeg-args.ts: blind inputs only).
    if (!tables.every((table) => table.blankable)) return ranges;
    for (const table of tables) for (const run of runsOf(table, countBefore(table.dts, low))) ranges.push(run);
    return mergeRanges(ranges);
  });
}
