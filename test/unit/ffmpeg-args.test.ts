import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildFfmpegArgs, CONTAINER_FORMATS } from '../../lib/internal.js';
import { parseSelection } from '../../lib/extract/parse-info.js';
import type { MediaInput } from '../../lib/internal.js';

const recorded = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const valueAfter = (args: string[], flag: string, nth = 0) => args.filter((_, i) => args[i - 1] === flag)[nth];

describe('buildFfmpegArgs', () => {
  for (const shape of ['ytdlp-2023-dash.json', 'ytdlp-current-dash.json']) {
    it(`gives ffmpeg loopback URLs only: no header, no cookie, only containers over plain HTTP (${shape})`, () => {
      const inputs = parseSelection(recorded(shape)).inputs.map((input, i) => ({ kind: input.kind, url: `http://127.0.0.1:9/token${i}` }));
      const args = buildFfmpegArgs(inputs);
      assert.ok(!args.includes('-headers') && !args.some((arg) => /cookie|session=/i.test(arg)));
      const at = args.map((a, i) => (a === '-i' ? i : -1)).filter((i) => i >= 0);
      assert.equal(at.length, 2);
      for (const i of at) {
        assert.deepEqual(args.slice(i - 6, i), ['-protocol_whitelist', 'http,tcp', '-format_whitelist', CONTAINER_FORMATS, '-thread_queue_size', '512']);
      }
      for (const demuxer of ['hls', 'dash', 'concat', 'image2', 'ffconcat', 'tee', 'lavfi']) {
        assert.ok(!CONTAINER_FORMATS.split(',').includes(demuxer), `${demuxer} may open further addresses`);
      }
    });
  }

  it('maps video from the first input and audio from the second, copies, writes fragmented MP4 to stdout', () => {
    const inputs: MediaInput[] = [
      { url: 'https://a/v', headers: {}, kind: 'video', protocol: 'http' },
      { url: 'https://a/a', headers: {}, kind: 'audio', protocol: 'http' },
    ];
    const args = buildFfmpegArgs(inputs);
    assert.deepEqual(args.filter((_, i) => args[i - 1] === '-map'), ['0:V:0', '1:a:0']);
    assert.equal(valueAfter(args, '-c'), 'copy');
    assert.equal(valueAfter(args, '-f'), 'mp4');
    assert.match(valueAfter(args, '-movflags')!, /^frag_keyframe\+empty_moov/);
    assert.equal(args.at(-1), 'pipe:1');
    assert.equal(valueAfter(args, '-protocol_whitelist'), 'http,tcp');
  });

  it('takes both tracks, if present, from a combined input, and only audio when asked', () => {
    const single: MediaInput[] = [{ url: 'https://a/av', headers: {}, kind: 'av', protocol: 'http' }];
    assert.deepEqual(buildFfmpegArgs(single).filter((_, i, a) => a[i - 1] === '-map'), ['0:V:0?', '0:a:0?']);
    assert.deepEqual(buildFfmpegArgs(single, { audioOnly: true }).filter((_, i, a) => a[i - 1] === '-map'), ['0:a:0']);
  });
});
