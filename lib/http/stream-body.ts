// Moving MP4 bytes from a MuxStream to an HTTP response: nothing is sent
// before the first media byte exists, backpressure pauses ffmpeg, and a
// client that reads nothing for too long is dropped.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { MuxError } from '../errors.js';
import type { ByteWindow } from './byte-window.js';

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

export interface PumpBody {
  /** The chunk firstChunk read. */
  first: Buffer;
  /** Only these bytes of the body are sent (a 206); the stream is left once they have passed. */
  window?: ByteWindow | undefined;
}

/**
 * Writes `first` and the rest of `stream` to `res` (counting through `onBytes`) and
 * resolves once the response has finished. Rejects when the stream fails, the client
 * goes away or stops reading for `idleMs`, or the media stops coming for `stallMs`.
 */
export function pumpBody(stream: Readable, res: ServerResponse, timeouts: PumpTimeouts, onBytes: (n: number) => void, body: PumpBody): Promise<void> {
  const { window } = body;
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
      stream.off('end', onStreamEnd);
      res.off('drain', onDrain);
      res.off('close', onClose);
      res.off('finish', onFinish);
    };
    const fail = (error: Error) => { cleanup(); reject(error); };
    const onData = (chunk: Buffer) => {
      const out = window ? window.take(chunk) : chunk;
      onBytes(out.length);
      if (window?.done) return onEnd(out);
      if (out.length === 0 || res.write(out)) return watchStall();
      stream.pause();
      clearTimeout(stall);
      idle ??= setTimeout(() => fail(new MuxError('TIMEOUT', `the client read nothing for ${timeouts.idleMs} ms`)), timeouts.idleMs);
    };
    const onDrain = () => { disarm(); watchStall(); stream.resume(); };
    const onError = (error: Error) => fail(error);
    // The end of the body, or of the window: what is left of the stream is not ours to read.
    const onEnd = (last?: Buffer) => {
      stream.off('data', onData);
      stream.pause();
      clearTimeout(stall);
      res.end(last);
    };
    const onStreamEnd = () => onEnd();
    const onFinish = () => { cleanup(); resolve(); };
    const onClose = () => { if (!res.writableFinished) fail(new MuxError('ABORTED', 'the client went away')); };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.once('end', onStreamEnd);
    res.on('drain', onDrain);
    res.once('finish', onFinish);
    res.once('close', onClose);
    onData(body.first);
    // Unless the first chunk already filled the window or the socket (then 'drain' resumes).
    if (!window?.done && idle === undefined) stream.resume();
  });
}
