// A fleet behind deploy/nginx.conf (Debian's nginx, the shipped file with only
// addresses rewritten): two passmux processes on their own loopback addresses,
// real yt-dlp and ffmpeg. Every request naming a page meets one extraction on
// one instance; an instance SIGKILLed mid-download leaves a visibly cut file
// that `curl -C -` finishes from the other; an instance with another ffmpeg
// build (a rolling upgrade) answers an old If-Range with the whole file; and a
// draining instance's pages go on to the next one.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findOnPath } from '../../lib/process/versions.js';
import { addressOf, killFleet, runCurl, upgradedFfmpeg } from '../helpers/fleet.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { fetchFrom, skipWithoutNginx as skip, startNginx, type Nginx } from '../helpers/nginx.js';
import { get, okExtractions, readBody, readJson } from '../helpers/passmux-server.js';
import { childrenNamed, isAlive } from '../helpers/processes.js';
import { eventually, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const HOSTS = ['127.0.0.11', '127.0.0.12'];
const CLIENT = '127.0.0.2';
const ENV = { PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_TRUST_PROXY: '127.0.0.1', PASSMUX_SHUTDOWN_GRACE_MS: '60000' };
const enc = encodeURIComponent;

describe('a fleet of two instances behind nginx (deploy/nginx.conf)', { skip }, () => {
  let site: FixtureSite;
  let slow: FixtureSite;
  let servers: ServerProcess[];
  let nginx: Nginx;
  let dir: string;
  /** Each page of the first test, and the instance (host:port) that answered all its requests. */
  const home = new Map<string, string>();
  // The killed download, shared by the tests after it.
  let victim: ServerProcess;
  let survivor: ServerProcess;
  let expected: Buffer;
  let etag: string;
  const slowDownload = (tag: string) => `${nginx.front}/download?url=${enc(slow.pageUrl('h264'))}&tag=${tag}`;

  before(async () => {
    site = await startFixtureSite();
    // Its media comes slowly, so a download of it is still streaming when its instance is killed.
    slow = await startFixtureSite({ throttle: 400_000 });
    servers = await Promise.all(HOSTS.map((HOST) => startServerProcess({ ...ENV, HOST })));
    nginx = await startNginx(servers.map(addressOf));
    dir = await mkdtemp(join(tmpdir(), 'passmux-fleet-'));
  });

  after(async () => {
    await nginx?.stop();
    // Normally all have stopped or are idle; after a failure, leave no server and no child of theirs behind.
    await killFleet(servers ?? []);
    await site?.close();
    await slow?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('≥ 8 pages × /info, HEAD, GET, Range: each page on one instance, one yt-dlp run per page across the fleet, pages on both', async () => {
    // Pages are added until there are 8 and both instances have some (16 on one would be a broken hash).
    for (let n = 0; n < 16 && (n < 8 || new Set(home.values()).size < 2); n += 1) {
      const page = `${site.pageUrl('h264')}?page=${n}`;
      const tag = `p${String(n).padStart(2, '0')}`;
      const info = await fetchFrom(`${nginx.front}/info?url=${enc(page)}&tag=${tag}-info`, CLIENT);
      assert.equal(info.statusCode, 200);
      await readJson(info);
      const head = await fetchFrom(`${nginx.front}/download?url=${enc(page)}&tag=${tag}-head`, CLIENT, {}, 'HEAD');
      assert.equal(head.statusCode, 200);
      head.resume();
      // url last this time: the same url argument, the same instance.
      const whole = await readBody(await fetchFrom(`${nginx.front}/download?tag=${tag}-get&url=${enc(page)}`, CLIENT));
      assert.equal(whole.length, Number(head.headers['content-length']));
      const half = Math.floor(whole.length / 2);
      const rest = await fetchFrom(`${nginx.front}/download?url=${enc(page)}&tag=${tag}-range`, CLIENT, { range: `bytes=${half}-`, 'if-range': String(head.headers.etag) });
      assert.equal(rest.statusCode, 206);
      assert.ok((await readBody(rest)).equals(whole.subarray(half)), 'the Range is the rest of the GET');
      const lines = await Promise.all(['info', 'head', 'get', 'range'].map((kind) => nginx.line(`tag=${tag}-${kind}`)));
      assert.deepEqual(lines.map((line) => line.upstreamStatus), ['200', '200', '200', '206']);
      assert.deepEqual(new Set(lines.map((line) => line.upstream)), new Set([lines[0]!.upstream]), `${tag}: one instance`);
      home.set(page, lines[0]!.upstream);
    }
    const pages = home.size;
    assert.ok(pages >= 8);
    assert.deepEqual(new Set(home.values()), new Set(servers.map(addressOf)), 'pages on both instances');
    // Each instance ran yt-dlp once per page it is home to, and the site saw each page fetched once.
    for (const server of servers) {
      assert.equal(await okExtractions(server.origin), [...home.values()].filter((up) => up === addressOf(server)).length);
    }
    assert.equal(site.stats.pages, pages);
  });

  it('other spellings of a page (parameter order, quality, codec, audio only, playlist, clip) land on its instance', async () => {
    const [page, upstream] = [...home][0]!;
    const spellings = [`/download?tag=s1&url=${enc(page)}`, `/download?maxHeight=360&url=${enc(page)}&tag=s2`,
      `/download?url=${enc(page)}&codec=h264&tag=s3`, `/download?audioOnly=1&url=${enc(page)}&tag=s4`,
      `/info?playlist=1&url=${enc(page)}&tag=s5`, `/download?url=${enc(page)}&start=2&end=6&tag=s6`];
    for (const path of spellings) (await fetchFrom(`${nginx.front}${path}`, CLIENT, {}, 'HEAD')).resume();
    for (const tag of ['s1', 's2', 's3', 's4', 's5', 's6']) {
      const line = await nginx.line(`tag=${tag}`);
      assert.ok(line.status < 500, `${tag}: ${line.status}`);
      assert.equal(line.upstream, upstream, tag);
    }
  });

  it('SIGKILL mid-download: curl exits non-zero with a short file, then `curl -C -` through nginx ends it with 206 from the other instance, byte-identical', async () => {
    const reference = await fetchFrom(slowDownload('k-ref'), CLIENT);
    assert.equal(reference.statusCode, 200);
    etag = String(reference.headers.etag);
    expected = await readBody(reference);
    const address = (await nginx.line('tag=k-ref')).upstream;
    [victim, survivor] = addressOf(servers[0]!) === address ? [servers[0]!, servers[1]!] : [servers[1]!, servers[0]!];

    const file = join(dir, 'cut.mp4');
    const cut = runCurl(['-o', file, slowDownload('k-cut')]);
    await eventually('100 kB received', () => (existsSync(file) && statSync(file).size >= 100_000 ? true : undefined), 30_000);
    const ffmpeg = childrenNamed(victim.child.pid!, 'ffmpeg');
    assert.equal(ffmpeg.length, 1, 'still remuxing');
    await victim.stop('SIGKILL');
    const { code } = await cut;
    assert.equal(code, 18, 'curl: partial file (the transfer was cut, not ended)');
    assert.ok(statSync(file).size < expected.length);
    await eventually('its ffmpeg gone', () => (ffmpeg.every((child) => !isAlive(child.pid)) ? true : undefined));

    const resumed = await runCurl(['-C', '-', '-o', file, slowDownload('k-resume')]);
    assert.deepEqual([resumed.code, resumed.stdout], [0, '206']);
    assert.ok((await readFile(file)).equals(expected), 'byte-identical to the uninterrupted download');
    const line = await nginx.line('tag=k-resume');
    // The page's instance first (refused: it is gone), then the next on the ring.
    assert.equal(line.upstream, `${address}, ${addressOf(survivor)}`);
    assert.equal(line.upstreamStatus, '502, 206');
  });

  it('rolling upgrade: an instance with another ffmpeg build answers the old If-Range with 200 and the whole file, never wrong bytes', async () => {
    const ffmpeg = join(dir, 'ffmpeg');
    await writeFile(ffmpeg, upgradedFfmpeg(findOnPath('ffmpeg', process.env.PATH ?? '')!));
    await chmod(ffmpeg, 0o755);
    // In the killed one's place: the same address, so the same pages.
    const upgraded = await startServerProcess({ ...ENV, HOST: new URL(victim.origin).hostname, PORT: String(victim.port), PASSMUX_FFMPEG: ffmpeg });
    servers.push(upgraded);
    const health = await readJson(await get(`${upgraded.origin}/healthz`));
    assert.match(health.programs.ffmpeg.version, /\+rebuilt /);

    const half = Math.floor(expected.length / 2);
    const resume = await fetchFrom(slowDownload('u-resume'), CLIENT, { range: `bytes=${half}-`, 'if-range': etag });
    assert.equal(resume.statusCode, 200);
    assert.notEqual(resume.headers.etag, etag, 'another ffmpeg: another ETag');
    assert.equal(Number(resume.headers['content-length']), expected.length);
    // The same real ffmpeg underneath, so in fact the same bytes; passmux could not know that.
    assert.ok((await readBody(resume)).equals(expected));
    assert.deepEqual(await nginx.line('tag=u-resume').then((l) => [l.upstream, l.upstreamStatus]), [addressOf(upgraded), '200']);
    // The old version still agrees with its old self.
    const old = await fetchFrom(`${survivor.origin}/download?url=${enc(slow.pageUrl('h264'))}`, CLIENT, { range: `bytes=${half}-`, 'if-range': etag });
    assert.equal(old.statusCode, 206);
    assert.ok((await readBody(old)).equals(expected.subarray(half)));
  });

  it('SIGTERM: /healthz says 503 while its download drains; nginx sends its pages to the next instance; it exits 0', async () => {
    const held = await fetchFrom(`${survivor.origin}/download?url=${enc(site.pageUrl('big'))}`, CLIENT);
    assert.equal(held.statusCode, 200);
    survivor.child.kill('SIGTERM');
    await eventually('/healthz says 503', async () => ((await get(`${survivor.origin}/healthz`)).statusCode === 503 ? true : undefined));
    const upgraded = servers.at(-1)!;
    const page = [...home].find(([, up]) => up === addressOf(survivor))![0];
    const fresh = await fetchFrom(`${nginx.front}/download?url=${enc(page)}&tag=d-new`, CLIENT, {}, 'HEAD');
    assert.equal(fresh.statusCode, 200);
    fresh.resume();
    const line = await nginx.line('tag=d-new');
    assert.deepEqual([line.upstream, line.upstreamStatus], [`${addressOf(survivor)}, ${addressOf(upgraded)}`, '503, 200']);
    assert.equal(survivor.child.exitCode, null, 'still draining');
    assert.ok((await readBody(held)).length > 10_000_000);
    assert.equal((await survivor.exited)[0], 0);
  });
});
