// Per-format details yt-dlp's downloader honours: http_chunk_size.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSelection } from '../../lib/extract/parse-info.js';

const format = (extra: Record<string, unknown>) => ({ id: 'a', url: 'https://cdn.x/a.mp4', protocol: 'https', vcodec: 'h264', acodec: 'aac', ...extra });

describe('per-format fetch details', () => {
  it('reads downloader_options.http_chunk_size (YouTube: 10 MiB)', () => {
    const [input] = parseSelection(format({ downloader_options: { http_chunk_size: 10485760 } })).inputs;
    assert.equal(input!.chunkSize, 10485760);
  });
  it('leaves them out when absent or nonsense', () => {
    for (const extra of [{}, { downloader_options: { http_chunk_size: 0 } }, { downloader_options: 'x' }]) {
      const [input] = parseSelection(format(extra)).inputs;
      assert.equal(input!.chunkSize, undefined, JSON.stringify(extra));
    }
  });
});
