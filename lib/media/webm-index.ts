// What a WebM (Matroska) file says about itself before its media: duration,
// tracks, where the Cues are, and a sample of its first blocks (their header
// bytes and frame spacing). Unlike MP4, Matroska has no table of sample
// sizes, so the output bound built from this (lib/media/webm-budget.ts) errs
// high where it must guess. Pure: bytes in, numbers out.

const ID = {
  ebml: 0x1a45dfa3, segment: 0x18538067, seekHead: 0x114d9b74, seek: 0x4dbb, seekId: 0x53ab, seekPosition: 0x53ac,
  info: 0x1549a966, timecodeScale: 0x2ad7b1, duration: 0x4489, tracks: 0x1654ae6b, trackEntry: 0xae,
  trackNumber: 0xd7, trackType: 0x83, codecId: 0x86, defaultDuration: 0x23e383, cluster: 0x1f43b675,
  timecode: 0xe7, simpleBlock: 0xa3, blockGroup: 0xa0, cues: 0x1c53bb6b, cuePoint: 0xbb, cueTime: 0xb3,
  cueTrackPositions: 0xb7, cueTrack: 0xf7,
} as const;

interface Element { id: number; start: number; dataStart: number; size: number; end: number }

/** A variable-length integer at `offset`: its value (the length marker kept for IDs) and byte length. */
function readVint(buffer: Buffer, offset: number, keepMarker: boolean): { value: number; length: number } | undefined {
  if (offset >= buffer.length) return undefined;
  const first = buffer[offset]!;
  const length = Math.clz32(first) - 23;
  if (length < 1 || length > 8 || offset + length > buffer.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === (0xff >> length);
  for (let i = 1; i < length; i++) {
    value = value * 256 + buffer[offset + i]!;
    if (buffer[offset + i] !== 0xff) allOnes = false;
  }
  return { value: !keepMarker && allOnes ? Infinity : value, length };
}

/** The element at `offset`, or undefined when its header is not all in `buffer`. Unknown sizes run to `limit`. */
function readElement(buffer: Buffer, offset: number, limit: number): Element | undefined {
  const id = readVint(buffer, offset, true);
  const size = id && readVint(buffer, offset + id.length, false);
  if (!id || !size) return undefined;
  const dataStart = offset + id.length + size.length;
  const length = Number.isFinite(size.value) ? size.value : limit - dataStart;
  return { id: id.value, start: offset, dataStart, size: length, end: dataStart + length };
}

/** The elements directly inside [start, end); one that claims to run past its parent ends the walk. */
function* elements(buffer: Buffer, start: number, end: number): Generator<Element> {
  for (let offset = start; offset < end;) {
    const element = readElement(buffer, offset, end);
    if (!element || element.end > end) return;
    yield element;
    offset = element.end;
  }
}

/** An unsigned integer element (at most 8 bytes, all in the buffer), else NaN. */
const uint = (buffer: Buffer, e: Element) => {
  if (e.size > 8 || e.end > buffer.length) return NaN;
  let v = 0;
  for (let i = e.dataStart; i < e.end; i++) v = v * 256 + buffer[i]!;
  return v;
};
const float = (buffer: Buffer, e: Element) => (e.end > buffer.length ? NaN
  : e.size === 4 ? buffer.readFloatBE(e.dataStart) : e.size === 8 ? buffer.readDoubleBE(e.dataStart) : NaN);

export interface WebmTrack {
  number: number;
  kind: 'video' | 'audio' | 'other';
  codec: string;
  /** Nanoseconds per frame, when the file says. */
  defaultDuration?: number;
}

/** The first blocks of one track, as seen in the first cluster. */
export interface BlockSample {
  blocks: number;
  /** Fewest bytes of element and block header around one frame. */
  minHeaderBytes: number;
  /** Some block carries several frames (lacing) or sits in a BlockGroup. */
  irregular: boolean;
  /** Block times (ns) in order, for frame spacing. */
  times: number[];
}

export interface WebmHead {
  /** Nanoseconds per timecode tick. */
  timecodeScale: number;
  seconds: number;
  tracks: WebmTrack[];
  /** Absolute offset of the Cues element, when the SeekHead says. */
  cuesOffset?: number;
  /** Absolute offset of the first Cluster: everything before it is headers. */
  firstCluster: number;
  samples: Map<number, BlockSample>;
}

function readTracks(buffer: Buffer, tracks: Element): WebmTrack[] {
  const out: WebmTrack[] = [];
  for (const entry of elements(buffer, tracks.dataStart, tracks.end)) {
    if (entry.id !== ID.trackEntry) continue;
    const track: WebmTrack = { number: 0, kind: 'other', codec: '' };
    for (const field of elements(buffer, entry.dataStart, entry.end)) {
      if (field.id === ID.trackNumber) track.number = uint(buffer, field);
      if (field.id === ID.trackType) track.kind = ({ 1: 'video', 2: 'audio' } as const)[uint(buffer, field) as 1 | 2] ?? 'other';
      if (field.id === ID.codecId) track.codec = buffer.toString('latin1', field.dataStart, field.end);
      if (field.id === ID.defaultDuration) track.defaultDuration = uint(buffer, field);
    }
    out.push(track);
  }
  return out;
}

function sampleCluster(buffer: Buffer, cluster: Element, scale: number): Map<number, BlockSample> {
  const samples = new Map<number, BlockSample>();
  let base = 0;
  for (const e of elements(buffer, cluster.dataStart, Math.min(cluster.end, buffer.length))) {
    if (e.id === ID.timecode) base = uint(buffer, e);
    if ((e.id !== ID.simpleBlock && e.id !== ID.blockGroup) || e.end > buffer.length) continue;
    const track = e.id === ID.simpleBlock ? readVint(buffer, e.dataStart, false) : undefined;
    const number = track?.value ?? 0;
    const sample = samples.get(number) ?? { blocks: 0, minHeaderBytes: Infinity, irregular: false, times: [] };
    samples.set(number, sample);
    if (!track) { sample.irregular = true; continue; }
    const flags = buffer[e.dataStart + track.length + 2]!;
    sample.blocks += 1;
    sample.irregular ||= (flags & 0x06) !== 0;
    sample.minHeaderBytes = Math.min(sample.minHeaderBytes, e.dataStart - e.start + track.length + 3);
    sample.times.push((base + buffer.readInt16BE(e.dataStart + track.length)) * scale);
  }
  return samples;
}

/** Reads the head of a WebM file (its first bytes, through the start of the first cluster). Throws when it cannot. */
export function parseWebmHead(buffer: Buffer): WebmHead {
  const ebml = readElement(buffer, 0, buffer.length);
  if (!ebml || ebml.id !== ID.ebml) throw new Error('not an EBML file');
  const segment = readElement(buffer, ebml.end, Infinity);
  if (!segment || segment.id !== ID.segment) throw new Error('no Segment after the EBML header');
  let timecodeScale = 1_000_000;
  let duration = NaN;
  let tracks: WebmTrack[] = [];
  let cuesOffset: number | undefined;
  for (const e of elements(buffer, segment.dataStart, segment.end)) {
    if (e.id === ID.cluster) {
      if (!Number.isFinite(duration) || tracks.length === 0) throw new Error('no duration or tracks before the first cluster');
      return { timecodeScale, seconds: (duration * timecodeScale) / 1e9, tracks, ...(cuesOffset !== undefined ? { cuesOffset } : {}),
        firstCluster: e.start, samples: sampleCluster(buffer, e, timecodeScale) };
    }
    if (e.end > buffer.length) throw new Error('headers run past the bytes read');
    if (e.id === ID.info) {
      for (const f of elements(buffer, e.dataStart, e.end)) {
        if (f.id === ID.timecodeScale) timecodeScale = uint(buffer, f);
        if (f.id === ID.duration) duration = float(buffer, f);
      }
    }
    if (e.id === ID.tracks) tracks = readTracks(buffer, e);
    if (e.id === ID.seekHead) {
      for (const seek of elements(buffer, e.dataStart, e.end)) {
        const fields = [...elements(buffer, seek.dataStart, seek.end)];
        const id = fields.find((f) => f.id === ID.seekId);
        const position = fields.find((f) => f.id === ID.seekPosition);
        if (id && position && uint(buffer, id) === ID.cues) cuesOffset = segment.dataStart + uint(buffer, position);
      }
    }
  }
  throw new Error('no cluster within the bytes read');
}

/** The Cues element's size from its header bytes (the element read next needs it whole). */
export function cuesExtent(buffer: Buffer): number | undefined {
  const e = readElement(buffer, 0, Infinity);
  return e && e.id === ID.cues && Number.isFinite(e.size) ? e.end : undefined;
}

/** Cue times (ns) of `track` — Matroska muxers cue each video keyframe, or each cluster. */
export function parseCueTimes(cues: Buffer, track: number, timecodeScale: number): number[] {
  const root = readElement(cues, 0, cues.length);
  if (!root || root.id !== ID.cues || root.end > cues.length) throw new Error('not a whole Cues element');
  const times: number[] = [];
  for (const point of elements(cues, root.dataStart, root.end)) {
    if (point.id !== ID.cuePoint) continue;
    let time: number | undefined;
    let forTrack = false;
    for (const f of elements(cues, point.dataStart, point.end)) {
      if (f.id === ID.cueTime) time = uint(cues, f);
      if (f.id === ID.cueTrackPositions) {
        for (const g of elements(cues, f.dataStart, f.end)) if (g.id === ID.cueTrack && uint(cues, g) === track) forTrack = true;
      }
    }
    if (time !== undefined && forTrack) times.push(time * timecodeScale);
  }
  return times;
}
