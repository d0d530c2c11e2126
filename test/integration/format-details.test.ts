// Per-format details yt-dlp's own downloader honours, with the real yt-dlp
// underneath (test/helpers/ytdlp-format-details.mjs adds them to its JSON):
// no range larger than http_chunk_size.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { CLIP_SECONDS } from '../helpers/media.js';
import { get, readBody, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';

const formatDetails = fileURLToPath(new URL('../helpers/ytdlp-format-details.mjs', import.meta.url));
const CHUNK = 64 * 1024;

describe('per-format details from yt-dlp', () => {
  let dir: string;
  let site: FixtureSite;
  let passmux: TestServer;
  const page = (id: string, query: Record<string, string>) => `${site.pageUrl(id)}?${new URLSearchParams(query)}`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passmux-format-details-'));
    site = await startFixtureSite();
    passmux = await startPassmux({ ytdlp: formatDetails });
  });

  after(async () => {
    await passmux.close();
    await site.close();
    await rm(dir, { recursive: true, force: true });
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length + childrenNamed(process.pid, 'yt-dlp').length, 0, 'nothing left running');
  });

  /** GETs /download for `url`, checks the file has both tracks and the clip's length. */
  async function download(url: string, seconds: number): Promise<void> {
    const res = await get(`${passmux.origin}/download?url=${encodeURIComponent(url)}`);
    const body = await readBody(res);
    assert.equal(res.statusCode, 200, body.toString('utf8', 0, 300));
    const out = join(dir, `out-${Date.now()}.mp4`);
    await writeFile(out, body);
    const probe = await probeFile(out);
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.ok(Math.abs(probe.duration - seconds) <= 0.5, `duration ${probe.duration}`);
    await whenIdle(passmux.admission);
  }

  it('never asks the media server for a range larger than http_chunk_size (probe and relay alike)', async (t) => {
    const ranges: string[] = [];
    const onMedia = (_name: string, range: string | undefined) => ranges.push(range ?? 'none');
    site.events.on('media', onMedia);
    try {
      await download(page('h264', { http_chunk_size: String(CHUNK) }), CLIP_SECONDS);
    } finally {
      site.events.off('media', onMedia);
    }
    t.diagnostic(`${ranges.length} media requests`);
    // The H.264 file alone is several times the chunk: the relay really split it.
    assert.ok(ranges.length >= 10, `${ranges.length} media requests`);
    for (const range of ranges) {
      const match = /^bytes=(\d+)-(\d+)$/.exec(range);
      assert.ok(match, `a closed range, not ${range}`);
      assert.ok(Number(match[2]) - Number(match[1]) + 1 <= CHUNK, `${range} is at most ${CHUNK} bytes`);
    }
  });
});
