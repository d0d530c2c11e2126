// The probe cache: one index read per input object, bounded by what its tables weigh.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProbeCache, probeBytes } from '../../lib/http/probe-cache.js';
import type { InputProbe } from '../../lib/length/probe-input.js';
import type { MediaInput } from '../../lib/types.js';

const input = (url: string): MediaInput => ({ url, headers: {}, kind: 'video', protocol: 'http' });
const tabled = (samples: number): InputProbe => ({
  size: 1000,
  tables: [{ kind: 'video', blankable: true, offsets: new Float64Array(samples), sizes: new Uint32Array(samples), dts: new Float64Array(samples), editStart: 0 }],
});

describe('ProbeCache', () => {
  it('probes each input once, whatever asks (with tables or not), until its TTL', async () => {
    const asked: string[] = [];
    const cache = new ProbeCache({ ttlMs: 60_000, probe: async (i) => (asked.push(i.url), tabled(10)) });
    const a = input('http://a/');
    const results = await Promise.all([cache.prober(a), cache.prober(a, true), cache.prober(a, true, new AbortController().signal)]);
    assert.equal(results[0], results[2]);
    await cache.prober(input('http://a/'));
    assert.deepEqual(asked, ['http://a/', 'http://a/'], 'another extraction’s input object is probed afresh');
    assert.equal(cache.hits, 2);
    assert.equal(cache.bytes, 2 * probeBytes(tabled(10)));
  });

  it('drops the oldest read entries past its byte bound; an aborted caller leaves without stopping the probe', async () => {
    const cache = new ProbeCache({ ttlMs: 60_000, maxBytes: probeBytes(tabled(1000)) * 2, probe: async () => tabled(1000) });
    const inputs = [input('http://1/'), input('http://2/'), input('http://3/')];
    for (const i of inputs) await cache.prober(i);
    assert.ok(cache.bytes <= probeBytes(tabled(1000)) * 2);
    await cache.prober(inputs[0]!);
    assert.equal(cache.misses, 4, 'the oldest was dropped and read again');
    const controller = new AbortController();
    let release!: (probe: InputProbe) => void;
    const slow = new ProbeCache({ ttlMs: 60_000, probe: () => new Promise((resolve) => { release = resolve; }) });
    const left = slow.prober(inputs[1]!, true, controller.signal);
    controller.abort();
    await assert.rejects(left);
    const still = slow.prober(inputs[1]!);
    release(tabled(1));
    assert.equal((await still).size, 1000);
    assert.equal(slow.misses, 1);
  });
});
