// Per-format details yt-dlp's own downloader honours, with the real yt-dlp
// underneath (test/helpers/ytdlp-format-details.mjs adds them to its JSON):
// no range larger than http_chunk_size, no media request before available_at
// (and a moment too far off fails at once), the ffmpeg-only `m3u8` protocol
// read by the relay like m3u8_native.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCookieCdnSite, type CookieCdnSite } from '../helpers/cookie-cdn-site.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { CLIP_SECONDS } from '../helpers/media.js';
import { get, readBody, readJson, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';

const formatDetails = fileURLToPath(new URL('../helpers/ytdlp-format-details.mjs', import.meta.url));
const CHUNK = 64 * 1024;

describe('per-format details from yt-dlp', () => {
  let dir: string;
  let site: FixtureSite;
  let cdn: CookieCdnSite;
  let passmux: TestServer;
  const page = (id: string, query: Record<string, string>) => `${site.pageUrl(id)}?${new URLSearchParams(query)}`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passmux-format-details-'));
    [site, cdn] = await Promise.all([startFixtureSite(), startCookieCdnSite()]);
    passmux = await startPassmux({ ytdlp: formatDetails, firstByteTimeoutMs: 20_000 });
  });

  after(async () => {
    await passmux.close();
    await Promise.all([site.close(), cdn.close()]);
    await rm(dir, { recursive: true, force: true });
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length + childrenNamed(process.pid, 'yt-dlp').length, 0, 'nothing left running');
  });

  /** GETs /download for `url`, checks the file has both tracks and the clip's length. */
  async function download(url: string, seconds: number): Promise<void> {
    const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(url)}`);
    const body = await readBody(res);
    assert.equal(res.statusCode, 200, body.toString('utf8', 0, 300));
    const out = join(dir, `out-${Date.now()}.mp4`);
    await writeFile(out, body);
    const probe = await probeFile(out);
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.ok(Math.abs(probe.duration - seconds) <= 0.5, `duration ${probe.duration}`);
    await whenIdle(passmux.admission);
  }

  it('never asks the media server for a range larger than http_chunk_size (probe and relay alike)', async (t) => {
    const ranges: string[] = [];
    const onMedia = (_name: string, range: string | undefined) => ranges.push(range ?? 'none');
    site.events.on('media', onMedia);
    try {
      await download(page('h264', { http_chunk_size: String(CHUNK) }), CLIP_SECONDS);
    } finally {
      site.events.off('media', onMedia);
    }
    t.diagnostic(`${ranges.length} media requests`);
    // The H.264 file alone is several times the chunk: the relay really split it.
    assert.ok(ranges.length >= 10, `${ranges.length} media requests`);
    for (const range of ranges) {
      const match = /^bytes=(\d+)-(\d+)$/.exec(range);
      assert.ok(match, `a closed range, not ${range}`);
      assert.ok(Number(match[2]) - Number(match[1]) + 1 <= CHUNK, `${range} is at most ${CHUNK} bytes`);
    }
  });

  it('makes no media request before available_at, then downloads', async (t) => {
    let manifestAt = 0;
    let firstMediaAt = 0;
    const onManifest = () => { manifestAt = Date.now(); };
    const onMedia = () => { firstMediaAt ||= Date.now(); };
    site.events.on('manifest', onManifest);
    site.events.on('media', onMedia);
    try {
      // available_at is set 1.5 s after yt-dlp finished, so at least 1.5 s after its last request (the MPD).
      await download(page('h264', { available_in: '1.5' }), CLIP_SECONDS);
    } finally {
      site.events.off('manifest', onManifest);
      site.events.off('media', onMedia);
    }
    assert.ok(manifestAt > 0 && firstMediaAt > 0);
    t.diagnostic(`first media request ${firstMediaAt - manifestAt} ms after yt-dlp's last request`);
    assert.ok(firstMediaAt - manifestAt >= 1500, `first media request ${firstMediaAt - manifestAt} ms after yt-dlp's last request`);
  });

  it('fails at once, in words, when available_at is further off than the first-byte bound', async (t) => {
    let media = 0;
    const onMedia = () => { media += 1; };
    site.events.on('media', onMedia);
    const started = Date.now();
    try {
      const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(page('h264', { available_in: '3600' }))}`);
      const body = await readJson(res);
      assert.equal(res.statusCode, 504);
      assert.equal(body.error.code, 'TIMEOUT');
      assert.match(body.error.message, /available in 60 min .*waits at most 20 s/);
    } finally {
      site.events.off('media', onMedia);
    }
    assert.equal(media, 0, 'no media request');
    t.diagnostic(`refused in ${Date.now() - started} ms (yt-dlp's run included)`);
    assert.ok(Date.now() - started < 20_000, 'no waiting for the bound either');
    await whenIdle(passmux.admission);
  });

  it('reads an ffmpeg-only `m3u8` format through the relay\'s own HLS reader', async () => {
    const from = cdn.requests.length;
    await download(cdn.pageUrl('second-port', { protocol: 'm3u8' }), 10);
    const seen = cdn.requests.slice(from);
    assert.ok(seen.some((r) => r.kind === 'playlist' && r.path.endsWith('/stream_0.m3u8')), 'the relay read the media playlist');
    assert.ok(seen.filter((r) => r.server === 'cdn').length >= 12, 'and fetched its segments');
  });
});
