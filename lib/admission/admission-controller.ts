// The design's two gates. Gate 1 counts open download connections (active +
// waiting) and refuses at the limit; Gate 2 is a FIFO semaphore over ffmpeg slots.
import { EventEmitter } from 'node:events';
import { DEFAULT_CONFIG } from '../defaults.js';
import { MuxError } from '../errors.js';
import { Semaphore } from './semaphore.js';

export interface AdmissionOptions {
  /** Open tickets (active + waiting + extracting) before `tryAdmit()` says BUSY. @default 50 */
  maxConnections?: number;
  /** Tickets that may hold an active (ffmpeg) slot at once; the rest wait FIFO. @default 25 */
  maxActive?: number;
}

export interface AdmissionCounts {
  open: number;
  active: number;
  waiting: number;
}

export interface Ticket {
  /** Resolves once this ticket holds an active slot; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Frees whatever the ticket holds. Safe to call any number of times. */
  release(): void;
  readonly state: 'open' | 'waiting' | 'active' | 'released';
}

type ChangeListener = (counts: AdmissionCounts) => void;

export class AdmissionController {
  readonly maxConnections: number;
  readonly maxActive: number;
  readonly #slots: Semaphore;
  readonly #events = new EventEmitter();
  #open = 0;

  constructor(options: AdmissionOptions = {}) {
    this.maxConnections = options.maxConnections ?? DEFAULT_CONFIG.maxConnections;
    this.maxActive = options.maxActive ?? DEFAULT_CONFIG.maxWorkers;
    if (!Number.isInteger(this.maxConnections) || this.maxConnections < 0) {
      throw new RangeError(`maxConnections must be a whole number ≥ 0, got ${this.maxConnections}`);
    }
    this.#slots = new Semaphore(this.maxActive);
  }

  get open(): number { return this.#open; }
  get active(): number { return this.#slots.held; }
  get waiting(): number { return this.#slots.waiting; }
  get counts(): AdmissionCounts { return { open: this.open, active: this.active, waiting: this.waiting }; }

  /** Calls `listener` with the new counts whenever open/active/waiting change. Returns an unsubscribe. */
  onChange(listener: ChangeListener): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }

  /** Gate 1: returns a ticket, or throws `MuxError('BUSY')` when `maxConnections` are open. */
  tryAdmit(): Ticket {
    if (this.#open >= this.maxConnections) {
      throw new MuxError('BUSY', `the server is busy: ${this.#open} of ${this.maxConnections} connections are open`);
    }
    this.#open += 1;
    this.#emit();
    return this.#createTicket();
  }

  #emit(): void {
    this.#events.emit('change', this.counts);
  }

  #createTicket(): Ticket {
    let state: Ticket['state'] = 'open';
    // Aborts a pending take() when the ticket is released while waiting.
    const leave = new AbortController();
    return {
      get state() { return state; },
      acquire: async (signal?: AbortSignal) => {
        if (state !== 'open') throw new Error(`ticket: acquire() in state ${state}`);
        state = 'waiting';
        const combined = signal ? AbortSignal.any([signal, leave.signal]) : leave.signal;
        const pending = this.#slots.take(combined);
        this.#emit();
        try {
          await pending;
        } catch (error) {
          if (state === 'waiting') state = 'open';
          this.#emit();
          throw error;
        }
        if (state !== 'waiting') {
          // Released while the permit was on its way: hand it on.
          this.#slots.give();
          throw new MuxError('ABORTED', 'ticket was released while waiting');
        }
        state = 'active';
        this.#emit();
      },
      release: () => {
        if (state === 'released') return;
        const held = state === 'active';
        state = 'released';
        leave.abort(new MuxError('ABORTED', 'ticket released'));
        if (held) this.#slots.give();
        this.#open -= 1;
        this.#emit();
      },
    };
  }
}
