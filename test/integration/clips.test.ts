// Clips (`start`/`end`): real yt-dlp and ffmpeg against the fixture sites.
// Each shape's clip lasts from the clip's length to one keyframe interval
// (or segment) + 0.5 s more, decodes clean, says it is a clip in its file
// name, and fetches only part of its inputs; a bad section is refused before
// anything runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { ensureMedia } from '../helpers/media.js';
import { get, readBody, readJson, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';
import { startStreamSite, type StreamShape, type StreamSite } from '../helpers/stream-site.js';
import { createMuxStream, MuxError } from '../../lib/index.js';

const run = promisify(execFile);

/** Seconds between keyframes (or HLS/DASH segments) of each shape's video, as the media recipes make them. */
/** `exact`: whole MP4 files, the clip has an exact length (test/integration/clip-length.test.ts); the rest are chunked. */
const SHAPES: Array<{ name: string; page: string; stream?: StreamShape; query?: string; tracks: string[]; keyframes: number; exact?: true }> = [
  { name: 'H.264/AAC, separate mp4 + m4a', page: 'h264', tracks: ['video', 'audio'], keyframes: 2, exact: true },
  { name: 'VP9/Opus, separate webm', page: 'vp9', tracks: ['video', 'audio'], keyframes: 4.267 },
  { name: 'moov-at-end single file', page: 'single', tracks: ['video', 'audio'], keyframes: 2, exact: true },
  { name: 'fragmented H.264/AAC (sidx)', page: 'frag', tracks: ['video', 'audio'], keyframes: 2, exact: true },
  { name: 'audio only: AAC', page: 'h264', query: '&audioOnly=1', tracks: ['audio'], keyframes: 0.03, exact: true },
  { name: 'HLS, TS video + audio playlists', page: '', stream: 'hls-master', tracks: ['video', 'audio'], keyframes: 2 },
  { name: 'HLS, fMP4 on a CDN', page: '', stream: 'hls-fmp4-cdn', tracks: ['video', 'audio'], keyframes: 2 },
  { name: 'DASH SegmentTimeline', page: '', stream: 'dash-timeline', tracks: ['video', 'audio'], keyframes: 2 },
];

const START = 3.5;
const END = 7;

/** When the audio really starts, in seconds (fragmented MP4 gives its first sample the gap before it, so: the second's time, less one frame). */
async function audioStartOf(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'a', '-read_intervals', '%+#2', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  const [, second] = stdout.trim().split('\n').map(Number);
  return Math.max(0, (second ?? 0) - 0.03);
}

/** ffmpeg decodes every frame of the file without one complaint. */
async function decodesClean(file: string): Promise<void> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-']);
  assert.equal(stderr.trim(), '', 'decoding complained');
}

