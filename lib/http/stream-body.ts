// Moving MP4 bytes from a MuxStream to an HTTP response: nothing is sent
// before the first media byte exists, backpressure pauses ffmpeg, and a
// client that reads nothing for too long is dropped.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { MuxError } from '../errors.js';

/** Resolves with the stream's first chunk (the stream left paused); rejects if it fails or ends first. */
export function firstChunk(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('error', onError);
      stream.off('end', onEnd);
    };
    const onData = (chunk: Buffer) => { cleanup(); stream.pause(); resolve(chunk); };
    const onError = (error: Error) => { cleanup(); reject(error); };
    const onEnd = () => { cleanup(); reject(new MuxError('MUX_FAILED', 'ffmpeg produced no output')); };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.once('end', onEnd);
  });
}

/**
 * Writes the rest of `stream` to `res` (counting through `onBytes`) and
 * resolves once the response has finished. Rejects when the stream fails, the client
 * goes away, or the client stops reading for `idleTimeoutMs`.
 */
export function pumpBody(stream: Readable, res: ServerResponse, idleTimeoutMs: number, onBytes: (n: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    const disarm = () => { clearTimeout(idle); idle = undefined; };
    const cleanup = () => {
      disarm();
      stream.off('data', onData);
      stream.off('error', onError);
      stream.off('end', onEnd);
      res.off('drain', onDrain);
      res.off('close', onClose);
      res.off('finish', onFinish);
    };
    const fail = (error: Error) => { cleanup(); reject(error); };
    const onData = (chunk: Buffer) => {
      onBytes(chunk.length);
      if (res.write(chunk)) return;
      stream.pause();
      idle ??= setTimeout(() => fail(new MuxError('TIMEOUT', `the client read nothing for ${idleTimeoutMs} ms`)), idleTimeoutMs);
    };
    const onDrain = () => { disarm(); stream.resume(); };
    const onError = (error: Error) => fail(error);
    const onEnd = () => res.end();
    const onFinish = () => { cleanup(); resolve(); };
    const onClose = () => { if (!res.writableFinished) fail(new MuxError('ABORTED', 'the client went away')); };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.once('end', onEnd);
    res.on('drain', onDrain);
    res.once('finish', onFinish);
    res.once('close', onClose);
    stream.resume();
  });
}
