// When ffmpeg, yt-dlp or the upstream misbehave: a clean error or a cut transfer, slots back, nothing left running.
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createMuxStream, MuxError } from '../../lib/internal.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readJson, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { childrenNamed, isAlive, listProcesses } from '../helpers/processes.js';

const helper = (name: string) => fileURLToPath(new URL(`../helpers/${name}`, import.meta.url));
const zero = { ok: true, open: 0, active: 0, waiting: 0 };

describe('faults', () => {
  let site: FixtureSite;
  let dir: string;
  const servers: TestServer[] = [];
  const server = async (...args: Parameters<typeof startPassmux>) => {
    const started = await startPassmux(...args);
    servers.push(started);
    return started;
  };
  before(async () => {
    site = await startFixtureSite();
    dir = await mkdtemp(join(tmpdir(), 'passmux-faults-'));
  });
  after(async () => {
    await Promise.all([site.close(), ...servers.map((s) => s.close()), rm(dir, { recursive: true, force: true })]);
  });

  async function download(passmux: TestServer, id: string, from: FixtureSite = site) {
    const logged = passmux.nextLogs();
    const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(from.pageUrl(id))}`);
    const body = await readJson(res);
    const [entry] = await logged;
    return { status: res.statusCode, body, entry: entry! };
  }

  it('ffmpeg failing at start on bad input data → 502 MUX_FAILED JSON, slots back', async () => {
    const passmux = await server();
    const { status, body, entry } = await download(passmux, 'garbage');
    assert.equal(status, 502);
    assert.equal(body.error.code, 'MUX_FAILED');
    assert.match(body.error.message, /not in a container passmux can remux/);
    // ffmpeg's own words (with its heap pointers) reach the log only.
    assert.match(String(entry.detail), /Invalid data|moov atom not found/);
    assert.equal(entry.outcome, 'failed');
    assert.deepEqual(await readJson(await get(`${passmux.origin}/healthz`)), zero);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
  });

  it('yt-dlp that hangs → 504 TIMEOUT, and it is stopped', async () => {
    const passmux = await server({ ytdlp: helper('fake-ytdlp-hang.mjs'), extractionTimeoutMs: 800 });
    const { status, body } = await download(passmux, 'h264');
    assert.equal(status, 504);
    assert.equal(body.error.code, 'TIMEOUT');
    assert.deepEqual(listProcesses().filter((p) => p.cmdline.includes('fake-ytdlp-hang') && !p.cmdline.includes('--help')), []);
    assert.deepEqual(await readJson(await get(`${passmux.origin}/healthz`)), zero);
  });

  it('yt-dlp printing garbage → 502 EXTRACT_FAILED', async () => {
    const passmux = await server({ ytdlp: helper('fake-ytdlp-garbage.mjs') });
    const { status, body } = await download(passmux, 'h264');
    assert.equal(status, 502);
    assert.equal(body.error.code, 'EXTRACT_FAILED');
    assert.match(body.error.message, /invalid JSON/);
  });

  it('missing programs → 502 naming the program and the variable to set', async () => {
    const noYtdlp = await server({ ytdlp: '/nonexistent/yt-dlp' });
    const first = await download(noYtdlp, 'h264');
    assert.equal(first.status, 502);
    assert.match(first.body.error.message, /yt-dlp could not be started .*PASSMUX_YTDLP/);
    const noFfmpeg = await server({ ffmpeg: '/nonexistent/ffmpeg' });
    const second = await download(noFfmpeg, 'h264');
    assert.equal(second.status, 502);
    assert.match(second.body.error.message, /ffmpeg could not be started .*PASSMUX_FFMPEG/);
    assert.deepEqual(await readJson(await get(`${noFfmpeg.origin}/healthz`)), zero);
  });

  it('an upstream that stalls mid-stream: the relay times out, retries, then fails the stream (never a clean short file)', async () => {
    const stalling = await startFixtureSite({ stall: { file: 'h264-video.mp4', afterBytes: 100_000 } });
    try {
      let videoRequests = 0;
      stalling.events.on('media', (name) => { if (name === 'h264-video.mp4') videoRequests += 1; });
      const stream = await createMuxStream(stalling.pageUrl('h264'), { allowPrivateNetworks: true, relay: { readTimeoutMs: 300, retries: 1 } });
      const pid = stream.pid!;
      await assert.rejects(pipeline(stream, createWriteStream(join(dir, 'stalled.mp4'))), (error: unknown) => error instanceof MuxError);
      assert.ok(videoRequests >= 2, `the stalled range was retried (${videoRequests} requests)`);
      assert.equal(isAlive(pid), false);
    } finally {
      await stalling.close();
    }
  });

  it('media that never sends its first bytes: 504 TIMEOUT once the first-byte deadline passes, ffmpeg gone, slots back', async () => {
    // Stalls after 1000 bytes and never ends: the relay's 30 s read timeout is far away.
    const stalling = await startFixtureSite({ stall: { file: 'moov-end.mp4', afterBytes: 1000 } });
    try {
      const passmux = await server({ firstByteTimeoutMs: 1500 });
      const { status, body, entry } = await download(passmux, 'single', stalling);
      assert.equal(status, 504);
      assert.equal(body.error.code, 'TIMEOUT');
      assert.match(body.error.message, /no media arrived within 2 s|no media arrived within 1 s/);
      assert.equal(entry.outcome, 'failed');
      await whenIdle(passmux.admission);
      assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
    } finally {
      await stalling.close();
    }
  });

  it('1,000 /info requests at once for 20 pages: at most 4 yt-dlp at a time, all answered, the rest from the cache', async () => {
    // One address plays a thousand clients here: the per-client limit (its own test) is off.
    const passmux = await server({ maxExtractions: 4, maxConnectionsPerClient: 0 });
    let peak = 0;
    const sample = () => { peak = Math.max(peak, childrenNamed(process.pid, 'yt-dlp').length); };
    site.events.on('page', sample);
    const statuses = await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
      const res = await get(`${passmux.origin}/info?url=${encodeURIComponent(`${site.pageUrl('h264')}?n=${i % 20}`)}`);
      const body = await readJson(res);
      return res.statusCode === 200 && body.title === 'H264 clip';
    }));
    site.events.off('page', sample);
    assert.equal(statuses.filter(Boolean).length, 1000);
    assert.ok(peak >= 1 && peak <= 4, `peak of ${peak} yt-dlp processes`);
    assert.equal(passmux.handler.cache.misses, 20);
    assert.equal(passmux.handler.cache.hits, 980);
  });
});
