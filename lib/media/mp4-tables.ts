// The sample tables of one MP4 track (stsz, stts, ctts, stss), read for
// counts, sums and whether they vary: the parts the moov index and the
// fragment index share. Pure: a buffer and box headers in, numbers out.
import { body, child, tableCount, type BoxHeader } from './mp4-boxes.js';

/**
 * Samples a track may have for its index to be read: 18 hours at 30 frames/s,
 * 11 hours of 48 kHz AAC. A hostile moov must not make every probe allocate
 * (and the bound count) billions of entries.
 */
export const MAX_INDEX_SAMPLES = 2_000_000;

export function readSizes(buffer: Buffer, stsz: BoxHeader): { samples: number; payload: number; sizesVary: boolean } {
  const fixed = buffer.readUInt32BE(body(stsz));
  const samples = buffer.readUInt32BE(body(stsz) + 4);
  if (samples > MAX_INDEX_SAMPLES) throw new Error(`a track of ${samples} samples`);
  if (fixed !== 0) return { samples, payload: fixed * samples, sizesVary: false };
  if (body(stsz) + 8 + samples * 4 > stsz.start + stsz.size) throw new Error('stsz shorter than its count');
  let payload = 0;
  let sizesVary = false;
  const first = samples > 0 ? buffer.readUInt32BE(body(stsz) + 8) : 0;
  for (let i = 0; i < samples; i++) {
    const size = buffer.readUInt32BE(body(stsz) + 8 + i * 4);
    payload += size;
    if (size !== first) sizesVary = true;
  }
  return { samples, payload, sizesVary };
}

/**
 * Whether durations differ anywhere but the first and last sample, and the
 * longest (stts: runs of [count, delta]).
 */
export function readDurations(buffer: Buffer, stts: BoxHeader, samples: number): { durationsVary: boolean; maxDelta: number; total: number } {
  const count = tableCount(buffer, stts, 8);
  const deltas = new Set<number>();
  let maxDelta = 0;
  let total = 0;
  let index = 0;
  for (let i = 0; i < count; i++) {
    const run = buffer.readUInt32BE(body(stts) + 4 + i * 8);
    const delta = buffer.readUInt32BE(body(stts) + 8 + i * 8);
    // Samples 2 … n-1 of this run.
    const from = Math.max(index, 1);
    const to = Math.min(index + run, samples - 1);
    if (to > from) deltas.add(delta);
    if (run > 0) maxDelta = Math.max(maxDelta, delta);
    total += run * delta;
    index += run;
  }
  return { durationsVary: deltas.size > 1, maxDelta, total };
}

export function hasOffsets(buffer: Buffer, ctts: BoxHeader | undefined): boolean {
  if (!ctts) return false;
  const count = tableCount(buffer, ctts, 8);
  for (let i = 0; i < count; i++) if (buffer.readInt32BE(body(ctts) + 8 + i * 8) !== 0) return true;
  return false;
}

/**
 * ffmpeg drops video before its first keyframe: a length counting it would be
 * padded far past the file. `sync`: the 1-based numbers of the keyframes.
 */
export function checkFirstKeyframe(kind: 'video' | 'audio', sync: Uint32Array): void {
  if (kind === 'video' && sync[0] !== 1) throw new Error('a video track that does not start with a keyframe');
}

/** The 1-based numbers of the keyframes (stss); undefined without one (every sample is a keyframe). */
export function readSync(buffer: Buffer, stss: BoxHeader | undefined): Uint32Array | undefined {
  if (!stss) return undefined;
  const count = tableCount(buffer, stss, 4);
  return Uint32Array.from({ length: count }, (_, i) => buffer.readUInt32BE(body(stss) + 4 + i * 4));
}

/** stsz, stts and stsd of a trak's stbl: the tables both index readers need. */
export function sampleBoxes(buffer: Buffer, stbl: BoxHeader): { stsz: BoxHeader; stts: BoxHeader; stsd: BoxHeader } {
  const [stsz, stts, stsd] = (['stsz', 'stts', 'stsd'] as const).map((type) => child(buffer, stbl, [type]));
  if (!stsz || !stts || !stsd) throw new Error('track without stsz, stts or stsd (stz2 is not read)');
  return { stsz, stts, stsd };
}
