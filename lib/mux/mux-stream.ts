// A running ffmpeg remux as a Readable of MP4 bytes. Destroying the stream is
// the one way to stop it, and every ending (consumer destroys, caller's signal
// aborts, ffmpeg fails, ffmpeg's output closes) goes through _destroy: close
// our end of stdout, SIGTERM the group, SIGKILL after the grace, then close the
// relay session. 'close' is emitted only after ffmpeg exited, so whoever holds
// an admission ticket gives it back on 'close'.
import { Readable } from 'node:stream';
import { abortError, MuxError } from '../errors.js';
import type { GroupChild } from '../process/child.js';
import type { MuxInfo } from '../types.js';
import { FREE_BOX_MIN, freeBox } from '../media/free-box.js';
import { mapFfmpegFailure } from './map-error.js';

export const CHUNK_BYTES = 64 * 1024;
/**
 * The most padding a real output needs: the bound errs high by a few KiB
 * plus under a byte per packet (measured, docs/exact-length.md: at most
 * 2.0 % on 600 s of 12 kbit/s Opus, 0.05 % on 600 s of VP9/Opus, a 62 KiB
 * most). Past it, ffmpeg wrote less than its inputs hold: cut, not padded.
 */
export const paddingAllowance = (length: number) => Math.floor(length * 0.01) + 256 * 1024;

export interface MuxStreamOptions {
  signal?: AbortSignal;
  killGraceMs: number;
  /** Runs once ffmpeg has exited, before 'close' (e.g. closing relay tokens). */
  onClose?: () => void;
  /** An input failure ffmpeg may not have noticed (it can end "cleanly" on a cut input). */
  inputFailure?: () => Error | undefined;
  /** The exact length announced for the output: ffmpeg's bytes are padded to it with a `free` box, and may never pass it. */
  length?: number;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

export class MuxStream extends Readable {
  readonly info: MuxInfo;
  readonly #proc: GroupChild;
  readonly #options: MuxStreamOptions;
  #exit: Exit | undefined;
  #stdoutEnded = false;
  #produced = 0;
  #overran = false;
  #short = false;
  #lingerTimer: NodeJS.Timeout | undefined;
  readonly #onAbort = () => this.destroy(abortError(this.#options.signal!));

  constructor(proc: GroupChild, info: MuxInfo, options: MuxStreamOptions) {
    super({ highWaterMark: CHUNK_BYTES });
    this.info = info;
    this.#proc = proc;
    this.#options = options;
    const stdout = proc.child.stdout!;
    stdout.on('data', (chunk: Buffer) => {
      this.#produced += chunk.length;
      // Room must remain for the padding box's header: past that, the announced length was wrong.
      if (options.length !== undefined && this.#produced > options.length - FREE_BOX_MIN) return this.#overrun();
      if (!this.push(chunk)) stdout.pause();
    });
    stdout.once('end', () => {
      this.#stdoutEnded = true;
      this.#settle();
    });
    // Errors on our end of the pipe only happen while tearing down.
    stdout.on('error', () => {});
    void proc.exited.then((exit) => {
      this.#exit = exit;
      this.#settle();
    });
    if (options.signal?.aborted) queueMicrotask(this.#onAbort);
    else options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** ffmpeg's process id (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.#proc.child.pid;
  }

  /** The exact length of the stream (ffmpeg's output and its padding), when it was announced. */
  get length(): number | undefined {
    return this.#options.length;
  }

  /** ffmpeg wrote more than the announced length allowed (the stream failed). */
  get overran(): boolean {
    return this.#overran;
  }

  /** The output did not come out at its announced length, longer or much shorter (the stream failed). */
  get missedLength(): boolean {
    return this.#overran || this.#short;
  }

  #overrun(): void {
    this.#overran = true;
    this.destroy(new MuxError('MUX_FAILED', 'the remux came out larger than its announced length',
      { detail: `ffmpeg wrote more than ${this.#options.length! - FREE_BOX_MIN} bytes` }));
  }

  /** Stops the remux if it still runs; resolves once ffmpeg is gone and its relay session closed. Every caller's one way to stop. */
  async close(): Promise<void> {
    if (this.closed) return;
    const gone = new Promise<void>((resolve) => this.once('close', () => resolve()));
    this.destroy();
    await gone;
  }

  /** ffmpeg's exit code once it exited (null when killed by a signal), else undefined. */
  get exitCode(): number | null | undefined {
    return this.#exit?.code;
  }

  override _read(): void {
    this.#proc.child.stdout!.resume();
  }

  /**
   * Ends cleanly only when ffmpeg exited 0, its output was read to the end,
   * and no input failed. An input's failure comes from the relay (one channel,
   * whatever ffmpeg made of it: it may even exit 0 on a cut input).
   */
  #settle(): void {
    if (this.destroyed) return;
    const exit = this.#exit;
    const failed = exit && (exit.code !== 0 || exit.signal);
    if (failed || (exit && this.#stdoutEnded)) {
      const input = this.#options.inputFailure?.();
      if (input) this.destroy(input instanceof MuxError ? input
        : new MuxError('MUX_FAILED', 'an input ended before all of it arrived', { cause: input, detail: input.message }));
      else if (failed) this.destroy(mapFfmpegFailure(this.#proc.stderrTail(), exit));
      else this.#end();
    } else if (this.#stdoutEnded && !this.#lingerTimer) {
      // Output closed but the process lingers: give it the grace, then call it a failure.
      this.#lingerTimer = setTimeout(() => this.destroy(new MuxError('MUX_FAILED', 'ffmpeg closed its output but did not exit')),
        this.#options.killGraceMs);
    }
  }

  /**
   * A clean end: the padding that makes the announced length exact, then EOF.
   * Padding far beyond what the bound leaves means ffmpeg wrote much less than
   * its inputs hold: a cut input it did not notice, never a file to complete.
   */
  #end(): void {
    const { length } = this.#options;
    if (length !== undefined) {
      const padding = length - this.#produced;
      if (padding > paddingAllowance(length)) {
        this.#short = true;
        return void this.destroy(new MuxError('MUX_FAILED', 'the remux came out much shorter than its inputs',
          { detail: `ffmpeg wrote ${this.#produced} of at most ${length} bytes` }));
      }
      try {
        this.push(freeBox(padding));
      } catch (error) {
        return void this.destroy(new MuxError('MUX_FAILED', 'the remux could not be padded to its announced length', { cause: error }));
      }
    }
    this.push(null);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#lingerTimer);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    // A write blocked on a full pipe fails at once when our end goes away.
    this.#proc.child.stdout!.destroy();
    this.#proc.terminate(this.#options.killGraceMs).then(() => {
      this.#options.onClose?.();
      callback(error);
    }, callback);
  }
}
