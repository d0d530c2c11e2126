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
import type { RangeSource } from './range-source.js';

export interface ReaderOptions {
  rangeSize: number;
  parallel: number;
  budget: ByteBudget;
}

class Chunk {
  received = 0;
  readonly buffers: Buffer[] = [];
  head = false;
  settled: Promise<void>;
  res: IncomingMessage | undefined;
  /** Set while a response is being read: lets it flow again. */
  resume: (() => void) | undefined;
  constructor(readonly start: number, readonly end: number, first?: IncomingMessage) {
    this.res = first;
    this.settled = Promise.resolve();
  }
  get length(): number { return this.end - this.start + 1; }
}

/** Resolves once `out` can take more (or is gone). */
const drained = (out: Writable) => new Promise<void>((resolve) => {
  const done = () => { out.off('drain', done); out.off('close', done); resolve(); };
  out.once('drain', done);
  out.once('close', done);
});

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
        await this.#consume(chunk, chunk.res);
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

  /** Reads one response to the end of the chunk; rejects if it is cut short. */
  #consume(chunk: Chunk, res: IncomingMessage): Promise<void> {
    const { budget } = this.#options;
    const timeoutMs = this.#source.options.readTimeoutMs;
    const socket = res.socket;
    return new Promise((resolve, reject) => {
      let cancelWake: (() => void) | undefined;
      const onTimeout = () => res.destroy(new MuxError('TIMEOUT', 'the media server stopped sending'));
      socket.on('timeout', onTimeout);
      // The read timeout runs only while we want bytes: a range waiting for the budget or for ffmpeg just waits.
      const flow = () => {
        cancelWake?.();
        cancelWake = undefined;
        socket.setTimeout(timeoutMs);
        res.resume();
      };
      const hold = () => {
        res.pause();
        socket.setTimeout(0);
      };
      chunk.resume = flow;
      const cleanup = () => {
        res.off('data', onData); res.off('end', onEnd); res.off('close', onEnd); res.off('error', onError);
        cancelWake?.();
        chunk.resume = undefined;
        socket.off('timeout', onTimeout);
        socket.setTimeout(0);
      };
      const onData = (data: Buffer) => {
        const buffer = data.length > chunk.length - chunk.received ? data.subarray(0, chunk.length - chunk.received) : data;
        chunk.received += buffer.length;
        if (chunk.head) {
          if (!this.#out.write(buffer)) {
            hold();
            void drained(this.#out).then(flow);
          }
        } else {
          chunk.buffers.push(buffer);
          budget.take(buffer.length);
          if (budget.full) {
            hold();
            cancelWake = budget.onFree(flow);
          }
        }
        if (chunk.received < chunk.length) return;
        cleanup();
        // Bytes past the chunk (a server that ignored the end) must not go back to the keep-alive pool.
        if (!res.complete) res.destroy();
        resolve();
      };
      const onEnd = () => { cleanup(); reject(new MuxError('MUX_FAILED', `range ${chunk.start}-${chunk.end} was cut after ${chunk.received} bytes`)); };
      const onError = (error: Error) => { cleanup(); reject(error); };
      res.on('data', onData);
      res.once('end', onEnd);
      res.once('close', onEnd);
      res.once('error', onError);
      if (chunk.head || !budget.full) flow();
      else { hold(); cancelWake = budget.onFree(flow); }
    });
  }
}
