// What a range costs the media host, counted by the fixture: the inputs'
// indexes are read once per extraction however many HEADs and ranges ask,
// and a `bytes=-1` of 600 s of H.264/AAC fetches about the moov and the tail,
// not the file (the skipped samples are served as zeros, and no read opens a
// whole range past the head when a blank follows it).
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ensurePlainMedia } from '../../bench/plain-source.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readBody, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { childrenNamed } from '../helpers/processes.js';

/** The probe's first read of every input (probe-input.ts HEAD_BYTES). */
const PROBE_HEAD = 'bytes=0-65535';
const MB = 1_000_000;

describe('what a range costs upstream', () => {
  let site: FixtureSite;
  let passmux: TestServer;
  const url = (page: string) => `${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl(page))}`;
  const ranged = (target: string, range: string) => new Promise<IncomingMessage>((resolve, reject) => {
    request(target, { headers: { range }, agent: false }, resolve).on('error', reject).end();
  });
  before(async () => {
    [site, passmux] = await Promise.all([startFixtureSite(), startPassmux(), ensurePlainMedia()]);
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

  it('bytes=-1 of 600 s of 1080p H.264/AAC makes the media host send at most 32 MB', async (t) => {
    const target = url('plain-600s');
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
    t.diagnostic(`bytes=-1 of ${length} bytes: ${upstream} bytes upstream`);
    assert.ok(upstream <= 32 * MB, `${upstream} bytes upstream`);
    await whenIdle(passmux.admission);
  });
});
