// Clip sections and their planning, without processes: parsing, resolving
// against a duration, the file name, the segments picked, ffmpeg's options.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MuxError } from '../../lib/errors.js';
import { clipFilename, formatTime, parseSection, parseSectionSpec, parseTime, resolveClip } from '../../lib/section.js';
import { parseDownloadQuery } from '../../lib/http/query.js';
import { pickFragments } from '../../lib/media/clip-fragments.js';
import { clipArgs, clipRelay, clipTarget } from '../../lib/mux/clip-inputs.js';
import { keyframeIn } from '../../lib/mux/clip-keyframe.js';
import { buildFfmpegArgs } from '../../lib/mux/ffmpeg-args.js';
import { STATUS_BY_CODE } from '../../lib/http/status.js';

const invalid = (pattern: RegExp) => (error: unknown) => error instanceof MuxError && error.code === 'INVALID_SECTION' && pattern.test(error.message);

describe('clip sections', () => {
  it('reads seconds with decimals and [[h:]m:]s', () => {
    assert.equal(parseTime('90', 'start'), 90);
    assert.equal(parseTime('90.25', 'start'), 90.25);
    assert.equal(parseTime('5:00', 'start'), 300);
    assert.equal(parseTime('1:02:03.5', 'start'), 3723.5);
    assert.equal(parseTime('0:07', 'start'), 7);
  });

  it('refuses what is no time, in words naming the field (INVALID_SECTION, a 400)', () => {
    assert.equal(STATUS_BY_CODE.INVALID_SECTION, 400);
    for (const text of ['abc', '-1', '1:75', '1:2:3:4', '', '1e3', '0x10', '1.', '5:00:', 'Infinity', '10000000', '1.0004']) {
      assert.throws(() => parseTime(text, 'start'), invalid(/^start /), text);
    }
    assert.throws(() => parseSection(-1, undefined), invalid(/start/));
    assert.throws(() => parseSection(Number.NaN, undefined), invalid(/start/));
    assert.throws(() => parseSection(5, 3), invalid(/start \(5 s\) must come before end \(3 s\)/));
    assert.throws(() => parseSection('5', '5'), invalid(/before/));
    assert.throws(() => parseSection(undefined, 0), invalid(/end/));
  });

  it('takes yt-dlp\'s --download-sections form', () => {
    assert.deepEqual(parseSectionSpec('*5:00-6:00'), { start: 300, end: 360 });
    assert.deepEqual(parseSectionSpec('5:00-6:00'), { start: 300, end: 360 });
    assert.deepEqual(parseSectionSpec('90-'), { start: 90 });
    assert.deepEqual(parseSectionSpec('-1:30'), { end: 90 });
    assert.deepEqual(parseSectionSpec('*10-inf'), { start: 10 });
    for (const spec of ['-', '-inf', '*-inf', '5:00', 'intro', '6:00-5:00', '1-2-3']) assert.throws(() => parseSectionSpec(spec), invalid(/./), spec);
  });

  it('resolves against the duration: a start past the end is refused, an end past it is cut, the whole video is no clip', () => {
    assert.deepEqual(resolveClip({ start: 300, end: 360 }, 600), { start: 300, end: 360 });
    assert.deepEqual(resolveClip({ start: 300, end: 900 }, 600), { start: 300 });
    assert.deepEqual(resolveClip({ end: 30 }, 600), { start: 0, end: 30 });
    assert.equal(resolveClip({}, 600), undefined);
    assert.equal(resolveClip({ start: 0, end: 600 }, 600), undefined);
    assert.throws(() => resolveClip({ start: 600 }, 600), invalid(/past the end of the video \(600 s\)/));
    // An unknown duration: the span as asked (ffmpeg ends where the input does).
    assert.deepEqual(resolveClip({ start: 5, end: 9 }, null), { start: 5, end: 9 });
  });

  it('names the file after the span', () => {
    assert.equal(clipFilename('Title.mp4', { start: 300, end: 360 }), 'Title (5m00s-6m00s).mp4');
    assert.equal(clipFilename('Song.m4a', { start: 3.5, end: 7 }), 'Song (3.5s-7s).m4a');
    assert.equal(clipFilename('Long.mp4', { start: 3723 }), 'Long (1h02m03s-end).mp4');
    assert.equal(formatTime(60.25), '1m00.25s');
    // Rounded to the millisecond once: never a second lost to the rounding.
    assert.equal(clipFilename('a.mp4', { start: 59.9995, end: 60.5 }), 'a (1m00s-1m00.5s).mp4');
    assert.equal(clipFilename('a.mp4', { start: 1.25, end: 2.999 }), 'a (1.25s-2.999s).mp4');
  });

  it('the query takes start and end once each; empty fields are no value', () => {
    const query = (search: string) => parseDownloadQuery(new URLSearchParams(`url=https://x.com/v&${search}`), false);
    assert.deepEqual({ ...query('start=1:00&end=90.5') }, { url: 'https://x.com/v', start: 60, end: 90.5 });
    assert.deepEqual({ ...query('start=&end=') }, { url: 'https://x.com/v' });
    assert.throws(() => query('start=1&start=2'), invalid(/start once/));
    assert.throws(() => query('start=9&end=1'), invalid(/before/));
  });
});

