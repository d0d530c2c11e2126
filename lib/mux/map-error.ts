// ffmpeg's stderr → a MuxError a client can act on. The stderr itself (heap
// pointers, relay addresses, whatever an input contained) goes to the log only.
import { MuxError } from '../errors.js';

const MAX_DETAIL = 1000;

export function mapFfmpegFailure(stderr: string, exit: { code: number | null; signal: NodeJS.Signals | null }): MuxError {
  const tail = stderr.trim().slice(-MAX_DETAIL);
  const how = exit.code !== null ? `exit ${exit.code}` : `signal ${exit.signal ?? 'unknown'}`;
  const detail = `ffmpeg ${how}${tail ? `: ${tail}` : ''}`;
  // What the media servers said reaches the stream from the relay; only ffmpeg's own verdict is read here.
  if (/not on (the )?(format )?whitelist|Invalid data found|moov atom not found/i.test(tail)) {
    return new MuxError('MUX_FAILED', 'the media is not in a container passmux can remux (MP4, WebM/Matroska, MPEG-TS or plain audio)', { detail });
  }
  return new MuxError('MUX_FAILED', `ffmpeg could not remux the media (${how})`, { detail });
}
