// Extractions are the expensive, floodable part of a request. This shares one
// in-flight yt-dlp run among identical requests, keeps results for a short
// while (format URLs stay fresh for minutes to hours), caps how many yt-dlp
// processes run at once, and caps how many more may wait for one: past that a
// new page is refused at once instead of growing a queue nobody will live to see.
import { Semaphore } from '../admission/semaphore.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { abortError, MuxError } from '../errors.js';
import { requireVideo } from '../extract/parse-playlist.js';
import type { PageChoice } from '../extract/ytdlp-args.js';
import type { Extraction, Selection } from '../types.js';

/** A video's selection, or (the page was a list) its entries. */
export type ExtractFn = (url: string, choice: PageChoice, signal: AbortSignal) => Promise<Extraction>;

export interface ExtractionCacheOptions {
  extract: ExtractFn;
  /** yt-dlp runs at once. @default 4 */
  maxConcurrent?: number;
  /**
   * New extractions that may wait for a free run; one more is refused with BUSY.
   * Requests joining an in-flight or cached extraction never count. @default 16
   */
  maxQueued?: number;
  /** How long a result is reused. @default 300000 */
  ttlMs?: number;
  /** Finished results kept at most; the oldest go first (in-flight ones always stay). @default 500 */
  maxEntries?: number;
  /** Told how long each finished extraction took. */
  onExtracted?: (ms: number, ok: boolean) => void;
}

interface Entry {
  key: string;
  promise: Promise<Extraction>;
  /** The result, once there is one. */
  value?: Extraction;
  controller: AbortController;
  waiters: number;
  /** Infinity while the extraction is in flight (queued or running). */
  expires: number;
}

export class ExtractionCache {
  readonly #options: Required<Omit<ExtractionCacheOptions, 'onExtracted'>> & Pick<ExtractionCacheOptions, 'onExtracted'>;
  readonly #limiter: Semaphore;
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  constructor(options: ExtractionCacheOptions) {
    this.#options = {
      maxConcurrent: DEFAULT_CONFIG.maxExtractions, maxQueued: DEFAULT_CONFIG.maxExtractionQueue, ttlMs: DEFAULT_CONFIG.cacheTtlMs, maxEntries: 500, ...options,
    };
    const { maxQueued } = this.#options;
    if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new RangeError(`maxQueued must be a whole number ≥ 0, got ${maxQueued}`);
    this.#limiter = new Semaphore(this.#options.maxConcurrent);
  }

  /** Requests answered from a finished or in-flight extraction. */
  get hits(): number { return this.#hits; }
  /** Requests that started a new extraction. */
  get misses(): number { return this.#misses; }
  /** yt-dlp runs going on now. */
  get running(): number { return this.#limiter.held; }
  /** Extractions waiting for a free run. */
  get queued(): number { return this.#limiter.waiting; }

  /** The selection for `url`, as lookup() finds it; IS_PLAYLIST when the page is a list. */
  get(url: string, choice: PageChoice, signal?: AbortSignal): Promise<Selection> {
    return this.lookup(url, choice, signal).then(requireVideo);
  }

  /**
   * What `url` is: a video's selection or a playlist's entries. Leaves at once when `signal`
   * aborts (the run stops when nobody waits). Rejects with BUSY, adding nothing, when a new
   * extraction would find the queue full.
   */
  lookup(url: string, choice: PageChoice, signal?: AbortSignal): Promise<Extraction> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const key = cacheKey(url, choice);
    let entry = this.#entries.get(key);
    if (entry && entry.expires <= Date.now()) {
      this.#entries.delete(key);
      entry = undefined;
    }
    if (entry) this.#hits += 1;
    else {
      if (this.#queueFull()) return Promise.reject(new MuxError('BUSY', 'too many pages are being looked up; try again shortly'));
      this.#misses += 1;
      entry = this.#start(key, url, choice);
    }
    return this.#wait(entry, signal);
  }

  /**
   * A fresh selection after `stale` was refused (its URLs expired): a new
   * extraction, with the same limits and metrics as any other, unless another
   * download already replaced `stale` (then that one is shared).
   */
  refresh(url: string, choice: PageChoice, stale: Selection, signal?: AbortSignal): Promise<Selection> {
    const entry = this.#entries.get(cacheKey(url, choice));
    if (entry && (entry.value === stale || entry.expires <= Date.now())) this.#entries.delete(entry.key);
    return this.get(url, choice, signal);
  }

  /** A new run would have to wait, and `maxQueued` runs already do. */
  #queueFull(): boolean {
    const mustWait = this.#limiter.held >= this.#limiter.limit || this.#limiter.waiting > 0;
    return mustWait && this.#limiter.waiting >= this.#options.maxQueued;
  }

  #start(key: string, url: string, choice: PageChoice): Entry {
    const controller = new AbortController();
    const run = async () => {
      // Joins the limiter's queue synchronously, so `queued` counts this run before get() returns.
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
    const entry: Entry = { key, promise: run(), controller, waiters: 0, expires: Infinity };
    entry.promise.then(
      (value) => { entry.value = value; entry.expires = Date.now() + this.#options.ttlMs; },
      () => this.#forget(entry),
    );
    this.#entries.set(key, entry);
    this.#evict();
    return entry;
  }

  /**
   * Drops finished results, oldest first, down to `maxEntries`. In-flight ones stay:
   * dropping them would not stop the run, only make the next request start another.
   */
  #evict(): void {
    let excess = this.#entries.size - this.#options.maxEntries;
    for (const [key, entry] of this.#entries) {
      if (excess <= 0) break;
      if (entry.expires === Infinity) continue;
      this.#entries.delete(key);
      excess -= 1;
    }
  }

  #forget(entry: Entry): void {
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
  }

  #wait(entry: Entry, signal?: AbortSignal): Promise<Extraction> {
    entry.waiters += 1;
    return new Promise<Extraction>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        signal?.removeEventListener('abort', onAbort);
        entry.waiters -= 1;
      };
      const onAbort = () => {
        leave();
        if (entry.waiters === 0 && entry.expires === Infinity) {
          // Nobody else wants it: forget it now (a request arriving next starts afresh
          // instead of joining a dying run), then stop yt-dlp or leave the queue for it.
          this.#forget(entry);
          entry.controller.abort(abortError(signal!));
        }
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

function cacheKey(url: string, choice: PageChoice): string {
  // The codec changes what yt-dlp chooses, so it is part of what was extracted.
  return `${choice.audioOnly ? 'audio' : 'av'}|${choice.maxHeight ?? ''}|${choice.codec ?? ''}|${choice.playlist ? 'list' : ''}|${url}`;
}
