// The plan of a clip of whole MP4 files (lib/length/clip-plan.ts) and its
// bound (clip-bound.ts), on made-up sample tables: which samples each track
// keeps, and cuts that sit where ffmpeg's rounding cannot move them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planClip } from '../../lib/length/clip-plan.js';
import { boundForClip, restrictBudget } from '../../lib/length/clip-bound.js';
import { boundOutputSize } from '../../lib/length/output-bound.js';
import type { SampleTable } from '../../lib/media/mp4-samples.js';
import { audio, budget, video } from '../helpers/sample-tables.js';

describe('planClip', () => {
  const v = video(10);
  const a = audio(10);
  const inputs = [{ kind: 'video' as const, tables: [v] }, { kind: 'audio' as const, tables: [a] }];

  it('video from the keyframe at or before the start, sought to the middle of its group; audio from the origin', () => {
    const plan = planClip(inputs, { start: 3.5, end: 7 }, false)!;
    assert.equal(plan.origin, 2);
    assert.deepEqual(plan.windows[0], [{ first: 60, end: 210 }]);
    // Sought to 3 s (between the keyframes at 2 and 4), shifted back onto the origin's clock.
    assert.equal(plan.cuts[0]!.seek, 3);
    assert.equal(plan.cuts[0]!.shift, 1);
    // The stop half a frame before the first frame past 7 s: 7 − 1/60 on the inputs' clock.
    assert.ok(Math.abs(plan.cuts[0]!.seconds! - (7 - 1 / 60 - 2)) < 1e-9);
    assert.equal(plan.cuts[1]!.seek, 2);
    assert.equal(plan.cuts[1]!.seconds, plan.cuts[0]!.seconds, 'audio stops with the video');
    // Audio: its first frame at or after 2 s on ffmpeg's clock (decode time less the priming), one more each side.
    const first = Math.ceil((2 + 1024 / 48000) * 48000 / 1024);
    assert.equal(plan.windows[1]![0]!.first, first - 1);
  });

  it('a start on a keyframe starts there; just before it, at the one before', () => {
    assert.equal(planClip(inputs, { start: 4, end: 6 }, false)!.origin, 4);
    assert.equal(planClip(inputs, { start: 3.999, end: 6 }, false)!.origin, 2);
    const fromZero = planClip(inputs, { start: 0, end: 3 }, false)!;
    assert.equal(fromZero.cuts[0]!.seek, undefined, 'no seek from the start');
    assert.deepEqual(fromZero.windows[0], [{ first: 0, end: 90 }]);
  });

  it('the stop follows the edit list (B-frames: ffmpeg\'s clock runs two frames behind the decode times)', () => {
    const delayed = video(10, 60, 2 / 30);
    const plan = planClip([{ kind: 'video', tables: [delayed] }], { start: 2, end: 4 }, false)!;
    // Frames decoded at 4.0 and 4.033 are timed 3.933 and 3.967: kept; 4.067 (timed 4.0) is the first dropped.
    assert.deepEqual(plan.windows[0], [{ first: 60, end: 122 }]);
  });

  it('to the end: no -t; audio only: cut at frames from the start itself', () => {
    const open = planClip(inputs, { start: 5 }, false)!;
    assert.equal(open.cuts[0]!.seconds, undefined);
    assert.equal(open.windows[0]![0]!.end, 300);
    const sound = planClip([{ kind: 'audio', tables: [a] }], { start: 2.5, end: 8 }, true)!;
    assert.equal(sound.origin, 2.5);
    assert.deepEqual(sound.cuts[0], { seek: 2.5, seconds: 5.5 });
  });

  it('audio longer than the video: an end past the last frame still stops the audio there', () => {
    const long = audio(30);
    const plan = planClip([{ kind: 'video', tables: [v] }, { kind: 'audio', tables: [long] }], { start: 8, end: 20 }, false)!;
    assert.equal(plan.cuts[1]!.seconds, 12);
    assert.equal(plan.windows[0]![0]!.end, v.dts.length, 'the video to its last frame');
    assert.ok(plan.windows[1]![0]!.end < long.dts.length, 'not the audio to its end');
  });

  it('no plan without every table, for fragments shared by tracks, or a group narrower than the edit', () => {
    assert.equal(planClip([{ kind: 'video', tables: [v] }, { kind: 'audio' }], { start: 3, end: 5 }, false), undefined);
    assert.equal(planClip([{ kind: 'av', tables: [{ ...v, sharedFragments: true }, { ...a, sharedFragments: true }] }], { start: 3, end: 5 }, false), undefined);
    const intra: SampleTable = { ...video(10), keyframes: undefined, editStart: 0.1 };
    assert.equal(planClip([{ kind: 'video', tables: [intra] }], { start: 3, end: 5 }, false), undefined);
  });
});

describe('boundForClip', () => {
  it('the whole-file bound over the clip\'s samples only, edges listing every duration', () => {
    const v = video(10);
    const plan = planClip([{ kind: 'video', tables: [v] }], { start: 3.5, end: 7 }, false)!;
    const restricted = restrictBudget(budget(v), v, plan.windows[0]![0]!);
    assert.equal(restricted.samples, 150);
    assert.equal(restricted.payload, 3 * 5000 + 147 * 1000);
    assert.equal(restricted.keyframes, 3);
    assert.equal(restricted.edgeDurations, true);
    const bound = boundForClip([{ kind: 'video', tracks: [budget(v)], tables: [v] }], plan, false)!;
    assert.equal(bound, boundOutputSize([restricted], { audioFragmentSeconds: undefined }));
    assert.ok(bound > restricted.payload && bound < restricted.payload + 20_000, `bound ${bound}`);
  });

  it('undefined when a track lacks its budget', () => {
    const v = video(10);
    const plan = planClip([{ kind: 'video', tables: [v] }], { start: 3, end: 5 }, false)!;
    assert.equal(boundForClip([{ kind: 'video', tables: [v] }], plan, false), undefined);
  });
});
