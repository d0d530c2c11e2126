// Credentials follow the cookie rules, not the origin: an HLS page whose
// segments sit on a second port of the same host, behind the site's cookie
// plus a token, downloads with both yt-dlp shapes (as yt-dlp's own downloader
// does); a segment on another host gets no cookie; a Path=/private or Secure
// cookie stays off /media over http; Authorization stays on the format's origin.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCookieCdnSite, type CdnPage, type CookieCdnSite } from '../helpers/cookie-cdn-site.js';
import { get, readBody, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';
import { STREAM_SECONDS } from '../helpers/stream-media.js';

const formatDetails = fileURLToPath(new URL('../helpers/ytdlp-format-details.mjs', import.meta.url));

describe('cookies as a jar (RFC 6265 scoping, ports ignored)', () => {
  let dir: string;
  let site: CookieCdnSite;
  let passmux: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passmux-cookie-jar-'));
    site = await startCookieCdnSite();
    // The Debian yt-dlp underneath either way; the wrapper only rewrites what the query asks.
    passmux = await startPassmux({ ytdlp: formatDetails });
  });

  after(async () => {
    await passmux.close();
    await site.close();
    await rm(dir, { recursive: true, force: true });
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length + childrenNamed(process.pid, 'yt-dlp').length, 0, 'nothing left running');
  });

  /** Downloads the page through /download; returns the requests the site saw for it and the file's probe. */
  async function download(page: CdnPage, query: Record<string, string>) {
    const from = site.requests.length;
    const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl(page, query))}`);
    const body = await readBody(res);
    assert.equal(res.statusCode, 200, body.toString('utf8', 0, 300));
    const out = join(dir, `${page}-${from}.mp4`);
    await writeFile(out, body);
    const probe = await probeFile(out);
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.ok(Math.abs(probe.duration - STREAM_SECONDS) <= 0.5, `duration ${probe.duration}`);
    await whenIdle(passmux.admission);
    const seen = site.requests.slice(from);
    assert.deepEqual(seen.filter((r) => r.status !== 200), [], 'nothing was refused');
    return seen;
  }

  for (const shape of ['2023', 'current'] as const) {
    it(`sends the site's cookie to segments on a second port of the same host (${shape} yt-dlp shape)`, async () => {
      const seen = await download('second-port', shape === 'current' ? { shape } : {});
      const segments = seen.filter((r) => r.server === 'cdn');
      assert.ok(segments.length >= 12, `init + 5 segments per track from the second port (${segments.length})`);
      const [page] = seen.filter((r) => r.kind === 'page');
      assert.ok(page, 'yt-dlp fetched the page');
      assert.ok(segments.every((r) => /^session=[0-9a-f]{24}$/.test(r.cookie ?? '')), 'each segment carried exactly the session cookie');
    });

    it(`sends no cookie to segments on another host, 127.0.0.2 (${shape} yt-dlp shape)`, async () => {
      const seen = await download('other-host', { ...(shape === 'current' ? { shape } : {}), authorization: 'Bearer fixture-secret' });
      const segments = seen.filter((r) => r.server === 'other');
      assert.ok(segments.length >= 12, `the segments came from 127.0.0.2 (${segments.length})`);
      assert.ok(segments.every((r) => r.cookie === undefined && r.authorization === undefined), 'no credential reached the other host');
      const playlists = seen.filter((r) => r.kind === 'playlist' && r.server === 'site');
      assert.ok(playlists.length > 0 && playlists.every((r) => /session=/.test(r.cookie ?? '')), 'the cookie still reached its own host');
    });
  }

  it('keeps a Path=/private cookie off /media, a Secure cookie off http, and Authorization on the format\'s origin', async () => {
    const seen = await download('second-port', { shape: 'current', extra_cookies: '1', authorization: 'Bearer fixture-secret' });
    const segments = seen.filter((r) => r.server === 'cdn');
    assert.ok(segments.length >= 12);
    for (const request of seen.filter((r) => r.kind !== 'page')) {
      assert.doesNotMatch(request.cookie ?? '', /priv=|sec=/, `${request.path}: neither the /private nor the Secure cookie`);
    }
    assert.ok(segments.every((r) => /^session=/.test(r.cookie ?? '') && r.authorization === undefined), 'cookie by its scope; Authorization not on another port');
    // The relay reads the media playlists itself, on the format's own origin: Authorization goes there.
    const playlists = seen.filter((r) => r.kind === 'playlist' && r.path.endsWith('/stream_0.m3u8') && r.authorization !== undefined);
    assert.ok(playlists.some((r) => r.authorization === 'Bearer fixture-secret'), 'Authorization reached the format\'s origin');
  });
});
