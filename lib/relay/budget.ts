// A byte budget shared by the readers of one mux session: ranges fetched
// ahead of what ffmpeg needs may hold at most `limit` bytes in the heap;
// beyond it they pause and the bytes wait in the kernel's socket buffers.

export class ByteBudget {
  readonly limit: number;
  #used = 0;
  readonly #waiters = new Set<() => void>();

  constructor(limit: number) {
    this.limit = limit;
  }

  get used(): number { return this.#used; }
  get full(): boolean { return this.#used >= this.limit; }

  take(bytes: number): void {
    this.#used += bytes;
  }

  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
    // Wake the paused ranges only once half the budget is free: waking them for
    // every buffer handed on makes them pause and resume per 64 KiB read.
    if (this.#used > this.limit / 2) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Calls `wake` once, the next time usage falls to half the limit. Returns a cancel function. */
  onFree(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }
}
