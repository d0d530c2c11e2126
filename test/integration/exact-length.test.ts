// Exact Content-Length on every whole-file shape the tests make: the body is
// exactly as long as announced, ends with one top-level free box that pads
// ffmpeg's output to it, pads by at most 0.5 % + 64 KiB, and plays. The same
// choice gives the same bytes twice; ranges are the same bytes again.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { ensureMedia } from '../helpers/media.js';
import { get, readBody, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { allowed, hashFrom, lastBoxStart, walkBoxes } from '../helpers/exact-body.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';

const SHAPES: Array<{ name: string; page: string; query?: string; tracks: string[]; seconds?: number }> = [
  { name: 'H.264/AAC, separate mp4 + m4a', page: 'h264', tracks: ['video', 'audio'] },
  { name: 'VP9/Opus, separate webm', page: 'vp9', tracks: ['video', 'audio'] },
  { name: 'moov-at-end single file', page: 'single', tracks: ['video', 'audio'] },
  { name: 'audio only: AAC 96k', page: 'h264', query: '&audioOnly=1', tracks: ['audio'] },
  { name: 'audio only: Opus 64k', page: 'vp9', query: '&audioOnly=1', tracks: ['audio'] },
  { name: 'audio only: AAC 32k', page: 'low-aac', query: '&audioOnly=1', tracks: ['audio'] },
  { name: 'audio only: Opus 24k', page: 'low-opus', query: '&audioOnly=1', tracks: ['audio'] },
  { name: 'audio only, out of a moov-at-end single file', page: 'single', query: '&audioOnly=1', tracks: ['audio'] },
  { name: 'lossless 640x360 (~12 MB)', page: 'big', tracks: ['video', 'audio'] },
  // Fragmented whole files: ftyp, moov+mvex, sidx, moof/mdat (YouTube's mp4_dash and m4a_dash).
  { name: 'fragmented H.264/AAC, separate mp4 + m4a', page: 'frag', tracks: ['video', 'audio'] },
  { name: 'fragmented H.264 with B-frames + AAC', page: 'frag-bframes', tracks: ['video', 'audio'] },
  { name: 'fragmented H.264 + AAC in one fragment', page: 'frag-one-fragment', tracks: ['video', 'audio'] },
  { name: 'fragmented 1080p minute', page: 'frag-1080p', tracks: ['video', 'audio'], seconds: 60 },
  { name: 'fragmented AV1 720p + AAC (copied with its parser: no blind resume)', page: 'frag-av1', tracks: ['video', 'audio'] },
  { name: 'audio only: fragmented AAC 96k', page: 'frag', query: '&audioOnly=1', tracks: ['audio'] },
  { name: 'audio only: fragmented AAC 32k', page: 'frag-low-aac', query: '&audioOnly=1', tracks: ['audio'] },
  { name: 'audio only: fragmented AAC 128k, a minute', page: 'frag-1080p', query: '&audioOnly=1', tracks: ['audio'], seconds: 60 },
];

describe('exact Content-Length', () => {
  let site: FixtureSite;
  let passmux: TestServer;
  let dir: string;
  const url = (page: string, query = '') => `${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl(page))}${query}`;
  before(async () => {
    [site, passmux, dir] = await Promise.all([startFixtureSite(), startPassmux(), mkdtemp(join(tmpdir(), 'passmux-exact-'))]);
  });
  after(async () => {
    await Promise.all([site.close(), passmux.close(), rm(dir, { recursive: true, force: true })]);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
  });

  for (const shape of SHAPES) {
    it(`${shape.name}: exactly the announced length, a free box at the end within 0.5 % + 64 KiB, and it plays`, async (t) => {
      const res = await get(url(shape.page, shape.query));
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['accept-ranges'], 'bytes');
      const length = Number(res.headers['content-length']);
      const body = await readBody(res);
      assert.equal(body.length, length);
      const start = lastBoxStart(body);
      const padding = body.readUInt32BE(start);
      assert.equal(body.toString('latin1', start + 4, start + 8), 'free');
      assert.equal(start + padding, length, 'the free box ends the body');
      assert.ok(padding <= allowed(length), `padding ${padding} > ${allowed(length)}`);
      t.diagnostic(`${shape.name}: ${length} bytes, padding ${padding} (${(padding / length * 100).toFixed(3)} %)`);
      const file = join(dir, `${shape.page}${shape.query ? '-a' : ''}.mp4`);
      await writeFile(file, body);
      const probe = await probeFile(file);
      assert.deepEqual(probe.streams.map((s) => s.type), shape.tracks);
      assert.ok(Math.abs(probe.duration - (shape.seconds ?? 10)) < 0.5 || shape.page === 'big', `duration ${probe.duration}`);
    });
  }

  it('long 1080p (120 s, ~360 MB): the bound holds and pads within 0.5 % + 64 KiB', async (t) => {
    await Promise.all([ensureMedia('bench-120s-video.mp4'), ensureMedia('bench-120s-audio.m4a')]);
    const res = await get(url('bench-120s'));
    const length = Number(res.headers['content-length']);
    const { boxes, bytes } = await walkBoxes(res);
    assert.equal(bytes, length);
    const [type, padding] = boxes.at(-1)!;
    assert.equal(type, 'free');
    assert.deepEqual(boxes.slice(0, 2).map(([name]) => name), ['ftyp', 'moov']);
    assert.ok(padding <= allowed(length), `padding ${padding} > ${allowed(length)}`);
    t.diagnostic(`long 1080p: ${length} bytes, padding ${padding} (${(padding / length * 100).toFixed(4)} %)`);
  });

  it('a fragmented file whose sidx durations lie keeps its exact length: ffmpeg times the fragments by their tfdt', async () => {
    const res = await get(url('frag-lying'));
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['accept-ranges'], 'bytes');
    const body = await readBody(res);
    assert.equal(body.length, Number(res.headers['content-length']));
    const file = join(dir, 'frag-lying.mp4');
    await writeFile(file, body);
    assert.deepEqual((await probeFile(file)).streams.map((s) => s.type), ['video', 'audio']);
  });

  it('a fragmented file with a moof after its last sidx fragment (ffmpeg would read it) gets no exact length, and still downloads', async () => {
    const res = await get(url('frag-trailing-moof'));
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], undefined);
    assert.equal(res.headers['accept-ranges'], 'none');
    assert.equal(res.headers.etag, undefined);
    const file = join(dir, 'frag-trailing-moof.mp4');
    await writeFile(file, await readBody(res));
    assert.deepEqual((await probeFile(file)).streams.map((s) => s.type), ['video', 'audio']);
  });

  for (const page of ['h264', 'frag']) it(`${page}: the same bytes and ETag twice; a range, a suffix and If-Range give the same bytes again`, async () => {
    const target = url(page);
    const [first, second] = await Promise.all([get(target), get(target)]);
    const [a, b] = await Promise.all([readBody(first), readBody(second)]);
    assert.ok(a.equals(b), 'two downloads of the same choice are byte-identical');
    const etag = first.headers.etag!;
    assert.equal(second.headers.etag, etag);
    const ranged = (range: string, ifRange?: string) => new Promise<IncomingMessage>((resolve, reject) => {
      request(target, { headers: { range, ...(ifRange ? { 'if-range': ifRange } : {}) }, agent: false }, resolve).on('error', reject).end();
    });
    const n = Math.floor(a.length * 0.7);
    const tail = await ranged(`bytes=${n}-`, etag);
    assert.equal(tail.statusCode, 206);
    assert.equal(tail.headers['content-range'], `bytes ${n}-${a.length - 1}/${a.length}`);
    assert.ok((await readBody(tail)).equals(a.subarray(n)));
    const middle = await ranged('bytes=1000-1999');
    assert.equal(middle.headers['content-length'], '1000');
    assert.ok((await readBody(middle)).equals(a.subarray(1000, 2000)));
    const suffix = await ranged('bytes=-500');
    assert.ok((await readBody(suffix)).equals(a.subarray(a.length - 500)));
    const changed = await ranged(`bytes=${n}-`, '"pm1-not-this-one"');
    assert.equal(changed.statusCode, 200);
    assert.ok((await readBody(changed)).equals(a));
    const past = await ranged(`bytes=${a.length}-`);
    assert.equal(past.statusCode, 416);
    assert.equal(past.headers['content-range'], `bytes */${a.length}`);
    await readBody(past);
    await whenIdle(passmux.admission);
  });

  // Index first, data after (faststart, interleaved); two inputs with their index at the end (120 s of 1080p); two fragmented inputs (a 1080p minute).
  for (const page of ['big', 'bench-120s', 'frag-1080p']) {
    it(`a resume at 90 % of ${page} gives the same bytes, reading what it skips as zeros instead of upstream`, async () => {
      await Promise.all([ensureMedia('bench-120s-video.mp4'), ensureMedia('bench-120s-audio.m4a')]);
      const target = url(page);
      const head = await get(target, 'HEAD');
      head.resume();
      const n = Math.floor(Number(head.headers['content-length']) * 0.9);
      let before = site.stats.mediaBytes;
      const whole = await hashFrom(await get(target), n);
      const fullUpstream = site.stats.mediaBytes - before;
      before = site.stats.mediaBytes;
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        request(target, { headers: { range: `bytes=${n}-`, 'if-range': head.headers.etag! }, agent: false }, resolve).on('error', reject).end();
      });
      assert.equal(res.statusCode, 206);
      const tail = await hashFrom(res, 0);
      assert.equal(tail.bytes, whole.bytes - n);
      assert.equal(tail.sha, whole.sha, 'the same bytes as the whole download from N on');
      const resumeUpstream = site.stats.mediaBytes - before;
      // The indexes are read again and about the last tenth fetched; the rest comes from nowhere.
      assert.ok(resumeUpstream < fullUpstream * 0.4, `resume read ${resumeUpstream} bytes upstream, the whole download ${fullUpstream}`);
      await whenIdle(passmux.admission);
    });
  }

  for (const [page, query] of [['vp9', '&audioOnly=1'], ['frag', '']]) it(`${page}${query}: HEAD sends the GET's Content-Length, Accept-Ranges and ETag without starting ffmpeg`, async () => {
    const target = url(page!, query);
    const head = await get(target, 'HEAD');
    head.resume();
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
    const res = await get(target);
    for (const name of ['content-length', 'accept-ranges', 'etag']) assert.equal(head.headers[name], res.headers[name], name);
    await readBody(res);
  });
});
