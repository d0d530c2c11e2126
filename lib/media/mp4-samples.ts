// Where each sample of an MP4 input sits (file offset, size, decode time),
// from its moov: what a resume needs to know which input bytes it may skip.
// Pure.
import { body, child, editStart, tableCount, type BoxHeader } from './mp4-boxes.js';
import { isBlindCopy } from './mp4-codec.js';
import { mediaTraks, type MediaTrak } from './mp4-index.js';
import { MAX_INDEX_SAMPLES, readSync, sampleBoxes } from './mp4-tables.js';

export interface SampleTable {
  kind: 'video' | 'audio';
  /** Its samples may be served as zeros (lib/media/mp4-codec.ts). */
  blankable: boolean;
  offsets: Float64Array;
  sizes: Uint32Array;
  /** Decode times in seconds. */
  dts: Float64Array;
  /** Decode times of the keyframes; undefined when every sample is one. */
  keyframes?: Float64Array;
  /** Seconds the edit list skips (mp4-boxes.ts editStart): ffmpeg times a sample at its decode time less this. */
  editStart: number;
  /** Its fragments carry other tracks too: ffmpeg's seek there may land a fragment early (no clip length). */
  sharedFragments?: boolean;
}

function readOffsets(buffer: Buffer, stbl: BoxHeader, sizes: Uint32Array): Float64Array {
  const stco = child(buffer, stbl, ['stco']);
  const co64 = child(buffer, stbl, ['co64']);
  const stsc = child(buffer, stbl, ['stsc']);
  const table = stco ?? co64;
  if (!table || !stsc) throw new Error('track without chunk offsets or stsc');
  const chunks = tableCount(buffer, table, co64 ? 8 : 4);
  const chunkOffset = (i: number) => (co64 ? Number(buffer.readBigUInt64BE(body(table) + 4 + i * 8)) : buffer.readUInt32BE(body(table) + 4 + i * 4));
  const runs = tableCount(buffer, stsc, 12);
  const offsets = new Float64Array(sizes.length);
  let sample = 0;
  for (let run = 0; run < runs && sample < sizes.length; run++) {
    const firstChunk = buffer.readUInt32BE(body(stsc) + 4 + run * 12) - 1;
    const perChunk = buffer.readUInt32BE(body(stsc) + 8 + run * 12);
    const lastChunk = run + 1 < runs ? buffer.readUInt32BE(body(stsc) + 4 + (run + 1) * 12) - 1 : chunks;
    // Runs start at chunk 1 and go forward, each chunk holding samples: anything else is not a table to walk.
    if (firstChunk < 0 || lastChunk <= firstChunk || perChunk === 0) throw new Error('an stsc run that goes nowhere');
    for (let c = firstChunk; c < Math.min(lastChunk, chunks) && sample < sizes.length; c++) {
      let at = chunkOffset(c);
      for (let k = 0; k < perChunk && sample < sizes.length; k++, sample++) {
        offsets[sample] = at;
        at += sizes[sample]!;
      }
    }
  }
  if (sample !== sizes.length) throw new Error('stsc and stco place fewer samples than stsz counts');
  return offsets;
}

function readTable(buffer: Buffer, { trak, stbl, kind, timescale }: MediaTrak): SampleTable {
  const { stsz, stts, stsd } = sampleBoxes(buffer, stbl);
  const count = buffer.readUInt32BE(body(stsz) + 4);
  if (count > MAX_INDEX_SAMPLES) throw new Error(`a track of ${count} samples`);
  const fixed = buffer.readUInt32BE(body(stsz));
  if (!fixed && body(stsz) + 8 + count * 4 > stsz.start + stsz.size) throw new Error('stsz shorter than its count');
  const sizes = Uint32Array.from({ length: count }, (_, i) => fixed || buffer.readUInt32BE(body(stsz) + 8 + i * 4));
  const dts = new Float64Array(count);
  let sample = 0;
  let time = 0;
  for (let run = 0, runs = tableCount(buffer, stts, 8); run < runs && sample < count; run++) {
    const n = buffer.readUInt32BE(body(stts) + 4 + run * 8);
    const delta = buffer.readUInt32BE(body(stts) + 8 + run * 8);
    for (let k = 0; k < n && sample < count; k++, sample++, time += delta) dts[sample] = time / timescale;
  }
  const sync = readSync(buffer, child(buffer, stbl, ['stss']));
  const keyframes = sync && Float64Array.from(sync, (number) => dts[Math.min(number - 1, count - 1)]!);
  return {
    kind, blankable: isBlindCopy(buffer, stsd), offsets: readOffsets(buffer, stbl, sizes), sizes, dts,
    ...(keyframes ? { keyframes } : {}), editStart: editStart(buffer, trak, timescale),
  };
}

/** The sample tables of a whole `moov` box's audio and video tracks, in track order (as parseMoov's). */
export function readSampleTables(moov: Buffer): SampleTable[] {
  return mediaTraks(moov).traks.map((trak) => readTable(moov, trak));
}
