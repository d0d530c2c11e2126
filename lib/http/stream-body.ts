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

export interface PumpTimeouts {
  /** The client reads nothing for this long (while we have bytes for it): dropped. */
  idleMs: number;
  /** No media comes for this long while the client is waiting for it (an upstream that drips): failed. */
  stallMs: number;
}

/**
 * Writes the rest of `stream` to `res` (counting through `onBytes`) and
 * resolves once the response has finished. Rejects when the stream fails, the client
 * goes away or stops reading for `idleMs`, or the media stops coming for `stallMs`.
 */
export function pumpBody(stream: Readable, res: ServerResponse, timeouts: PumpTimeouts, onBytes: (n: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    let stall: NodeJS.Timeout | undefined;
    const disarm = () => { clearTimeout(idle); idle = undefined; };
    // Runs only while we wait on the media, not while the client makes us wait.
    const watchStall = () => {
      clearTimeout(stall);
      stall = setTimeout(() => fail(new MuxError('TIMEOUT', `no media arrived for ${Math.round(timeouts.stallMs / 1000)} s`)), timeouts.stallMs);
    };
    const cleanup = () => {
      disarm();
      clearTimeout(stall);
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
      if (res.write(chunk)) return watchStall();
      stream.pause();
      clearTimeout(stall);
      idle ??= setTimeout(() => fail(new MuxError('TIMEOUT', `the client read nothing for ${timeouts.idleMs} ms`)), timeouts.idleMs);
    };
    const onDrain = () => { disarm(); watchStall(); stream.resume(); };
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
    watchStall();
    stream.resume();
  });
}
