// A response body read straight off its socket: the socket's own Buffers are
// pushed on as they come (no parser copy), exactly Content-Length of them. Reads
// like Node's IncomingMessage where the relay uses one (statusCode, headers,
// socket, complete, pause/resume/destroy, data/end/close/error), so chunk.ts and
// its callers take either. The socket goes back to its pool only when the body
// was read to its exact length and the server allows keep-alive.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { MuxError } from '../errors.js';
import type { BodyPlan, ResponseHead } from './response-head.js';

/** What the relay reads an upstream answer as: Node's response, or a lean one. */
export type UpstreamResponse = IncomingMessage | LeanResponse;

export class LeanResponse extends Readable {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly socket: Socket;
  /** Every body byte has come off the socket. */
  complete = false;
  #left: number;
  #reusable: boolean;
  #released = false;
  readonly #release: (socket: Socket, reusable: boolean) => void;

  /** `rest`: body bytes that came with the head. `release` gets the socket back once this response is done with it. */
  constructor(socket: Socket, head: ResponseHead, plan: BodyPlan, rest: Buffer, release: (socket: Socket, reusable: boolean) => void) {
    super();
    this.statusCode = head.status;
    this.headers = head.setCookies.length > 0 ? { ...head.headers, 'set-cookie': head.setCookies } : { ...head.headers };
    this.socket = socket;
    this.#left = plan.length;
    this.#reusable = plan.keepAlive;
    this.#release = release;
    socket.on('data', this.#onData);
    socket.on('end', this.#onCut);
    socket.on('close', this.#onCut);
    socket.on('error', this.#onError);
    socket.on('timeout', this.#onTimeout);
    // Released when the reader has had it all: by then its own socket listeners are gone.
    this.once('end', () => this.#giveBack());
    if (rest.length > 0 || this.#left === 0) this.#onData(rest);
  }

  _read(): void {
    // Only a paused socket: resume() on a flowing one still schedules a tick of work, per chunk.
    if (!this.complete && this.socket.isPaused()) this.socket.resume();
  }

  _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A body read in full leaves a clean socket, whoever stops reading it.
    if (this.complete) this.#giveBack();
    else { this.#detach(); this.socket.destroy(); }
    // As Node's IncomingMessage: an error is emitted only to a listener (a response nobody reads any more just goes);
    // it is emitted on the next tick, by when that listener may have been taken off: no crash then.
    const heard = error !== null && this.listenerCount('error') > 0;
    if (heard) this.once('error', () => {});
    callback(heard ? error : null);
  }

  readonly #onData = (input: Buffer): void => {
    let data = input;
    if (data.length > this.#left) {
      // Bytes past the body: not ours, and the socket is no longer in a known state.
      this.#reusable = false;
      data = data.subarray(0, this.#left);
    }
    this.#left -= data.length;
    if (this.#left === 0) {
      this.complete = true;
      this.#detach();
      this.socket.pause();
    }
    if (data.length > 0 && !this.push(data) && !this.complete) this.socket.pause();
    if (this.complete) this.push(null);
  };

  readonly #onCut = (): void => {
    this.destroy(new MuxError('MUX_FAILED', `the media server closed the connection ${this.#left} bytes before the end of its answer`));
  };

  readonly #onError = (error: Error): void => { this.destroy(error); };

  readonly #onTimeout = (): void => {
    this.destroy(new MuxError('TIMEOUT', 'the media server stopped sending'));
  };

  #detach(): void {
    this.socket.off('data', this.#onData);
    this.socket.off('end', this.#onCut);
    this.socket.off('close', this.#onCut);
    this.socket.off('error', this.#onError);
    this.socket.off('timeout', this.#onTimeout);
  }

  #giveBack(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release(this.socket, this.#reusable);
  }
}
