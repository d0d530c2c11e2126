// A FIFO counting semaphore. Freed permits go straight to the oldest waiter,
// so a newcomer can never overtake someone already queued.
import { abortError } from '../errors.js';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

export class Semaphore {
  readonly #limit: number;
  #held = 0;
  readonly #queue: Waiter[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`semaphore limit must be a whole number ≥ 0, got ${limit}`);
    this.#limit = limit;
  }

  get limit(): number { return this.#limit; }
  /** Permits currently held. */
  get held(): number { return this.#held; }
  /** Callers queued for a permit. */
  get waiting(): number { return this.#queue.length; }

  /** Takes a permit if one is free right now and nobody is queued. */
  tryTake(): boolean {
    if (this.#held >= this.#limit || this.#queue.length > 0) return false;
    this.#held += 1;
    return true;
  }

  /**
   * Resolves once a permit is held by the caller. If `signal` aborts first the
   * caller leaves the queue at once (others keep their order) and it rejects.
   */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index !== -1) this.#queue.splice(index, 1);
        reject(abortError(signal!));
      };
      const waiter: Waiter = {
        resolve, reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  /** Returns a permit: hands it to the oldest waiter, or frees it. */
  give(): void {
    if (this.#held === 0) throw new Error('semaphore: give() without a held permit');
    const next = this.#queue.shift();
    if (next) {
      next.cleanup();
      next.resolve();
    } else {
      this.#held -= 1;
    }
  }
}
