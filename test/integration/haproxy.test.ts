// deploy/haproxy.cfg, as shipped (only its addresses and log target rewritten),
// with Debian's HAProxy in front of two real passmux processes of 1 download
// each: a page's requests meet one extraction on one instance, a full
// instance's 503 is retried on the other, and the active health check
// (/healthz) takes a draining instance out of rotation before any request has
// to find out.
import assert from 'node:assert/strict';
import { type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { skipWithoutHaproxy as skip, startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { fetchFrom } from '../helpers/nginx.js';
import { get, okExtractions, readBody, readJson } from '../helpers/passmux-server.js';
import { addressOf, killFleet } from '../helpers/fleet.js';
import { eventually, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const HOSTS = ['127.0.0.21', '127.0.0.22'];
const CLIENT = '127.0.0.2';
const ENV = {
  PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_TRUST_PROXY: '127.0.0.1', PASSMUX_SHUTDOWN_GRACE_MS: '60000', PASSMUX_MAX_CONNECTIONS: '1',
};
const enc = encodeURIComponent;

describe('two passmux instances behind HAProxy (deploy/haproxy.cfg)', { skip }, () => {
  let site: FixtureSite;
  /** Throttled (about 1 MB/s a download): a held 12 MB download still fetches while the drain is looked at. */
  let slow: FixtureSite;
  let servers: ServerProcess[];
  let haproxy: Haproxy;
  /** HAProxy's name for each instance (passmux1, passmux2), in the order of `servers`. */
  const names = ['passmux1', 'passmux2'];
  const serverNamed = (name: string) => servers[names.indexOf(name)]!;
  let held: IncomingMessage | undefined;
  let home: string;

  before(async () => {
    site = await startFixtureSite();
    slow = await startFixtureSite({ throttle: 200_000 });
    servers = await Promise.all(HOSTS.map((HOST) => startServerProcess({ ...ENV, HOST })));
    haproxy = await startHaproxy(servers.map(addressOf));
  });

  after(async () => {
    held?.destroy();
    await haproxy?.stop();
    await killFleet(servers ?? []);
    await site?.close();
    await slow?.close();
  });

  it('≥ 6 pages × /info, HEAD, Range, a raw spelling: each page on one instance, one yt-dlp run per page, pages on both', async () => {
    const pages = new Map<string, string>();
    for (let n = 0; n < 14 && (n < 6 || new Set(pages.values()).size < 2); n += 1) {
      const page = `${site.pageUrl('h264')}?page=${n}`;
      const tag = `p${String(n).padStart(2, '0')}`;
      await readJson(await fetchFrom(`${haproxy.front}/info?url=${enc(page)}&tag=${tag}-info`, CLIENT));
      const head = await fetchFrom(`${haproxy.front}/download?tag=${tag}-head&url=${enc(page)}`, CLIENT, {}, 'HEAD');
      assert.equal(head.statusCode, 200);
      head.resume();
      const rest = await fetchFrom(`${haproxy.front}/download?url=${enc(page)}&tag=${tag}-range`, CLIENT, { range: 'bytes=1000-', 'if-range': String(head.headers.etag) });
      assert.equal(rest.statusCode, 206);
      assert.equal((await readBody(rest)).length, Number(head.headers['content-length']) - 1000);
      // The url as typed into an address bar, not percent-encoded: decoded, it is the same page.
      (await fetchFrom(`${haproxy.front}/download?url=${page}&tag=${tag}-raw`, CLIENT, {}, 'HEAD')).resume();
      const lines = await Promise.all(['info', 'head', 'range', 'raw'].map((kind) => haproxy.line(`tag=${tag}-${kind}`)));
      assert.deepEqual(lines.map((line) => [line.status, line.retries]), [[200, '0'], [200, '0'], [206, '0'], [200, '0']]);
      assert.deepEqual(new Set(lines.map((line) => line.server)), new Set([lines[0]!.server]), `${tag}: one instance`);
      pages.set(page, lines[0]!.server);
    }
    assert.ok(pages.size >= 6);
    assert.deepEqual(new Set(pages.values()), new Set(names), 'pages on both instances');
    for (const [i, server] of servers.entries()) {
      assert.equal(await okExtractions(server.origin), [...pages.values()].filter((name) => name === names[i]).length);
    }
    assert.equal(site.stats.pages, pages.size);
  });

  it("a full instance's 503 is retried on the other: the client gets 200", async () => {
    held = await fetchFrom(`${haproxy.front}/download?url=${enc(slow.pageUrl('big'))}&tag=held`, CLIENT);
    assert.equal(held.statusCode, 200);
    // Logged only once it ends: its instance is the one with a download open.
    const open = await Promise.all(servers.map(async (server) => (await readJson(await get(`${server.origin}/healthz`))).open));
    assert.deepEqual([...open].sort(), [0, 1]);
    home = names[open.indexOf(1)]!;
    const second = await fetchFrom(`${haproxy.front}/download?url=${enc(slow.pageUrl('big'))}&tag=second`, CLIENT, {}, 'HEAD');
    assert.equal(second.statusCode, 200);
    second.resume();
    const line = await haproxy.line('tag=second');
    assert.notEqual(line.server, home);
    // Retried once, on another server (+: redispatched).
    assert.equal(line.retries, '+1');
  });

  it('SIGTERM: the health check takes the draining instance out; its pages go to the other at once; it exits 0 after its download', async () => {
    const draining = serverNamed(home);
    draining.child.kill('SIGTERM');
    await eventually(`HAProxy marks ${home} DOWN`, () => (haproxy.output().includes(`Server passmux/${home} is DOWN`) ? true : undefined), 15_000);
    assert.equal(draining.child.exitCode, null, 'still draining');
    const after = await fetchFrom(`${haproxy.front}/download?url=${enc(slow.pageUrl('big'))}&tag=drained`, CLIENT, {}, 'HEAD');
    assert.equal(after.statusCode, 200);
    after.resume();
    const line = await haproxy.line('tag=drained');
    assert.deepEqual([line.server === home, line.retries], [false, '0'], 'not asked at all');
    assert.ok((await readBody(held!)).length > 10_000_000);
    held = undefined;
    assert.equal((await draining.exited)[0], 0);
  });
});
