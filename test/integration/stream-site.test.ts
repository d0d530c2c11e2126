// The stream fixture itself: each shape's page leads real yt-dlp to the formats
// recorded in test/fixtures/ytdlp-streams, and every playlist/segment/key is
// strict (session cookie + User-Agent, or the CDN's token + User-Agent).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startStreamSite, STREAM_SHAPES, type StreamShape, type StreamSite } from '../helpers/stream-site.js';

const FLAGS = ['--ignore-config', '--no-playlist', '--no-cache-dir', '-J', '-f', 'bestvideo*+bestaudio/best'];
const OTHER_UA = 'SomeoneElse/1.0';

interface Format {
  format_id: string; url: string; protocol: string; vcodec?: string; acodec?: string; width?: number;
  has_drm?: unknown; fragment_base_url?: string; fragments?: Array<{ url?: string; path?: string }>;
  http_headers: Record<string, string>;
}
interface Info extends Format { is_live?: boolean; formats: Format[]; requested_formats?: Format[] }
type Outcome = { info: Info } | { error: string };

function ytdlp(url: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile('yt-dlp', [...FLAGS, '--', url], { maxBuffer: 64 * 1024 * 1024, timeout: 40_000 }, (error, stdout, stderr) => {
      resolve(error ? { error: stderr || String(error) } : { info: JSON.parse(stdout) as Info });
    });
  });
}

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; complete: boolean }

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      let done = false;
      const finish = (complete: boolean) => {
        if (done) return;
        done = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete });
      };
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish(res.complete));
      res.on('error', () => finish(false));
      res.on('close', () => finish(res.complete));
    });
    req.on('error', reject);
    req.end();
  });
}

/** UA and Cookie as yt-dlp reported them (2023 shape: Cookie inside http_headers). */
const authOf = (format: Format) => ({ 'user-agent': format.http_headers['User-Agent']!, cookie: format.http_headers.Cookie! });

/** A page view of our own, for shapes yt-dlp refuses. */
async function pageView(site: StreamSite, shape: StreamShape, ua = 'FixtureTest/1.0') {
  const page = await get(site.pageUrl(shape), { 'user-agent': ua });
  assert.equal(page.status, 200);
  const cookie = String(page.headers['set-cookie']).split(';')[0]!;
  return { 'user-agent': ua, cookie };
}

/** First media URI of an HLS media playlist (and its byte range, when it has one). */
function firstSegment(playlist: string, base: string): { url: string; range?: string } {
  const lines = playlist.split('\n');
  const index = lines.findIndex((line) => line && !line.startsWith('#'));
  const byterange = lines.slice(0, index).reverse().find((line) => line.startsWith('#EXT-X-BYTERANGE:'));
  const url = new URL(lines[index]!, base).href;
  if (!byterange) return { url };
  const [length, offset] = byterange.slice('#EXT-X-BYTERANGE:'.length).split('@').map(Number) as [number, number];
  return { url, range: `bytes=${offset}-${offset + length - 1}` };
}

/** 200/206 with cookie + UA; 403 without the cookie, and 403 with another UA. */
async function assertStrict(url: string, auth: { 'user-agent': string; cookie: string }, extra: Record<string, string> = {}) {
  const ok = await get(url, { ...auth, ...extra });
  assert.equal(ok.status, extra.range ? 206 : 200, `${url} with cookie + UA`);
  assert.ok(ok.body.length > 0);
  assert.equal((await get(url, { 'user-agent': auth['user-agent'], ...extra })).status, 403, `${url} without cookie`);
  assert.equal((await get(url, { ...auth, 'user-agent': OTHER_UA, ...extra })).status, 403, `${url} with another UA`);
  return ok;
}

