// The codec choice with the real yt-dlp and ffmpeg, on a page that offers the
// same 720p picture as VP9+Opus and as H.264+AAC (and one with AV1 too): the
// library, the server (/info, HEAD, GET, a bad value) and the built CLI
// (npm's pretest builds it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createMuxStream } from '../../lib/internal.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readBody, readJson, startPassmux, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';

process.env.PASSMUX_ALLOW_PRIVATE_NETWORKS = '1';
const CURRENT_YTDLP = fileURLToPath(new URL('../helpers/ytdlp-current-shape.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/bin/passmux.js', import.meta.url));
const getWith = (url: string, headers: Record<string, string>) => new Promise<IncomingMessage>((resolve, reject) => {
  request(url, { headers, agent: false }, resolve).on('error', reject).end();
});
const codecsOf = async (path: string) => (await probeFile(path)).streams.map((s) => `${s.type}:${s.codec}`);

describe('codec choice', () => {
  let site: FixtureSite;
  let passmux: TestServer;
  let dir: string;
  before(async () => {
    [site, passmux, dir] = await Promise.all([startFixtureSite(), startPassmux(), mkdtemp(join(tmpdir(), 'passmux-codec-'))]);
  });
  after(async () => {
    await Promise.all([site.close(), passmux.close(), rm(dir, { recursive: true, force: true })]);
  });
  const path = (route: string, id: string, query = '') => `${passmux.origin}${route}?url=${encodeURIComponent(site.pageUrl(id))}${query}`;

  for (const [label, ytdlp] of [['Debian yt-dlp', undefined], ['current yt-dlp shape', CURRENT_YTDLP]] as const) {
    it(`createMuxStream: VP9+Opus by default, H.264+AAC with codec h264 (${label})`, async () => {
      for (const [codec, expected] of [[undefined, ['video:vp9', 'audio:opus']], ['h264', ['video:h264', 'audio:aac']]] as const) {
        const out = join(dir, `lib-${codec ?? 'best'}-${ytdlp ? 'current' : 'debian'}.mp4`);
        const stream = await createMuxStream(site.pageUrl('two-codecs'), { ...(codec ? { codec } : {}), ...(ytdlp ? { ytdlp } : {}) });
        await pipeline(stream, createWriteStream(out));
        assert.deepEqual(await codecsOf(out), expected, `codec ${codec ?? '(best)'}`);
      }
    });
  }

  it('av1, vp9 and h264 each give that codec where the page has all three (yt-dlp names AV1 av01)', async () => {
    const cases = [['av1', ['video:av1', 'audio:opus']], ['vp9', ['video:vp9', 'audio:opus']], ['h264', ['video:h264', 'audio:aac']]] as const;
    for (const [codec, expected] of cases) {
      const out = join(dir, `three-${codec}.mp4`);
      await pipeline(await createMuxStream(site.pageUrl('three-codecs'), { codec }), createWriteStream(out));
      assert.deepEqual(await codecsOf(out), expected, codec);
    }
    const info = await readJson(await get(path('/info', 'three-codecs')));
    assert.deepEqual(info.codecs, ['av1', 'vp9', 'h264']);
  });

  it('/info lists both codecs and the 720p height the page offers', async () => {
    const res = await get(path('/info', 'two-codecs'));
    assert.equal(res.statusCode, 200);
    const body = await readJson(res);
    assert.deepEqual([body.codecs, body.heights], [['vp9', 'h264'], [720]]);
  });

  it('HEAD names the codecs in X-Codecs and gives each choice its own ETag; GET sends the same and the file is H.264+AAC', async () => {
    const heads = new Map<string, Record<string, unknown>>();
    for (const query of ['', '&codec=h264', '&codec=vp9', '&codec=av1']) {
      const res = await get(path('/download', 'two-codecs', query), 'HEAD');
      res.resume();
      assert.equal(res.statusCode, 200, query);
      heads.set(query, res.headers);
    }
    assert.equal(heads.get('')!['x-codecs'], 'vp9, opus');
    assert.equal(heads.get('&codec=h264')!['x-codecs'], 'avc1.42c01f, mp4a.40.2');
    // No AV1 here: yt-dlp falls back in its codec order, to the VP9 pair.
    assert.equal(heads.get('&codec=av1')!['x-codecs'], 'vp9, opus');
    const etags = [...heads.values()].map((headers) => headers.etag);
    assert.ok(etags.every((etag) => typeof etag === 'string' && /^"pm/.test(etag)), `exact length and a strong ETag each: ${etags}`);
    assert.equal(new Set(etags).size, 4, 'one ETag per choice, also where the formats are the same');

    const res = await get(path('/download', 'two-codecs', '&codec=h264'));
    assert.equal(res.statusCode, 200);
    for (const name of ['x-codecs', 'etag', 'content-length']) assert.equal(res.headers[name], heads.get('&codec=h264')![name], name);
    const out = join(dir, 'server-h264.mp4');
    await pipeline(res, createWriteStream(out));
    assert.equal((await stat(out)).size, Number(res.headers['content-length']));
    assert.deepEqual(await codecsOf(out), ['video:h264', 'audio:aac']);
  });

  it('a resume of the h264 file continues it; a resume with the default choice\'s ETag starts over', async () => {
    const url = path('/download', 'two-codecs', '&codec=h264');
    const whole = await readBody(await get(url));
    const head = await get(url, 'HEAD');
    head.resume();
    const etag = head.headers.etag!;
    const best = await get(path('/download', 'two-codecs'), 'HEAD');
    best.resume();
    const from = Math.floor(whole.length * 0.9);
    const resumed = await getWith(url, { range: `bytes=${from}-`, 'if-range': etag });
    assert.equal(resumed.statusCode, 206);
    assert.ok((await readBody(resumed)).equals(whole.subarray(from)), 'the rest of the same bytes');
    const crossed = await getWith(url, { range: `bytes=${from}-`, 'if-range': best.headers.etag! });
    assert.equal(crossed.statusCode, 200, 'another choice\'s ETag does not match: the whole file');
    crossed.resume();
  });

  it('codec h264 on a page without H.264 falls back to the best there is', async () => {
    const res = await get(path('/download', 'vp9', '&codec=h264'), 'HEAD');
    res.resume();
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-codecs'], 'vp9, opus');
  });

  it('refuses an unknown codec with 400 INVALID_REQUEST in words, before any yt-dlp run', async () => {
    const pages = site.stats.pages;
    for (const value of ['hevc', 'H264', '']) {
      const res = await get(path('/download', 'two-codecs', `&codec=${value}`));
      assert.equal(res.statusCode, 400);
      const body = await readJson(res);
      assert.equal(body.error.code, 'INVALID_REQUEST');
      assert.match(body.error.message, /^codec must be one of h264, vp9, av1/);
    }
    assert.equal(site.stats.pages, pages, 'no page was fetched');
  });

  it('CLI: info names the codecs and heights, --codec h264 saves H.264+AAC, --codec nonsense is a usage error', async () => {
    const run = (args: string[]) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, PASSMUX_ALLOW_PRIVATE_NETWORKS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => { stdout += chunk; });
      child.stderr.on('data', (chunk) => { stderr += chunk; });
      return once(child, 'close').then(([code]) => ({ code: code as number, stdout, stderr }));
    };
    const info = await run(['info', site.pageUrl('two-codecs')]);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /\nVideo: {5}vp9, h264 \(720p\)\n/);
    const saved = await run(['download', site.pageUrl('two-codecs'), '--codec', 'h264', '-o', 'cli-h264.mp4', '-q']);
    assert.equal(saved.code, 0, saved.stderr);
    assert.deepEqual(await codecsOf(join(dir, 'cli-h264.mp4')), ['video:h264', 'audio:aac']);
    const refused = await run(['download', site.pageUrl('two-codecs'), '--codec', 'hevc']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--codec must be one of h264, vp9, av1/);
  });
});
