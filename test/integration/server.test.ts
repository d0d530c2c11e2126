import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFixtureSite, FANCY_TITLE, type FixtureSite } from '../helpers/fixture-site.js';
import { CLIP_SECONDS } from '../helpers/media.js';
import { get, readBody, readJson, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed, isAlive } from '../helpers/processes.js';
import { safeFilename } from '../../lib/internal.js';

const ffmpegChildren = () => childrenNamed(process.pid, 'ffmpeg');
const spawnedAny = () => ffmpegChildren().length + childrenNamed(process.pid, 'yt-dlp').length;

describe('server routes', () => {
  let site: FixtureSite;
  let passmux: TestServer;
  let dir: string;
  before(async () => {
    // One address plays ten clients at once below: the per-client limit (its own test) is off.
    [site, passmux, dir] = await Promise.all([startFixtureSite(), startPassmux({ maxConnectionsPerClient: 0 }), mkdtemp(join(tmpdir(), 'passmux-server-'))]);
  });
  after(async () => {
    await Promise.all([site.close(), passmux.close(), rm(dir, { recursive: true, force: true })]);
  });
  const download = (id: string, query = '') => get(`${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl(id))}${query}`);

  it('GET /info answers the page fields', async () => {
    const res = await get(`${passmux.origin}/info?url=${encodeURIComponent(site.pageUrl('fancy'))}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type']!, /^application\/json/);
    assert.deepEqual(await readJson(res), {
      type: 'video', id: 'fancy', title: FANCY_TITLE, duration: CLIP_SECONDS, thumbnail: `${site.origin}/thumb/fancy.jpg`,
      uploader: 'Fixture Uploader', webpageUrl: site.pageUrl('fancy'), filename: safeFilename(FANCY_TITLE), estimatedSize: 1146880,
      codecs: ['h264'], heights: [240],
    });
  });

  it('GET /download right after /info streams an MP4 without a second extraction, named for a hard title', async () => {
    const missesBefore = passmux.handler.cache.misses;
    const logged = passmux.nextLogs();
    const res = await download('fancy');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'video/mp4');
    // Exact, from the inputs' own indexes as their media server gave them, never yt-dlp's guess (1146880).
    const length = Number(res.headers['content-length']);
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.match(res.headers.etag!, /^"pm\d+-[\w-]+"$/);
    assert.equal(res.headers['x-estimated-content-length'], undefined, 'no guess beside an exact length');
    assert.equal(res.headers['cache-control'], 'no-store');
    const disposition = res.headers['content-disposition']!;
    const star = /filename\*=UTF-8''([^;]+)/.exec(disposition)![1]!;
    assert.equal(decodeURIComponent(star), 'He said hi Grüße – 日本語 🎬.mp4');
    const fallback = /filename="([^"]*)"/.exec(disposition)![1]!;
    assert.match(fallback, /^[\x20-\x7e]+\.mp4$/);
    assert.ok(!/[/\\"]/.test(fallback));
    const body = await readBody(res);
    assert.equal(body.length, length);
    const out = join(dir, 'fancy.mp4');
    await writeFile(out, body);
    const probe = await probeFile(out);
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.ok(Math.abs(probe.duration - CLIP_SECONDS) <= 0.5, `duration ${probe.duration}`);
    assert.equal(passmux.handler.cache.misses, missesBefore, 'the /info extraction was reused');
    const [entry] = await logged;
    assert.equal(entry!.outcome, 'completed');
    assert.equal(entry!.bytes, body.length);
    assert.equal(entry!.ffmpegExit, 0);
  });

  it('HEAD /download answers the headers without starting ffmpeg', async () => {
    await whenIdle(passmux.admission);
    const logsBefore = passmux.logs.length;
    const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl('vp9'))}`, 'HEAD');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-disposition']!, /filename="VP9 clip\.mp4"/);
    assert.equal(res.headers['content-type'], 'video/mp4');
    assert.equal((await readBody(res)).length, 0);
    assert.equal(ffmpegChildren().length, 0);
    assert.equal(passmux.logs.length, logsBefore, 'no download ran');
    assert.equal(passmux.admission.open, 0);
  });

  it('maps a removed video to 404 JSON', async () => {
    const res = await download('gone');
    assert.equal(res.statusCode, 404);
    assert.equal((await readJson(res)).error.code, 'NOT_FOUND');
  });

  it('refuses bad requests with the right 4xx JSON and starts no process', async () => {
    await whenIdle(passmux.admission);
    const cases: Array<[string, string, number, string]> = [
      ['GET', '/download', 400, 'INVALID_URL'],
      ['GET', '/download?url=ftp%3A%2F%2Fx', 400, 'INVALID_URL'],
      ['GET', '/download?url=file%3A%2F%2F%2Fetc%2Fpasswd', 400, 'INVALID_URL'],
      ['GET', '/download?url=--exec%3Dtouch%20x', 400, 'INVALID_URL'],
      ['GET', `/download?url=${encodeURIComponent(site.pageUrl('h264'))}&maxHeight=abc`, 400, 'INVALID_REQUEST'],
      ['GET', '/info?url=', 400, 'INVALID_URL'],
      ['GET', '/nope', 404, 'ROUTE_NOT_FOUND'],
      ['POST', '/download', 405, 'METHOD_NOT_ALLOWED'],
      ['DELETE', '/info', 405, 'METHOD_NOT_ALLOWED'],
    ];
    for (const [method, path, status, code] of cases) {
      const res = await get(`${passmux.origin}${path}`, method);
      assert.equal(res.statusCode, status, `${method} ${path}`);
      assert.equal((await readJson(res)).error.code, code, `${method} ${path}`);
    }
    assert.equal(spawnedAny(), 0);
  });

  it('refuses the cloud metadata address even where private networks are otherwise allowed by the test', async () => {
    const strict = await startPassmux({ allowPrivateNetworks: false });
    try {
      const res = await get(`${strict.origin}/download?url=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`);
      assert.equal(res.statusCode, 400);
      assert.equal((await readJson(res)).error.code, 'INVALID_URL');
      assert.equal(spawnedAny(), 0);
    } finally {
      await strict.close();
    }
  });

  it('GET /healthz and /metrics report the counters', async () => {
    await whenIdle(passmux.admission);
    const health = await get(`${passmux.origin}/healthz`);
    assert.deepEqual(await readJson(health), { ok: true, open: 0, active: 0, waiting: 0 });
    const metrics = (await readBody(await get(`${passmux.origin}/metrics`))).toString();
    assert.match(metrics, /^passmux_open_connections 0$/m);
    assert.match(metrics, /^passmux_downloads_total\{outcome="completed"\} [1-9]/m);
    assert.match(metrics, /^passmux_bytes_sent_total [1-9]\d+$/m);
    assert.match(metrics, /^passmux_extraction_seconds_total \d/m);
  });

  it('aborting 10 downloads mid-stream leaves no ffmpeg and both gates at zero', async () => {
    const slow = await startFixtureSite({ throttle: 200_000 });
    after(() => slow.close());
    const abortedBefore = passmux.handler.metrics.downloads('client_aborted');
    const url = `${passmux.origin}/download?url=${encodeURIComponent(slow.pageUrl('h264'))}`;
    const logged = passmux.nextLogs(10);
    const responses = await Promise.all(Array.from({ length: 10 }, () => get(url)));
    const pids = ffmpegChildren().map((p) => p.pid);
    assert.equal(pids.length, 10);
    await Promise.all(responses.map(async (res) => {
      assert.equal(res.statusCode, 200);
      await once(res, 'readable');
      res.destroy();
    }));
    assert.deepEqual((await logged).map((e) => e.outcome), Array(10).fill('client_aborted'));
    assert.deepEqual(pids.filter(isAlive), []);
    assert.equal(ffmpegChildren().length, 0);
    assert.equal(passmux.handler.metrics.downloads('client_aborted') - abortedBefore, 10);
    assert.deepEqual(await readJson(await get(`${passmux.origin}/healthz`)), { ok: true, open: 0, active: 0, waiting: 0 });
  });

  it('cuts the connection, never ends cleanly, when ffmpeg dies mid-stream', async () => {
    const logged = passmux.nextLogs();
    const res = await download('big');
    assert.equal(res.statusCode, 200);
    await once(res, 'readable');
    const [ffmpeg] = ffmpegChildren();
    process.kill(ffmpeg!.pid, 'SIGKILL');
    await assert.rejects(readBody(res), /aborted|ECONNRESET|socket hang up|premature close/i);
    const [entry] = await logged;
    assert.equal(entry!.outcome, 'failed');
    assert.equal(entry!.error, 'MUX_FAILED');
    assert.match(String(entry!.message), /signal SIGKILL/);
  });

  it('drops a client that stops reading after the idle timeout and frees its slot', async () => {
    const idle = await startPassmux({ idleTimeoutMs: 1000 });
    try {
      const logged = idle.nextLogs();
      const res = await get(`${idle.origin}/download?url=${encodeURIComponent(site.pageUrl('big'))}`);
      assert.equal(res.statusCode, 200);
      res.pause();
      const pid = ffmpegChildren()[0]!.pid;
      const [entry] = await logged;
      assert.equal(entry!.error, 'TIMEOUT');
      assert.equal(isAlive(pid), false);
      assert.deepEqual(idle.admission.counts, { open: 0, active: 0, waiting: 0 });
      res.destroy();
    } finally {
      await idle.close();
    }
  });
});
