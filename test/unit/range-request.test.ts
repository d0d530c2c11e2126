// Range, If-Range, the byte window of a 206, the ETag and the padding box:
// the pure parts of exact-length downloads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteWindow } from '../../lib/http/byte-window.js';
import { outputEtag, type EtagParts } from '../../lib/http/etag.js';
import { answerRange } from '../../lib/http/range-request.js';
import { freeBox } from '../../lib/media/free-box.js';

const TAG = '"pm1-abc"';

describe('answerRange', () => {
  it('serves bytes=N-, N-M and -K as one 206 range, clipped to the length', () => {
    assert.deepEqual(answerRange('bytes=10-', undefined, TAG, 100), { status: 206, start: 10, end: 99 });
    assert.deepEqual(answerRange('bytes=10-19', undefined, TAG, 100), { status: 206, start: 10, end: 19 });
    assert.deepEqual(answerRange('bytes=90-500', undefined, TAG, 100), { status: 206, start: 90, end: 99 });
    assert.deepEqual(answerRange('bytes=-30', undefined, TAG, 100), { status: 206, start: 70, end: 99 });
    assert.deepEqual(answerRange('bytes=-300', undefined, TAG, 100), { status: 206, start: 0, end: 99 });
    assert.deepEqual(answerRange('bytes=0-0', TAG, TAG, 100), { status: 206, start: 0, end: 0 });
  });

  it('answers 416 for a start at or past the end, and for an empty suffix', () => {
    assert.deepEqual(answerRange('bytes=100-', undefined, TAG, 100), { status: 416 });
    assert.deepEqual(answerRange('bytes=150-200', undefined, TAG, 100), { status: 416 });
    assert.deepEqual(answerRange('bytes=-0', undefined, TAG, 100), { status: 416 });
  });

  it('sends the whole body for another ETag or a date in If-Range, several ranges, other units and garbage', () => {
    for (const [range, ifRange] of [
      ['bytes=10-', '"pm1-other"'], ['bytes=10-', 'Wed, 21 Oct 2015 07:28:00 GMT'], ['bytes=10-', `W/${TAG}`],
      ['bytes=0-1,5-6', undefined], ['items=0-5', undefined], ['bytes=5-2', undefined], ['bytes=-', undefined], ['bytes=x-', undefined],
    ] as const) {
      assert.deepEqual(answerRange(range, ifRange, TAG, 100), { status: 200 }, `${range} / ${ifRange}`);
    }
    assert.deepEqual(answerRange(undefined, TAG, TAG, 100), { status: 200 });
  });
});

describe('ByteWindow', () => {
  it('picks [start, end] out of chunks of any size and says when it has passed', () => {
    const body = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    for (const size of [1, 3, 7, 26]) {
      const window = new ByteWindow(4, 17);
      const out: Buffer[] = [];
      for (let i = 0; i < body.length && !window.done; i += size) out.push(window.take(body.subarray(i, i + size)));
      assert.equal(Buffer.concat(out).toString(), 'efghijklmnopqr', `chunks of ${size}`);
      assert.ok(window.done);
    }
  });
});

describe('outputEtag', () => {
  const parts: EtagParts = { inputs: [{ formatId: '137', size: 1000 }, { formatId: '140', size: 200 }], choice: {}, ffmpeg: 'ffmpeg version 5.1.9', length: 1300 };

  it('is strong, quoted and the same for the same parts', () => {
    assert.match(outputEtag(parts), /^"pm\d+-[\w-]{32}"$/);
    assert.equal(outputEtag(parts), outputEtag(structuredClone(parts)));
  });

  it('changes with every part that decides the bytes', () => {
    const variants: EtagParts[] = [
      { ...parts, inputs: [{ formatId: '136', size: 1000 }, parts.inputs[1]!] },
      { ...parts, inputs: [{ formatId: '137', size: 1001 }, parts.inputs[1]!] },
      { ...parts, choice: { audioOnly: true } },
      { ...parts, choice: { maxHeight: 720 } },
      { ...parts, ffmpeg: 'ffmpeg version 7.1' },
      { ...parts, length: 1301 },
    ];
    const tags = new Set([parts, ...variants].map(outputEtag));
    assert.equal(tags.size, variants.length + 1);
  });
});

describe('freeBox', () => {
  it('is one top-level free box of exactly the size asked', () => {
    const box = freeBox(40);
    assert.equal(box.length, 40);
    assert.equal(box.readUInt32BE(0), 40);
    assert.equal(box.toString('latin1', 4, 8), 'free');
    assert.ok(box.subarray(8).every((byte) => byte === 0));
    assert.equal(freeBox(8).readUInt32BE(0), 8);
    assert.throws(() => freeBox(7), RangeError);
  });
});
