// deploy/nginx.conf, as shipped (only its ports and file paths rewritten), with
// Debian's nginx in front of two real passmux processes of 3 downloads each:
// a full instance's 503 sends nginx to the other, Retry-After reaches the
// client when both are full, a client leaving nginx stops its ffmpeg, and an
// instance that is told to stop drains while nginx sends new work elsewhere.
// (test/integration/fleet.test.ts: affinity, an instance killed, upgrades.)
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { fetchFrom as fetchNginx, skipWithoutNginx as skip, startNginx, type Nginx } from '../helpers/nginx.js';
import { get, readBody, readJson } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';
import { eventually, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const CLIENT = '127.0.0.2';
const fetchFrom = (url: string, headers: Record<string, string> = {}, localAddress = CLIENT) => fetchNginx(url, localAddress, headers);

async function counts(server: ServerProcess) {
  const health = await readJson(await get(`${server.origin}/healthz`));
  return { open: health.open, active: health.active, ffmpeg: childrenNamed(server.child.pid!, 'ffmpeg').length };
}

describe('two passmux instances behind nginx (deploy/nginx.conf)', { skip }, () => {
  let site: FixtureSite;
  let a: ServerProcess;
  let b: ServerProcess;
  let nginx: Nginx;
  let front: string;
  const download = (page: string, tag: string) => `${front}/download?url=${encodeURIComponent(site.pageUrl(page))}&tag=${tag}`;

  before(async () => {
    // Throttled, and big.mp4's 12 MB outgrow every buffer between passmux and a client that stops
    // reading: a download held that way stays open until the test reads or drops it.
    site = await startFixtureSite({ throttle: 1_500_000 });
    const env = {
      PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_MAX_CONNECTIONS: '3', PASSMUX_TRUST_PROXY: '127.0.0.1',
      PASSMUX_SHUTDOWN_GRACE_MS: '60000', PASSMUX_RETRY_AFTER: '7', PASSMUX_RELAY_PARALLEL: '1',
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    nginx = await startNginx([a, b].map((s) => `127.0.0.1:${s.port}`));
    front = nginx.front;
  });

  after(async () => {
    await nginx?.stop();
    for (const res of held) res.destroy();
    // Normally both have stopped or are idle; after a failure, leave no server and no ffmpeg of theirs behind.
    for (const server of [a, b]) {
      if (!server || server.child.exitCode !== null) continue;
      const children = ['ffmpeg', 'yt-dlp'].flatMap((name) => childrenNamed(server.child.pid!, name));
      await server.stop('SIGKILL');
      for (const child of children) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    await site?.close();
  });

  let held: IncomingMessage[] = [];

  it('admits 6 concurrent downloads across both instances; the 7th gets 503 with Retry-After through nginx', async () => {
    held = await Promise.all(Array.from({ length: 6 }, (_, i) => fetchFrom(download('big', `held${i}`))));
    assert.deepEqual(held.map((res) => res.statusCode), Array(6).fill(200));
    assert.deepEqual([await counts(a), await counts(b)], Array(2).fill({ open: 3, active: 3, ffmpeg: 3 }));

    // And again: a full instance stays in rotation (no "502 no live upstreams" while every one is full).
    for (const tag of ['seventh', 'eighth']) {
      const refused = await fetchFrom(download('single', tag));
      assert.equal(refused.statusCode, 503, tag);
      assert.equal(refused.headers['retry-after'], '7');
      assert.equal((await readJson(refused)).error.code, 'BUSY');
    }
    // nginx asked both before giving up.
    const line = await nginx.line('tag=seventh');
    assert.equal(line.upstreamStatus, '503, 503');
    assert.deepEqual(line.upstream.split(', ').map((u) => Number(u.split(':')[1])).sort(), [a.port, b.port].sort());
  });

  it('a client that leaves nginx stops its ffmpeg and frees both gates on that instance within 5 s; the log names the client', async () => {
    const before = [await counts(a), await counts(b)];
    held.shift()!.destroy();
    const after = await eventually('one instance at 2/2/2, the other at 3/3/3', async () => {
      const now = [await counts(a), await counts(b)];
      return now.map((c) => c.open + c.active + c.ffmpeg).sort().join() === '6,9' ? now : undefined;
    });
    assert.deepEqual(before, Array(2).fill({ open: 3, active: 3, ffmpeg: 3 }));
    assert.deepEqual(after.map((c) => c.open).sort(), [2, 3]);
    const left = after[0]!.open === 2 ? a : b;
    const logged = await left.waitFor('download', (e) => e.outcome === 'client_aborted');
    assert.equal(logged.client, CLIENT, 'the client nginx saw, not nginx');

    for (const res of held) res.destroy();
    held = [];
    await eventually('both instances idle', async () => {
      const now = [await counts(a), await counts(b)];
      return now.every((c) => c.open + c.active + c.ffmpeg === 0) ? true : undefined;
    });
  });

  it('believes X-Forwarded-For only from nginx: a forged one through nginx or straight to passmux is not the client', async () => {
    const viaNginx = await fetchFrom(download('h264', 'forged'), { 'x-forwarded-for': '6.6.6.6' }, '127.0.0.3');
    assert.equal(viaNginx.statusCode, 200);
    await readBody(viaNginx);
    const direct = await fetchFrom(`${a.origin}/download?url=${encodeURIComponent(site.pageUrl('h264'))}`, { 'x-forwarded-for': '6.6.6.6' }, '127.0.0.4');
    assert.equal(direct.statusCode, 200);
    await readBody(direct);
    const clients = async () => [...a.events, ...b.events].filter((e) => e.event === 'download' && e.outcome === 'completed').map((e) => e.client);
    assert.deepEqual((await eventually('both logged', async () => ((await clients()).length === 2 ? clients() : undefined))).sort(), ['127.0.0.3', '127.0.0.4']);
  });

  it('a deep resume (90 %) of a file without blanks comes through nginx: a 206 silent while ffmpeg remuxes up to it, then the same bytes', async () => {
    // Another client address: the drain test below looks for its own client's completed download.
    const whole = await readBody(await fetchFrom(download('frag-av1', 'whole'), {}, '127.0.0.5'));
    const n = Math.floor(whole.length * 0.9);
    const res = await fetchFrom(download('frag-av1', 'resume'), { range: `bytes=${n}-` }, '127.0.0.5');
    assert.equal(res.statusCode, 206);
    assert.ok((await readBody(res)).equals(whole.subarray(n)), 'the whole download from N on');
  });

  it('SIGTERM: the instance says 503 on /healthz within 5 s and drains (its downloads finish, exit 0); new downloads of its pages succeed on the other', async () => {
    // One page, so one instance (the hash of its url): both held there.
    held = await Promise.all(Array.from({ length: 2 }, (_, i) => fetchFrom(download('big', `drain${i}`))));
    assert.deepEqual(held.map((res) => res.statusCode), [200, 200]);
    const [stopping, other] = (await counts(a)).ffmpeg === 2 ? [a, b] : [b, a];
    assert.deepEqual([(await counts(stopping)).ffmpeg, (await counts(other)).ffmpeg], [2, 0]);
    const exited = stopping.exited;
    stopping.child.kill('SIGTERM');
    await eventually('/healthz says 503', async () => ((await get(`${stopping.origin}/healthz`)).statusCode === 503 ? true : undefined));
    // Asked now, while the held downloads surely still fetch (12 MB at 1.5 MB/s): later, the kernel's
    // socket buffers (up to 32 MB on loopback) may have taken all of them and the instance gone, rightly.
    assert.equal(stopping.child.exitCode, null, 'still draining its downloads');

    // The same page again: nginx asks its instance first, gets 503, moves on; the client never sees it.
    const fresh = await Promise.all(['new1', 'new2'].map((tag) => fetchFrom(download('big', tag))));
    assert.deepEqual(fresh.map((res) => res.statusCode), [200, 200]);
    await Promise.all(fresh.map(async (res, i) => {
      const saved = join(nginx.dir, `new${i + 1}.mp4`);
      await writeFile(saved, await readBody(res));
      assert.deepEqual((await probeFile(saved)).streams.map((s) => s.type), ['video', 'audio']);
    }));
    for (const tag of ['new1', 'new2']) {
      const line = await nginx.line(`tag=${tag}`);
      assert.equal(line.status, 200);
      assert.equal(line.upstreamStatus, '503, 200');
      assert.equal(line.upstream, `127.0.0.1:${stopping.port}, 127.0.0.1:${other.port}`);
    }

    // Read every held download to its end: the stopping instance's finish, and then it exits 0.
    const bodies = await Promise.all(held.map((res) => readBody(res)));
    held = [];
    assert.equal((await exited)[0], 0);
    const finished = await stopping.waitFor('download', (e) => String(e.client) === CLIENT && e.outcome === 'completed');
    assert.ok(Number(finished.bytes) > 10_000_000);
    assert.ok(bodies.every((body) => body.length > 10_000_000));

    // Gone entirely now: nginx finds the port closed and still serves from the other.
    const last = await fetchFrom(download('big', 'after-exit'));
    assert.equal(last.statusCode, 200);
    last.destroy();
    assert.equal((await nginx.line('tag=after-exit')).upstream, `127.0.0.1:${stopping.port}, 127.0.0.1:${other.port}`);
  });
});
