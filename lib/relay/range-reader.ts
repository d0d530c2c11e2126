// Delivers bytes [from, to] of a source to ffmpeg strictly in order while up
// to `parallel` ranges are fetched at once. The range at the head streams
// straight into `out` (backpressure pauses it); ranges ahead keep what they
// read in the heap only while the session's budget allows, then pause and let
// the kernel's socket buffers hold the rest. A cut range is reopened from the
// byte where it stopped.
import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import { abortError, MuxError } from '../errors.js';
import type { ByteBudget } from './budget.js';
import { splitRanges } from './byte-range.js';
import { Chunk, consume, drained } from './chunk.js';
import type { RangeSource } from './range-source.js';

export interface ReaderOptions {
  rangeSize: number;
  parallel: number;
  budget: ByteBudget;
}

export class RangeReader {
  readonly #source: RangeSource;
  readonly #out: Writable;
  readonly #options: ReaderOptions;
  readonly #signal: AbortSignal;

  constructor(source: RangeSource, out: Writable, options: ReaderOptions, signal: AbortSignal) {
    this.#source = source;
    this.#out = out;
    this.#options = options;
    this.#signal = signal;
  }

  /** Writes [from, to] to `out`. `first` is an already open 206 response starting at `from`. */
  async run(from: number, to: number, first?: IncomingMessage): Promise<void> {
    const ranges = splitRanges(from, to, this.#options.rangeSize);
    const active: Chunk[] = [];
    let next = 0;
    const launch = () => {
      while (active.length < this.#options.parallel && next < ranges.length) {
        const [start, end] = ranges[next]!;
        const chunk = new Chunk(start, end, next === 0 ? first : undefined);
        next += 1;
        chunk.settled = this.#fetch(chunk);
        // Failures are read when the chunk reaches the head; keep them from going unhandled until then.
        chunk.settled.catch(() => {});
        active.push(chunk);
      }
    };
    try {
      launch();
      while (active.length > 0) {
        const head = active[0]!;
        await this.#promote(head);
        await head.settled;
        active.shift();
        launch();
      }
    } finally {
      for (const chunk of active) {
        this.#options.budget.give(chunk.buffers.reduce((n, b) => n + b.length, 0));
        chunk.res?.destroy();
      }
    }
  }

  /** Flushes what the chunk read ahead, then lets it stream straight to `out`. */
  async #promote(chunk: Chunk): Promise<void> {
    while (chunk.buffers.length > 0) {
      const buffer = chunk.buffers.shift()!;
      this.#options.budget.give(buffer.length);
      if (!this.#out.write(buffer)) await drained(this.#out);
      if (this.#signal.aborted) throw abortError(this.#signal);
    }
    chunk.head = true;
    chunk.resume?.();
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
