// What a whole-file input is, asked of its media server before ffmpeg starts
// (under the guard, with the format's headers): its exact size, never
// yt-dlp's guess, and, read from its own index, the budget of each track the
// output-size bound needs. MP4: the top-level boxes are walked by ranges to
// the moov, wherever it sits; a fragmented one's moofs are read by its sidx
// (probe-fragments.ts). WebM: the headers, the first cluster and the
// Cues. Fragmented inputs (HLS, DASH) have neither to ask for.
import type { EgressPolicy } from '../egress/guard.js';
import { MuxError } from '../errors.js';
import type { MediaInput, TrackBudget } from '../types.js';
import { budgetOfTrack, parseMoov, readBoxHeader } from '../media/mp4-index.js';
import { isFragmentedMoov } from '../media/mp4-fragment-index.js';
import { readSampleTables, type SampleTable } from '../media/mp4-samples.js';
import { targetOf } from '../relay/prepare-target.js';
import { readFragmentedIndex, type ReadRange } from './probe-fragments.js';
import { readWhole } from '../relay/read-whole.js';
import { UpstreamSource } from '../relay/upstream-source.js';
import { digestRegion, type IndexRegion, type IndexDigest } from '../relay/index-check.js';
import { budgetOfWebm } from '../media/webm-budget.js';
import { cuesExtent, parseCueTimes, parseWebmHead, type WebmHead } from '../media/webm-index.js';

export interface ProbeOptions {
  policy: EgressPolicy;
  readTimeoutMs: number;
  signal: AbortSignal;
  /** Also read where each sample sits (MP4 only; a resume's skip plan). @default false */
  tables?: boolean;
}

/** An input's exact size, and its audio and video tracks when its index could be read. */
export interface InputProbe {
  size: number | undefined;
  tracks?: TrackBudget[];
  /** With `tables`: the same tracks' sample tables. */
  tables?: SampleTable[];
  /** With an index: a digest of every region read, for the relay to check what ffmpeg gets (lib/relay/index-check.ts). */
  index?: IndexDigest;
  /** With `tables`, a WebM: its Cues' times in seconds (where ffmpeg can seek to; a clip's keyframe). */
  cues?: number[];
}

type Indexed = Pick<InputProbe, 'tracks' | 'tables' | 'cues'> | undefined;

/** The first bytes read of every input: an MP4's leading boxes (a larger moov is read next), a WebM's headers and first blocks. */
const HEAD_BYTES = 64 * 1024;
/** A WebM whose first blocks did not fit (a large first keyframe) is read this far. */
const WEBM_HEAD_BYTES = 1024 * 1024;
/** Blocks of the first cluster that tell a WebM track's frame spacing well enough. */
const WEBM_SAMPLE_BLOCKS = 8;
/** A moov or Cues larger than this is not read (a 3-hour video's moov is a few MB). */
const MAX_INDEX_BYTES = 32 * 1024 * 1024;
/** Top-level boxes stepped over, at most, looking for the moov. */
const MAX_HOPS = 32;

/**
 * Index bytes (moovs, WebM heads, Cues) all probes together may hold: a flood
 * of pages with 32 MiB moovs must not fill the heap. Past it, a probe gives up
 * its index (that download is chunked, as without one).
 */
const MAX_INDEX_BYTES_IN_FLIGHT = 96 * 1024 * 1024;
let inFlight = 0;

function reserve(bytes: number): void {
  if (inFlight + bytes > MAX_INDEX_BYTES_IN_FLIGHT) throw new MuxError('BUSY', 'too many indexes being read at once');
  inFlight += bytes;
}

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
/** Boxes an MP4 file may open with; anything else is not walked as one. */
const MP4_OPENINGS = new Set(['ftyp', 'moov', 'free', 'skip', 'wide', 'mdat']);
/** What may come before a fragmented file's moov. */
const BEFORE_MOOV = new Set(['ftyp', 'free', 'skip', 'wide']);

