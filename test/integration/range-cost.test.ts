// What a range costs the media host, counted by the fixture: the inputs'
// indexes are read once per extraction however many HEADs and ranges ask,
// and a `bytes=-1` of 600 s of H.264/AAC fetches about the moov and the tail,
// not the file (the skipped samples are served as zeros, and no read opens a
// whole range past the head when a blank follows it). WebM gets no blanks
// (docs/exact-length.md): its range reads each input once, no more.
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { statSync } from 'node:fs';
import { ensurePlainMedia } from '../../bench/plain-source.js';
import { ensureWebmMedia } from '../../bench/webm-source.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readBody, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { childrenNamed } from '../helpers/processes.js';

/** The probe's first read of every input (probe-input.ts HEAD_BYTES). */
const PROBE_HEAD = 'bytes=0-65535';
const MB = 1_000_000;

/** 600 s of 1080p H.264/AAC gets blanks; 600 s of 720p VP9/Opus WebM none. */
const SUFFIXES = [
  { page: 'plain-600s', goal: '32 MB', limit: () => 32 * MB, media: ensurePlainMedia },
  { page: 'webm-600s', goal: 'its inputs once, and their indexes', limit: (inputs: number) => inputs + 4 * MB, media: ensureWebmMedia },
];

describe('what a range costs upstream', () => {
  let site: FixtureSite;
  let passmux: TestServer;
  const url = (page: string) => `${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl(page))}`;
  const ranged = (target: string, range: string) => new Promise<IncomingMessage>((resolve, reject) => {
    request(target, { headers: { range }, agent: false }, resolve).on('error', reject).end();
  });
  before(async () => {
    [site, passmux] = await Promise.all([startFixtureSite(), startPassmux(), ensurePlainMedia(), ensureWebmMedia()]);
  });
  after(async () => {
    await Promise.all([site.close(), passmux.close()]);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
  });

  it('a HEAD, a GET and three ranges of one page read each input\'s index once', async (t) => {
    const heads = new Map<string, number>();
    const count = (name: string, range: string | undefined) => { if (range === PROBE_HEAD) heads.set(name, (heads.get(name) ?? 0) + 1); };
    site.events.on('media', count);
    try {
      const target = url('big');
      const head = await get(target, 'HEAD');
      head.resume();
      const length = Number(head.headers['content-length']);
      const whole = await readBody(await get(target));
      assert.equal(whole.length, length);
      for (const range of [`bytes=${length - 3 * MB}-`, `bytes=${2 * MB}-${2 * MB + 999}`, 'bytes=-1']) {
        const res = await ranged(target, range);
        assert.equal(res.statusCode, 206, range);
        const [, start, end] = /^bytes (\d+)-(\d+)\//.exec(res.headers['content-range']!)!;
        assert.ok((await readBody(res)).equals(whole.subarray(Number(start), Number(end) + 1)), `${range}: the whole download's bytes`);
      }
      t.diagnostic(`probe head reads: ${JSON.stringify(Object.fromEntries(heads))}`);
      assert.deepEqual(Object.fromEntries(heads), { 'big.mp4': 1 });
    } finally {
      site.events.off('media', count);
    }
    await whenIdle(passmux.admission);
  });

  it('two clips of one page read its video\'s index once (the keyframe from the probe kept with the extraction)', async () => {
    const heads = new Map<string, number>();
    const count = (name: string, range: string | undefined) => { if (range === PROBE_HEAD) heads.set(name, (heads.get(name) ?? 0) + 1); };
    site.events.on('media', count);
    try {
      for (const span of ['&start=3.5&end=7', '&start=2&end=5']) {
        const res = await get(`${url('h264')}${span}`);
        assert.equal(res.statusCode, 200, span);
        assert.ok((await readBody(res)).length > 0, span);
      }
      assert.ok(heads.size > 0, 'the index was read');
      assert.deepEqual([...heads.values()].filter((n) => n !== 1), [], JSON.stringify(Object.fromEntries(heads)));
    } finally {
      site.events.off('media', count);
    }
    await whenIdle(passmux.admission);
  });

  for (const { page, goal, limit, media } of SUFFIXES) it(`bytes=-1 of ${page}: the media host sends at most ${goal}`, async (t) => {
    const { video, audio } = await media();
    const inputs = statSync(video).size + statSync(audio).size;
    const target = url(page);
    // From the first request on: the probe's reads count too.
    const before = site.stats.mediaBytes;
    const head = await get(target, 'HEAD');
    head.resume();
    const length = Number(head.headers['content-length']);
    const res = await ranged(target, 'bytes=-1');
    assert.equal(res.statusCode, 206);
    assert.equal(res.headers['content-range'], `bytes ${length - 1}-${length - 1}/${length}`);
    assert.equal((await readBody(res)).length, 1);
    const upstream = site.stats.mediaBytes - before;
    t.diagnostic(`bytes=-1 of ${page}, ${length} bytes: ${upstream} bytes upstream (inputs ${inputs})`);
    assert.ok(upstream <= limit(inputs), `${upstream} bytes upstream`);
    await whenIdle(passmux.admission);
  });
});
