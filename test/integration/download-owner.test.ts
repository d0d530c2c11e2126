// One owner of a download's life: HEAD and GET describe the output the same
// way (one describeOutput, exact length and ETag included), a re-extraction after a 403 goes through the
// extraction cache (counted like any other) and the download completes, and
// every path gives the ticket back once ffmpeg is gone.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { MEDIA_DIR } from '../helpers/media.js';
import { get, okExtractions, readBody, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { childrenNamed } from '../helpers/processes.js';

const SIZE_HEADERS = ['content-type', 'content-disposition', 'x-estimated-content-length', 'content-length', 'accept-ranges', 'etag'];

describe('one owner per download', () => {
  const sites: FixtureSite[] = [];
  const servers: TestServer[] = [];
  const start = async (options: Parameters<typeof startFixtureSite>[0] = {}) => {
    const site = await startFixtureSite(options);
    const passmux = await startPassmux();
    sites.push(site);
    servers.push(passmux);
    return { site, passmux };
  };
  after(async () => {
    await Promise.all([...sites.map((s) => s.close()), ...servers.map((s) => s.close())]);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
  });

  it('HEAD (as the first request for a page) and GET send the same type, name and size headers', async () => {
    const { site, passmux } = await start();
    const url = `${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl('h264'))}`;
    const head = await get(url, 'HEAD');
    head.resume();
    assert.equal(head.statusCode, 200);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0, 'HEAD starts no ffmpeg');
    const res = await get(url);
    assert.equal(res.statusCode, 200);
    for (const name of SIZE_HEADERS) assert.equal(head.headers[name], res.headers[name], name);
    // From the inputs as their media server gave them (size and index), not yt-dlp's guess: exact.
    const inputs = (await stat(join(MEDIA_DIR, 'h264-video.mp4'))).size + (await stat(join(MEDIA_DIR, 'aac-audio.m4a'))).size;
    const length = Number(head.headers['content-length']);
    assert.ok(length > inputs && length < inputs * 1.01, `${length} for ${inputs} bytes of input`);
    assert.equal((await readBody(res)).length, length);
    await whenIdle(passmux.admission);
  });

  it('re-extracts through the cache when the media server starts refusing, counts it, and completes', async () => {
    const { site, passmux } = await start({ expireFirstSessionAfter: 2 });
    const before = await okExtractions(passmux.origin);
    const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl('h264'))}`);
    assert.equal(res.statusCode, 200);
    const body = await readBody(res);
    assert.ok(body.length > 100_000);
    assert.ok(site.stats.forbidden >= 1, 'the first session was refused');
    assert.equal(site.stats.pages, 2, 'one re-extraction');
    assert.equal(await okExtractions(passmux.origin) - before, 2, 'the re-extraction counts like the first');
    await whenIdle(passmux.admission);
    assert.deepEqual(passmux.admission.counts, { open: 0, active: 0, waiting: 0 });
  });
});
