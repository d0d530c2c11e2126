// A byte budget shared by the readers of one mux session: ranges fetched
// ahead of what ffmpeg needs may hold at most `limit` bytes in the heap;
// beyond it they pause and the bytes wait in the kernel's socket buffers.
// A session's budget may have a parent (the whole process's), and is full
// when either is.

export class ByteBudget {
  readonly limit: number;
  readonly #parent: ByteBudget | undefined;
  #used = 0;
  readonly #waiters = new Set<() => void>();

  constructor(limit: number, parent?: ByteBudget) {
    this.limit = limit;
    this.#parent = parent;
  }

  get used(): number { return this.#used; }
  get full(): boolean { return this.#used >= this.limit || (this.#parent?.full ?? false); }

  take(bytes: number): void {
    this.#used += bytes;
    this.#parent?.take(bytes);
  }

  give(bytes: number): void {
    const given = Math.min(bytes, this.#used);
    this.#used -= given;
    this.#parent?.give(given);
    // Wake the paused ranges only once half the budget is free: waking them for
    // every buffer handed on makes them pause and resume per 64 KiB read.
    if (this.#used > this.limit / 2) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Calls `wake` once, the next time usage falls to half the limit (this
   * budget's, or its parent's). Returns a cancel function.
   */
  onFree(wake: () => void): () => void {
    let woken = false;
    const once = () => {
      if (woken) return;
      woken = true;
      cancel();
      wake();
    };
    this.#waiters.add(once);
    const cancelParent = this.#parent?.onFree(once);
    const cancel = () => {
      this.#waiters.delete(once);
      cancelParent?.();
    };
    return cancel;
  }
}
