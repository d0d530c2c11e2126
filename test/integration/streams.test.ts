// Every stream shape real sites serve, through the default relay and /download:
// HLS (master + audio group, fMP4 on a CDN with tokens, AES-128, byte ranges,
// muxed), segmented DASH (SegmentTemplate + Timeline, SegmentList with ../),
// against the strict stream fixture. Each output has both tracks, the source's
// packet counts and duration, and decodes without an error; live and DRM are
// refused in words; a cut segment is resumed; a missing one fails the download.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { get, readBody, readJson, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { childrenNamed } from '../helpers/processes.js';
import { ensureStreamSet, STREAM_SECONDS } from '../helpers/stream-media.js';
import { startStreamSite, type StreamShape, type StreamSite, type StreamSiteOptions } from '../helpers/stream-site.js';

const run = promisify(execFile);
const currentShape = fileURLToPath(new URL('../helpers/ytdlp-current-shape.mjs', import.meta.url));

interface Counted { types: string[]; packets: Record<string, number>; duration: number }

/** Streams and packet counts (read, not declared) of a file or a local playlist. */
async function countPackets(path: string): Promise<Counted> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries',
    'format=duration:stream=codec_type,nb_read_packets', '-of', 'json', path]);
  const json = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string; nb_read_packets: string }> };
  return {
    types: json.streams.map((s) => s.codec_type),
    packets: Object.fromEntries(json.streams.map((s) => [s.codec_type, Number(s.nb_read_packets)])),
    duration: Number(json.format.duration),
  };
}

/** Errors a full decode reports (empty: clean). */
async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-']);
  return stderr.trim();
}

describe('stream shapes through the relay', () => {
  let dir: string;
  let source: Counted;
  const sites: StreamSite[] = [];
  const servers: TestServer[] = [];
  const site = async (options: StreamSiteOptions = {}) => {
    const started = await startStreamSite(options);
    sites.push(started);
    return started;
  };
  const server = async (config: Parameters<typeof startPassmux>[0] = {}) => {
    const started = await startPassmux(config);
    servers.push(started);
    return started;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passmux-streams-'));
    // The source every set was cut from, counted straight from a local media playlist.
    source = await countPackets(join(await ensureStreamSet('hls-muxed'), 'index.m3u8'));
    assert.deepEqual(source.types, ['video', 'audio']);
  });

  after(async () => {
    await Promise.all([...servers.map((s) => s.close()), ...sites.map((s) => s.close())]);
    await rm(dir, { recursive: true, force: true });
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length + childrenNamed(process.pid, 'yt-dlp').length, 0, 'nothing left running');
  });

  /** Downloads a shape through /download and checks the file against the source. */
  async function expectComplete(passmux: TestServer, streams: StreamSite, shape: StreamShape): Promise<void> {
    const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(streams.pageUrl(shape))}`);
    const body = await readBody(res);
    assert.equal(res.statusCode, 200, `${shape}: ${body.toString('utf8', 0, 300)}`);
    // A fragmented source's length is not known before the end: chunked, no ranges, a guess for progress.
    assert.equal(res.headers['content-length'], undefined, shape);
    assert.equal(res.headers['accept-ranges'], 'none', shape);
    assert.equal(res.headers.etag, undefined, shape);
    const out = join(dir, `${shape}-${servers.indexOf(passmux)}.mp4`);
    await writeFile(out, body);
    const got = await countPackets(out);
    assert.deepEqual(got.types, ['video', 'audio'], shape);
    assert.deepEqual(got.packets, source.packets, `${shape}: every frame and audio packet of the source`);
    assert.ok(Math.abs(got.duration - STREAM_SECONDS) <= 0.5, `${shape}: duration ${got.duration}`);
    assert.equal(await decodeErrors(out), '', `${shape}: decodes cleanly`);
    await whenIdle(passmux.admission);
  }

  const SHAPES: StreamShape[] = ['hls-master', 'hls-fmp4-cdn', 'hls-aes', 'hls-byterange', 'hls-muxed', 'dash-timeline', 'dash-list'];

  it('downloads every HLS and DASH shape complete, with the Debian yt-dlp', async () => {
    const streams = await site();
    const passmux = await server();
    await Promise.all(SHAPES.map((shape) => expectComplete(passmux, streams, shape)));
    assert.equal(streams.stats.forbidden, 0, 'every request carried the cookie (or token) and User-Agent');
    assert.ok(streams.stats.cdnSegments > 0, 'the fMP4 segments came from the second origin');
    assert.ok(streams.stats.keys >= 1 && streams.stats.keys <= 2, `each AES key fetched once per download (${streams.stats.keys})`);
  });

  it('downloads them with the current yt-dlp JSON shape (cookies field) too', async () => {
    const streams = await site();
    const passmux = await server({ ytdlp: currentShape });
    await Promise.all((['hls-master', 'hls-aes', 'dash-list'] as const).map((shape) => expectComplete(passmux, streams, shape)));
    assert.equal(streams.stats.forbidden, 0);
  });

  it('resumes a segment whose connection is cut mid-way, and completes with every packet', async () => {
    const streams = await site({ cutOnce: { segment: 'stream_0_002.ts', afterBytes: 20_000 } });
    await expectComplete(await server(), streams, 'hls-master');
    const tries = streams.requests.filter((r) => r.path.endsWith('stream_0_002.ts'));
    assert.ok(tries.length >= 2, 'the cut segment was asked for again');
    assert.ok(tries.slice(1).some((r) => r.range?.startsWith('bytes=20000-')), `resumed from the byte where it stopped: ${JSON.stringify(tries)}`);
  });

  it('re-extracts once when the session expires mid-download, and completes at the same fragment', async () => {
    const streams = await site({ expireFirstSessionAfter: 3 });
    await expectComplete(await server(), streams, 'dash-timeline');
    assert.ok(streams.stats.forbidden >= 1, 'the old session was refused');
    assert.equal(streams.stats.pages, 2, 'exactly one re-extraction');
  });

  it('fails the download when a segment stays missing: an aborted transfer, never a short file', async () => {
    const streams = await site({ missing: 'stream_0_003.ts' });
    const passmux = await server();
    const logged = passmux.nextLogs();
    const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(streams.pageUrl('hls-master'))}`);
    if (res.statusCode === 200) {
      await assert.rejects(readBody(res), 'the transfer is cut, not ended');
    } else {
      assert.equal(res.statusCode, 404);
      assert.equal((await readJson(res)).error.code, 'NOT_FOUND');
    }
    const [entry] = await logged;
    assert.equal(entry!.outcome, 'failed');
    await whenIdle(passmux.admission);
  });

  for (const [shape, code] of [['hls-live', 'LIVE_NOT_SUPPORTED'], ['hls-sample-aes', 'DRM_PROTECTED']] as const) {
    it(`refuses ${shape} with ${code} in words, before ffmpeg starts`, async () => {
      const streams = await site();
      const passmux = await server();
      const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(streams.pageUrl(shape))}`);
      const body = await readJson(res);
      assert.equal(res.statusCode, 422, JSON.stringify(body));
      assert.equal(body.error.code, code);
      assert.match(body.error.message, code === 'DRM_PROTECTED' ? /DRM/ : /live/);
      assert.equal(streams.stats.segments, 0, 'no segment was fetched');
      assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
      await whenIdle(passmux.admission);
    });
  }
});
