// The signal every request handler hands down: it aborts when the client goes
// away before the response has finished.
import type { ServerResponse } from 'node:http';
import { MuxError } from '../errors.js';

export interface ClientSignal {
  signal: AbortSignal;
  controller: AbortController;
  /** True once the client hung up before the response finished. */
  clientGone(): boolean;
  /** Stop listening (when the request is done). */
  dispose(): void;
}

export function clientSignal(res: ServerResponse): ClientSignal {
  const controller = new AbortController();
  let gone = false;
  const onClose = () => {
    if (res.writableFinished) return;
    gone = true;
    controller.abort(new MuxError('ABORTED', 'the client went away'));
  };
  res.once('close', onClose);
  return { signal: controller.signal, controller, clientGone: () => gone, dispose: () => res.off('close', onClose) };
}
