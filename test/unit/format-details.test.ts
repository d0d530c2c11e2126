// Per-format details yt-dlp's downloader honours: http_chunk_size, available_at
// (and the wait it asks for), and the ffmpeg-only `m3u8` protocol.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MuxError } from '../../lib/errors.js';
import { parseSelection } from '../../lib/extract/parse-info.js';
import { availabilityDelay, waitUntilAvailable } from '../../lib/wait-available.js';

const format = (extra: Record<string, unknown>) => ({ id: 'a', url: 'https://cdn.x/a.mp4', protocol: 'https', vcodec: 'h264', acodec: 'aac', ...extra });

describe('per-format fetch details', () => {
  it('reads downloader_options.http_chunk_size (YouTube: 10 MiB) and available_at', () => {
    const [input] = parseSelection(format({ downloader_options: { http_chunk_size: 10485760 }, available_at: 1796000000 })).inputs;
    assert.equal(input!.chunkSize, 10485760);
    assert.equal(input!.availableAt, 1796000000);
  });
  it('leaves them out when absent or nonsense', () => {
    for (const extra of [{}, { downloader_options: { http_chunk_size: 0 }, available_at: null }, { downloader_options: 'x', available_at: '1796000000' }]) {
      const [input] = parseSelection(format(extra)).inputs;
      assert.equal(input!.chunkSize, undefined, JSON.stringify(extra));
      assert.equal(input!.availableAt, undefined, JSON.stringify(extra));
    }
  });
  it('reads an ffmpeg-only `m3u8` format (X/Twitter Spaces shape) as HLS the relay reads, with its Referer', () => {
    const spaces = {
      id: '1OwxWwQOPlNxQ', title: 'Space', ext: 'm4a', format_id: 'hls-0', protocol: 'm3u8', container: 'm4a_dash', vcodec: 'none', acodec: 'aac',
      url: 'https://prod-fastly-us-west-1.video.pscp.tv/Transcoding/v1/hls/x/audio-space/playlist_1.m3u8?type=replay',
      http_headers: { Referer: 'https://twitter.com/', 'User-Agent': 'UA' }, live_status: 'was_live', is_live: false,
    };
    const [input] = parseSelection(spaces).inputs;
    assert.deepEqual({ protocol: input!.protocol, kind: input!.kind, headers: input!.headers }, { protocol: 'hls', kind: 'audio', headers: { Referer: 'https://twitter.com/', 'User-Agent': 'UA' } });
    // What is refused is a protocol string no single yt-dlp format carries (a merge's top-level `a+b`), in words.
    assert.throws(() => parseSelection({ ...spaces, protocol: 'm3u8+https' }), (e: unknown) => e instanceof MuxError && e.code === 'UNSUPPORTED_URL');
  });
});

describe('available_at', () => {
  const now = 1_796_000_000_000;
  it('waits until the latest input\'s moment, not at all for one in the past or none', () => {
    assert.equal(availabilityDelay([{ availableAt: now / 1000 + 1.5 }, { availableAt: now / 1000 + 0.5 }], now, 120_000), 1500);
    assert.equal(availabilityDelay([{ availableAt: now / 1000 - 60 }, {}], now, 120_000), 0);
    assert.equal(availabilityDelay([], now, 120_000), 0);
  });
  it('fails at once, in words, when the moment is further off than the bound', () => {
    assert.throws(() => availabilityDelay([{ availableAt: now / 1000 + 3600 }], now, 120_000), (e: unknown) =>
      e instanceof MuxError && e.code === 'TIMEOUT' && /available in 60 min .*waits at most 120 s/.test(e.message));
  });
  it('ends the wait when the caller aborts', async () => {
    const controller = new AbortController();
    const waiting = waitUntilAvailable([{ availableAt: Date.now() / 1000 + 60 }], 120_000, controller.signal);
    controller.abort(new MuxError('ABORTED', 'client gone'));
    await assert.rejects(waiting, (e: unknown) => e instanceof MuxError && e.message === 'client gone');
  });
});
