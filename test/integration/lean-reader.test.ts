// The lean upstream reader (lib/relay/lean-request.ts): the same bytes as Node's client,
// its sockets kept alive and bounded, every other shape of answer read by Node's
// client or refused in words, and nothing left behind when a download gives up.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMuxStream, extractSelection, MuxError, type MuxOptions } from '../../lib/internal.js';
import { egressPolicy } from '../../lib/egress/guard.js';
import { leanPool, leanStats } from '../../lib/relay/lean-request.js';
import { LeanResponse } from '../../lib/relay/lean-response.js';
import { readWhole } from '../../lib/relay/read-whole.js';
import { openUpstream } from '../../lib/relay/upstream.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';

process.env.PASSMUX_ALLOW_PRIVATE_NETWORKS = '1';
const BODY = randomBytes(3 * 1024 * 1024);
const policy = egressPolicy({ allowPrivateNetworks: true });

/** A server of BODY with Range; `shape` says how it answers. Counts its connections. */
async function bodyServer(shape: 'plain' | 'chunked' | 'close' | 'stall') {
  const stats = { connections: 0, open: 0 };
  const server = createServer((req, res) => {
    if (req.url === '/moved') return void res.writeHead(302, { location: '/file', 'content-length': 5 }).end('moved');
    const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = match ? Number(match[1]) : 0;
    const end = match?.[2] ? Number(match[2]) : BODY.length - 1;
    const part = BODY.subarray(start, end + 1);
    const headers: Record<string, string | number> = { 'content-range': `bytes ${start}-${end}/${BODY.length}` };
    if (shape === 'chunked') return void res.writeHead(206, headers).end(part);
    if (shape === 'close') headers.connection = 'close';
    res.writeHead(206, { ...headers, 'content-length': part.length });
    if (shape === 'stall') return void res.write(part.subarray(0, 1024));
    res.end(part);
  });
  server.on('connection', (socket) => {
    stats.connections += 1; stats.open += 1;
    socket.once('close', () => { stats.open -= 1; });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, stats, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/file` };
}

const open = (url: string, range: [number, number], signal = new AbortController().signal) =>
  openUpstream({ url, headers: { 'User-Agent': 'lean-test' } }, { signal, policy, readTimeoutMs: 10_000, lean: true, range });

/** What test/helpers/lean-https-child.ts saw, run with `env` added. */
async function httpsChild(env: Record<string, string>): Promise<Record<string, unknown>> {
  const child = fileURLToPath(new URL('../helpers/lean-https-child.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], { env: { ...process.env, ...env } });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const fds = async () => (await readdir('/proc/self/fd')).length;

describe('lean upstream reader', () => {
  const closers: Array<() => void> = [];
  const sites: FixtureSite[] = [];
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'passmux-lean-')); });
  beforeEach(() => leanPool.clear());
  after(async () => {
    leanPool.clear();
    for (const close of closers) close();
    await Promise.all(sites.map((site) => site.close()));
    await rm(dir, { recursive: true, force: true });
  });
  const serve = async (shape: Parameters<typeof bodyServer>[0]) => {
    const started = await bodyServer(shape);
    closers.push(() => { started.server.closeAllConnections(); started.server.close(); });
    return started;
  };

  it('reads ranges byte for byte, one kept-alive connection for many, and follows a redirect', async () => {
    const { url, stats } = await serve('plain');
    for (let start = 0; start < BODY.length; start += 256 * 1024) {
      const end = Math.min(start + 256 * 1024, BODY.length) - 1;
      const { res } = await open(url, [start, end]);
      assert.ok(res instanceof LeanResponse, 'read the lean way');
      assert.equal(res.statusCode, 206);
      assert.deepEqual(await readWhole(res, BODY.length, () => new Error('too large')), BODY.subarray(start, end + 1));
    }
    assert.equal(stats.connections, 1);
    assert.equal(leanPool.idle(), 1);
    const moved = await open(url.replace('/file', '/moved'), [10, 19]);
    assert.equal(moved.url, url);
    assert.ok(moved.res instanceof LeanResponse);
    assert.deepEqual(await readWhole(moved.res, 100, () => new Error('too large')), BODY.subarray(10, 20));
  });

  it('hands a chunked answer to Node\'s client, and keeps no socket of a server that closes', async () => {
    const chunked = await serve('chunked');
    const before = leanStats.fallbacks;
    const { res } = await open(chunked.url, [5, 70_004]);
    assert.ok(!(res instanceof LeanResponse));
    assert.deepEqual(await readWhole(res, BODY.length, () => new Error('too large')), BODY.subarray(5, 70_005));
    assert.equal(leanStats.fallbacks, before + 1);
    const closing = await serve('close');
    const second = await open(closing.url, [0, 99_999]);
    assert.ok(second.res instanceof LeanResponse);
    assert.deepEqual(await readWhole(second.res, BODY.length, () => new Error('too large')), BODY.subarray(0, 100_000));
    assert.equal(leanPool.idle(), 0, 'Connection: close is honoured');
  });

  it('refuses a malformed head with a MuxError in words', async () => {
    const raw: NetServer = createNetServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 206 Partial\r\nNo colon here\r\n\r\nxx')));
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    closers.push(() => raw.close());
    await assert.rejects(open(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/file`, [0, 1]),
      (error: unknown) => error instanceof MuxError && error.code === 'MUX_FAILED' && /malformed response head/.test(error.message));
    assert.equal(leanPool.idle(), 0);
  });

  it('leaves no socket in the pool and no file descriptor open when aborted mid-body', async () => {
    const { url, stats } = await serve('stall');
    const fdsBefore = await fds();
    const controller = new AbortController();
    const { res } = await open(url, [0, BODY.length - 1], controller.signal);
    assert.ok(res instanceof LeanResponse);
    const [first] = await once(res, 'data') as [Buffer];
    assert.ok(first.length > 0);
    const [closed, failed] = [once(res.socket, 'close'), once(res, 'error')];
    controller.abort();
    await closed;
    assert.equal(((await failed)[0] as MuxError).code, 'ABORTED');
    assert.equal(leanPool.idle(), 0);
    // The server's end of it closes too: then every descriptor opened here is gone.
    while (stats.open > 0) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(await fds() <= fdsBefore, 'no descriptor left open');
  });

  it('speaks HTTPS with SNI and the normal certificate checks', async () => {
    const trusted = await httpsChild({ NODE_EXTRA_CA_CERTS: fileURLToPath(new URL('../fixtures/tls/cert.pem', import.meta.url)) });
    assert.deepEqual(trusted, { lean: true, same: true, names: ['site.test', 'site.test'], wrongName: 'ERR_TLS_CERT_ALTNAME_INVALID', connections: 1 });
    const untrusted = await httpsChild({});
    assert.deepEqual(untrusted, { refused: 'DEPTH_ZERO_SELF_SIGNED_CERT', wrongName: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('muxes byte-identical output through it, with its connections bounded', async () => {
    const site = await startFixtureSite();
    sites.push(site);
    const selection = await extractSelection(site.pageUrl('big'));
    const save = async (name: string, relay: MuxOptions['relay']) => {
      const out = join(dir, name);
      await pipeline(await createMuxStream(site.pageUrl('big'), { selection, relay }), createWriteStream(out));
      return readFile(out);
    };
    const relay = { rangeSize: 128 * 1024, parallel: 4, maxBufferedBytes: 512 * 1024 };
    const node = await save('node.mp4', { ...relay, leanReader: false });
    const [responses, connections, requests] = [leanStats.responses, site.stats.connections, site.stats.mediaRequests];
    const lean = await save('lean.mp4', relay);
    const ranges = site.stats.mediaRequests - requests;
    assert.ok(ranges >= 90, `${ranges} range requests`);
    assert.ok(leanStats.responses - responses >= ranges - 2, `${leanStats.responses - responses} lean of ${ranges}`);
    assert.ok(site.stats.connections - connections <= 2 * relay.parallel + 2, `${site.stats.connections - connections} connections`);
    assert.deepEqual(lean, node);
  });
});
