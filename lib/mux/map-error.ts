// ffmpeg's stderr → a MuxError a client can act on. The stderr itself (heap
// pointers, relay addresses, whatever an input contained) goes to the log only.
import { MuxError } from '../errors.js';

const MAX_DETAIL = 1000;

export function mapFfmpegFailure(stderr: string, exit: { code: number | null; signal: NodeJS.Signals | null }): MuxError {
  const tail = stderr.trim().slice(-MAX_DETAIL);
  const how = exit.code !== null ? `exit ${exit.code}` : `signal ${exit.signal ?? 'unknown'}`;
  const detail = `ffmpeg ${how}${tail ? `: ${tail}` : ''}`;
  if (/\b403 Forbidden\b|\b401 Unauthorized\b/.test(tail)) {
    return new MuxError('UPSTREAM_FORBIDDEN', 'the media server refused the download', { detail });
  }
  if (/\b404 Not Found\b|\b410 Gone\b/.test(tail)) return new MuxError('NOT_FOUND', 'the media is gone', { detail });
  if (/not on (the )?(format )?whitelist|Invalid data found|moov atom not found/i.test(tail)) {
    return new MuxError('MUX_FAILED', 'the media is not in a container passmux can remux (MP4, WebM/Matroska, MPEG-TS or plain audio)', { detail });
  }
  return new MuxError('MUX_FAILED', `ffmpeg could not remux the media (${how})`, { detail });
}
