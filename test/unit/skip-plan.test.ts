// A resume's skip plan: which input bytes may be served as zeros, and the
// relay's cutting of a read around them. Pure; the proof that the output
// stays byte-identical is test/integration/exact-length.test.ts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { buildFfmpegArgs } from '../../lib/mux/ffmpeg-args.js';
import { planBlanks } from '../../lib/length/skip-plan.js';
import { firstRangeEnd, splitAroundBlanks } from '../../lib/relay/byte-range.js';
import { readBoxHeader } from '../../lib/media/mp4-boxes.js';
import { budgetOfTrack, parseMoov } from '../../lib/media/mp4-index.js';
import { readSampleTables } from '../../lib/media/mp4-samples.js';
import { ensureMedia } from '../helpers/media.js';

async function indexOf(name: string) {
  const file = await readFile(await ensureMedia(name));
  for (let offset = 0; offset < file.length;) {
    const box = readBoxHeader(file, offset, file.length)!;
    if (box.type === 'moov') {
      const moov = file.subarray(offset, offset + box.size);
      return { file, tracks: parseMoov(moov).map(budgetOfTrack), tables: readSampleTables(moov) };
    }
    offset += box.size;
  }
  throw new Error(`no moov in ${name}`);
}

describe('sample tables', () => {
  it('place every sample inside the file, in decode order, H.264 and AAC copied blind', async () => {
    const { file, tables, tracks } = await indexOf('big.mp4');
    assert.deepEqual(tables.map((t) => [t.kind, t.blankable, t.sizes.length]), [['video', true, 600], ['audio', true, 939]]);
    assert.deepEqual(tracks.map((t) => t.blindCopy), [true, true]);
    for (const table of tables) {
      for (let i = 0; i < table.sizes.length; i++) assert.ok(table.offsets[i]! + table.sizes[i]! <= file.length);
      for (let i = 1; i < table.dts.length; i++) assert.ok(table.dts[i]! > table.dts[i - 1]!);
    }
    assert.equal(tables[0]!.keyframes!.length, 10);
  });
});

describe('sample tables of a hostile moov', () => {
  it('refuse an stsc run of no samples and counts longer than their boxes, at once', async () => {
    const { file } = await indexOf('big.mp4');
    const moovAt = file.indexOf('moov', 0, 'latin1') - 4;
    const moov = () => Buffer.from(file.subarray(moovAt, moovAt + file.readUInt32BE(moovAt)));
    const empty = moov();
    empty.writeUInt32BE(0, empty.indexOf('stsc', 0, 'latin1') + 16);
    assert.throws(() => readSampleTables(empty), /stsc run/);
    const long = moov();
    long.writeUInt32BE(0xffffff, long.indexOf('stco', 0, 'latin1') + 8);
    assert.throws(() => readSampleTables(long), /stco shorter than its count/);
  });
});

describe('planBlanks', () => {
  it('blanks nothing near the start, more the later the resume, and only whole samples', async () => {
    const { file, tracks, tables } = await indexOf('big.mp4');
    const input = { kind: 'av' as const, tracks, tables };
    assert.deepEqual(planBlanks([input], false, 100_000), [[]]);
    const half = planBlanks([input], false, file.length * 0.5)[0]!;
    const most = planBlanks([input], false, file.length * 0.9)[0]!;
    const total = (ranges: Array<[number, number]>) => ranges.reduce((sum, [a, b]) => sum + b - a + 1, 0);
    assert.ok(total(half) > 0 && total(most) > total(half));
    // Surely before byte N of the output: never more sample data than N.
    assert.ok(total(most) < file.length * 0.9);
    const starts = new Set(tables.flatMap((t) => Array.from(t.offsets)));
    for (const [start] of most) assert.ok(starts.has(start), 'a blank starts where a sample starts');
  });

  it('blanks nothing when an input has no sample tables (a WebM), or a track is not copied blind', async () => {
    const { tracks, tables } = await indexOf('big.mp4');
    assert.deepEqual(planBlanks([{ kind: 'video', tracks, tables }, { kind: 'audio', tracks: [] }], false, 5e6), [[], []]);
    const parsed = tables.map((t) => ({ ...t, blankable: false }));
    assert.deepEqual(planBlanks([{ kind: 'av', tracks, tables: parsed }], false, 5e6), [[]]);
  });
});

describe('splitAroundBlanks', () => {
  it('fetches around the blanks in pieces of at most the range size', () => {
    assert.deepEqual(splitAroundBlanks(0, 99, 40, [[10, 19], [50, 120]]), [
      { start: 0, end: 9, blank: false }, { start: 10, end: 19, blank: true },
      { start: 20, end: 49, blank: false }, { start: 50, end: 99, blank: true },
    ]);
    assert.deepEqual(splitAroundBlanks(15, 60, 100, [[10, 19]]), [{ start: 15, end: 19, blank: true }, { start: 20, end: 60, blank: false }]);
    assert.deepEqual(splitAroundBlanks(0, 99, 50, []).map((p) => [p.start, p.end]), [[0, 49], [50, 99]]);
  });

  it("opens a read's first range no further than the first blank ahead: a read from 0 fetches the head, not a whole range", () => {
    assert.equal(firstRangeEnd(0, 4096, [[100, 5000]]), 99);
    assert.equal(firstRangeEnd(0, 4096, [[9000, 9999]]), 4095);
    assert.equal(firstRangeEnd(150, 4096, [[100, 5000], [6000, 7000]]), 150, 'inside a blank: one byte, for the size');
    assert.equal(firstRangeEnd(5001, 4096, [[100, 5000], [6000, 7000]]), 5999);
    assert.equal(firstRangeEnd(10, 4096, undefined), 4105);
  });
});

describe('buildFfmpegArgs and blind inputs', () => {
  it('turns the parsers off for a blind input only, before its -i', () => {
    const args = buildFfmpegArgs([{ url: 'http://127.0.0.1:1/a', kind: 'video', blind: true }, { url: 'http://127.0.0.1:1/b', kind: 'audio' }]);
    const flags = args.reduce<number[]>((at, arg, i) => (arg === '+noparse+nofillin' ? [...at, i] : at), []);
    assert.equal(flags.length, 1);
    assert.ok(flags[0]! < args.indexOf('http://127.0.0.1:1/a') && args.indexOf('http://127.0.0.1:1/a') < args.indexOf('http://127.0.0.1:1/b'));
    assert.ok(args.includes('+bitexact'));
  });
});
