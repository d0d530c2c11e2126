// The inputs' own indexes (MP4 moov, WebM headers and Cues) as the output
// bound reads them, and the bound's arithmetic. Whether the bound holds for
// ffmpeg's real output is test/integration/exact-length.test.ts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { boundForInputs, boundOutputSize } from '../../lib/length/output-bound.js';
import { budgetOfTrack, parseMoov, readBoxHeader } from '../../lib/media/mp4-index.js';
import { MAX_INDEX_SAMPLES } from '../../lib/media/mp4-tables.js';
import { budgetOfWebm } from '../../lib/media/webm-budget.js';
import { cuesExtent, parseCueTimes, parseWebmHead } from '../../lib/media/webm-index.js';
import type { TrackBudget } from '../../lib/types.js';
import { ensureMedia } from '../helpers/media.js';

async function moovOf(name: string): Promise<Buffer> {
  const file = await readFile(await ensureMedia(name));
  for (let offset = 0; offset < file.length;) {
    const box = readBoxHeader(file, offset, file.length)!;
    if (box.type === 'moov') return file.subarray(offset, offset + box.size);
    offset += box.size;
  }
  throw new Error(`no moov in ${name}`);
}

const budget = (overrides: Partial<TrackBudget>): TrackBudget => ({
  kind: 'audio', payload: 1_000_000, samples: 1000, seconds: 20, keyframes: 1000, maxGopSamples: 1, maxSampleSeconds: 0.02,
  sampleBytes: 4, edgeDurations: true, descriptionBytes: 100, ...overrides,
});

describe('MP4 index', () => {
  it('reads samples, payload, keyframes and what varies from a moov at the start or at the end', async () => {
    const [video] = parseMoov(await moovOf('h264-video.mp4'));
    assert.equal(video!.kind, 'video');
    assert.equal(video!.samples, 300);
    assert.equal(video!.syncSamples!.length, 5);
    assert.equal(video!.compositionOffsets, false);
    const [audio] = parseMoov(await moovOf('aac-audio.m4a'));
    assert.equal(audio!.samples, 470);
    assert.equal(audio!.sizesVary, true);
    // Only the last frame is shorter: that shows in the edge fragments, not in every one.
    assert.equal(audio!.durationsVary, false);
    const both = parseMoov(await moovOf('moov-end.mp4'));
    assert.deepEqual(both.map((t) => [t.kind, t.samples]), [['video', 300], ['audio', 470]]);
    const file = await readFile(await ensureMedia('h264-video.mp4'));
    assert.ok(video!.payload < file.length && video!.payload > file.length * 0.95, 'payload is most of the file');
    assert.equal(budgetOfTrack(video!).maxGopSamples, 60);
  });

  it('refuses a moov that is cut short', async () => {
    const moov = await moovOf('h264-video.mp4');
    assert.throws(() => parseMoov(moov.subarray(0, moov.length - 10)));
  });
});

describe('WebM head', () => {
  it('reads duration, the one track, a sample of its blocks and its cue points', async () => {
    const file = await readFile(await ensureMedia('vp9-video.webm'));
    const head = parseWebmHead(file.subarray(0, 256 * 1024));
    assert.ok(Math.abs(head.seconds - 10) < 0.1, `seconds ${head.seconds}`);
    assert.deepEqual(head.tracks.map((t) => t.kind), ['video']);
    const sample = head.samples.get(head.tracks[0]!.number)!;
    assert.ok(sample.blocks > 10 && !sample.irregular && sample.minHeaderBytes >= 6);
    const at = head.cuesOffset!;
    const cues = file.subarray(at, at + cuesExtent(file.subarray(at, at + 16))!);
    const times = parseCueTimes(cues, head.tracks[0]!.number, head.timecodeScale);
    assert.ok(times.length >= 1 && times[0] === 0);
    const video = budgetOfWebm(head, times, file.length)!;
    assert.ok(video.payload <= file.length && video.samples >= 300, JSON.stringify(video));
  });

  it('gives no budget for a file with two media tracks (its share of the bytes is unknown)', async () => {
    const file = await readFile(await ensureMedia('opus-audio.webm'));
    const head = parseWebmHead(file.subarray(0, 256 * 1024));
    head.tracks.push({ ...head.tracks[0]!, number: 9, kind: 'video' });
    assert.equal(budgetOfWebm(head, [0], file.length), undefined);
  });
});

describe('boundOutputSize', () => {
  it('grows with payload, samples and fragments', () => {
    const base = boundOutputSize([budget({})], { audioFragmentSeconds: 2 });
    assert.ok(base > 1_000_000);
    assert.ok(boundOutputSize([budget({ payload: 1_000_001 })], { audioFragmentSeconds: 2 }) === base + 1);
    assert.ok(boundOutputSize([budget({ samples: 2000, seconds: 40 })], { audioFragmentSeconds: 2 }) > base);
    assert.ok(boundOutputSize([budget({})], { audioFragmentSeconds: 1 }) > base);
  });

  it('counts a video fragment per keyframe and the audio beside it', () => {
    const video = budget({ kind: 'video', samples: 600, keyframes: 10, maxGopSamples: 60, maxSampleSeconds: 1 / 30, sampleBytes: 4, edgeDurations: true });
    const more = budget({ kind: 'video', samples: 600, keyframes: 20, maxGopSamples: 30, maxSampleSeconds: 1 / 30, sampleBytes: 4, edgeDurations: true });
    assert.ok(boundOutputSize([more, budget({})], { audioFragmentSeconds: undefined }) > boundOutputSize([video, budget({})], { audioFragmentSeconds: undefined }) - 1000);
  });

  it('maps tracks as ffmpeg does, and needs every input indexed', () => {
    const av = { kind: 'av' as const, tracks: [budget({ kind: 'video', keyframes: 5, maxGopSamples: 60 }), budget({})] };
    const audioOnly = boundForInputs([av], true)!;
    assert.equal(audioOnly, boundForInputs([{ kind: 'audio', tracks: [budget({})] }], false));
    assert.ok(boundForInputs([av], false)! > audioOnly);
    assert.equal(boundForInputs([{ kind: 'video' }, { kind: 'audio', tracks: [budget({})] }], false), undefined);
    assert.equal(boundForInputs([{ kind: 'video', tracks: [budget({})] }], false), undefined, 'a video input without a video track');
  });
});

describe('MP4 index limits (a hostile moov)', () => {
  it('refuses a track that claims more samples than the cap, and an stss longer than its box', async () => {
    const moov = Buffer.from(await moovOf('h264-video.mp4'));
    const stsz = moov.indexOf('stsz', 0, 'latin1');
    moov.writeUInt32BE(MAX_INDEX_SAMPLES + 1, stsz + 12);
    assert.throws(() => parseMoov(moov), /samples/);
    for (const table of ['stss', 'stts']) {
      const other = Buffer.from(await moovOf('h264-video.mp4'));
      other.writeUInt32BE(0xffffffff, other.indexOf(table, 0, 'latin1') + 8);
      assert.throws(() => parseMoov(other), new RegExp(`${table} shorter than its count`));
    }
  });
});