describe('stream site fixture', () => {
  let site: StreamSite;
  const outcomes = new Map<StreamShape, Outcome>();

  before(async () => {
    site = await startStreamSite();
    const shapes = Object.keys(STREAM_SHAPES) as StreamShape[];
    await Promise.all(shapes.map(async (shape) => outcomes.set(shape, await ytdlp(site.pageUrl(shape)))));
  });
  after(() => site?.close());

  const infoOf = (shape: StreamShape) => {
    const outcome = outcomes.get(shape)!;
    assert.ok('info' in outcome, `yt-dlp failed for ${shape}: ${'error' in outcome ? outcome.error : ''}`);
    return outcome.info;
  };
  /** The video+audio pair yt-dlp chose, as HLS media playlists or DASH segment lists. */
  const pairOf = (shape: StreamShape, protocol: string) => {
    const info = infoOf(shape);
    assert.equal(info.requested_formats?.length, 2, `${shape}: two requested formats`);
    const [video, audio] = info.requested_formats as [Format, Format];
    for (const f of [video, audio]) assert.equal(f.protocol, protocol);
    assert.equal(video.acodec, 'none');
    assert.equal(video.width, 320);
    assert.equal(audio.vcodec, 'none');
    assert.ok(authOf(video).cookie.startsWith('session='));
    return [video, audio] as const;
  };
  const mediaPlaylist = async (format: Format) => {
    const reply = await assertStrict(format.url, authOf(format));
    return reply.body.toString();
  };

  it('hls-master: 320x240 video-only variant + audio rendition, TS segments behind cookie + UA', async () => {
    const [video, audio] = pairOf('hls-master', 'm3u8_native');
    assert.match(video.url, /\/hls\/hls-master\/stream_0\.m3u8$/);
    assert.match(audio.url, /\/hls\/hls-master\/stream_2\.m3u8$/);
    assert.equal(infoOf('hls-master').formats.length, 3);
    for (const format of [video, audio]) {
      const segment = firstSegment(await mediaPlaylist(format), format.url);
      assert.match(segment.url, /\.ts$/);
      await assertStrict(segment.url, authOf(format));
    }
  });

  it('hls-fmp4-cdn: init and segments on the second origin, signed per page view', async () => {
    const [video] = pairOf('hls-fmp4-cdn', 'm3u8_native');
    const playlist = await mediaPlaylist(video);
    const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
    const segment = firstSegment(playlist, video.url).url;
    for (const url of [init!, segment]) {
      assert.ok(url.startsWith(`${site.cdnOrigin}/cdn/hls-fmp4-cdn/`), url);
      const token = new URL(url).searchParams.get('token');
      assert.ok(token && site.tokens.includes(token));
      const ua = { 'user-agent': authOf(video)['user-agent'] };
      assert.equal((await get(url, ua)).status, 200, 'token + UA, no cookie');
      assert.equal((await get(url, { 'user-agent': OTHER_UA })).status, 403, 'token + another UA');
      const unsigned = new URL(url);
      unsigned.search = '';
      assert.equal((await get(unsigned.href, authOf(video))).status, 403, 'cookie + UA but no token');
    }
  });

  it('hls-aes: AES-128 key behind cookie + UA', async () => {
    const [video, audio] = pairOf('hls-aes', 'm3u8_native');
    for (const format of [video, audio]) {
      const playlist = await mediaPlaylist(format);
      const key = /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"/.exec(playlist)?.[1];
      assert.equal(key, `${site.origin}/keys/hls-aes.key`);
      assert.equal((await assertStrict(key, authOf(format))).body.length, 16);
      await assertStrict(firstSegment(playlist, format.url).url, authOf(format));
    }
  });

  it('hls-byterange: one file per rendition, EXT-X-BYTERANGE answered with 206', async () => {
    const [video] = pairOf('hls-byterange', 'm3u8_native');
    const segment = firstSegment(await mediaPlaylist(video), video.url);
    assert.ok(segment.range);
    const reply = await assertStrict(segment.url, authOf(video), { range: segment.range! });
    const [from, to] = segment.range!.slice('bytes='.length).split('-').map(Number) as [number, number];
    assert.equal(reply.body.length, to - from + 1);
    assert.equal(reply.body[0], 0x47, 'an MPEG-TS packet starts the range');
  });

  it('hls-live / hls-muxed: one media playlist of muxed TS (no ENDLIST when live)', async () => {
    for (const shape of ['hls-live', 'hls-muxed'] as const) {
      const info = infoOf(shape);
      assert.equal(info.requested_formats, undefined);
      assert.equal(info.protocol, 'm3u8_native');
      assert.equal(info.url, site.manifestUrl(shape));
      assert.notEqual(info.is_live, true, 'this yt-dlp does not flag a live media playlist');
      const playlist = await mediaPlaylist(info);
      assert.equal(playlist.includes('#EXT-X-ENDLIST'), shape === 'hls-muxed');
      await assertStrict(firstSegment(playlist, info.url).url, authOf(info));
    }
  });

  it('hls-sample-aes: yt-dlp refuses it as DRM; its playlist and segments are still strict', async () => {
    const outcome = outcomes.get('hls-sample-aes')!;
    assert.ok('error' in outcome && /DRM protected/.test(outcome.error));
    const auth = await pageView(site, 'hls-sample-aes');
    const url = site.manifestUrl('hls-sample-aes');
    const playlist = (await assertStrict(url, auth)).body.toString();
    assert.match(playlist, /#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd:\/\//);
    await assertStrict(firstSegment(playlist, url).url, auth);
  });

  it('dash-timeline / dash-list: http_dash_segments with fragments relative to fragment_base_url', async () => {
    for (const [shape, prefix] of [['dash-timeline', 'init-stream'], ['dash-list', '../segs/init-stream']] as const) {
      for (const format of pairOf(shape, 'http_dash_segments')) {
        assert.equal(format.url, site.manifestUrl(shape));
        assert.equal(format.fragments?.length, 6, 'init + 5 segments');
        assert.ok(format.fragments![0]!.path!.startsWith(prefix), format.fragments![0]!.path);
        await assertStrict(format.url, authOf(format));
        await assertStrict(new URL(format.fragments![1]!.path!, format.fragment_base_url).href, authOf(format));
      }
    }
  });
});

describe('stream site switches', () => {
  it('expireFirstSessionAfter revokes the first page view (cookie and token) only; cutOnce cuts one response once', async () => {
    const site = await startStreamSite({ expireFirstSessionAfter: 2, cutOnce: { segment: 'chunk-stream1-00002.m4s', afterBytes: 1000 } });
    try {
      const first = await pageView(site, 'dash-timeline');
      const base = `${site.origin}/dash/timeline/`;
      assert.equal((await get(`${base}init-stream0.m4s`, first)).status, 200);
      assert.equal((await get(`${base}chunk-stream0-00001.m4s`, first)).status, 200);
      assert.equal((await get(`${base}chunk-stream0-00002.m4s`, first)).status, 403);
      assert.equal((await get(site.manifestUrl('dash-timeline'), first)).status, 403, 'the cookie is dead everywhere');
      const signed = (token: string) => `${site.cdnOrigin}/cdn/hls-fmp4-cdn/init_0.mp4?token=${token}`;
      assert.equal((await get(signed(site.tokens[0]!), { 'user-agent': first['user-agent'] })).status, 403, 'and so is its token');
      const second = await pageView(site, 'dash-timeline');
      const cut = await get(`${base}chunk-stream1-00002.m4s`, second);
      assert.equal(cut.status, 200);
      assert.equal(cut.complete, false);
      assert.equal(cut.body.length, 1000);
      assert.ok(Number(cut.headers['content-length']) > 1000);
      const again = await get(`${base}chunk-stream1-00002.m4s`, second);
      assert.equal(again.complete, true);
      assert.equal(again.body.length, Number(again.headers['content-length']));
      assert.equal((await get(signed(site.tokens[1]!), { 'user-agent': second['user-agent'] })).status, 200);
      const { pages, playlists, segments, cdnSegments, forbidden } = site.stats;
      assert.deepEqual({ pages, playlists, segments, cdnSegments, forbidden }, { pages: 2, playlists: 1, segments: 7, cdnSegments: 2, forbidden: 3 });
    } finally {
      await site.close();
    }
  });
});
