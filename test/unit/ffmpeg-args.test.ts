import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildFfmpegArgs, formatHeaderBlock } from '../../lib/index.js';
import { parseSelection } from '../../lib/extract/parse-info.js';
import type { MediaInput } from '../../lib/index.js';

const recorded = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const valueAfter = (args: string[], flag: string, nth = 0) => args.filter((_, i) => args[i - 1] === flag)[nth];

describe('formatHeaderBlock', () => {
  it('ends every line, the last included, with CRLF', () => {
    assert.equal(formatHeaderBlock({ 'User-Agent': 'UA/1', Cookie: 'a=1' }), 'User-Agent: UA/1\r\nCookie: a=1\r\n');
    assert.equal(formatHeaderBlock({}), '');
  });

  it('strips CR, LF and NUL so no header can be injected', () => {
    assert.equal(formatHeaderBlock({ Referer: 'https://x\r\nEvil: 1\u0000' }), 'Referer: https://xEvil: 1\r\n');
    assert.equal(formatHeaderBlock({ 'Bad\r\nName': 'v', '': 'x' }), 'BadName: v\r\n');
  });
});

describe('buildFfmpegArgs', () => {
  for (const shape of ['ytdlp-2023-dash.json', 'ytdlp-current-dash.json']) {
    it(`puts one -headers block with the cookie before each -i (${shape})`, () => {
      const args = buildFfmpegArgs(parseSelection(recorded(shape)).inputs);
      const inputs = args.map((a, i) => (a === '-i' ? i : -1)).filter((i) => i >= 0);
      assert.equal(inputs.length, 2);
      for (const at of inputs) {
        assert.equal(args[at - 2], '-headers');
        const block = args[at - 1]!;
        assert.match(block, /^User-Agent: Mozilla\/5\.0 [^\r\n]+\r\n/);
        assert.match(block, /\r\nCookie: session=0123abcd[^\r\n]*\r\n$/);
      }
    });
  }

  it('maps video from the first input and audio from the second, copies, writes fragmented MP4 to stdout', () => {
    const inputs: MediaInput[] = [
      { url: 'https://a/v', headers: {}, kind: 'video' },
      { url: 'https://a/a', headers: {}, kind: 'audio' },
    ];
    const args = buildFfmpegArgs(inputs);
    assert.ok(!args.includes('-headers'), 'no empty header block');
    assert.deepEqual(args.filter((_, i) => args[i - 1] === '-map'), ['0:v:0', '1:a:0']);
    assert.equal(valueAfter(args, '-c'), 'copy');
    assert.equal(valueAfter(args, '-f'), 'mp4');
    assert.match(valueAfter(args, '-movflags')!, /^frag_keyframe\+empty_moov/);
    assert.equal(args.at(-1), 'pipe:1');
    assert.equal(valueAfter(args, '-protocol_whitelist'), 'http,https,tcp,tls,crypto');
  });

  it('takes both tracks, if present, from a combined input, and only audio when asked', () => {
    const single: MediaInput[] = [{ url: 'https://a/av', headers: {}, kind: 'av' }];
    assert.deepEqual(buildFfmpegArgs(single).filter((_, i, a) => a[i - 1] === '-map'), ['0:v:0?', '0:a:0?']);
    assert.deepEqual(buildFfmpegArgs(single, { audioOnly: true }).filter((_, i, a) => a[i - 1] === '-map'), ['0:a:0']);
  });
});
