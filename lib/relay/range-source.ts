// One upstream media file as the relay sees it: where it is now, how to get
// a fresh URL once if the old one is refused, and how to open a byte range of
// it with retries.
import type { IncomingMessage } from 'node:http';
import { abortError, MuxError } from '../errors.js';
import { parseContentRange } from './byte-range.js';
import type { EgressPolicy } from '../egress/guard.js';
import { openUpstream, statusError, type UpstreamTarget } from './upstream.js';

export interface SourceOptions {
  policy: EgressPolicy;
  readTimeoutMs: number;
  /** Attempts per range after the first. @default 3 */
  retries: number;
}

export interface OpenedRange {
  res: IncomingMessage;
  /** False when the server ignored Range and sent the whole file (200). */
  ranged: boolean;
  /** Size of the whole file, when the server said. */
  total: number | undefined;
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); reject(abortError(signal)); }, { once: true });
});

export class RangeSource {
  target: UpstreamTarget;
  /** Exact size, once any response told it. */
  size: number | undefined;
  readonly options: SourceOptions;
  readonly #refresh: (() => Promise<UpstreamTarget>) | undefined;
  #refreshed: Promise<void> | undefined;

  constructor(target: UpstreamTarget, options: SourceOptions, refresh?: () => Promise<UpstreamTarget>) {
    this.target = target;
    this.options = options;
    this.#refresh = refresh;
  }

  /**
   * Re-extracts once per source; later refusals are final. A request that was
   * refused with a target already replaced just tries again with the new one.
   */
  #refreshOnce(error: MuxError, used: UpstreamTarget): Promise<void> {
    if (this.target !== used) return Promise.resolve();
    if (!this.#refresh) throw error;
    if (this.#refreshed) return this.#refreshed.then(() => { if (this.target === used) throw error; });
    // If re-extraction fails, the refusal is what the user needs to hear about.
    this.#refreshed = this.#refresh().then((fresh) => { this.target = fresh; }, () => { throw error; });
    return this.#refreshed;
  }

  /**
   * Opens bytes [start, end] (206 expected; a 200 means no range support).
   * Network failures and 5xx are retried with backoff; a 401/403/410 triggers
   * one re-extraction. `attempt` carries the count across a range's reopenings.
   */
  async open(start: number, end: number, signal: AbortSignal, attempt = { tries: 0 }): Promise<OpenedRange> {
    for (;;) {
      const used = this.target;
      try {
        const { res, url } = await openUpstream(used, { range: [start, end], signal, ...this.options });
        const status = res.statusCode ?? 0;
        if (status === 206) {
          const range = parseContentRange(res.headers['content-range']);
          if (!range || range.start !== start) throw (res.resume(), new MuxError('MUX_FAILED', 'the media server answered another range than asked'));
          this.size ??= range.total;
          return { res, ranged: true, total: range.total };
        }
        if (status === 200) {
          const length = Number(res.headers['content-length']);
          if (Number.isFinite(length)) this.size ??= length;
          return { res, ranged: false, total: this.size };
        }
        res.resume();
        throw statusError(status, new URL(url).host);
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
}
