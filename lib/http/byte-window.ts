// The bytes of a 206: the part of a body that falls in [start, end], picked
// out of the body's chunks as they pass.

const EMPTY = Buffer.alloc(0);

export class ByteWindow {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
  #offset = 0;

  constructor(start: number, end: number) {
    this.start = start;
    this.end = end;
  }

  /** The part of `chunk` (the body's next bytes) inside the window; empty before and after it. */
  take(chunk: Buffer): Buffer {
    const from = this.#offset;
    this.#offset += chunk.length;
    const a = Math.max(this.start - from, 0);
    const b = Math.min(this.end + 1 - from, chunk.length);
    return a < b ? chunk.subarray(a, b) : EMPTY;
  }

  /** Every byte of the window has passed: the rest of the body is not needed. */
  get done(): boolean {
    return this.#offset > this.end;
  }
}