describe('clips', () => {
  let site: FixtureSite;
  let streams: StreamSite;
  let passmux: TestServer;
  let dir: string;
  const pageUrl = (page: string, stream?: StreamShape) => (stream ? streams.pageUrl(stream) : site.pageUrl(page));
  const url = (page: string, query: string, stream?: StreamShape) => `${passmux.origin}/download?url=${encodeURIComponent(pageUrl(page, stream))}${query}`;
  before(async () => {
    [site, streams, passmux, dir] = await Promise.all([startFixtureSite(), startStreamSite(), startPassmux(), mkdtemp(join(tmpdir(), 'passmux-clips-'))]);
  });
  after(async () => {
    await Promise.all([site.close(), streams.close(), passmux.close(), rm(dir, { recursive: true, force: true })]);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
  });

  for (const shape of SHAPES) {
    it(`${shape.name}: lasts ${END - START} s to one keyframe interval + 0.5 s more, decodes clean, named as a clip`, async (t) => {
      const res = await get(url(shape.page, `&start=${START}&end=${END}${shape.query ?? ''}`, shape.stream));
      assert.equal(res.statusCode, 200);
      // Whole MP4 files: an exact length; WebM, HLS and DASH: chunked (docs/clips.md).
      assert.equal(res.headers['accept-ranges'], shape.exact ? 'bytes' : 'none');
      assert.equal(res.headers['content-length'] !== undefined, Boolean(shape.exact));
      assert.match(String(res.headers['content-disposition']), /\(3\.5s-7s\)\.(mp4|m4a)/);
      const file = join(dir, `${shape.page || shape.stream}${shape.query ? '-a' : ''}.mp4`);
      const body = await readBody(res);
      if (shape.exact) assert.equal(body.length, Number(res.headers['content-length']));
      await writeFile(file, body);
      const probe = await probeFile(file);
      assert.deepEqual(probe.streams.map((s) => s.type), shape.tracks);
      t.diagnostic(`${shape.name}: ${probe.duration.toFixed(3)} s`);
      assert.ok(probe.duration >= END - START - 0.05, `duration ${probe.duration} < ${END - START}`);
      assert.ok(probe.duration <= END - START + shape.keyframes + 0.5, `duration ${probe.duration} too long`);
      await decodesClean(file);
      // The audio starts with the picture (at the video's keyframe), not seconds of silent video later.
      if (shape.tracks.length === 2) assert.ok(await audioStartOf(file) < 0.05, `audio starts at ${await audioStartOf(file)} s`);
    });
  }

  it('createMuxStream(url, { start, end }): the library cuts the same way; a bad section rejects before yt-dlp', async () => {
    const stream = await createMuxStream(site.pageUrl('vp9'), { start: '0:05', end: 8, allowPrivateNetworks: true });
    const file = join(dir, 'library.mp4');
    await writeFile(file, Buffer.concat(await stream.toArray() as Buffer[]));
    const { duration } = await probeFile(file);
    // VP9 keyframes at 0, 4.27, 8.53 s: from 4.27 to 8.
    assert.ok(duration >= 3 - 0.05 && duration <= 3 + 4.267 + 0.5, `duration ${duration}`);
    const pages = site.stats.pages;
    await assert.rejects(createMuxStream(site.pageUrl('vp9'), { start: 8, end: 'soon', allowPrivateNetworks: true }),
      (error: unknown) => error instanceof MuxError && error.code === 'INVALID_SECTION' && /^end must be seconds/.test(error.message));
    assert.equal(site.stats.pages, pages);
  });

  it('a clip to the end (start only) and one from the start (end only)', async () => {
    for (const [query, low, high] of [['&start=6', 4, 6.5], ['&end=3', 3, 3.5]] as const) {
      const res = await get(url('h264', query));
      assert.equal(res.statusCode, 200);
      const file = join(dir, `open${query.replace(/\W/g, '')}.mp4`);
      await writeFile(file, await readBody(res));
      const { duration } = await probeFile(file);
      assert.ok(duration >= low - 0.05 && duration <= high, `${query}: ${duration} s`);
    }
  });

  it('5 s of two minutes of 1080p (~360 MB) fetches at most 15 % of the inputs', async (t) => {
    const files = await Promise.all([ensureMedia('bench-120s-video.mp4'), ensureMedia('bench-120s-audio.m4a')]);
    const total = files.reduce((sum, file) => sum + statSync(file).size, 0);
    const before = site.stats.mediaBytes;
    const res = await get(url('bench-120s', '&start=60&end=65'));
    assert.equal(res.statusCode, 200);
    const body = await readBody(res);
    await whenIdle(passmux.admission);
    const fetched = site.stats.mediaBytes - before;
    t.diagnostic(`fetched ${fetched} of ${total} bytes (${(fetched / total * 100).toFixed(1)} %), clip ${body.length} bytes`);
    // The clip's share (from the keyframe before it) is 6 %; the rest is what does not grow with the
    // video: ffmpeg's first look at each file (~5 MB of 1080p probed), the indexes, the relay's short read-ahead.
    assert.ok(fetched <= total * 0.15, `fetched ${fetched} of ${total}`);
    assert.ok(fetched >= body.length, 'the clip cannot come from nothing');
  });

  it('HEAD of a clip: the same headers as its GET, the clip\'s length and name', async () => {
    const res = await get(url('h264', `&start=1:00&end=1:30`), 'HEAD');
    // 60 s is past this 10 s video's end: refused in words.
    assert.equal(res.statusCode, 400);
    res.resume();
    const ok = await get(url('h264', '&start=2&end=4'), 'HEAD');
    assert.equal(ok.statusCode, 200);
    assert.match(String(ok.headers['content-disposition']), /\(2s-4s\)\.mp4/);
    ok.resume();
    const got = await get(url('h264', '&start=2&end=4'));
    assert.equal(got.statusCode, 200);
    const body = await readBody(got);
    for (const name of ['content-length', 'etag', 'accept-ranges', 'content-disposition']) assert.equal(got.headers[name], ok.headers[name], name);
    assert.equal(body.length, Number(ok.headers['content-length']));
  });

  it('bad sections: 400 INVALID_SECTION in words; a bad one runs nothing, one past the end fetches no media', async () => {
    for (const query of ['&start=abc', '&start=5&end=3', '&start=-1', '&end=0', '&start=1:75', '&start=1&start=2']) {
      const pages = site.stats.pages;
      const res = await get(url('h264', query));
      assert.equal(res.statusCode, 400, query);
      const body = await readJson(res);
      assert.equal(body.error.code, 'INVALID_SECTION', query);
      assert.match(body.error.message, /start|end/, query);
      assert.equal(site.stats.pages, pages, `${query}: yt-dlp ran`);
    }
    const media = site.stats.mediaRequests;
    const res = await get(url('h264', '&start=10'));
    assert.equal(res.statusCode, 400);
    assert.match((await readJson(res)).error.message, /past the end of the video/);
    assert.equal(site.stats.mediaRequests, media, 'a media request was made');
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
  });
});