describe('clip planning', () => {
  const segments = [{ url: 'init' }, ...[0, 1, 2, 3, 4].map((i) => ({ url: `s${i}`, seconds: 2 }))];

  it('picks the init section and the segments overlapping the span (half-open)', () => {
    assert.deepEqual(pickFragments(segments, 3.5, 7), { fragments: [segments[0], segments[2], segments[3], segments[4]], from: 2 });
    assert.deepEqual(pickFragments(segments, 4, 6).fragments.map((f) => f.url), ['init', 's2']);
    assert.deepEqual(pickFragments(segments, 9, undefined).fragments.map((f) => f.url), ['init', 's4']);
    assert.throws(() => pickFragments(segments, 10, undefined), invalid(/past the end of the stream \(10 s\)/));
    assert.throws(() => pickFragments([{ url: 'a', seconds: 2 }, { url: 'b' }], 1, 2), invalid(/do not say how long/));
  });

  it('puts every input on the clock of the origin (the video\'s keyframe): video sought to the start, audio to the origin, -t to the end', () => {
    const file = { url: 'f', headers: {} };
    assert.deepEqual(clipTarget(file, { start: 300, end: 330 }, 298, false).cut, { seek: 300, shift: 2, seconds: 32 });
    assert.deepEqual(clipTarget(file, { start: 300, end: 330 }, 298, true).cut, { seek: 298, seconds: 32 });
    assert.deepEqual(clipTarget(file, { start: 300, end: 330 }, 300, true).cut, { seek: 300, seconds: 30 });
    assert.deepEqual(clipTarget(file, { start: 0, end: 30 }, 0, false).cut, { seconds: 30 });
    const { target, cut } = clipTarget({ url: 'p', headers: {}, fragments: segments }, { start: 3.5 }, 2, false);
    assert.deepEqual(cut, { shift: 0 });
    assert.equal(target.fragments?.length, 5);
    // Audio segments that start earlier than the video's keep their own offset.
    const audio = [{ url: 'a0', seconds: 1.9 }, { url: 'a1', seconds: 1.9 }, { url: 'a2', seconds: 1.9 }];
    const audioCut = clipTarget({ url: 'p', headers: {}, fragments: audio }, { start: 3.5, end: 4 }, 2, true).cut;
    assert.ok(Math.abs(audioCut.shift! + 0.1) < 1e-9 && audioCut.seconds === 2, JSON.stringify(audioCut));
    assert.deepEqual(clipArgs({ seek: 300, shift: -1.5, seconds: 30 }), ['-ss', '300.000000', '-itsoffset', '-1.500000', '-t', '30.000000']);
    const args = buildFfmpegArgs([{ url: 'http://127.0.0.1:1/t', kind: 'video', cut: { seek: 5, seconds: 2 } }]);
    assert.deepEqual(args.slice(args.indexOf('-i') - 4, args.indexOf('-i') + 1), ['-ss', '5.000000', '-t', '2.000000', '-i']);
    assert.ok(args.join(' ').includes('-copypriorss:a 0'), 'audio before the origin is dropped');
    assert.ok(!buildFfmpegArgs([{ url: 'u', kind: 'video' }]).includes('-copypriorss:a'), 'not without a clip');
  });

  it('the origin: the video index\'s keyframe at or before the start (MP4 sync samples, WebM Cues), else the start', () => {
    const mp4 = { size: 1, tables: [{ kind: 'video' as const, blankable: true, offsets: new Float64Array(), sizes: new Uint32Array(), dts: new Float64Array(), keyframes: Float64Array.from([0, 2, 4, 6]), editStart: 0 }] };
    assert.equal(keyframeIn(mp4, 5.9), 4);
    assert.equal(keyframeIn(mp4, 6), 6);
    assert.equal(keyframeIn({ size: 1, cues: [0, 4.267, 8.533] }, 5), 4.267);
    assert.equal(keyframeIn({ size: 1 }, 5), undefined);
  });

  it('a clip\'s relay reads ahead little; the operator\'s smaller tuning stays', () => {
    const base = { rangeSize: 4 * 1024 * 1024, parallel: 5 };
    assert.deepEqual(clipRelay(base, undefined), base);
    assert.deepEqual(clipRelay(base, { start: 1 }), { rangeSize: 512 * 1024, parallel: 2 });
    assert.deepEqual(clipRelay({ rangeSize: 65536, parallel: 1 }, { start: 1 }), { rangeSize: 65536, parallel: 1 });
  });
});

