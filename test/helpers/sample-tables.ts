// Made-up MP4 sample tables and their budgets, for the pure parts of clips and lengths.
import type { SampleTable } from '../../lib/media/mp4-samples.js';
import type { TrackBudget } from '../../lib/types.js';

/** `seconds` of 30 fps video, a keyframe every `gop` frames, `editStart` seconds skipped by its edit list. */
export function video(seconds: number, gop = 60, editStart = 0): SampleTable {
  const n = seconds * 30;
  const dts = Float64Array.from({ length: n }, (_, i) => i / 30);
  return {
    kind: 'video', blankable: true, offsets: new Float64Array(n), sizes: Uint32Array.from({ length: n }, (_, i) => (i % gop === 0 ? 5000 : 1000)),
    dts, keyframes: dts.filter((_, i) => i % gop === 0), editStart,
  };
}

/** AAC at 48 kHz: 1024 samples a frame, its priming skipped by the edit list. */
export function audio(seconds: number): SampleTable {
  const n = Math.ceil(seconds * 48000 / 1024);
  return { kind: 'audio', blankable: true, offsets: new Float64Array(n), sizes: new Uint32Array(n).fill(300), dts: Float64Array.from({ length: n }, (_, i) => i * 1024 / 48000), editStart: 1024 / 48000 };
}

export const budget = (table: SampleTable): TrackBudget => ({
  kind: table.kind, payload: table.sizes.reduce((a, b) => a + b, 0), samples: table.sizes.length, seconds: table.dts.length / (table.kind === 'video' ? 30 : 48000 / 1024),
  keyframes: table.keyframes?.length ?? table.sizes.length, maxGopSamples: 60, maxSampleSeconds: table.kind === 'video' ? 1 / 30 : 1024 / 48000,
  sampleBytes: 4, edgeDurations: false, descriptionBytes: 100, blindCopy: true,
});

