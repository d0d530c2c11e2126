// A fragmented MP4's tracks, gathered moof by moof into what a plain MP4's
// stbl gives at once: the TrackIndex the output bound reads (mp4-index.ts)
// and the SampleTable a resume's skip plan reads (mp4-samples.ts). Every
// fragment is checked against its sidx reference: the moof and its mdat fill
// the reference exactly, every sample's data lies in that mdat on bytes of
// its own, and each tfdt continues where the fragment before ended. (The
// sidx's durations are not compared: ffmpeg times fragments by their tfdt,
// and audio's sidx leaves out its priming.) Pure.
import { body, child, editStart, isPlainEdit, movieTimescale, readBoxHeader, type BoxHeader } from './mp4-boxes.js';
import { copyTraits, type CopyTraits } from './mp4-codec.js';
import { parseMoof, readTrex, trackIdOf, type TrackDefaults } from './mp4-fragments.js';
import type { SidxReference } from './mp4-sidx.js';
import { mediaTraks, type TrackIndex } from './mp4-index.js';
import { checkFirstKeyframe, MAX_INDEX_SAMPLES, sampleBoxes } from './mp4-tables.js';
import type { SampleTable } from './mp4-samples.js';

/** What one sample costs while indexed: its parsed columns and the tables' (offset, size, duration, time, keyframe), with growth. */
const BYTES_PER_SAMPLE = 64;

/** A growable column of numbers, so a long track costs bytes, not objects. */
class Column<T extends Float64Array | Uint32Array> {
  values: T;
  length = 0;
  constructor(readonly make: (n: number) => T) { this.values = make(1024); }
  push(value: number): void {
    if (this.length === this.values.length) { const grown = this.make(this.length * 2); grown.set(this.values); this.values = grown; }
    this.values[this.length++] = value;
  }
  done(): T { return this.values.subarray(0, this.length) as T; }
}

class TrackSamples {
  readonly offsets = new Column((n) => new Float64Array(n));
  readonly sizes = new Column((n) => new Uint32Array(n));
  readonly durations = new Column((n) => new Uint32Array(n));
  readonly dts = new Column((n) => new Float64Array(n));
  readonly sync = new Column((n) => new Uint32Array(n));
  compositionOffsets = false;
  /** Decode time (timescale units) where the next fragment must start; undefined before the first. */
  next: number | undefined;
  /** `copy`: how ffmpeg copies the track (mp4-codec.ts). */
  constructor(readonly kind: 'video' | 'audio', readonly timescale: number, readonly descriptionBytes: number, readonly copy: CopyTraits,
    readonly plainEdit: (seconds: number) => boolean, readonly editStart: number) {}
}

/** The moov of a fragmented file, checked: it extends every media track, and holds no samples of its own. */
export class FragmentedIndex {
  readonly #tracks = new Map<number, TrackSamples>();
  readonly #order: number[] = [];
  readonly #trex: Map<number, TrackDefaults>;
  readonly #charge: (bytes: number) => void;

