// Delivers a fragmented input (HLS or DASH segments, an fMP4 init section
// first) to ffmpeg as one continuous stream, as yt-dlp's native downloaders
// do: TS segments back to back are one TS stream; an init section followed by
// its media segments is one fragmented MP4. Same engine as byte ranges
// (lib/relay/in-order.ts); a cut fragment is resumed from the byte where it
// stopped, and a fragment that stays short or missing fails the input: never
// a silent gap.
import { createDecipheriv } from 'node:crypto';
import type { Writable } from 'node:stream';
import { abortError, MuxError } from '../errors.js';
import type { Fragment } from '../types.js';
import type { ByteBudget } from './budget.js';
import { parseContentRange } from './byte-range.js';
import { Chunk, consume } from './chunk.js';
import { deliverInOrder } from './in-order.js';
import type { UpstreamResponse } from './lean-response.js';
import { readWhole } from './read-whole.js';
import type { SourceTarget, UpstreamSource } from './upstream-source.js';

export interface FragmentReaderOptions {
  parallel: number;
  budget: ByteBudget;
}

/** Fragment `index` of the target as it is now (a re-extraction may have replaced it). */
function fragmentOf(target: SourceTarget, index: number): Fragment {
  const fragment = target.fragments?.[index];
  if (!fragment) throw new MuxError('EXTRACT_FAILED', 'a fresh look at the page lists fewer fragments than the first');
  return fragment;
}

/** The request for bytes from `offset` on of a fragment (its own range, or the whole resource). */
function locate(fragment: Fragment, offset: number): { url: string; range?: [number, number | undefined] } {
  if (fragment.range) return { url: fragment.url, range: [fragment.range[0] + offset, fragment.range[1]] };
  return offset > 0 ? { url: fragment.url, range: [offset, undefined] } : { url: fragment.url };
}

export class FragmentReader {
  readonly #source: UpstreamSource;
  readonly #out: Writable;
  readonly #options: FragmentReaderOptions;
  readonly #signal: AbortSignal;
  /** Each key is fetched once (with the format's headers), whatever number of segments use it. */
  readonly #keys = new Map<string, Promise<Buffer>>();

  constructor(source: UpstreamSource, out: Writable, options: FragmentReaderOptions, signal: AbortSignal) {
    this.#source = source;
    this.#out = out;
    this.#options = options;
    this.#signal = signal;
  }

  run(): Promise<void> {
    return deliverInOrder(this.#out, {
      count: this.#source.target.fragments?.length ?? 0, parallel: this.#options.parallel, budget: this.#options.budget,
      start: (index) => {
        const chunk = new Chunk(0, Infinity);
        chunk.settled = this.#fetch(chunk, index);
        return chunk;
      },
    }, this.#signal);
  }

  #key(url: string): Promise<Buffer> {
    let key = this.#keys.get(url);
    if (!key) {
      key = this.#source.request(() => ({ url }), this.#signal).then((res) => readWhole(res, 16, () => new MuxError('MUX_FAILED', 'an encryption key is larger than 16 bytes'))).then((bytes) => {
        if (bytes.length !== 16) throw new MuxError('MUX_FAILED', `an AES-128 key has ${bytes.length} bytes instead of 16`);
        return bytes;
      });
      this.#keys.set(url, key);
    }
    return key;
  }

  async #fetch(chunk: Chunk, index: number): Promise<void> {
    const first = fragmentOf(this.#source.target, index);
    if (first.range) chunk.end = first.range[1] - first.range[0];
    if (first.key) chunk.decipher = createDecipheriv('aes-128-cbc', await this.#key(first.key.url), first.key.iv);
    const attempt = { tries: 0 };
    for (;;) {
      const offset = chunk.received;
      const res = await this.#source.request((target) => locate(fragmentOf(target, index), offset), this.#signal, attempt);
      this.#fit(chunk, res, fragmentOf(this.#source.target, index), offset);
      chunk.res = res;
      try {
        await consume(chunk, res, this.#out, this.#options.budget, this.#source.options.readTimeoutMs);
        return;
      } catch (error) {
        res.destroy();
        chunk.res = undefined;
        if (this.#signal.aborted) throw abortError(this.#signal);
        attempt.tries += 1;
        if (attempt.tries > this.#source.options.retries) throw error;
      }
    }
  }

  /** Learns the fragment's length from a response, and what to skip when the server ignored our Range. */
  #fit(chunk: Chunk, res: UpstreamResponse, fragment: Fragment, offset: number): void {
    const asked = fragment.range ? fragment.range[0] + offset : offset;
    chunk.skip = 0;
    if (res.statusCode === 206) {
      const range = parseContentRange(res.headers['content-range']);
      if (!range || range.start !== asked) throw (res.destroy(), new MuxError('MUX_FAILED', 'a segment server answered another range than asked'));
      if (!fragment.range && range.total !== undefined) chunk.end = range.total - 1;
      return;
    }
    // 200: the whole resource; what we asked for starts `asked` bytes in.
    chunk.skip = asked;
    const length = Number(res.headers['content-length']);
    if (!fragment.range && Number.isFinite(length)) chunk.end = length - 1;
  }
}
