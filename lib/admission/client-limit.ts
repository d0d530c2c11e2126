// Per-client fairness: how many downloads and lookups one client (an address,
// or an IPv6 /64) may have open at once. The gates are global; without this
// one client with 50 slow connections held every slot for everyone.
import { MuxError } from '../errors.js';

export class ClientLimit {
  readonly max: number;
  readonly #open = new Map<string, number>();

  /** `max` open requests per client; 0 turns the limit off. */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`max must be a whole number ≥ 0, got ${max}`);
    this.max = max;
  }

  /** Requests `client` has open now. */
  openFor(client: string): number {
    return this.#open.get(client) ?? 0;
  }

  /**
   * Counts one more request of `client`, or throws TOO_MANY_REQUESTS when it
   * already has `max` open. Returns the release, safe to call more than once.
   */
  enter(client: string): () => void {
    if (this.max === 0) return () => {};
    const open = this.openFor(client);
    if (open >= this.max) {
      throw new MuxError('TOO_MANY_REQUESTS', `this address already has ${open} downloads and lookups open, the most one client may have; let one finish first`);
    }
    this.#open.set(client, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.openFor(client) - 1;
      if (left > 0) this.#open.set(client, left);
      else this.#open.delete(client);
    };
  }
}
