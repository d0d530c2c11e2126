// One byte range of an upstream file on its way to ffmpeg, and the reading of
// one response into it.
import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import { MuxError } from '../errors.js';
import type { ByteBudget } from './budget.js';

export class Chunk {
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
export const drained = (out: Writable) => new Promise<void>((resolve) => {
  const done = () => { out.off('drain', done); out.off('close', done); resolve(); };
  out.once('drain', done);
  out.once('close', done);
});

/**
 * Reads one response to the end of `chunk`: straight into `out` when the
 * chunk is at the head, into the chunk's buffers (on the budget) when ahead.
 * Rejects if the response is cut short or sends nothing for `timeoutMs`.
 */
export function consume(chunk: Chunk, res: IncomingMessage, out: Writable, budget: ByteBudget, timeoutMs: number): Promise<void> {
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
        if (!out.write(buffer)) {
          hold();
          void drained(out).then(flow);
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