async function readMp4Index(head: Buffer, size: number, read: ReadRange, tables: boolean, charge: (bytes: number) => void): Promise<Indexed> {
  let buffer = head;
  let base = 0;
  // ffmpeg reads every top-level box before a fragmented file's moov too: only those that carry no samples.
  let plainOpening = true;
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
      // A fragmented file's samples are indexed in its moofs, each read (by its sidx) the same way.
      const isFragmented = isFragmentedMoov(whole);
      if (isFragmented && !plainOpening) return undefined;
      const fragmented = isFragmented ? await readFragmentedIndex(whole, offset + box.size, buffer, base, size, read, charge) : undefined;
      const tracks = (fragmented?.tracks ?? parseMoov(whole)).map(budgetOfTrack);
      // An index that claims more sample bytes than the file holds is not this file's.
      if (tracks.reduce((sum, track) => sum + track.payload, 0) > size) return undefined;
      return { tracks, ...(tables ? { tables: fragmented?.tables ?? readSampleTables(whole) } : {}) };
    }
    plainOpening &&= BEFORE_MOOV.has(box.type);
    offset += box.size;
  }
  return undefined;
}

/** The WebM's head, from the bytes read so far or, when its first blocks did not fit, from more. */
async function readWebmHead(head: Buffer, size: number, read: ReadRange): Promise<WebmHead> {
  const more = () => read(0, Math.min(size, WEBM_HEAD_BYTES) - 1);
  let parsed: WebmHead;
  try {
    parsed = parseWebmHead(head);
  } catch (error) {
    if (head.length >= Math.min(size, WEBM_HEAD_BYTES)) throw error;
    return parseWebmHead(await more());
  }
  const counts = [...parsed.samples.values()].map((sample) => sample.blocks);
  const blocks = counts.length > 0 ? Math.min(...counts) : 0;
  return blocks >= WEBM_SAMPLE_BLOCKS || head.length >= Math.min(size, WEBM_HEAD_BYTES) ? parsed : parseWebmHead(await more());
}

async function readWebmIndex(head: Buffer, size: number, read: ReadRange, tables: boolean): Promise<Indexed> {
  const parsed = await readWebmHead(head, size, read);
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
  const cues = tables && cueTimes ? { cues: cueTimes.map((time) => time / 1e9) } : {};
  return budget ? { tracks: [budget], ...cues } : { ...cues };
}

/** The input's size and track budgets; a failure or a server that will not say leaves them out. */
export async function probeInput(input: MediaInput, options: ProbeOptions): Promise<InputProbe> {
  if (input.protocol !== 'http') return { size: undefined };
  // The same headers, cookie jar and range limit as the download's own requests.
  const target = targetOf(input);
  const source = new UpstreamSource(target, { policy: options.policy, readTimeoutMs: options.readTimeoutMs, retries: 0 });
  const tooLarge = () => new MuxError('MUX_FAILED', 'the media server sent more than the range asked');
  let reserved = 0;
  // Reads still under way when the probe gave up must not reserve what its finally already returned.
  let closed = false;
  const charge = (bytes: number) => {
    if (closed) throw new MuxError('ABORTED', 'the probe is over');
    reserve(bytes);
    reserved += bytes;
  };
  // No request asks for more than the format allows (yt-dlp's http_chunk_size).
  const limit = target.chunkSize ?? Infinity;
  const readPiece = async (start: number, end: number) => {
    const { res, ranged } = await source.open(start, end, options.signal);
    if (!ranged) throw (res.destroy(), new MuxError('MUX_FAILED', 'the media server ignored Range'));
    return readWhole(res, end - start + 1, tooLarge);
  };
  const regions: IndexRegion[] = [];
  const read: ReadRange = async (start, end) => {
    // Held until this probe is done: what its parsing still refers to.
    charge(end - start + 1);
    const pieces: Buffer[] = [];
    for (let at = start; at <= end; at += limit) pieces.push(await readPiece(at, Math.min(end, at + limit - 1)));
    const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    regions.push(digestRegion(start, bytes));
    return bytes;
  };
  let size: number | undefined;
  try {
    const headBytes = Math.min(HEAD_BYTES, limit);
    const { res, ranged, total } = await source.open(0, headBytes - 1, options.signal);
    size = total;
    // Without ranges the relay cannot seek either: size only, for the progress hint.
    if (!ranged || size === undefined) return (res.destroy(), { size });
    const head = await readWhole(res, headBytes, tooLarge);
    regions.push(digestRegion(0, head));
    const indexed = head.subarray(0, 4).equals(EBML_MAGIC) ? await readWebmIndex(head, size, read, options.tables ?? false)
      : MP4_OPENINGS.has(head.toString('latin1', 4, 8)) ? await readMp4Index(head, size, read, options.tables ?? false, charge) : undefined;
    return { size, ...indexed, ...(indexed ? { index: regions } : {}) };
  } catch {
    // The download itself will meet (and report) whatever went wrong here; an unreadable index only costs the length.
    return { size };
  } finally {
    closed = true;
    inFlight -= reserved;
  }
}
