// What a whole-file input is, asked of its media server before ffmpeg starts
// (under the guard, with the format's headers): its exact size, never
// yt-dlp's guess, and, read from its own index, the budget of each track the
// output-size bound needs. MP4: the top-level boxes are walked by ranges to
// the moov, wherever it sits. WebM: the headers, the first cluster and the
// Cues. Fragmented inputs (HLS, DASH) have neither to ask for.
import type { EgressPolicy } from '../egress/guard.js';
import { MuxError } from '../errors.js';
import type { MediaInput, TrackBudget } from '../types.js';
import { budgetOfTrack, parseMoov, readBoxHeader } from './mp4-index.js';
import { readWhole } from './read-whole.js';
import { UpstreamSource } from './upstream-source.js';
import { budgetOfWebm } from './webm-budget.js';
import { cuesExtent, parseCueTimes, parseWebmHead } from './webm-index.js';

export interface ProbeOptions {
  policy: EgressPolicy;
  readTimeoutMs: number;
  signal: AbortSignal;
}

/** An input's exact size, and its first video and first audio track when its index could be read. */
export interface InputProbe {
  size: number | undefined;
  tracks?: TrackBudget[];
}

/** The first bytes read of every input: an MP4's leading boxes, a WebM's headers and first blocks. */
const HEAD_BYTES = 256 * 1024;
/** A moov or Cues larger than this is not read (a 3-hour video's moov is a few MB). */
const MAX_INDEX_BYTES = 32 * 1024 * 1024;
/** Top-level boxes stepped over, at most, looking for the moov. */
const MAX_HOPS = 32;

type ReadRange = (start: number, end: number) => Promise<Buffer>;

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
/** Boxes an MP4 file may open with; anything else is not walked as one. */
const MP4_OPENINGS = new Set(['ftyp', 'moov', 'free', 'skip', 'wide', 'mdat']);

async function readMp4Index(head: Buffer, size: number, read: ReadRange): Promise<TrackBudget[] | undefined> {
  let buffer = head;
  let base = 0;
  for (let offset = 0, hops = 0; offset < size && hops < MAX_HOPS; hops++) {
    let box = readBoxHeader(buffer, offset - base, size - base);
    if (!box) {
      buffer = await read(offset, Math.min(offset + 64 * 1024, size) - 1);
      base = offset;
      box = readBoxHeader(buffer, 0, size - base);
      if (!box) return undefined;
    }
    if (box.type === 'moov') {
      if (box.size > MAX_INDEX_BYTES) return undefined;
      const whole = box.start + box.size <= buffer.length ? buffer.subarray(box.start, box.start + box.size) : await read(offset, offset + box.size - 1);
      return parseMoov(whole).map(budgetOfTrack);
    }
    offset += box.size;
  }
  return undefined;
}

async function readWebmIndex(head: Buffer, size: number, read: ReadRange): Promise<TrackBudget[] | undefined> {
  const parsed = parseWebmHead(head);
  const track = parsed.tracks.find((t) => t.kind !== 'other');
  let cueTimes: number[] | undefined;
  if (track && parsed.cuesOffset !== undefined && parsed.cuesOffset < size) {
    const at = parsed.cuesOffset;
    const extent = cuesExtent(await read(at, Math.min(at + 15, size - 1)));
    if (extent !== undefined && extent <= MAX_INDEX_BYTES && at + extent <= size) {
      cueTimes = parseCueTimes(await read(at, at + extent - 1), track.number, parsed.timecodeScale);
    }
  }
  const budget = budgetOfWebm(parsed, cueTimes, size);
  return budget ? [budget] : undefined;
}

/** The input's size and track budgets; a failure or a server that will not say leaves them out. */
export async function probeInput(input: MediaInput, options: ProbeOptions): Promise<InputProbe> {
  if (input.protocol !== 'http') return { size: undefined };
  const source = new UpstreamSource({ url: input.url, headers: input.headers }, { policy: options.policy, readTimeoutMs: options.readTimeoutMs, retries: 0 });
  const tooLarge = () => new MuxError('MUX_FAILED', 'the media server sent more than the range asked');
  const read: ReadRange = async (start, end) => {
    const { res, ranged } = await source.open(start, end, options.signal);
    if (!ranged) throw (res.destroy(), new MuxError('MUX_FAILED', 'the media server ignored Range'));
    return readWhole(res, end - start + 1, tooLarge);
  };
  let size: number | undefined;
  try {
    const { res, ranged, total } = await source.open(0, HEAD_BYTES - 1, options.signal);
    size = total;
    // Without ranges the relay cannot seek either: size only, for the progress hint.
    if (!ranged || size === undefined) return (res.destroy(), { size });
    const head = await readWhole(res, HEAD_BYTES, tooLarge);
    const tracks = head.subarray(0, 4).equals(EBML_MAGIC) ? await readWebmIndex(head, size, read)
      : MP4_OPENINGS.has(head.toString('latin1', 4, 8)) ? await readMp4Index(head, size, read) : undefined;
    return tracks ? { size, tracks } : { size };
  } catch {
    // The download itself will meet (and report) whatever went wrong here; an unreadable index only costs the length.
    return { size };
  }
}
