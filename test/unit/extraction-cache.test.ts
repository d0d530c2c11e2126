import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExtractionCache } from '../../lib/http/extraction-cache.js';
import { MuxError } from '../../lib/errors.js';
import type { Selection } from '../../lib/index.js';

const selection = (url: string): Selection => ({
  info: { id: url, title: url, duration: 1, thumbnail: null, uploader: null, webpageUrl: url, filename: 'x.mp4', estimatedSize: null },
  inputs: [{ url, headers: {}, kind: 'av' }],
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
});