  /** `charge` is told the memory the sample tables take as they grow (a 100-byte moof may list 2 million samples). */
  constructor(moov: Buffer, charge: (bytes: number) => void = () => {}) {
    this.#charge = charge;
    const { root, traks } = mediaTraks(moov);
    this.#trex = readTrex(moov, root);
    const movieScale = movieTimescale(moov, root);
    for (const { trak, stbl, kind, timescale } of traks) {
      const { stsz, stsd } = sampleBoxes(moov, stbl);
      if (moov.readUInt32BE(body(stsz) + 4) !== 0) throw new Error('a fragmented file whose moov holds samples too');
      // One sample description: fragments naming another would have their samples dropped by ffmpeg.
      if (moov.readUInt32BE(body(stsd)) !== 1) throw new Error('a fragmented track of several sample descriptions');
      const id = trackIdOf(moov, trak);
      if (!this.#trex.has(id) || this.#tracks.has(id)) throw new Error(`track ${id} is not extended once by the moov`);
      // Checked once the fragments have told how long the track is.
      const plainEdit = (seconds: number) => isPlainEdit(moov, trak, movieScale, timescale, seconds, true);
      this.#tracks.set(id, new TrackSamples(kind, timescale, stsd.size, copyTraits(moov, stsd, kind, timescale), plainEdit, editStart(moov, trak, timescale)));
      this.#order.push(id);
    }
  }

  /**
   * Adds the fragment of `reference`: `buffer` holds its first bytes (the
   * whole moof and the mdat's header at least). Throws where it disagrees.
   */
  add(buffer: Buffer, reference: SidxReference): void {
    const moof = readBoxHeader(buffer, 0, reference.size);
    const mdat = moof && readBoxHeader(buffer, moof.size, reference.size);
    if (!moof || moof.type !== 'moof' || !mdat || mdat.type !== 'mdat') throw new Error('a sidx reference that is not a moof and its mdat');
    if (moof.size + mdat.size !== reference.size) throw new Error('a fragment whose boxes do not fill its sidx reference');
    const dataStart = reference.offset + moof.size + mdat.headerBytes;
    const dataEnd = reference.offset + reference.size;
    const spans: Array<[number, number]> = [];
    // ffmpeg reads the samples of every track it knows: one the index does not hold is refused, before its samples are read.
    const room = (id: number) => { const track = this.#tracks.get(id); return track && MAX_INDEX_SAMPLES - track.sizes.length; };
    for (const fragment of parseMoof(buffer.subarray(0, moof.size), reference.offset, this.#trex, room)) {
      const track = this.#tracks.get(fragment.trackId)!;
      const count = fragment.sizes.length;
      this.#charge(count * BYTES_PER_SAMPLE);
      // ffmpeg decodes from the tfdt: a gap or overlap there is not what the samples' durations say.
      if (track.next !== undefined && fragment.decodeTime !== track.next) throw new Error('a tfdt that does not follow the fragment before');
      let time = fragment.decodeTime;
      let end = dataStart;
      for (let k = 0; k < count; k++) {
        const offset = fragment.offsets[k]!;
        const size = fragment.sizes[k]!;
        // In order and apart: a resume zero-fills by these places, so no two samples may share a byte.
        if (offset < end || offset + size > dataEnd) throw new Error('a sample outside its fragment\'s mdat, or over another');
        end = offset + size;
        if (fragment.sync[k]) track.sync.push(track.sizes.length + 1);
        track.offsets.push(offset);
        track.sizes.push(size);
        track.durations.push(fragment.durations[k]!);
        track.dts.push(time / track.timescale);
        time += fragment.durations[k]!;
      }
      if (count > 0) spans.push([fragment.offsets[0]!, end]);
      if (fragment.composition) track.compositionOffsets = true;
      track.next = time;
    }
    spans.sort((a, b) => a[0] - b[0]);
    if (spans.some(([from], i) => i > 0 && from < spans[i - 1]![1])) throw new Error('two tracks\' samples over the same bytes');
  }

  /** The tracks, in the moov's order, as the bound and the skip plan read them. */
  finish(): { tracks: TrackIndex[]; tables: SampleTable[] } {
    const tracks: TrackIndex[] = [];
    const tables: SampleTable[] = [];
    for (const id of this.#order) {
      const track = this.#tracks.get(id)!;
      const sizes = track.sizes.done();
      const durations = track.durations.done();
      const sync = track.sync.done();
      const dts = track.dts.done();
      if (sizes.length === 0) throw new Error(`track ${id} has no samples in any fragment`);
      let payload = 0;
      let maxDuration = 0;
      let total = 0;
      const inner = new Set<number>();
      for (let i = 0; i < sizes.length; i++) {
        payload += sizes[i]!;
        total += durations[i]!;
        maxDuration = Math.max(maxDuration, durations[i]!);
        if (i > 0 && i < sizes.length - 1) inner.add(durations[i]!);
      }
      if (!track.plainEdit(total / track.timescale)) throw new Error('an edit list that delays, trims or splits the track');
      const allSync = sync.length === sizes.length;
      checkFirstKeyframe(track.kind, sync);
      tracks.push({
        kind: track.kind, samples: sizes.length, payload, seconds: total / track.timescale,
        maxSampleSeconds: maxDuration / track.timescale, ...(allSync ? {} : { syncSamples: sync }),
        sizesVary: sizes.some((size) => size !== sizes[0]), durationsVary: inner.size > 1 || !track.copy.keepsTiming,
        compositionOffsets: track.compositionOffsets, descriptionBytes: track.descriptionBytes, blindCopy: track.copy.unparsed,
      });
      tables.push({
        kind: track.kind, blankable: track.copy.blankable, offsets: track.offsets.done(), sizes, dts,
        ...(allSync ? {} : { keyframes: Float64Array.from(sync, (n) => dts[n - 1]!) }), editStart: track.editStart,
        ...(this.#order.length > 1 ? { sharedFragments: true } : {}),
      });
    }
    return { tracks, tables };
  }
}

/** Whether a whole moov box describes a fragmented file (it has an mvex). */
export function isFragmentedMoov(moov: Buffer): boolean {
  const root: BoxHeader | undefined = readBoxHeader(moov, 0, moov.length);
  return root !== undefined && root.type === 'moov' && child(moov, root, ['mvex']) !== undefined;
}
