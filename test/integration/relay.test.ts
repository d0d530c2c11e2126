// The loopback relay: parallel ranges, byte-identical output, retries, re-extraction, no secrets in argv.
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { createMuxStream, extractSelection, MuxError, type MuxOptions } from '../../lib/internal.js';
import { getRelay } from '../../lib/relay/relay-server.js';
import { startFixtureSite, type FixtureOptions, type FixtureSite } from '../helpers/fixture-site.js';
import { CLIP_SECONDS } from '../helpers/media.js';
import { probeFile } from '../helpers/probe.js';
import { listProcesses } from '../helpers/processes.js';

process.env.PASSMUX_ALLOW_PRIVATE_NETWORKS = '1';
// Small ranges so a 1 MB clip takes many of them.
const SMALL_RANGES: MuxOptions['relay'] = { rangeSize: 64 * 1024, parallel: 4, maxBufferedBytes: 512 * 1024 };

function relayStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject).end();
  });
}

describe('relay', () => {
  let dir: string;
  const sites: FixtureSite[] = [];
  const site = async (options: FixtureOptions = {}) => {
    const started = await startFixtureSite(options);
    sites.push(started);
    return started;
  };
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'passmux-relay-')); });
  after(async () => {
    await Promise.all(sites.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function save(url: string, name: string, options: MuxOptions = {}) {
    const out = join(dir, name);
    const stream = await createMuxStream(url, options);
    await pipeline(stream, createWriteStream(out));
    return out;
  }

  it('fetches several ranges at once and gives byte-identical output to one plain connection per input', async () => {
    const throttled = await site({ throttle: 2_000_000 });
    const selection = await extractSelection(throttled.pageUrl('h264'));
    const sequential = await save(throttled.pageUrl('h264'), 'sequential.mp4', { selection, relay: { parallel: 1, rangeSize: 256 * 1024 * 1024 } });
    assert.equal(throttled.stats.peakOpenMedia, 2, 'one connection per input');
    const relayed = await save(throttled.pageUrl('h264'), 'relayed.mp4', { selection, relay: SMALL_RANGES });
    assert.ok(throttled.stats.peakOpenMedia >= 4, `relay: ${throttled.stats.peakOpenMedia} media connections at once`);
    assert.deepEqual(await readFile(relayed), await readFile(sequential));
  });

  it('reuses its upstream connections: a download of a hundred ranges opens a few', async () => {
    const plain = await site();
    const selection = await extractSelection(plain.pageUrl('big'));
    const [before, requests] = [plain.stats.connections, plain.stats.mediaRequests];
    await save(plain.pageUrl('big'), 'keep-alive.mp4', { selection, relay: { ...SMALL_RANGES, rangeSize: 128 * 1024 } });
    const ranges = plain.stats.mediaRequests - requests;
    const connections = plain.stats.connections - before;
    assert.ok(ranges >= 90, `${ranges} range requests`);
    // At most the ranges in flight at once, plus one for a range that found its socket still busy.
    assert.ok(connections <= 2 * SMALL_RANGES!.parallel! + 2, `${connections} connections for ${ranges} ranges`);
  });

  it('finishes a download whose media connection is cut once mid-way', async () => {
    const flaky = await site({ cutOnce: { file: 'h264-video.mp4', afterBytes: 100_000 } });
    const out = await save(flaky.pageUrl('h264'), 'cut.mp4', { relay: { ...SMALL_RANGES, rangeSize: 512 * 1024 } });
    const probe = await probeFile(out);
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.ok(Math.abs(probe.duration - CLIP_SECONDS) <= 0.5, `duration ${probe.duration}`);
    assert.ok(flaky.stats.forbidden === 0);
  });

  it('re-extracts when the media URLs start answering 403 after the first range, and completes', async () => {
    const expiring = await site({ expireFirstSessionAfter: 1 });
    const out = await save(expiring.pageUrl('h264'), 'expired.mp4', { relay: SMALL_RANGES });
    assert.ok(expiring.stats.forbidden >= 1, 'the fixture did refuse the old session');
    assert.equal(expiring.stats.pages, 2, 'exactly one re-extraction');
    const probe = await probeFile(out);
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.ok(Math.abs(probe.duration - CLIP_SECONDS) <= 0.5);
  });

  it('follows upstream redirects, and refuses one into the private network', async () => {
    const plain = await site();
    const selection = await extractSelection(plain.pageUrl('h264'));
    const viaRedirect = (target: (url: string) => string) => ({
      ...selection, inputs: selection.inputs.map((input) => ({ ...input, url: `${plain.origin}/redirect?to=${encodeURIComponent(target(input.url))}` })),
    });
    const followed = await save(plain.pageUrl('h264'), 'redirected.mp4', { selection: viaRedirect((url) => url) });
    assert.deepEqual((await probeFile(followed)).streams.map((s) => s.type), ['video', 'audio']);
    // The fixture itself is exempt; the redirect target 127.0.0.2 is not.
    const policy = { allowPrivateNetworks: false, exempt: ['127.0.0.1'], allowedPorts: undefined };
    const stream = await createMuxStream(plain.pageUrl('h264'), {
      selection: viaRedirect((url) => url.replace('127.0.0.1', '127.0.0.2')), policy, refresh: () => Promise.reject(new Error('none')),
    });
    await assert.rejects(pipeline(stream, createWriteStream(join(dir, 'refused.mp4'))), (error: unknown) =>
      error instanceof MuxError && error.code === 'INVALID_URL' && /127\.0\.0\.2/.test(error.message));
  });

  it('falls back to one plain stream when the media server ignores Range', async () => {
    const plain = await site({ ignoreRange: true });
    const out = await save(plain.pageUrl('h264'), 'plain.mp4', { relay: SMALL_RANGES });
    assert.deepEqual((await probeFile(out)).streams.map((s) => s.type), ['video', 'audio']);
  });

  it('keeps the cookie out of every command line', async () => {
    const slow = await site({ throttle: 300_000 });
    const stream = await createMuxStream(slow.pageUrl('h264'));
    await new Promise((resolve) => stream.once('readable', resolve));
    assert.ok(slow.cookies.length > 0 && slow.cookies.every((cookie) => cookie.length >= 16), 'the site handed out cookies');
    assert.match(listProcesses().find((p) => p.pid === stream.pid)!.cmdline, /-i http:\/\/127\.0\.0\.1:/, 'ffmpeg\'s argv was read');
    assert.ok(!listProcesses().some((p) => slow.cookies.some((cookie) => p.cmdline.includes(cookie))));
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
  });

  it('answers 404 for unknown tokens and for tokens of a finished session, and listens on loopback only', async () => {
    const relay = await getRelay();
    assert.equal(await relayStatus(`http://127.0.0.1:${relay.port}/not-a-token`), 404);
    const plain = await site();
    const stream = await createMuxStream(plain.pageUrl('h264'));
    await new Promise((resolve) => stream.once('readable', resolve));
    const ffmpeg = listProcesses().find((p) => p.pid === stream.pid)!;
    const urls = ffmpeg.cmdline.match(/http:\/\/127\.0\.0\.1:\d+\/[\w-]+/g)!;
    assert.equal(urls.length, 2);
    assert.ok(urls.every((url) => /\/[\w-]{32}$/.test(url)), 'tokens carry 192 random bits');
    // Read from the process list by another local program: the live token is refused (it is ffmpeg's alone).
    for (const url of urls) assert.equal(await relayStatus(url), 403);
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    for (const url of urls) assert.equal(await relayStatus(url), 404);
    assert.equal(relay.tokens, 0);
    await assert.rejects(relayStatus(`http://[::1]:${relay.port}/x`));
  });
});
