// One byte range of an upstream file, or one fragment, on its way to ffmpeg,
// and the reading of one response into it.
import type { Decipher } from 'node:crypto';
import type { Writable } from 'node:stream';
import { MuxError } from '../errors.js';
import type { ByteBudget } from './budget.js';
import type { UpstreamResponse } from './lean-response.js';

export class Chunk {
  received = 0;
  readonly buffers: Buffer[] = [];
  head = false;
  settled: Promise<void>;
  res: UpstreamResponse | undefined;
  /** Set while a response is being read: lets it flow again. */
  resume: (() => void) | undefined;
  /** Bytes at the start of the current response that are not ours (a server that ignored Range on a resume). */
  skip = 0;
  /** AES-128-CBC: bytes are decrypted on their way out, in order. */
  decipher: Decipher | undefined;
  /** Served as zeros without fetching (lib/length/skip-plan.ts): written when it reaches the head. */
  blank = false;
  /** Told the running total each time bytes arrive (the relay's ramp-up watches the first chunk). */
  onReceived: ((received: number) => void) | undefined;
  /** `end` is Infinity until a response says how long a fragment is; then its end is a clean 'end' of the response. */
  constructor(readonly start: number, public end: number, first?: UpstreamResponse) {
    this.res = first;
    this.settled = Promise.resolve();
  }
  get length(): number { return this.end - this.start + 1; }

  /** Writes `buffer` (decrypted, if the chunk is encrypted) to `out`; false when `out` wants a pause. */
  deliver(out: Writable, buffer: Buffer): boolean {
    return out.write(this.decipher ? this.decipher.update(buffer) : buffer);
  }
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
export function consume(chunk: Chunk, res: UpstreamResponse, out: Writable, budget: ByteBudget, timeoutMs: number): Promise<void> {
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
    const onData = (input: Buffer) => {
      let data = input;
      if (chunk.skip > 0) {
        const skipped = Math.min(chunk.skip, data.length);
        chunk.skip -= skipped;
        data = data.subarray(skipped);
        if (data.length === 0) return;
      }
      const buffer = data.length > chunk.length - chunk.received ? data.subarray(0, chunk.length - chunk.received) : data;
      chunk.received += buffer.length;
      chunk.onReceived?.(chunk.received);
      if (chunk.head) {
        if (!chunk.deliver(out, buffer)) {
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
      resolve();
      // The parser marks the response complete only after handing over its last bytes, in the same call:
      // look once it is done. A complete response is read to its end so its socket goes back to the
      // keep-alive pool; bytes past the chunk (a server that ignored the end) must not.
      setImmediate(() => { if (res.complete) res.resume(); else res.destroy(); });
    };
    const onEnd = () => {
      cleanup();
      // A fragment of unknown length ends with its response, if the response really ended.
      if (!Number.isFinite(chunk.end) && res.complete && chunk.skip === 0) return resolve();
      reject(new MuxError('MUX_FAILED', `range ${chunk.start}-${chunk.end} was cut after ${chunk.received} bytes`));
    };
    const onError = (error: Error) => { cleanup(); reject(error); };
    res.on('data', onData);
    res.once('end', onEnd);
    res.once('close', onEnd);
    res.once('error', onError);
    if (chunk.head || !budget.full) flow();
    else { hold(); cancelWake = budget.onFree(flow); }
  });
}
