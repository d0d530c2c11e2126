// The relay's index check: every whole block of a probed region that passes to ffmpeg is compared.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { digestRegion, IndexCheck, INDEX_BLOCK_BYTES } from '../../lib/relay/index-check.js';

const file = randomBytes(10 * INDEX_BLOCK_BYTES + 123);
const region = { start: 2 * INDEX_BLOCK_BYTES + 7, end: 6 * INDEX_BLOCK_BYTES + 50 };
const digest = [digestRegion(region.start, file.subarray(region.start, region.end))];

/** Feeds `bytes` (starting at input byte `from`) in pieces of `step`; the first error or undefined, and the blocks compared. */
function feed(bytes: Buffer, from: number, step: number, blanks: Array<[number, number]> = []) {
  const check = new IndexCheck(digest, from, blanks);
  for (let at = 0; at < bytes.length; at += step) {
    const error = check.see(bytes.subarray(at, at + step));
    if (error) return { error, checked: check.checked };
  }
  return { error: undefined, checked: check.checked };
}

describe('IndexCheck', () => {
  it('compares every block of the region, however the writes fall', () => {
    for (const step of [1000, INDEX_BLOCK_BYTES, 3 * INDEX_BLOCK_BYTES + 5, file.length]) {
      assert.deepEqual(feed(file, 0, step), { error: undefined, checked: 5 }, `writes of ${step}`);
    }
  });

  it('finds one changed byte, in the last, short block too', () => {
    for (const at of [region.start, region.start + INDEX_BLOCK_BYTES + 9, region.end - 1]) {
      const other = Buffer.from(file);
      other[at] ^= 1;
      assert.equal(feed(other, 0, 4096).error?.code, 'INDEX_CHANGED', `byte ${at}`);
    }
    const outside = Buffer.from(file);
    outside[region.end] ^= 1;
    assert.equal(feed(outside, 0, 4096).error, undefined);
  });

  it('checks many regions, overlapping ones too, given in any order', () => {
    const regions = [[9 * INDEX_BLOCK_BYTES, 9 * INDEX_BLOCK_BYTES + 300], [0, 65536], [INDEX_BLOCK_BYTES, INDEX_BLOCK_BYTES + 100], [5 * INDEX_BLOCK_BYTES, 5 * INDEX_BLOCK_BYTES + 40]];
    const check = new IndexCheck(regions.map(([start, end]) => digestRegion(start!, file.subarray(start, end))), 0);
    const other = Buffer.from(file);
    for (let at = 0; at < file.length; at += 7000) assert.equal(check.see(file.subarray(at, at + 7000)), undefined);
    assert.equal(check.checked, 4 + 1 + 1 + 1);
    other[9 * INDEX_BLOCK_BYTES + 299] ^= 1;
    const again = new IndexCheck(regions.map(([start, end]) => digestRegion(start!, file.subarray(start, end))), 0);
    assert.equal(again.see(other)?.code, 'INDEX_CHANGED');
  });

  it('skips the block a read starts inside, and blocks that overlap a blank (zeros by design)', () => {
    const from = region.start + 100;
    assert.equal(feed(file.subarray(from), from, 5000).checked, 4);
    const zeroed = Buffer.from(file);
    zeroed.fill(0, region.start + INDEX_BLOCK_BYTES, region.start + 2 * INDEX_BLOCK_BYTES);
    assert.deepEqual(feed(zeroed, 0, 5000, [[region.start + INDEX_BLOCK_BYTES, region.start + 2 * INDEX_BLOCK_BYTES - 1]]), { error: undefined, checked: 4 });
  });
});
