// A clip of whole MP4 files has an exact length (lib/length/clip-plan.ts):
// HEAD and GET agree on it, the body is exactly that long and padded within
// the rule, a range of it is the same bytes as that part of the whole clip,
// and its ETag names the span. Real yt-dlp and ffmpeg, each shape the fixture
// site serves; what cannot be measured (WebM, one fragmented file of both
// tracks) stays chunked.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { allowed, hashFrom, lastBoxStart } from '../helpers/exact-body.js';
import { createHash } from 'node:crypto';
import { get, readBody, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';

interface Shape {
  name: string;
  page: string;
  query?: string;
  start: number;
  end: number;
  /** Seconds between the video's keyframes (audio only: a frame). */
  keyframes: number;
  tracks: string[];
}

const EXACT: Shape[] = [
  { name: 'H.264/AAC, separate mp4 + m4a', page: 'h264', start: 3.5, end: 7, keyframes: 2, tracks: ['video', 'audio'] },
  { name: 'moov-at-end single file', page: 'single', start: 2, end: 5.25, keyframes: 2, tracks: ['video', 'audio'] },
  { name: 'fragmented H.264/AAC (sidx)', page: 'frag', start: 1.99, end: 6.01, keyframes: 2, tracks: ['video', 'audio'] },
  { name: 'fragmented H.264 with B-frames + AAC', page: 'frag-bframes', start: 4, end: 8.5, keyframes: 2, tracks: ['video', 'audio'] },
  { name: 'fragmented AV1 + AAC', page: 'frag-av1', start: 5, end: 9, keyframes: 2, tracks: ['video', 'audio'] },
  { name: 'audio only: AAC', page: 'h264', query: '&audioOnly=1', start: 2.5, end: 8, keyframes: 0.03, tracks: ['audio'] },
  { name: '1080p H.264 + AAC, 120 s', page: 'bench-120s', start: 61, end: 75, keyframes: 2, tracks: ['video', 'audio'] },
];

const CHUNKED: Shape[] = [
  { name: 'VP9/Opus, separate webm (no sample tables)', page: 'vp9', start: 3.5, end: 7, keyframes: 4.267, tracks: ['video', 'audio'] },
  { name: 'one fragmented file of both tracks (ffmpeg seeks a fragment early)', page: 'frag-big', start: 5, end: 9, keyframes: 2, tracks: ['video', 'audio'] },
];

function getWith(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request(url, { headers }, resolve).on('error', reject).end());
}

describe('clip exact length', { timeout: 300_000 }, () => {
  let site: FixtureSite;
  let passmux: TestServer;
  let dir: string;
  const url = (shape: Shape, span = `&start=${shape.start}&end=${shape.end}`) =>
    `${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl(shape.page))}${span}${shape.query ?? ''}`;
  before(async () => {
    [site, passmux, dir] = await Promise.all([startFixtureSite(), startPassmux(), mkdtemp(join(tmpdir(), 'passmux-clip-length-'))]);
  });
  after(async () => {
    await Promise.all([site.close(), passmux.close(), rm(dir, { recursive: true, force: true })]);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
  });

  for (const shape of EXACT) {
    it(`${shape.name}: HEAD and GET say one length, the body is it, a range is the same bytes, the ETag names the span`, async (t) => {
      const head = await get(url(shape), 'HEAD');
      head.resume();
      assert.equal(head.statusCode, 200);
      assert.equal(head.headers['accept-ranges'], 'bytes');
      const length = Number(head.headers['content-length']);
      const etag = head.headers.etag!;
      assert.ok(length > 0, `a length: ${head.headers['content-length']}`);
      assert.match(etag, /^"[^"]+"$/);

      const res = await get(url(shape));
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-length'], String(length));
      assert.equal(res.headers.etag, etag);
      assert.match(String(res.headers['content-disposition']), /s\)\.(mp4|m4a)/);
      const body = await readBody(res);
      assert.equal(body.length, length);
      // Padded to the bound with one free box at the end, within what the exact length allows.
      const last = lastBoxStart(body);
      assert.equal(body.toString('latin1', last + 4, last + 8), 'free');
      const padding = length - last;
      t.diagnostic(`${shape.name}: ${length} bytes, padding ${padding} (${(padding / length * 100).toFixed(3)} %)`);
      assert.ok(padding <= allowed(length), `padding ${padding} of ${length}`);
      const file = join(dir, `${shape.page}${shape.query ? '-a' : ''}.mp4`);
      await writeFile(file, body);
      const probe = await probeFile(file);
      assert.deepEqual(probe.streams.map((s) => s.type), shape.tracks);
      const asked = shape.end - shape.start;
      assert.ok(probe.duration >= asked - 0.05 && probe.duration <= asked + shape.keyframes + 0.5, `duration ${probe.duration} for ${asked} s`);

      // A resume from 60 %: the same bytes as the whole clip's from there.
      const from = Math.floor(length * 0.6);
      const range = await getWith(url(shape), { range: `bytes=${from}-`, 'if-range': etag });
      assert.equal(range.statusCode, 206);
      assert.equal(range.headers['content-range'], `bytes ${from}-${length - 1}/${length}`);
      const tail = await readBody(range);
      assert.ok(tail.equals(body.subarray(from)), 'the range differs from the whole clip');

      // Another span, and the whole video, are other bytes: other ETags.
      const whole = await get(url(shape, ''), 'HEAD');
      whole.resume();
      const other = await get(url(shape, `&start=${shape.start}&end=${shape.end + 0.5}`), 'HEAD');
      other.resume();
      assert.notEqual(whole.headers.etag, etag);
      assert.notEqual(other.headers.etag, etag);
    });
  }

  it('the last 100 bytes of a near-whole clip of 120 s 1080p fetch its index and its end, not the whole file', async (t) => {
    const shape = EXACT.find((s) => s.page === 'bench-120s')!;
    const span = '&start=0.001&end=119.999';
    const head = await get(url(shape, span), 'HEAD');
    head.resume();
    const length = Number(head.headers['content-length']);
    const before = site.stats.mediaBytes;
    const range = await getWith(url(shape, span), { range: `bytes=${length - 100}-`, 'if-range': head.headers.etag! });
    assert.equal(range.statusCode, 206);
    const tail = await readBody(range);
    await whenIdle(passmux.admission);
    const fetched = site.stats.mediaBytes - before;
    t.diagnostic(`a range of the last 100 of ${length} bytes fetched ${fetched} bytes`);
    // As a whole video's range: the samples whose output surely lands before it are zeros (blanks).
    assert.ok(fetched <= 32 * 1024 * 1024, `fetched ${fetched}`);
    const whole = await hashFrom(await get(url(shape, span)), length - 100);
    assert.equal(whole.bytes, length);
    assert.equal(createHash('sha256').update(tail).digest('hex'), whole.sha, 'the range differs from the whole clip');
  });

  for (const shape of CHUNKED) {
    it(`${shape.name}: chunked, no length, no ranges`, async () => {
      const res = await get(url(shape));
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-length'], undefined);
      assert.equal(res.headers['accept-ranges'], 'none');
      assert.equal(res.headers.etag, undefined);
      const file = join(dir, `${shape.page}-chunked.mp4`);
      await writeFile(file, await readBody(res));
      const probe = await probeFile(file);
      assert.deepEqual(probe.streams.map((s) => s.type), shape.tracks);
      assert.ok(probe.duration >= shape.end - shape.start - 0.05);
    });
  }
});
