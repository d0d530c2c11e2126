// A hostile page against real yt-dlp and ffmpeg: every way past the guard that
// a review found, each aimed at loopback services that count every hit. The
// internal services sit on ports PASSMUX_ALLOWED_PORTS leaves out, so the guard
// must refuse them even with private networks allowed (as in every test).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getForwardProxy } from '../../lib/egress/forward-proxy.js';
import { getRelay } from '../../lib/relay/relay-server.js';
import { startCanaries, startHostileSite, startOtherOrigin, type Canaries, type HostileSite } from '../helpers/hostile-site.js';
import { get, readBody, readJson, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';
import { startSlowPages, type SlowPages } from '../helpers/slow-pages.js';

const helper = (name: string) => fileURLToPath(new URL(`../helpers/${name}`, import.meta.url));
const q = (url: string) => encodeURIComponent(url);

describe('hostile site', () => {
  let canaries: Canaries;
  let site: HostileSite;
  let other: Awaited<ReturnType<typeof startOtherOrigin>>;
  let slow: SlowPages;
  let passmux: TestServer;
  const servers: TestServer[] = [];

  before(async () => {
    canaries = await startCanaries();
    // Another host (cookies ignore ports, so another port of 127.0.0.1 would be the same site to them).
    other = await startOtherOrigin('moov-end.mp4', '127.0.0.2');
    const inward = `${canaries.http.origin}/secret.txt?x=.mp3`;
    const hls = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD',
      `#EXT-X-KEY:METHOD=AES-128,URI="${canaries.http.origin}/key"`, `#EXT-X-MAP:URI="${canaries.http.origin}/init.mp4"`,
      '#EXTINF:4.0,', inward, '#EXTINF:4.0,', inward, '#EXT-X-ENDLIST', ''].join('\n');
    const mpd = `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S"
 profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period><AdaptationSet mimeType="audio/mp4"><Representation id="a" bandwidth="1000"
 codecs="mp4a.40.2"><BaseURL>${inward}</BaseURL></Representation></AdaptationSet></Period></MPD>`;
    site = await startHostileSite({
      'hls-as-file': { title: 'HLS posing as MP4', media: '/media/hls.mp4' },
      'dash-as-file': { title: 'DASH posing as MP4', media: '/media/dash.mp4' },
      hls: { title: 'Declared HLS', media: '/media/index.m3u8', claims: 'application/x-mpegURL' },
      'to-ftp': { title: 'x', media: '/none', redirect: `ftp://127.0.0.1:${canaries.ftp.port}/` },
      'to-internal': { title: 'x', media: '/none', redirect: `${canaries.http.origin}/admin` },
      'cross-origin': { title: 'Redirected media', media: '/media/moved.mp4' },
      'lan-thumb': { title: 'LAN thumbnail', media: '/media/clip.mp4', thumbnail: 'http://192.168.1.1/cgi-bin/reboot' },
      'port-thumb': { title: 'Internal port thumbnail', media: '/media/clip.mp4', thumbnail: `${canaries.http.origin}/thumb.jpg` },
      'fine-thumb': { title: 'Fine thumbnail', media: '/media/clip.mp4', thumbnail: '/thumb.jpg' },
    }, {
      '/media/hls.mp4': { kind: 'body', contentType: 'video/mp4', body: hls },
      '/media/dash.mp4': { kind: 'body', contentType: 'video/mp4', body: mpd },
      '/media/index.m3u8': { kind: 'body', contentType: 'application/vnd.apple.mpegurl', body: hls },
      '/media/moved.mp4': { kind: 'redirect', to: `${other.origin}/moved.mp4` },
      '/media/clip.mp4': { kind: 'file', file: 'moov-end.mp4' },
    });
    slow = await startSlowPages({ delayMs: 5_000 });
    passmux = await startPassmux({}, undefined, { policy: { allowedPorts: [site.port, other.port, Number(new URL(slow.origin).port)] } });
    servers.push(passmux);
  });

  after(async () => {
    await Promise.all([...servers.map((s) => s.close()), canaries.close(), site.close(), other.close(), slow.close()]);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length + childrenNamed(process.pid, 'yt-dlp').length, 0, 'nothing left running');
  });

  /** No canary hit, and an error body that names no heap pointer, no port of ours, nothing of an internal reply. */
  async function assertCleanFailure(res: Awaited<ReturnType<typeof get>>, status: number, code: string) {
    const text = (await readBody(res)).toString('utf8');
    assert.equal(res.statusCode, status, text);
    assert.equal(JSON.parse(text).error.code, code, text);
    assert.doesNotMatch(text, /0x[0-9a-f]{4,}/i, 'no heap pointer');
    for (const port of [(await getRelay()).port, (await getForwardProxy()).port]) assert.ok(!text.includes(String(port)), `no port of ours: ${text}`);
    assert.ok(!text.includes(canaries.secret), 'no internal reply');
    assert.equal(canaries.http.hits + canaries.ftp.hits, 0, 'no internal service was reached');
    await whenIdle(passmux.admission);
  }

  it('V1: a body ffmpeg would read as an HLS playlist (segments, key, map pointing inward) is never opened as one', async () => {
    const res = await get(`${passmux.origin}/download?url=${q(site.pageUrl('hls-as-file'))}`);
    await assertCleanFailure(res, 502, 'MUX_FAILED');
  });

  it('V1: the same for a DASH manifest whose BaseURL points inward', async () => {
    const res = await get(`${passmux.origin}/download?url=${q(site.pageUrl('dash-as-file'))}`);
    await assertCleanFailure(res, 502, 'MUX_FAILED');
  });

  it('V1: media declared as HLS is read by the relay itself, which refuses every inward segment, key and map', async () => {
    const res = await get(`${passmux.origin}/download?url=${q(site.pageUrl('hls'))}`);
    await assertCleanFailure(res, 400, 'INVALID_URL');
  });

  it('V2: PASSMUX_UPSTREAM=direct stops the server at start, naming the variable', async () => {
    const server = fileURLToPath(new URL('../../dist/server.js', import.meta.url));
    const child = spawn(process.execPath, [server], {
      env: { ...process.env, PORT: '0', PASSMUX_UPSTREAM: 'direct' }, stdio: ['ignore', 'ignore', 'pipe'],
      // A server that accepts the setting keeps running: stop it, and the exit code says so.
      timeout: 15_000,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /PASSMUX_UPSTREAM/);
  });

  it('V3: a page that redirects to ftp:// on an internal port is refused; nothing dials it', async () => {
    const res = await get(`${passmux.origin}/info?url=${q(site.pageUrl('to-ftp'))}`);
    await assertCleanFailure(res, 400, 'INVALID_URL');
  });

  it('W1: an inherited NO_PROXY does not let yt-dlp skip the proxy', async () => {
    const saved = { NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    process.env.NO_PROXY = process.env.no_proxy = '127.0.0.1,localhost';
    try {
      const res = await get(`${passmux.origin}/info?url=${q(site.pageUrl('to-internal'))}`);
      await assertCleanFailure(res, 400, 'INVALID_URL');
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('W3: yt-dlp\'s argv holds no proxy and no credentials; its environment does, without NO_PROXY', async () => {
    process.env.NO_PROXY = '127.0.0.1';
    try {
      const asked = new Promise((resolve) => slow.events.once('request', resolve));
      const pending = get(`${passmux.origin}/info?url=${q(slow.pageUrl('argv'))}`);
      await asked;
      const [ytdlp] = childrenNamed(process.pid, 'yt-dlp');
      assert.ok(ytdlp, 'yt-dlp is running');
      const proxyPort = (await getForwardProxy()).port;
      assert.ok(!ytdlp.cmdline.includes('--proxy') && !ytdlp.cmdline.includes(String(proxyPort)), ytdlp.cmdline);
      const environ = readFileSync(`/proc/${ytdlp.pid}/environ`, 'utf8').split('\0');
      for (const scheme of ['http', 'https', 'ftp', 'all']) {
        assert.ok(environ.some((line) => new RegExp(`^${scheme}_proxy=http://\\w+:x@127\\.0\\.0\\.1:${proxyPort}$`).test(line)), scheme);
      }
      assert.ok(!environ.some((line) => /^no_proxy=/i.test(line)), 'no NO_PROXY');
      (await pending).destroy();
    } finally {
      delete process.env.NO_PROXY;
    }
  });

  it('W4: a redirect to another host is followed without the cookie, which still reaches its own origin', async () => {
    const res = await get(`${passmux.origin}/download?url=${q(site.pageUrl('cross-origin'))}`);
    assert.equal(res.statusCode, 200);
    const dir = await mkdtemp(join(tmpdir(), 'passmux-hostile-'));
    try {
      await writeFile(join(dir, 'moved.mp4'), await readBody(res));
      assert.deepEqual((await probeFile(join(dir, 'moved.mp4'))).streams.map((s) => s.type), ['video', 'audio']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const own = site.seen.filter((entry) => entry.path === '/media/moved.mp4');
    assert.ok(own.length > 0 && own.every((entry) => /session=\w+/.test(entry.cookie ?? '')), 'the cookie reached its own origin');
    assert.ok(other.seen.length > 0, 'the redirect was followed');
    assert.ok(other.seen.every((entry) => entry.cookie === undefined && entry.authorization === undefined), 'no credentials crossed');
  });

  it('W5: a name that does not resolve and one that resolves inward get the same answer', async () => {
    const resolver = async (name: string) => {
      if (name === 'intranet.test') return [{ address: '10.0.0.5', family: 4 }];
      throw new Error(`getaddrinfo ENOTFOUND ${name}`);
    };
    const strict = await startPassmux({ allowPrivateNetworks: false }, undefined, { policy: { resolver } });
    servers.push(strict);
    const answer = async (host: string) => {
      const res = await get(`${strict.origin}/info?url=${q(`http://${host}/watch/1`)}`);
      return { status: res.statusCode, body: JSON.stringify(await readJson(res)).replace(host, 'HOST') };
    };
    const [inward, nowhere] = [await answer('intranet.test'), await answer('nowhere.test')];
    assert.deepEqual(inward, nowhere);
    assert.doesNotMatch(inward.body, /10\.0\.0\.5|ENOTFOUND|resolve/i);
  });

  it('W6: /info shows a thumbnail only when it passes the fetch check', async () => {
    const thumbnail = async (page: string) => (await readJson(await get(`${passmux.origin}/info?url=${q(site.pageUrl(page))}`))).thumbnail;
    assert.equal(await thumbnail('fine-thumb'), `${site.origin}/thumb.jpg`, 'an allowed address and port (the check is not just refusing)');
    assert.equal(await thumbnail('lan-thumb'), null, 'a LAN address');
    assert.equal(await thumbnail('port-thumb'), null, 'a refused port');
    assert.equal(canaries.http.hits, 0);
  });

  it('W7: 200 formats from yt-dlp are an error, and none of them is fetched', async () => {
    const faked = await startPassmux({ ytdlp: helper('fake-ytdlp-many-formats.mjs') }, undefined, { policy: { allowedPorts: [site.port] } });
    servers.push(faked);
    const res = await get(`${faked.origin}/download?url=${q(`${site.origin}/watch/any?to=${q(canaries.http.origin)}`)}`);
    const body = await readJson(res);
    assert.equal(res.statusCode, 502);
    assert.equal(body.error.code, 'EXTRACT_FAILED');
    assert.match(body.error.message, /200 formats/);
    assert.equal(canaries.http.hits, 0);
  });
});
