// The relay's one engine: up to `parallel` chunks (byte ranges, or fragments)
// fetched at once, delivered to ffmpeg strictly in order. The chunk at the
// head streams straight into `out` (backpressure pauses it); chunks ahead keep
// what they read in the heap only while the budget allows, then pause and let
// the kernel's socket buffers hold the rest.
import type { Writable } from 'node:stream';
import { abortError } from '../errors.js';
import type { ByteBudget } from './budget.js';
import { drained, type Chunk } from './chunk.js';

export interface InOrderOptions {
  /** How many chunks there are. */
  count: number;
  parallel: number;
  /**
   * Fetch the first chunk alone until this many of its bytes arrived, then
   * `parallel`: ffmpeg often reads a little and seeks (an MP4 with its index
   * at the end is read at its start, its end, then its start again), and
   * chunks opened ahead of a seek are thrown away. @default 0 (at once)
   */
  rampUpBytes?: number;
  budget: ByteBudget;
  /** Makes chunk `index` and starts fetching it (its `settled` says when it is complete). */
  start: (index: number) => Chunk;
}

/** One shared block of zeros for blank chunks: never written to, so any number of writes may hold it. */
const ZEROS = Buffer.alloc(256 * 1024);

async function writeZeros(chunk: Chunk, out: Writable, signal: AbortSignal): Promise<void> {
  for (let left = chunk.length; left > 0; left -= ZEROS.length) {
    if (!out.write(ZEROS.subarray(0, Math.min(left, ZEROS.length)))) await drained(out);
    if (signal.aborted) throw abortError(signal);
  }
}

/** Flushes what the chunk read ahead, then lets it stream straight to `out`. */
async function promote(chunk: Chunk, out: Writable, budget: ByteBudget, signal: AbortSignal): Promise<void> {
  if (chunk.blank) return writeZeros(chunk, out, signal);
  while (chunk.buffers.length > 0) {
    const buffer = chunk.buffers.shift()!;
    budget.give(buffer.length);
    if (!chunk.deliver(out, buffer)) await drained(out);
    if (signal.aborted) throw abortError(signal);
  }
  chunk.head = true;
  chunk.resume?.();
}

export async function deliverInOrder(out: Writable, options: InOrderOptions, signal: AbortSignal): Promise<void> {
  const active: Chunk[] = [];
  let next = 0;
  let ramped = !options.rampUpBytes;
  let cancelWake: (() => void) | undefined;
  const launch = () => {
    const limit = ramped ? options.parallel : 1;
    while (active.length < limit && next < options.count) {
      // A chunk opened ahead while the read-ahead is full would only sit paused, holding what Node read of it.
      if (active.length > 0 && options.budget.full) {
        cancelWake ??= options.budget.onFree(() => { cancelWake = undefined; launch(); });
        return;
      }
      const chunk = options.start(next);
      if (!ramped && next === 0) {
        chunk.onReceived = (received) => {
          if (received < options.rampUpBytes! || ramped) return;
          ramped = true;
          launch();
        };
      }
      next += 1;
      // Failures are read when the chunk reaches the head; keep them from going unhandled until then.
      chunk.settled.catch(() => {});
      active.push(chunk);
    }
  };
  try {
    launch();
    while (active.length > 0) {
      const head = active[0]!;
      await promote(head, out, options.budget, signal);
      await head.settled;
      // The padding block of an encrypted fragment comes out only at its end.
      if (head.decipher && !out.write(head.decipher.final())) await drained(out);
      active.shift();
      ramped = true;
      launch();
    }
  } finally {
    cancelWake?.();
    for (const chunk of active) {
      options.budget.give(chunk.buffers.reduce((n, b) => n + b.length, 0));
      chunk.res?.destroy();
    }
  }
}
