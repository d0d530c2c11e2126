// Delivers bytes [from, to] of a whole-file input to ffmpeg in order, fetched
// as parallel byte ranges (lib/relay/in-order.ts). A cut range is reopened
// from the byte where it stopped.
import type { Writable } from 'node:stream';
import { abortError, MuxError } from '../errors.js';
import type { ByteBudget } from './budget.js';
import { splitAroundBlanks } from './byte-range.js';
import { Chunk, consume } from './chunk.js';
import { deliverInOrder } from './in-order.js';
import type { UpstreamResponse } from './lean-response.js';
import type { UpstreamSource } from './upstream-source.js';

/** ffmpeg's first look at a file (headers, an index at the end) is well under this; past it, it is reading on. */
const RAMP_UP_BYTES = 1024 * 1024;

export interface ReaderOptions {
  rangeSize: number;
  parallel: number;
  budget: ByteBudget;
  /** Byte ranges served as zeros, not fetched (a resume's skipped samples: lib/length/skip-plan.ts). */
  blanks?: ReadonlyArray<readonly [number, number]>;
}

export class RangeReader {
  readonly #source: UpstreamSource;
  readonly #out: Writable;
  readonly #options: ReaderOptions;
  readonly #signal: AbortSignal;

  constructor(source: UpstreamSource, out: Writable, options: ReaderOptions, signal: AbortSignal) {
    this.#source = source;
    this.#out = out;
    this.#options = options;
    this.#signal = signal;
  }

  /** Writes [from, to] to `out`. `first` is an already open 206 response starting at `from`. */
  run(from: number, to: number, first?: UpstreamResponse): Promise<void> {
    const pieces = splitAroundBlanks(from, to, this.#options.rangeSize, this.#options.blanks ?? []);
    if (pieces[0]?.blank) first?.destroy();
    return deliverInOrder(this.#out, {
      count: pieces.length, parallel: this.#options.parallel, budget: this.#options.budget, rampUpBytes: RAMP_UP_BYTES,
      start: (index) => {
        const { start, end, blank } = pieces[index]!;
        const chunk = new Chunk(start, end, index === 0 && !blank ? first : undefined);
        chunk.blank = blank;
        if (!blank) chunk.settled = this.#fetch(chunk);
        return chunk;
      },
    }, this.#signal);
  }

  async #fetch(chunk: Chunk): Promise<void> {
    const attempt = { tries: 0 };
    for (;;) {
      if (!chunk.res) {
        const opened = await this.#source.open(chunk.start + chunk.received, chunk.end, this.#signal, attempt);
        if (!opened.ranged) throw (opened.res.destroy(), new MuxError('MUX_FAILED', 'the media server stopped honouring ranges'));
        chunk.res = opened.res;
      }
      try {
        await consume(chunk, chunk.res, this.#out, this.#options.budget, this.#source.options.readTimeoutMs);
        return;
      } catch (error) {
        chunk.res.destroy();
        chunk.res = undefined;
        if (this.#signal.aborted) throw abortError(this.#signal);
        attempt.tries += 1;
        if (attempt.tries > this.#source.options.retries) throw error;
      }
    }
  }
}
