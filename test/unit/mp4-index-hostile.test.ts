// The index readers against hostile files: each case here once passed a review's attack (a
// bound ffmpeg outgrew, seconds of CPU and hundreds of MB, a crashed process) and is refused now.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetOfTrack, parseMoov } from '../../lib/media/mp4-index.js';
import { readFragmentedIndex } from '../../lib/length/probe-fragments.js';
import { box, find, indexOf, load, plainMoov, u32 } from '../helpers/mp4-bytes.js';

describe('MP4 index against hostile files', () => {
  // From a hostile review: each of these once passed, cost seconds and hundreds of MB, or crashed the process.
  it('refuses samples of a track the moov extends but the index does not count, before allocating them', async () => {
    const file = await load('frag-h264-video.mp4');
    const moov = find(file, 'moov');
    const mvex = file.indexOf('mvex', moov.start) - 4;
    // A trex for track 99, and the first traf claims to be of it with 4 million default samples.
    const trex = box('trex', u32(0, 99, 1, 0, 0, 0));
    const grown = Buffer.concat([file.subarray(0, mvex), u32(file.readUInt32BE(mvex) + trex.length), file.subarray(mvex + 4, mvex + file.readUInt32BE(mvex)),
      trex, file.subarray(mvex + file.readUInt32BE(mvex))]);
    grown.writeUInt32BE(moov.size + trex.length, moov.start);
    const tfhd = grown.indexOf('tfhd', grown.indexOf('moof')) - 4;
    grown.writeUInt32BE(99, tfhd + 12);
    // Its trun: no per-sample fields, 3 999 999 samples taking the defaults (20 bytes that once cost 330 MB).
    const trun = grown.indexOf('trun', tfhd) - 4;
    grown.writeUInt32BE(0x000001, trun + 8);
    grown.writeUInt32BE(3_999_999, trun + 12);
    const heap = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    await assert.rejects(indexOf(grown), /track 99, which is not an audio or video track/);
    assert.ok(performance.now() - started < 500);
    assert.ok(process.memoryUsage().arrayBuffers - heap < 16 * 1024 * 1024, 'no sample arrays were made for it');
  });

  it('a read failing while an earlier one is awaited rejects the probe, and nothing goes unhandled', async () => {
    const file = await load('frag-1080p-60s-video.mp4');
    const moov = find(file, 'moov');
    let reads = 0;
    const read = async (start: number, end: number) => {
      reads += 1;
      if (reads === 2) await new Promise((resolve) => setTimeout(resolve, 100));
      if (reads === 3) throw new Error('connection reset');
      return file.subarray(start, end + 1);
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await assert.rejects(readFragmentedIndex(file.subarray(moov.start, moov.start + moov.size), moov.start + moov.size, file.subarray(0, 64 * 1024), 0,
        file.length, read), /connection reset/);
      await new Promise((resolve) => setTimeout(resolve, 150));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });

  it('refuses boxes ffmpeg would read that the index would not: after the last fragment, in the moov, in a moof, between moov and sidx', async () => {
    const file = await load('frag-h264-video.mp4');
    const moof = find(file, 'moof');
    const lastMoof = file.lastIndexOf('moof') - 4;
    const lastFragment = file.subarray(lastMoof, find(file, 'mfra').start);
    await assert.rejects(indexOf(Buffer.concat([file, lastFragment])), /after the last fragment/);
    const moov = find(file, 'moov');
    // A moof hidden in a udta of the moov (ffmpeg reads it as a fragment).
    const hidden = box('udta', file.subarray(moof.start, moof.start + moof.size));
    const inMoov = Buffer.concat([file.subarray(0, moov.start), u32(moov.size + hidden.length), file.subarray(moov.start + 4, moov.start + moov.size), hidden,
      file.subarray(moov.start + moov.size)]);
    await assert.rejects(indexOf(inMoov), /a moof box inside the moov/);
    // A loose trun directly in a moof.
    const trun = file.indexOf('trun', moof.start) - 4;
    const loose = Buffer.from(file);
    loose.write('junk', file.indexOf('mfhd', moof.start), 'latin1');
    await assert.rejects(indexOf(loose), /"junk" box in a moof/);
    assert.ok(trun > moof.start);
    // A udta between the moov and the sidx.
    const between = Buffer.concat([file.subarray(0, moov.start + moov.size), box('udta', Buffer.alloc(8)), file.subarray(moov.start + moov.size)]);
    await assert.rejects(indexOf(between), /without a sidx before its fragments/);
  });

  it('refuses a traf without its tfdt (ffmpeg would time it from the sidx, rounded)', async () => {
    const file = Buffer.from(await load('frag-h264-video.mp4'));
    const tfdt = file.indexOf('tfdt', find(file, 'moof').start);
    file.write('free', tfdt, 'latin1');
    await assert.rejects(indexOf(file), /open with tfhd and tfdt/);
  });

  it('takes a sample that depends on others for no keyframe, as ffmpeg does', async () => {
    const file = Buffer.from(await load('frag-h264-video.mp4'));
    // Every tfhd's default sample flags: "depends on others", but not "non-sync".
    for (let at = file.indexOf('tfhd'); at !== -1; at = file.indexOf('tfhd', at + 1)) file.writeUInt32BE(0x01000000, at + 4 + 4 + 4 + 4 + 4);
    const [video] = (await indexOf(file)).tracks;
    assert.equal(video!.syncSamples?.length, 5);
  });

  it('reads small fragments whole, several in one request', async () => {
    const file = await load('frag-aac-audio.m4a');
    const { reads } = await indexOf(file);
    assert.ok(reads.length <= 2, `${reads.length} reads for five 24 KB fragments and what follows them`);
  });

  // From a third review: plain moovs too.
  it('refuses a track ffmpeg would take for video or audio that the index would leave out, and a timescale ffmpeg reads as negative', async () => {
    const moov = plainMoov(await load('h264-video.mp4'));
    const trakAt = moov.indexOf('trak') - 4;
    const trak = Buffer.from(moov.subarray(trakAt, trakAt + moov.readUInt32BE(trakAt)));
    trak.write('abcd', trak.indexOf('hdlr') + 4 + 4 + 4, 'latin1');
    const hidden = Buffer.concat([moov.subarray(0, trakAt), trak, moov.subarray(trakAt)]);
    hidden.writeUInt32BE(moov.length + trak.length, 0);
    assert.throws(() => parseMoov(hidden), /a "abcd" track of "avc1" samples/);
    const scaled = Buffer.from(moov);
    const mdhd = scaled.indexOf('mdhd') - 4;
    scaled.writeUInt32BE(0x80000000, mdhd + 8 + 4 + (scaled[mdhd + 8] === 1 ? 16 : 8));
    assert.throws(() => parseMoov(scaled), /timescale of 2147483648/);
  });

  it('counts a duration per sample for audio timed by another clock than its sample rate (ffmpeg re-times it)', async () => {
    const file = Buffer.from(await load('frag-aac-audio.m4a'));
    const [before] = (await indexOf(file)).tracks;
    assert.equal(before!.durationsVary, false);
    const mdhd = file.indexOf('mdhd') - 4;
    file.writeUInt32BE(44_100, mdhd + 8 + 4 + (file[mdhd + 8] === 1 ? 16 : 8));
    const [after] = (await indexOf(file)).tracks;
    assert.equal(after!.durationsVary, true);
    assert.equal(budgetOfTrack(after!).sampleBytes, budgetOfTrack(before!).sampleBytes + 4);
  });

  it('copies AV1 with its parser off (it would flag keyframes the index does not list), but never feeds it zeros', async () => {
    const { tracks, tables } = await indexOf(await load('frag-av1-720p.mp4'));
    assert.equal(tracks[0]!.blindCopy, true);
    assert.equal(tables[0]!.blankable, false);
  });

  // From a fourth review: files ffmpeg copies only in part, which a padded length would pass off as whole.
  it('refuses fragments of another sample description, video that does not open with a keyframe, and encrypted tracks', async () => {
    const file = await load('frag-h264-video.mp4');
    const trex = file.indexOf('trex');
    const described = Buffer.from(file);
    described.writeUInt32BE(2, trex + 4 + 4 + 4);
    await assert.rejects(indexOf(described), /sample description 2/);
    // The first moof's trun: its first-sample flags say "not a sync sample".
    const trun = file.indexOf('trun', find(file, 'moof').start) - 4;
    const unkeyed = Buffer.from(file);
    unkeyed.writeUInt32BE(0x01010000, trun + 20);
    await assert.rejects(indexOf(unkeyed), /does not start with a keyframe/);
    const encrypted = Buffer.from(file);
    encrypted.write('encv', file.indexOf('avc1'), 'latin1');
    await assert.rejects(indexOf(encrypted), /an encrypted track/);
  });

  it('survives mutated moofs and sidx boxes: an error or an index, never a crash, never NaN', async () => {
    const file = await load('frag-h264-video.mp4');
    const sidx = find(file, 'sidx');
    const from = sidx.start;
    const to = Math.min(file.length, find(file, 'moof').start + 700);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 1500; i++) {
      const copy = Buffer.from(file);
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) copy[from + Math.floor(random() * (to - from))] = Math.floor(random() * 256);
      try {
        const { tracks } = await indexOf(copy);
        for (const track of tracks.map(budgetOfTrack)) {
          for (const value of Object.values(track)) if (typeof value === 'number') assert.ok(Number.isFinite(value), `mutation ${i}: ${JSON.stringify(track)}`);
        }
      } catch (error) {
        // The probe turns any error into "no index"; what matters is that it is one, soon.
        assert.ok(error instanceof Error, `mutation ${i} threw ${String(error)}`);
      }
    }
  });
});
