// Extractions are the expensive, floodable part of a request. This shares one
// in-flight yt-dlp run among identical requests, keeps results for a short
// while (format URLs stay fresh for minutes to hours), and caps how many
// yt-dlp processes run at once.
import { Semaphore } from '../admission/semaphore.js';
import { abortError } from '../errors.js';
import type { FormatChoice } from '../extract/ytdlp-args.js';
import type { Selection } from '../types.js';

export type ExtractFn = (url: string, choice: FormatChoice, signal: AbortSignal) => Promise<Selection>;

export interface ExtractionCacheOptions {
  extract: ExtractFn;
  /** yt-dlp runs at once. @default 4 */
  maxConcurrent?: number;
  /** How long a result is reused. @default 300000 */
  ttlMs?: number;
  /** Results kept at most; the oldest go first. @default 500 */
  maxEntries?: number;
  /** Told how long each finished extraction took. */
  onExtracted?: (ms: number, ok: boolean) => void;
}

interface Entry {
  promise: Promise<Selection>;
  controller: AbortController;
  waiters: number;
  expires: number;
}

export class ExtractionCache {
  readonly #options: Required<Omit<ExtractionCacheOptions, 'onExtracted'>> & Pick<ExtractionCacheOptions, 'onExtracted'>;
  readonly #limiter: Semaphore;
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  constructor(options: ExtractionCacheOptions) {
    this.#options = { maxConcurrent: 4, ttlMs: 300_000, maxEntries: 500, ...options };
    this.#limiter = new Semaphore(this.#options.maxConcurrent);
  }

  /** Requests answered from a finished or in-flight extraction. */
  get hits(): number { return this.#hits; }
  /** Requests that started a new extraction. */
  get misses(): number { return this.#misses; }
  /** yt-dlp runs going on now. */
  get running(): number { return this.#limiter.held; }

  /** The selection for `url`; leaves at once when `signal` aborts (the run stops when nobody waits). */
  get(url: string, choice: FormatChoice, signal?: AbortSignal): Promise<Selection> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const key = cacheKey(url, choice);
    let entry = this.#entries.get(key);
    if (entry && entry.expires <= Date.now()) {
      this.#entries.delete(key);
      entry = undefined;
    }
    if (entry) this.#hits += 1;
    else {
      this.#misses += 1;
      entry = this.#start(key, url, choice);
    }
    return this.#wait(entry, signal);
  }

  /** Forgets a result, e.g. when its format URLs were refused. */
  invalidate(url: string, choice: FormatChoice): void {
    this.#entries.delete(cacheKey(url, choice));
  }

  #start(key: string, url: string, choice: FormatChoice): Entry {
    const controller = new AbortController();
    const run = async () => {
      await this.#limiter.take(controller.signal);
      const started = performance.now();
      try {
        const selection = await this.#options.extract(url, choice, controller.signal);
        this.#options.onExtracted?.(performance.now() - started, true);
        return selection;
      } catch (error) {
        this.#options.onExtracted?.(performance.now() - started, false);
        throw error;
      } finally {
        this.#limiter.give();
      }
    };
    const entry: Entry = { promise: run(), controller, waiters: 0, expires: Infinity };
    entry.promise.then(
      () => { entry.expires = Date.now() + this.#options.ttlMs; },
      () => { if (this.#entries.get(key) === entry) this.#entries.delete(key); },
    );
    this.#entries.set(key, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#options.maxEntries) break;
      this.#entries.delete(oldest);
    }
    return entry;
  }

  #wait(entry: Entry, signal?: AbortSignal): Promise<Selection> {
    entry.waiters += 1;
    return new Promise<Selection>((resolve, reject) => {
      const leave = () => {
        signal?.removeEventListener('abort', onAbort);
        entry.waiters -= 1;
      };
      const onAbort = () => {
        leave();
        // Nobody else wants it: stop yt-dlp (or leave the queue for it).
        if (entry.waiters === 0 && entry.expires === Infinity) entry.controller.abort(abortError(signal!));
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (value) => { leave(); resolve(value); },
        (error: unknown) => { leave(); reject(error); },
      );
    });
  }
}

function cacheKey(url: string, choice: FormatChoice): string {
  return `${choice.audioOnly ? 'audio' : 'av'}|${choice.maxHeight ?? ''}|${url}`;
}
