// The idle keep-alive sockets of the lean upstream reader (lib/relay/lean-request.ts),
// by key: origin + the address the egress guard checked, so a socket is only
// ever reused towards the very address it was dialled to. Bounded: a few idle
// sockets per key, each closed after a short idle time. Knows nothing of HTTP.

/** What the pool holds: a socket, or anything closable that says when it closes. */
export interface Poolable {
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

interface Idle<T> { item: T; timer: NodeJS.Timeout; evict: () => void }

export interface PoolLimits {
  /** Idle sockets kept per key; one more is closed instead. */
  maxIdlePerKey: number;
  /** An idle socket is closed after this long (below the usual server keep-alive timeouts). */
  idleMs: number;
}

export class SocketPool<T extends Poolable> {
  readonly #idle = new Map<string, Idle<T>[]>();
  readonly #limits: PoolLimits;

  constructor(limits: PoolLimits) {
    this.#limits = limits;
  }

  /** Idle sockets under `key` now (all keys when omitted). */
  idle(key?: string): number {
    if (key !== undefined) return this.#idle.get(key)?.length ?? 0;
    let count = 0;
    for (const list of this.#idle.values()) count += list.length;
    return count;
  }

  /** The most recently returned idle socket of `key` (warmest), or undefined. */
  take(key: string): T | undefined {
    const list = this.#idle.get(key);
    const entry = list?.pop();
    if (!entry) return undefined;
    if (list!.length === 0) this.#idle.delete(key);
    clearTimeout(entry.timer);
    entry.item.off('close', entry.evict);
    return entry.item;
  }

  /** Keeps `item` idle under `key`, or closes it when the key already holds its share. */
  give(key: string, item: T): void {
    const list = this.#idle.get(key) ?? [];
    if (list.length >= this.#limits.maxIdlePerKey) return item.destroy();
    const entry: Idle<T> = {
      item,
      // Closed by the far end while idle: forget it.
      evict: () => this.#forget(key, entry),
      timer: setTimeout(() => { this.#forget(key, entry); item.destroy(); }, this.#limits.idleMs),
    };
    entry.timer.unref();
    item.once('close', entry.evict);
    list.push(entry);
    this.#idle.set(key, list);
  }

  /** Closes every idle socket (tests, shutdown). */
  clear(): void {
    for (const key of [...this.#idle.keys()]) {
      for (let item = this.take(key); item; item = this.take(key)) item.destroy();
    }
  }

  #forget(key: string, entry: Idle<T>): void {
    const list = this.#idle.get(key);
    const at = list?.indexOf(entry) ?? -1;
    if (at < 0) return;
    clearTimeout(entry.timer);
    entry.item.off('close', entry.evict);
    list!.splice(at, 1);
    if (list!.length === 0) this.#idle.delete(key);
  }
}
