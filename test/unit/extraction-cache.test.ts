import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExtractionCache } from '../../lib/http/extraction-cache.js';
import { MuxError } from '../../lib/errors.js';
import type { Selection } from '../../lib/internal.js';

const selection = (url: string): Selection => ({
  info: { id: url, title: url, duration: 1, thumbnail: null, uploader: null, webpageUrl: url, filename: 'x.mp4', estimatedSize: null, codecs: [], heights: [] },
  inputs: [{ url, headers: {}, kind: 'av', protocol: 'http' }],
});

/** An extract function whose runs finish only when the test says so. */
function controlledExtract() {
  const runs: Array<{ url: string; signal: AbortSignal; finish: () => void; fail: (e: Error) => void }> = [];
  const extract = (url: string, _choice: object, signal: AbortSignal) => new Promise<Selection>((resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason));
    runs.push({ url, signal, finish: () => resolve(selection(url)), fail: reject });
  });
  return { runs, extract };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ExtractionCache', () => {
  it('shares one run among identical requests and answers later ones from the cache', async () => {
    const { runs, extract } = controlledExtract();
    const cache = new ExtractionCache({ extract });
    const requests = [cache.get('u', {}), cache.get('u', {}), cache.get('u', {})];
    await tick();
    assert.equal(runs.length, 1);
    runs[0]!.finish();
    const results = await Promise.all(requests);
    assert.ok(results.every((r) => r === results[0]));
    assert.equal(await cache.get('u', {}), results[0]);
    assert.deepEqual([cache.hits, cache.misses], [3, 1]);
    cache.get('u', { audioOnly: true }).catch(() => {});
    await tick();
    assert.equal(runs.length, 2, 'another format choice is another extraction');
  });

  it('runs at most maxConcurrent extractions at once', async () => {
    const { runs, extract } = controlledExtract();
    const cache = new ExtractionCache({ extract, maxConcurrent: 2 });
    const all = ['a', 'b', 'c', 'd'].map((u) => cache.get(u, {}));
    await tick();
    assert.deepEqual(runs.map((r) => r.url), ['a', 'b']);
    runs[0]!.finish();
    await tick();
    assert.deepEqual(runs.map((r) => r.url), ['a', 'b', 'c']);
    for (const run of runs.slice(1)) run.finish();
    await tick();
    runs[3]!.finish();
    assert.equal((await Promise.all(all)).length, 4);
    assert.equal(cache.running, 0);
  });

  it('stops the run when every waiter has left, but not while one remains', async () => {
    const { runs, extract } = controlledExtract();
    const cache = new ExtractionCache({ extract });
    const first = new AbortController();
    const second = new AbortController();
    const a = cache.get('u', {}, first.signal);
    const b = cache.get('u', {}, second.signal);
    await tick();
    first.abort();
    await assert.rejects(a, (e: unknown) => e instanceof MuxError && e.code === 'ABORTED');
    assert.equal(runs[0]!.signal.aborted, false);
    second.abort();
    await assert.rejects(b);
    assert.equal(runs[0]!.signal.aborted, true);
  });

  it('does not keep failures, and forgets on invalidate or after the TTL', async () => {
    const { runs, extract } = controlledExtract();
    const cache = new ExtractionCache({ extract, ttlMs: 0 });
    const failing = cache.get('u', {});
    await tick();
    runs[0]!.fail(new MuxError('NOT_FOUND', 'gone'));
    await assert.rejects(failing);
    const again = cache.get('u', {});
    await tick();
    assert.equal(runs.length, 2);
    runs[1]!.finish();
    await again;
    cache.get('u', {}).catch(() => {});
    await tick();
    assert.equal(runs.length, 3, 'a TTL of 0 keeps nothing');
  });
  it('refuses a new page with BUSY when the queue is full, and adds nothing', async () => {
    const { runs, extract } = controlledExtract();
    const cache = new ExtractionCache({ extract, maxConcurrent: 1, maxQueued: 1 });
    const a = cache.get('a', {});
    const b = cache.get('b', {});
    await assert.rejects(cache.get('c', {}), (e: unknown) => e instanceof MuxError && e.code === 'BUSY');
    await tick();
    assert.deepEqual(runs.map((r) => r.url), ['a']);
    assert.deepEqual([cache.running, cache.queued, cache.misses], [1, 1, 2], 'the refusal is neither queued nor counted');
    runs[0]!.finish();
    await a;
    await tick();
    runs[1]!.finish();
    await b;
    const c = cache.get('c', {});
    await tick();
    assert.deepEqual(runs.map((r) => r.url), ['a', 'b', 'c'], 'the refused page left no entry behind: it runs afresh');
    runs[2]!.finish();
    await c;
  });

  it('with maxQueued 0 refuses any new page that would wait, but never one that can run', async () => {
    const { runs, extract } = controlledExtract();
    const cache = new ExtractionCache({ extract, maxConcurrent: 2, maxQueued: 0 });
    const running = [cache.get('a', {}), cache.get('b', {})];
    await assert.rejects(cache.get('c', {}), (e: unknown) => e instanceof MuxError && e.code === 'BUSY');
    await tick();
    assert.equal(runs.length, 2);
    for (const run of runs) run.finish();
    await Promise.all(running);
  });

  it('never refuses a request that joins an in-flight or cached extraction', async () => {
    const { runs, extract } = controlledExtract();
    const cache = new ExtractionCache({ extract, maxConcurrent: 1, maxQueued: 1 });
    const first = [cache.get('a', {}), cache.get('b', {})];
    await tick();
    assert.equal(cache.queued, 1);
    // Both the running and the queued page take joiners while the queue is full.
    const joiners = [cache.get('a', {}), cache.get('b', {}), cache.get('a', {})];
    assert.equal(cache.hits, 3);
    runs[0]!.finish();
    await tick();
    runs[1]!.finish();
    const [a, b] = await Promise.all(first);
    assert.deepEqual(await Promise.all(joiners), [a, b, a]);
    // Queue full again: the cached result is still served.
    const held = [cache.get('c', {}), cache.get('d', {})];
    assert.equal(await cache.get('a', {}), a);
    await tick();
    for (const run of runs.slice(2)) run.finish();
    await tick();
    for (const run of runs.slice(2)) run.finish();
    await Promise.all(held);
    assert.equal(runs.length, 4);
  });

  it('keeps in-flight extractions past maxEntries and drops the oldest finished ones', async () => {
    const { runs, extract } = controlledExtract();
    const cache = new ExtractionCache({ extract, maxConcurrent: 10, maxEntries: 2 });
    const inFlight = ['a', 'b', 'c'].map((u) => cache.get(u, {}));
    await tick();
    // Over the limit, but all three are running: joining each starts nothing new.
    const joined = ['a', 'b', 'c'].map((u) => cache.get(u, {}));
    await tick();
    assert.equal(runs.length, 3);
    for (const run of runs) run.finish();
    await Promise.all([...inFlight, ...joined]);
    const d = cache.get('d', {});
    await tick();
    runs[3]!.finish();
    await d;
    // 'd' pushed the map to four: the two oldest finished results ('a', 'b') went.
    await Promise.all(['c', 'd'].map((u) => cache.get(u, {})));
    assert.equal(runs.length, 4, "'c' and 'd' are still cached");
    cache.get('a', {}).catch(() => {});
    await tick();
    assert.equal(runs.length, 5, "'a' was dropped");
  });

  it('counts queued runs, and a queued run whose waiters all left frees its place at once', async () => {
    const { runs, extract } = controlledExtract();
    const cache = new ExtractionCache({ extract, maxConcurrent: 1, maxQueued: 1 });
    const a = cache.get('a', {});
    const leaving = new AbortController();
    const b = cache.get('b', {}, leaving.signal);
    assert.deepEqual([cache.running, cache.queued], [1, 1]);
    leaving.abort();
    assert.equal(cache.queued, 0, 'left the queue synchronously');
    await assert.rejects(b, (e: unknown) => e instanceof MuxError && e.code === 'ABORTED');
    // Its place is free for another page, and 'b' itself starts afresh rather than joining the dead run.
    const again = cache.get('b', {});
    assert.equal(cache.queued, 1);
    await assert.rejects(cache.get('c', {}), (e: unknown) => e instanceof MuxError && e.code === 'BUSY');
    runs[0]!.finish();
    await a;
    await tick();
    assert.deepEqual(runs.map((r) => r.url), ['a', 'b'], 'the aborted queued run never called extract');
    assert.deepEqual([cache.running, cache.queued], [1, 0]);
    runs[1]!.finish();
    await again;
    assert.equal(cache.running, 0);
  });
});
