import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readBody, readJson, startPassmux, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';

describe('both gates under load', () => {
  let site: FixtureSite;
  let passmux: TestServer;
  let dir: string;
  before(async () => {
    // ~1 s per download, so all eight requests overlap.
    site = await startFixtureSite({ throttle: 1_000_000 });
    passmux = await startPassmux({ retryAfterSeconds: 7 }, { maxConnections: 6, maxActive: 3 });
    dir = await mkdtemp(join(tmpdir(), 'passmux-gates-'));
  });
  after(async () => {
    await Promise.all([site.close(), passmux.close(), rm(dir, { recursive: true, force: true })]);
  });

  it('8 concurrent downloads at 6 connections / 3 workers: two 503s, never more than 3 ffmpeg, six complete MP4s', async () => {
    let peakFfmpeg = 0;
    let peakWaiting = 0;
    const sample = () => { peakFfmpeg = Math.max(peakFfmpeg, childrenNamed(process.pid, 'ffmpeg').length); };
    site.events.on('media', sample);
    const off = passmux.admission.onChange((counts) => { peakWaiting = Math.max(peakWaiting, counts.waiting); sample(); });

    const url = `${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl('h264'))}`;
    const results = await Promise.all(Array.from({ length: 8 }, async () => {
      const res = await get(url);
      return { status: res.statusCode, retryAfter: res.headers['retry-after'], body: await readBody(res) };
    }));
    off();
    site.events.off('media', sample);

    const busy = results.filter((r) => r.status === 503);
    assert.equal(busy.length, 2);
    for (const r of busy) {
      assert.equal(r.retryAfter, '7');
      assert.equal(JSON.parse(r.body.toString()).error.code, 'BUSY');
    }
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 6);
    assert.equal(peakFfmpeg, 3, 'three ffmpeg ran at once, never more');
    assert.ok(peakWaiting >= 1, 'some downloads queued for a worker');
    await Promise.all(ok.map(async (r, i) => {
      const out = join(dir, `${i}.mp4`);
      await writeFile(out, r.body);
      assert.deepEqual((await probeFile(out)).streams.map((s) => s.type), ['video', 'audio']);
    }));
    assert.equal(passmux.handler.metrics.downloads('rejected_busy'), 2);
    assert.deepEqual(await readJson(await get(`${passmux.origin}/healthz`)), { ok: true, open: 0, active: 0, waiting: 0 });
  });
});
