// Each input's probe, kept with its extraction: the HEAD, the GET and every
// range of one page read the media server's index once. Keyed by the input
// object itself, so a fresh extraction (new URLs) probes afresh, and an entry
// lives no longer than the extraction it came from (the same TTL). Always
// read with sample tables: the same bytes as without, and a resume needs them.
// What the tables weigh is bounded; past the bound the oldest entries go.
import { abortError } from '../errors.js';
import type { InputProbe } from '../length/probe-input.js';
import type { InputProber } from '../length/measure-output.js';
import type { MediaInput } from '../types.js';

export interface ProbeCacheOptions {
  /** Probes one input with its tables, not tied to any client (the answer is shared). */
  probe: (input: MediaInput) => Promise<InputProbe>;
  /** How long an entry is kept (the extraction cache's TTL). */
  ttlMs: number;
  /** Bytes of sample tables kept at most, all entries together. @default 64 MiB */
  maxBytes?: number;
}

interface Entry {
  promise: Promise<InputProbe>;
  expires: number;
  /** What its tables weigh, once read. */
  bytes: number;
  settled: boolean;
}

/** Entries kept at most (HLS and WebM probes weigh nearly nothing, but each is an entry). */
const MAX_ENTRIES = 2000;

/** The memory a probe holds on to: its typed arrays and index digest (the track budgets are a few numbers). */
export function probeBytes(probe: InputProbe): number {
  let bytes = 256 * (probe.tracks?.length ?? 0);
  for (const region of probe.index ?? []) bytes += 64 + region.blocks.byteLength;
  for (const table of probe.tables ?? []) {
    bytes += table.offsets.byteLength + table.sizes.byteLength + table.dts.byteLength + (table.keyframes?.byteLength ?? 0);
  }
  return bytes;
}

export class ProbeCache {
  readonly #options: Required<ProbeCacheOptions>;
  /** In insertion order: the first is the oldest. */
  readonly #entries = new Map<MediaInput, Entry>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(options: ProbeCacheOptions) {
    this.#options = { maxBytes: 64 * 1024 * 1024, ...options };
  }

  /** Requests answered by a probe already read or under way. */
  get hits(): number { return this.#hits; }
  /** Probes started. */
  get misses(): number { return this.#misses; }
  /** Bytes of tables held now. */
  get bytes(): number { return this.#bytes; }

  /** The InputProber the handler passes down: `tables` is always answered; `signal` only lets this caller leave. */
  readonly prober: InputProber = (input, _tables, signal) => {
    const probe = this.#get(input);
    if (!signal) return probe;
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<InputProbe>((resolve, reject) => {
      const onAbort = () => reject(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      probe.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  };

  #get(input: MediaInput): Promise<InputProbe> {
    const now = Date.now();
    const found = this.#entries.get(input);
    if (found && found.expires > now) {
      this.#hits += 1;
      return found.promise;
    }
    if (found) this.#drop(input, found);
    this.#misses += 1;
    const entry: Entry = { promise: this.#options.probe(input), expires: now + this.#options.ttlMs, bytes: 0, settled: false };
    this.#entries.set(input, entry);
    entry.promise.then((probe) => {
      if (this.#entries.get(input) !== entry) return;
      entry.bytes = probeBytes(probe);
      entry.settled = true;
      this.#bytes += entry.bytes;
      this.#evict(Date.now());
    }, () => this.#drop(input, entry));
    return entry.promise;
  }

  /** Expired entries, then the oldest read ones, until the tables and the count fit (probes under way stay). */
  #evict(now: number): void {
    for (const [input, entry] of this.#entries) {
      if (entry.settled && entry.expires <= now) this.#drop(input, entry);
    }
    for (const [input, entry] of this.#entries) {
      if (this.#bytes <= this.#options.maxBytes && this.#entries.size <= MAX_ENTRIES) break;
      if (entry.settled) this.#drop(input, entry);
    }
  }

  #drop(input: MediaInput, entry: Entry): void {
    if (this.#entries.get(input) !== entry) return;
    this.#entries.delete(input);
    this.#bytes -= entry.bytes;
  }
}
