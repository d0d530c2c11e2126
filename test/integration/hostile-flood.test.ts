// A hostile client floods HEAD /download (which runs yt-dlp) with pages that
// take 10 s each. The gates must refuse most of it at once, keep yt-dlp within
// its limit, keep /info answering, and leave nothing running once the flood
// hangs up. Real yt-dlp, real handler.
import assert from 'node:assert/strict';
import { request, type ClientRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CONFIG } from '../../lib/defaults.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readBody, readJson, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { childrenNamed } from '../helpers/processes.js';
import { startSlowPages, type SlowPages } from '../helpers/slow-pages.js';

const FLOOD = 150;

interface Answer { status: number; retryAfter: string | undefined; ms: number }

interface Sent {
  req: ClientRequest;
  /** The answer, or undefined if the request was destroyed (or failed) first. */
  answer: Promise<Answer | undefined>;
  /** Set once the answer has arrived. */
  answered?: Answer;
}

function sendHead(url: string): Sent {
  const sentAt = performance.now();
  let req!: ClientRequest;
  const sent = {} as Sent;
  sent.answer = new Promise<Answer | undefined>((resolve) => {
    req = request(url, { method: 'HEAD', agent: false }, (res) => {
      sent.answered = { status: res.statusCode!, retryAfter: res.headers['retry-after'], ms: performance.now() - sentAt };
      res.resume();
      resolve(sent.answered);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
  sent.req = req;
  return sent;
}

/** Polls observable state until `check` holds; fails with `what` after `ms`. */
async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);

describe('a flood of HEAD /download to slow pages', () => {
  let slow: SlowPages;
  let site: FixtureSite;
  let passmux: TestServer;
  before(async () => {
    [slow, site, passmux] = await Promise.all([
      startSlowPages({ delayMs: 10_000 }),
      startFixtureSite(),
      // One address plays every client here: the global gates are under test, not the per-client limit.
      startPassmux({ retryAfterSeconds: 7, maxConnectionsPerClient: 0 }, { maxConnections: 50, maxActive: 25 }),
    ]);
  });
  after(async () => {
    await Promise.all([passmux.close(), slow.close(), site.close()]);
  });

  it('refuses most at once, keeps yt-dlp bounded and /info answering, and leaves nothing behind', { timeout: 40_000 }, async (t) => {
    const { maxExtractions, maxExtractionQueue } = DEFAULT_CONFIG;
    const flood = Array.from({ length: FLOOD }, (_, n) => sendHead(`${passmux.origin}/download?url=${encodeURIComponent(slow.pageUrl(n))}`));
    const busy = () => flood.filter((f) => f.answered?.status === 503 && f.answered.retryAfter === '7');

    // Every request has reached the handler: refused (Gate 1 or a full queue), or holding a ticket.
    await waitFor(() => busy().length + passmux.admission.open === FLOOD, 5_000, 'every flood request refused or admitted');
    const fast = busy().filter((f) => f.answered!.ms <= 3_000);
    assert.ok(fast.length >= 100, `${fast.length} of ${FLOOD} HEADs got a 503 with Retry-After within 3 s`);
    assert.equal(busy().length, FLOOD - maxExtractions - maxExtractionQueue, 'all but the running and the queued lookups were refused');
    assert.ok(flood.every((f) => f.answered === undefined || f.answered.status === 503), 'nothing else was answered yet');

    // The running yt-dlp processes really are on the slow pages (and past their start-up).
    await waitFor(() => slow.distinctPages === maxExtractions, 10_000, `${maxExtractions} slow pages requested`);
    const metrics = (await readBody(await get(`${passmux.origin}/metrics`))).toString('utf8');
    assert.equal(metric(metrics, 'passmux_extractions_running'), maxExtractions);
    assert.equal(metric(metrics, 'passmux_extractions_queued'), maxExtractionQueue);
    assert.equal(metric(metrics, 'passmux_open_connections'), maxExtractions + maxExtractionQueue, '/healthz and /metrics see the HEADs');
    assert.ok(childrenNamed(process.pid, 'yt-dlp').length <= maxExtractions);

    // A newcomer's /info gets an answer now, not after the flood: here a full queue says so at once.
    const infoUrl = `${passmux.origin}/info?url=${encodeURIComponent(site.pageUrl('h264'))}`;
    const info = await within(get(infoUrl), 10_000, '/info answered during the flood');
    const infoBody = await readJson(info);
    assert.ok(info.statusCode === 200 || (info.statusCode === 503 && info.headers['retry-after'] === '7'),
      `/info during the flood: ${info.statusCode} ${JSON.stringify(infoBody)} retry-after=${info.headers['retry-after']}`);

    // The flood hangs up: every run stops, queued ones leave the queue, every ticket comes back.
    const hangUp = performance.now();
    for (const f of flood) f.req.destroy();
    await waitFor(() => childrenNamed(process.pid, 'yt-dlp').length === 0, 8_000, 'no yt-dlp child left');
    await within(whenIdle(passmux.admission), 8_000, 'admission counts back to 0');
    await waitFor(() => slow.held === 0, 8_000, 'the slow pages are no longer being waited for');
    assert.deepEqual([passmux.handler.cache.running, passmux.handler.cache.queued], [0, 0]);
    t.diagnostic(`503s: ${busy().length}, slowest ${Math.round(Math.max(...busy().map((f) => f.answered!.ms)))} ms; `
      + `/info during the flood: ${info.statusCode}; all stopped ${Math.round(performance.now() - hangUp)} ms after the hang-up`);

    if (info.statusCode === 503) {
      const retry = await within(get(infoUrl), 20_000, '/info retried after the flood');
      const body = await readJson(retry);
      assert.equal(retry.statusCode, 200, JSON.stringify(body));
      assert.equal(body.title, 'H264 clip');
    } else {
      assert.equal(infoBody.title, 'H264 clip');
    }
    assert.ok(slow.distinctPages <= 50, `the slow site saw ${slow.distinctPages} pages`);
    assert.ok(slow.distinctPages <= maxExtractions + maxExtractionQueue, 'only admitted, queued runs ever reached the site');
    assert.deepEqual(await readJson(await get(`${passmux.origin}/healthz`)), { ok: true, open: 0, active: 0, waiting: 0 });
  });

  // Above, the queue's bound answers first (a refused lookup hands its ticket back at once);
  // with a smaller Gate 1 the gate itself must refuse HEADs, and count them as it counts GETs.
  it('HEAD waits behind Gate 1 like GET: refused and counted when full, ticket back when done', { timeout: 20_000 }, async () => {
    const small = await startPassmux({ retryAfterSeconds: 7 }, { maxConnections: 2, maxActive: 1 });
    try {
      const pagesBefore = slow.distinctPages;
      const heads = Array.from({ length: 6 }, (_, n) => sendHead(`${small.origin}/download?url=${encodeURIComponent(slow.pageUrl(`gate-${n}`))}`));
      await waitFor(() => heads.filter((h) => h.answered).length === 4, 5_000, 'four HEADs refused');
      assert.ok(heads.every((h) => !h.answered || (h.answered.status === 503 && h.answered.retryAfter === '7')));
      assert.equal(small.admission.open, 2);
      assert.equal(small.handler.metrics.downloads('rejected_busy'), 4);
      assert.equal(small.logs.filter((l) => l.outcome === 'rejected_busy' && l.method === 'HEAD').length, 4);
      await waitFor(() => slow.distinctPages === pagesBefore + 2, 10_000, 'the two admitted HEADs reached their pages');
      for (const h of heads) h.req.destroy();
      await within(whenIdle(small.admission), 8_000, 'both HEAD tickets released');
      await waitFor(() => childrenNamed(process.pid, 'yt-dlp').length === 0, 8_000, 'no yt-dlp child left');
    } finally {
      await small.close();
    }
  });
});
