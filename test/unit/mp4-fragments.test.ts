// A fragmented MP4's index (sidx + moofs) as the probe reads it, from bytes
// in memory: it must say what the same media's plain moov says, and refuse
// files whose fragments disagree with their sidx. Whether ffmpeg's output
// keeps the bound is test/integration/exact-length.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetOfTrack, parseMoov } from '../../lib/media/mp4-index.js';
import { readSampleTables } from '../../lib/media/mp4-samples.js';
import { parseSidx } from '../../lib/media/mp4-sidx.js';
import { MAX_FRAGMENT_READS, readFragmentedIndex } from '../../lib/length/probe-fragments.js';
import { box, find, indexOf, load, plainMoov, u32, withoutDescription } from '../helpers/mp4-bytes.js';

describe('fragmented MP4 index', () => {
  for (const [fragmented, plain] of [['frag-h264-video.mp4', 'h264-video.mp4'], ['frag-bframes-video.mp4', 'bframes-video.mp4'],
    ['frag-aac-audio.m4a', 'aac-audio.m4a'], ['frag-aac-one-fragment.m4a', 'aac-audio.m4a']]) {
    it(`${fragmented} says what ${plain}'s moov says: the same budget and the same samples`, async () => {
      const [file, original] = await Promise.all([load(fragmented!), load(plain!)]);
      const { tracks, tables, reads } = await indexOf(file);
      const expected = parseMoov(plainMoov(original));
      assert.deepEqual(tracks.map(budgetOfTrack).map(withoutDescription), expected.map(budgetOfTrack).map(withoutDescription));
      const [table] = tables;
      const [want] = readSampleTables(plainMoov(original));
      assert.deepEqual([...table!.sizes], [...want!.sizes]);
      assert.deepEqual([...table!.dts], [...want!.dts]);
      assert.deepEqual(table!.keyframes && [...table!.keyframes], want!.keyframes && [...want!.keyframes]);
      // Each sample's data lies in the file, where its bytes are the plain file's bytes of that sample.
      for (const k of [0, Math.floor(table!.sizes.length / 2), table!.sizes.length - 1]) {
        const got = file.subarray(table!.offsets[k]!, table!.offsets[k]! + table!.sizes[k]!);
        assert.ok(got.equals(original.subarray(want!.offsets[k]!, want!.offsets[k]! + want!.sizes[k]!)), `sample ${k}`);
      }
      // At most one read per fragment (and one for what follows the last): a large fragment's moof
      // (sized from the moofs seen, after the first), small ones whole and several at a time.
      const sidx = find(file, 'sidx');
      const references = parseSidx(file.subarray(sidx.start, sidx.start + sidx.size), sidx.start);
      assert.ok(reads.length <= references.length + 1, `${reads.length} reads for ${references.length} fragments`);
      const large = references.slice(1).filter((r) => r.size >= 32 * 1024);
      for (const reference of large) {
        const [start, end] = reads.find(([from]) => from === reference.offset)!;
        assert.ok(end - start + 1 <= 4096, `read ${end - start + 1} bytes of a ${reference.size}-byte fragment`);
      }
    });
  }

  it('reads a sidx whose durations disagree with the moofs as the moofs say (ffmpeg times fragments by their tfdt)', async () => {
    const [lying, honest] = await Promise.all([indexOf(await load('frag-lying-sidx.mp4')), indexOf(await load('frag-h264-video.mp4'))]);
    assert.deepEqual(lying.tracks, honest.tracks);
  });

  it('refuses fragment boxes hidden in the moov, in any size ffmpeg would read (0, too large), or compressed (cmov)', async () => {
    const file = await load('frag-h264-video.mp4');
    const moov = find(file, 'moov');
    const trun = file.subarray(file.indexOf('trun', find(file, 'moof').start) - 4);
    for (const [label, hidden] of [
      ['size 0', Buffer.concat([box('udta', Buffer.concat([u32(0), Buffer.from('trun'), trun.subarray(8, 40)]))])],
      ['size past its parent', Buffer.concat([box('udta', Buffer.concat([u32(0xffffffff), Buffer.from('tfhd'), Buffer.alloc(16)]))])],
      ['cmov', box('cmov', box('dcom', Buffer.from('zlib')), box('cmvd', Buffer.alloc(16)))],
    ] as const) {
      const grown = Buffer.concat([file.subarray(0, moov.start), u32(moov.size + hidden.length), file.subarray(moov.start + 4, moov.start + moov.size), hidden,
        file.subarray(moov.start + moov.size)]);
      await assert.rejects(indexOf(grown), /box inside the moov/, label);
    }
  });

  it('refuses two boxes where ffmpeg takes the last and a reader the first: two stsz, two trex of a track', async () => {
    const plain = await load('h264-video.mp4');
    const moov = plainMoov(plain);
    const stsz = moov.indexOf('stsz') - 4;
    const copy = moov.subarray(stsz, stsz + moov.readUInt32BE(stsz));
    // The second stsz inside the same stbl: every enclosing box grows by its size.
    const grown = Buffer.concat([moov.subarray(0, stsz), copy, moov.subarray(stsz)]);
    for (const type of ['moov', 'trak', 'mdia', 'minf', 'stbl']) {
      const at = type === 'moov' ? 0 : grown.indexOf(type) - 4;
      grown.writeUInt32BE(grown.readUInt32BE(at) + copy.length, at);
    }
    assert.throws(() => parseMoov(grown), /two "stsz" boxes in one "stbl"/);
    const file = await load('frag-h264-video.mp4');
    const trexAt = file.indexOf('trex') - 4;
    const trex = file.subarray(trexAt, trexAt + 32);
    const doubled = Buffer.concat([file.subarray(0, trexAt), trex, file.subarray(trexAt)]);
    for (const type of ['moov', 'mvex']) {
      const at = doubled.indexOf(type) - 4;
      doubled.writeUInt32BE(doubled.readUInt32BE(at) + 32, at);
    }
    await assert.rejects(indexOf(doubled), /two trex boxes for track 1/);
  });

  it('charges the memory of its sample tables as it reads them', async () => {
    const file = await load('frag-h264-video.mp4');
    const moov = find(file, 'moov');
    let charged = 0;
    const { tracks } = await readFragmentedIndex(file.subarray(moov.start, moov.start + moov.size), moov.start + moov.size, file.subarray(0, 64 * 1024), 0,
      file.length, async (start, end) => file.subarray(start, end + 1), (bytes) => { charged += bytes; });
    assert.ok(charged >= tracks[0]!.samples * 40, `${charged} bytes charged for ${tracks[0]!.samples} samples`);
  });

  it('refuses fragments that point outside their mdat, leave their reference, or skip time', async () => {
    const file = await load('frag-h264-video.mp4');
    const trun = file.indexOf('trun', find(file, 'moof').start) - 4;
    const outside = Buffer.from(file);
    outside.writeInt32BE(file.readInt32BE(trun + 16) + 100_000_000, trun + 16);
    await assert.rejects(indexOf(outside), /outside its fragment's mdat/);
    const tfdt = file.indexOf('tfdt', find(file, 'moof').start + 8 + find(file, 'moof').size) - 4;
    const gap = Buffer.from(file);
    gap.writeBigUInt64BE(file.readBigUInt64BE(tfdt + 12) + 1000n, tfdt + 12);
    await assert.rejects(indexOf(gap), /tfdt that does not follow/);
    const sidx = find(file, 'sidx');
    const pointer = Buffer.from(file);
    pointer.writeUInt32BE((1 << 31 | file.readUInt32BE(sidx.start + 40)) >>> 0, sidx.start + 40);
    await assert.rejects(indexOf(pointer), /points to another sidx/);
    const shifted = Buffer.from(file);
    shifted.writeUInt32BE(file.readUInt32BE(sidx.start + 40) + 1, sidx.start + 40);
    await assert.rejects(indexOf(shifted), /do not fill its sidx reference|not a moof|after the last fragment/);
  });

  it('refuses a trun that counts billions of default samples at once, without walking them', async () => {
    const file = Buffer.from(await load('frag-aac-one-fragment.m4a'));
    const trun = file.indexOf('trun', find(file, 'moof').start) - 4;
    // No per-sample fields: every sample takes the defaults, so the count costs the page nothing.
    file.writeUInt32BE(0x000001, trun + 8);
    file.writeUInt32BE(0xffffffff, trun + 12);
    const started = performance.now();
    await assert.rejects(indexOf(file), /more samples than an index may have/);
    assert.ok(performance.now() - started < 1000);
  });

  it(`refuses a sidx of more than ${MAX_FRAGMENT_READS} fragments before reading any of them`, async () => {
    const file = await load('frag-h264-video.mp4');
    const head = file.subarray(0, find(file, 'sidx').start);
    const count = MAX_FRAGMENT_READS + 1;
    const sidx = Buffer.alloc(32 + count * 12);
    sidx.writeUInt32BE(sidx.length, 0);
    sidx.write('sidx', 4, 'latin1');
    sidx.writeUInt32BE(1, 12);
    sidx.writeUInt32BE(1000, 16);
    sidx.writeUInt16BE(count, 30);
    for (let i = 0; i < count; i++) { sidx.writeUInt32BE(1000, 32 + i * 12); sidx.writeUInt32BE(1000, 36 + i * 12); }
    const hostile = Buffer.concat([head, sidx, Buffer.alloc(count * 1000)]);
    const reads: Array<[number, number]> = [];
    const moov = find(hostile, 'moov');
    await assert.rejects(readFragmentedIndex(hostile.subarray(moov.start, moov.start + moov.size), moov.start + moov.size, hostile.subarray(0, 64 * 1024), 0,
      hostile.length, async (start, end) => { reads.push([start, end]); return hostile.subarray(start, end + 1); }), /a sidx of 10001 fragments/);
    // The sidx, and a look at the box after it (where the fragments would start): none of them read.
    const past = reads.filter(([start]) => start >= head.length + sidx.length);
    assert.ok(reads.every(([start]) => start >= head.length) && past.length <= 1 && past.every(([start]) => start === head.length + sidx.length), JSON.stringify(reads));
  });
});
