// The exact length, the ETag and a resume's blanks all come from the bytes the
// probe read (moov, sidx and moofs, a WebM's head and Cues). A site that
// serves ffmpeg other bytes there (another moov) would make a file of another
// length, padded into a "complete" one. So the probe keeps a digest of every
// region it read, in blocks, and the relay checks each block it serves ffmpeg
// whole against it. A block a read starts inside, or one that overlaps a
// blank (zeros by design), is not checked; ffmpeg reads a box from its start.
import { createHash, type Hash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { MuxError } from '../errors.js';

/** A region's bytes are digested in blocks of this size (the last may be shorter). */
export const INDEX_BLOCK_BYTES = 16 * 1024;
/** Bytes of SHA-256 kept per block: enough against a server guessing, a tenth of a percent of the index. */
const DIGEST_BYTES = 8;

export interface IndexRegion {
  start: number;
  length: number;
  /** DIGEST_BYTES per block, in order. */
  blocks: Buffer;
}

/** Every region a probe read. */
export type IndexDigest = readonly IndexRegion[];

const digestOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest().subarray(0, DIGEST_BYTES);

export function digestRegion(start: number, bytes: Buffer): IndexRegion {
  const count = Math.ceil(bytes.length / INDEX_BLOCK_BYTES);
  const blocks = Buffer.alloc(count * DIGEST_BYTES);
  for (let i = 0; i < count; i++) digestOf(bytes.subarray(i * INDEX_BLOCK_BYTES, (i + 1) * INDEX_BLOCK_BYTES)).copy(blocks, i * DIGEST_BYTES);
  return { start, length: bytes.length, blocks };
}

interface Open { region: IndexRegion; block: number; end: number; hash: Hash }

/**
 * Watches the bytes of one relay response to ffmpeg, from byte `from` of the
 * input on, in order. `see` returns a MuxError at the first block that differs.
 */
export class IndexCheck {
  readonly #digest: IndexDigest;
  readonly #blanks: ReadonlyArray<readonly [number, number]>;
  readonly #from: number;
  #at: number;
  #open: Open[] = [];
  /** Blocks compared so far (for tests). */
  checked = 0;

  /** The longest region: no region starting further back than this before a buffer can reach it. */
  readonly #longest: number;

  constructor(digest: IndexDigest, from: number, blanks: ReadonlyArray<readonly [number, number]> = []) {
    // By start, so each write looks only at the regions near it (a fragmented file has thousands of moofs).
    this.#digest = [...digest].sort((a, b) => a.start - b.start);
    this.#longest = Math.max(0, ...digest.map((region) => region.length));
    this.#blanks = blanks;
    this.#from = from;
    this.#at = from;
  }

  see(buffer: Buffer): MuxError | undefined {
    const start = this.#at;
    const end = start + buffer.length;
    this.#at = end;
    for (let i = this.#firstNear(start); i < this.#digest.length && this.#digest[i]!.start < end; i++) {
      const region = this.#digest[i]!;
      const regionEnd = region.start + region.length;
      if (regionEnd <= start) continue;
      // Blocks that begin within this buffer, at or after where the response began.
      const first = Math.max(0, Math.ceil((Math.max(start, this.#from) - region.start) / INDEX_BLOCK_BYTES));
      for (let block = first; region.start + block * INDEX_BLOCK_BYTES < Math.min(end, regionEnd); block++) {
        const blockStart = region.start + block * INDEX_BLOCK_BYTES;
        const blockEnd = Math.min(blockStart + INDEX_BLOCK_BYTES, regionEnd);
        if (blockStart < start || this.#overlapsBlank(blockStart, blockEnd)) continue;
        this.#open.push({ region, block, end: blockEnd, hash: createHash('sha256') });
      }
    }
    const still: Open[] = [];
    for (const open of this.#open) {
      const blockStart = open.region.start + open.block * INDEX_BLOCK_BYTES;
      open.hash.update(buffer.subarray(Math.max(0, blockStart - start), open.end - start));
      if (open.end > end) {
        still.push(open);
        continue;
      }
      this.checked += 1;
      const expected = open.region.blocks.subarray(open.block * DIGEST_BYTES, (open.block + 1) * DIGEST_BYTES);
      if (!open.hash.digest().subarray(0, DIGEST_BYTES).equals(expected)) {
        return new MuxError('INDEX_CHANGED', 'the media server sent ffmpeg other index bytes than it sent when the length was measured',
          { detail: `bytes ${blockStart}-${open.end - 1} differ from the probe's` });
      }
    }
    this.#open = still;
    return undefined;
  }

  /** The first region that starts no more than the longest region's length before `at`. */
  #firstNear(at: number): number {
    let low = 0;
    let high = this.#digest.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#digest[mid]!.start < at - this.#longest) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #overlapsBlank(start: number, end: number): boolean {
    return this.#blanks.some(([s, e]) => s < end && e >= start);
  }
}

/**
 * Passes every buffer written to `out` through `check` first; at a mismatch,
 * `fail` is told (once) and nothing more of it is written.
 */
export function checkWrites(out: Writable, check: IndexCheck, fail: (error: MuxError) => void): void {
  const write = out.write.bind(out) as (chunk: Buffer) => boolean;
  let failed = false;
  out.write = ((chunk: Buffer) => {
    const error = failed ? undefined : check.see(chunk);
    if (error) {
      failed = true;
      fail(error);
    }
    return failed ? false : write(chunk);
  }) as Writable['write'];
}
