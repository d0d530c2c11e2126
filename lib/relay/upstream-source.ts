// One input as the relay sees it: where it is now (its URL, headers and, for
// HLS/DASH, its fragments), how to get a fresh copy once if the old one is
// refused, and how to open a byte range of it or of one of its fragments,
// with retries.
import { abortError, MuxError } from '../errors.js';
import type { EgressPolicy } from '../egress/guard.js';
import type { Fragment } from '../types.js';
import { parseContentRange } from './byte-range.js';
import type { UpstreamResponse } from './lean-response.js';
import { openUpstream, statusError, type UpstreamTarget } from './upstream.js';

export interface SourceOptions {
  policy: EgressPolicy;
  readTimeoutMs: number;
  /** Attempts per range after the first. @default 3 */
  retries: number;
  /** Byte ranges of whole files read by the lean reader (lib/relay/lean-request.ts). @default true */
  leanReader?: boolean;
}

/** An input: its URL, headers and cookies, and (fragmented inputs) the fragments to deliver in order. */
export interface SourceTarget extends UpstreamTarget {
  fragments?: Fragment[];
  /** Largest range to ask for (yt-dlp's `http_chunk_size`), when the format has one. */
  chunkSize?: number;
}

export interface OpenedRange {
  res: UpstreamResponse;
  /** False when the server ignored Range and sent the whole resource (200). */
  ranged: boolean;
  /** Size of the whole resource, when the server said. */
  total: number | undefined;
}

/** Counts the tries of one range or fragment across its reopenings. */
export interface Attempt { tries: number }

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
  const onAbort = () => { clearTimeout(timer); reject(abortError(signal)); };
  const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
  signal.addEventListener('abort', onAbort, { once: true });
});

export class UpstreamSource {
  target: SourceTarget;
  /** Exact size of a whole-file input, once any response told it. */
  size: number | undefined;
  readonly options: SourceOptions;
  readonly #refresh: (() => Promise<SourceTarget>) | undefined;
  #refreshed: Promise<void> | undefined;

  constructor(target: SourceTarget, options: SourceOptions, refresh?: () => Promise<SourceTarget>) {
    this.target = target;
    this.options = options;
    this.#refresh = refresh;
  }

  /**
   * Re-extracts once per source; later refusals are final. A request that was
   * refused with a target already replaced just tries again with the new one.
   */
  #refreshOnce(error: MuxError, used: SourceTarget): Promise<void> {
    if (this.target !== used) return Promise.resolve();
    if (!this.#refresh) throw error;
    if (this.#refreshed) return this.#refreshed.then(() => { if (this.target === used) throw error; });
    // If re-extraction fails, the refusal is what the user needs to hear about.
    this.#refreshed = this.#refresh().then((fresh) => { this.target = fresh; }, () => { throw error; });
    return this.#refreshed;
  }

  /**
   * Opens what `locate` picks from the current target (a 200 or 206 answer).
   * Network failures and 5xx are retried with backoff; a 401/403/410 triggers
   * one re-extraction, after which `locate` picks from the fresh target (the
   * same fragment index: a download continues where it was).
   */
  async request(locate: (target: SourceTarget) => { url: string; range?: [number, number | undefined] }, signal: AbortSignal,
    attempt: Attempt = { tries: 0 }, lean = false): Promise<UpstreamResponse> {
    for (;;) {
      const used = this.target;
      try {
        const { url, range } = locate(used);
        // Cookies by their scope, Authorization by the format's origin (lib/relay/upstream.ts).
        const opened = await openUpstream({ url, headers: used.headers, ...(used.cookies ? { cookies: used.cookies } : {}) }, {
          signal, ...this.options, lean, credentialOrigin: new URL(used.url).origin, ...(range ? { range } : {}),
        });
        const status = opened.res.statusCode ?? 0;
        if (status === 200 || status === 206) return opened.res;
        opened.res.resume();
        throw statusError(status, new URL(opened.url).host);
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        if (error instanceof MuxError && error.code === 'UPSTREAM_FORBIDDEN') {
          await this.#refreshOnce(error, used);
          continue;
        }
        if (error instanceof MuxError && error.code !== 'TIMEOUT' && error.code !== 'MUX_FAILED') throw error;
        attempt.tries += 1;
        if (attempt.tries > this.options.retries) throw error;
        await sleep(250 * 2 ** (attempt.tries - 1), signal);
      }
    }
  }

  /** Opens bytes [start, end] of a whole-file input (206 expected; a 200 means no range support). */
  async open(start: number, end: number, signal: AbortSignal, attempt: Attempt = { tries: 0 }): Promise<OpenedRange> {
    const res = await this.request((target) => ({ url: target.url, range: [start, end] }), signal, attempt, this.options.leanReader ?? false);
    if (res.statusCode === 206) {
      const range = parseContentRange(res.headers['content-range']);
      if (!range || range.start !== start) throw (res.resume(), new MuxError('MUX_FAILED', 'the media server answered another range than asked'));
      this.size ??= range.total;
      return { res, ranged: true, total: range.total };
    }
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length)) this.size ??= length;
    return { res, ranged: false, total: this.size };
  }
}