describe('the page\'s From/To fields', () => {
  it('read the same times, say what is wrong in words, and name the file as the server does', async () => {
    const { clipName, readSpan } = await import('../../shared/clip-span.js');
    const { downloadPath } = await import('../../shared/format.js');
    assert.deepEqual(readSpan('5:00', '6:00', 600), { start: 300, end: 360 });
    assert.deepEqual(readSpan('', '', 600), { start: undefined, end: undefined });
    assert.deepEqual(readSpan('1:00', '20:00', 600), { start: 60, end: undefined });
    assert.match(readSpan('abc', '', 600).error!, /From/);
    assert.match(readSpan('2:00', '1:00', 600).error!, /after/);
    assert.match(readSpan('10:00', '', 600).error!, /past the end/);
    for (const [start, end] of [[300, 360], [3.5, 7], [3723, undefined]] as const) {
      const span = end === undefined ? { start } : { start, end };
      assert.equal(clipName('Title.mp4', span), clipFilename('Title.mp4', span));
    }
    assert.equal(clipName('Title.mp4', {}), 'Title.mp4');
    assert.equal(downloadPath('https://x.com/v', '720', '', { start: 300, end: 360 }), '/download?url=https%3A%2F%2Fx.com%2Fv&maxHeight=720&start=300&end=360');
  });
});

describe('createMuxStream with a clip', () => {
  it('refuses blanks with a clip, and a start past the video\'s end, before any process', async () => {
    const { createMuxStream } = await import('../../lib/create-mux-stream.js');
    const info = { id: 'x', title: 'X', duration: 10, thumbnail: null, uploader: null, webpageUrl: null, filename: 'X.mp4', estimatedSize: null, codecs: [], heights: [] };
    const selection = { info, inputs: [] };
    await assert.rejects(createMuxStream('https://x.com/v', { selection, start: 2, blanks: [[[0, 1]]] }), invalid(/given blanks only with its exact length/));
    await assert.rejects(createMuxStream('https://x.com/v', { selection, start: 10 }), invalid(/past the end of the video \(10 s\)/));
    await assert.rejects(createMuxStream('https://x.com/v', { selection, start: 'x' }), invalid(/^start must be/));
  });
});
