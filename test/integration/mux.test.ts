import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { AdmissionController, createMuxStream, extractInfo, extractSelection, MuxError } from '../../lib/internal.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { CLIP_SECONDS } from '../helpers/media.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed, isAlive } from '../helpers/processes.js';

process.env.PASSMUX_ALLOW_PRIVATE_NETWORKS = '1';

describe('createMuxStream against the local fixture site', () => {
  let site: FixtureSite;
  let dir: string;
  before(async () => {
    site = await startFixtureSite();
    dir = await mkdtemp(join(tmpdir(), 'passmux-mux-'));
  });
  after(async () => {
    await site.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function download(id: string, options = {}) {
    const stream = await createMuxStream(site.pageUrl(id), options);
    const out = join(dir, `${id}-${Date.now()}.mp4`);
    await pipeline(stream, createWriteStream(out));
    return { stream, probe: await probeFile(out) };
  }

  it('extractInfo gives the light metadata of a page', async () => {
    const info = await extractInfo(site.pageUrl('vp9'));
    assert.ok(info.type === 'video');
    assert.deepEqual({ ...info, estimatedSize: typeof info.estimatedSize }, {
      type: 'video', id: 'vp9', title: 'VP9 clip', duration: CLIP_SECONDS, thumbnail: `${site.origin}/thumb/vp9.jpg`, uploader: 'Fixture Uploader',
      webpageUrl: site.pageUrl('vp9'), filename: 'VP9 clip.mp4', estimatedSize: 'number', codecs: ['vp9'], heights: [240],
    });
  });

  for (const [id, codecs] of [['h264', ['h264', 'aac']], ['vp9', ['vp9', 'opus']]] as const) {
    it(`remuxes ${codecs.join('+')} separate streams into one MP4 with both tracks`, async () => {
      const forbiddenBefore = site.stats.forbidden;
      const { stream, probe } = await download(id);
      assert.deepEqual(probe.streams, [{ type: 'video', codec: codecs[0] }, { type: 'audio', codec: codecs[1] }]);
      assert.ok(Math.abs(probe.duration - CLIP_SECONDS) <= 0.5, `duration ${probe.duration}`);
      assert.equal(site.stats.forbidden, forbiddenBefore, 'the fixture refused no media request');
      assert.equal(stream.info.title, id === 'h264' ? 'H264 clip' : 'VP9 clip');
      assert.equal(stream.info.mimeType, 'video/mp4');
      assert.ok(stream.pid && !isAlive(stream.pid), 'ffmpeg has exited');
    });
  }

  it('passes cookies from the current yt-dlp shape (cookies field) through to the CDN', async () => {
    const ytdlp = new URL('../helpers/ytdlp-current-shape.mjs', import.meta.url).pathname;
    const forbiddenBefore = site.stats.forbidden;
    const { probe } = await download('h264', { ytdlp });
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.equal(site.stats.forbidden, forbiddenBefore);
  });

  it('is refused by the strict CDN without the cookie, proving headers matter', async () => {
    const selection = await extractSelection(site.pageUrl('h264'));
    assert.ok(selection.inputs.every((input) => input.cookies?.length), 'yt-dlp reported a cookie');
    const media = await fetch(selection.inputs[0]!.url, { headers: { 'user-agent': selection.inputs[0]!.headers['User-Agent']! } });
    assert.equal(media.status, 403);
    const stripped = { ...selection, inputs: selection.inputs.map(({ cookies: _c, ...input }) => input) };
    const noRefresh = () => Promise.reject(new Error('no re-extraction in this test'));
    const stream = await createMuxStream(site.pageUrl('h264'), { selection: stripped, refresh: noRefresh });
    await assert.rejects(pipeline(stream, createWriteStream(join(dir, 'refused.mp4'))), (error: unknown) =>
      error instanceof MuxError && error.code === 'UPSTREAM_FORBIDDEN');
  });

  it('re-extracts once when the media server refuses the URL, and completes', async () => {
    const selection = await extractSelection(site.pageUrl('h264'));
    const stale = { ...selection, inputs: selection.inputs.map((input) => ({ ...input, cookies: input.cookies!.map((c) => ({ ...c, value: 'expired' })) })) };
    const pagesBefore = site.stats.pages;
    const stream = await createMuxStream(site.pageUrl('h264'), { selection: stale });
    const out = join(dir, 'refreshed.mp4');
    await pipeline(stream, createWriteStream(out));
    assert.equal(site.stats.pages, pagesBefore + 1, 'one fresh extraction');
    assert.deepEqual((await probeFile(out)).streams.map((s) => s.type), ['video', 'audio']);
  });

  it('remuxes a single file whose index (moov) is at the end', async () => {
    const { probe } = await download('single');
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.ok(Math.abs(probe.duration - CLIP_SECONDS) <= 0.5, `duration ${probe.duration}`);
  });

  it('gives audio only when asked', async () => {
    const { stream, probe } = await download('h264', { audioOnly: true });
    assert.deepEqual(probe.streams, [{ type: 'audio', codec: 'aac' }]);
    assert.equal(stream.info.mimeType, 'audio/mp4');
    assert.match(stream.info.filename, /\.m4a$/);
  });

  it('maps a removed video to NOT_FOUND', async () => {
    await assert.rejects(createMuxStream(site.pageUrl('gone')), (error: unknown) =>
      error instanceof MuxError && error.code === 'NOT_FOUND');
  });

  it('refuses bad URLs with INVALID_URL before starting any process', async () => {
    const spawned = () => childrenNamed(process.pid, 'yt-dlp').length + childrenNamed(process.pid, 'ffmpeg').length;
    const saved = process.env.PASSMUX_ALLOW_PRIVATE_NETWORKS;
    delete process.env.PASSMUX_ALLOW_PRIVATE_NETWORKS;
    try {
      for (const bad of ['ftp://example.com/video', 'file:///etc/passwd', 'http://127.0.0.1/', '--exec=touch x', '-http://x']) {
        await assert.rejects(createMuxStream(bad, { ytdlp: '/nonexistent/yt-dlp' }), (error: unknown) =>
          error instanceof MuxError && error.code === 'INVALID_URL', bad);
      }
      assert.equal(spawned(), 0);
    } finally {
      process.env.PASSMUX_ALLOW_PRIVATE_NETWORKS = saved;
    }
  });

  it('kills ffmpeg and frees the slot when the stream is destroyed after the first chunk', async () => {
    const admission = new AdmissionController({ maxConnections: 2, maxActive: 1 });
    const ticket = admission.tryAdmit();
    const stream = await createMuxStream(site.pageUrl('h264'), { admission: ticket });
    assert.equal(admission.active, 1);
    const pid = stream.pid!;
    assert.ok(isAlive(pid));
    await once(stream, 'readable');
    assert.ok(stream.read() !== null, 'got a first chunk');
    stream.destroy();
    await once(stream, 'close');
    assert.equal(isAlive(pid), false, 'ffmpeg is gone once the stream closed');
    assert.deepEqual(admission.counts, { open: 0, active: 0, waiting: 0 });
  });

  it('lets a queued waiter leave when its signal aborts, without leaking its place', async () => {
    const admission = new AdmissionController({ maxConnections: 3, maxActive: 1 });
    const first = admission.tryAdmit();
    const stream = await createMuxStream(site.pageUrl('h264'), { admission: first });
    const waiter = admission.tryAdmit();
    const controller = new AbortController();
    const pending = createMuxStream(site.pageUrl('h264'), { admission: waiter, signal: controller.signal });
    await new Promise<void>((resolve) => {
      const off = admission.onChange((counts) => { if (counts.waiting === 1) { off(); resolve(); } });
    });
    controller.abort();
    await assert.rejects(pending, (error: unknown) => error instanceof MuxError && error.code === 'ABORTED');
    assert.deepEqual(admission.counts, { open: 1, active: 1, waiting: 0 });
    stream.destroy();
    await once(stream, 'close');
    assert.deepEqual(admission.counts, { open: 0, active: 0, waiting: 0 });
  });

  it('names the missing program when yt-dlp or ffmpeg cannot be started', async () => {
    await assert.rejects(createMuxStream(site.pageUrl('h264'), { ytdlp: '/nonexistent/yt-dlp' }), (error: unknown) =>
      error instanceof MuxError && error.code === 'EXTRACT_FAILED' && /yt-dlp could not be started.*PASSMUX_YTDLP/.test(error.message));
    const admission = new AdmissionController();
    await assert.rejects(createMuxStream(site.pageUrl('h264'), { ffmpeg: '/nonexistent/ffmpeg', admission: admission.tryAdmit() }), (error: unknown) =>
      error instanceof MuxError && error.code === 'MUX_FAILED' && /PASSMUX_FFMPEG/.test(error.message));
    assert.deepEqual(admission.counts, { open: 0, active: 0, waiting: 0 }, 'the ticket was released');
  });

  it('fails with MUX_FAILED, not a clean end, when ffmpeg exits non-zero', async () => {
    const stream = await createMuxStream(site.pageUrl('h264'), { ffmpeg: 'false' });
    await assert.rejects(pipeline(stream, createWriteStream(join(dir, 'fail.mp4'))), (error: unknown) =>
      error instanceof MuxError && error.code === 'MUX_FAILED' && /exit 1/.test(error.message));
  });
});
