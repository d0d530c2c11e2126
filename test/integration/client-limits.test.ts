// Fair and bounded: one client address at its limit gets 429 while another
// address is served at once; a download queued for a worker gives up in words
// after the queue timeout instead of waiting for ever.
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { readBody, readJson, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { childrenNamed } from '../helpers/processes.js';

/** A GET from `localAddress` (any 127.x address is this machine), resolving once headers arrive. */
function getFrom(url: string, localAddress: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request(url, { agent: false, localAddress }, resolve).on('error', reject).end());
}

const metric = (text: string, sample: string) => Number(text.split('\n').find((line) => line.startsWith(`${sample} `))?.slice(sample.length + 1));

describe('per-client limits and a bounded queue', () => {
  let slow: FixtureSite;
  let fast: FixtureSite;
  const servers: TestServer[] = [];
  before(async () => {
    // The slow site keeps a download open for as long as the test wants it (~12 MB at 100 kB/s).
    [slow, fast] = await Promise.all([startFixtureSite({ throttle: 100_000 }), startFixtureSite()]);
  });
  after(async () => {
    await Promise.all([slow.close(), fast.close(), ...servers.map((s) => s.close())]);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
  });
  const start = async (...args: Parameters<typeof startPassmux>) => {
    const server = await startPassmux(...args);
    servers.push(server);
    return server;
  };
  const download = (server: TestServer, site: FixtureSite, id: string) => `${server.origin}/download?url=${encodeURIComponent(site.pageUrl(id))}`;

  it('one address at its limit gets 429 with Retry-After for downloads and lookups; another address is served meanwhile', async () => {
    const passmux = await start({ maxConnectionsPerClient: 2, retryAfterSeconds: 5 });
    const held = await Promise.all([getFrom(download(passmux, slow, 'big'), '127.0.0.1'), getFrom(download(passmux, slow, 'big'), '127.0.0.1')]);
    assert.deepEqual(held.map((res) => res.statusCode), [200, 200]);

    const third = await getFrom(download(passmux, fast, 'h264'), '127.0.0.1');
    assert.equal(third.statusCode, 429);
    assert.equal(third.headers['retry-after'], '5');
    const body = await readJson(third);
    assert.equal(body.error.code, 'TOO_MANY_REQUESTS');
    assert.match(body.error.message, /already has 2 downloads and lookups open/);
    const lookup = await getFrom(`${passmux.origin}/info?url=${encodeURIComponent(fast.pageUrl('h264'))}`, '127.0.0.1');
    assert.equal(lookup.statusCode, 429);
    await readBody(lookup);

    // A second client, at the same moment: served in full.
    const other = await getFrom(download(passmux, fast, 'h264'), '127.0.0.2');
    assert.equal(other.statusCode, 200);
    assert.equal((await readBody(other)).length, Number(other.headers['content-length']));

    const metrics = (await readBody(await getFrom(`${passmux.origin}/metrics`, '127.0.0.3'))).toString();
    assert.equal(metric(metrics, 'passmux_client_limit_rejections_total{route="download"}'), 1);
    assert.equal(metric(metrics, 'passmux_client_limit_rejections_total{route="info"}'), 1);

    // Once its downloads are gone, the first client is served again.
    for (const res of held) res.destroy();
    await whenIdle(passmux.admission);
    const again = await getFrom(download(passmux, fast, 'h264'), '127.0.0.1');
    assert.equal(again.statusCode, 200);
    await readBody(again);
  });

  it('a download queued for a worker longer than the queue timeout gets 503 in words, with Retry-After', async () => {
    const passmux = await start({ queueTimeoutMs: 1000, retryAfterSeconds: 4 }, { maxConnections: 5, maxActive: 1 });
    const holder = await getFrom(download(passmux, slow, 'big'), '127.0.0.1');
    assert.equal(holder.statusCode, 200);
    const started = performance.now();
    const queued = await getFrom(download(passmux, fast, 'h264'), '127.0.0.1');
    assert.equal(queued.statusCode, 503);
    assert.equal(queued.headers['retry-after'], '4');
    const body = await readJson(queued);
    assert.equal(body.error.code, 'BUSY');
    assert.match(body.error.message, /every worker stayed busy for 1 s/);
    assert.ok(performance.now() - started >= 900, 'it waited its turn first');
    assert.equal(passmux.admission.waiting, 0, 'it left the queue');
    holder.destroy();
    await whenIdle(passmux.admission);
  });
});
