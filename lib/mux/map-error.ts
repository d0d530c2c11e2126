// ffmpeg's stderr → a MuxError a client can act on.
import { MuxError } from '../errors.js';

const MAX_MESSAGE = 1000;

export function mapFfmpegFailure(stderr: string, exit: { code: number | null; signal: NodeJS.Signals | null }): MuxError {
  const tail = stderr.trim().slice(-MAX_MESSAGE);
  const how = exit.code !== null ? `exit ${exit.code}` : `signal ${exit.signal ?? 'unknown'}`;
  if (/\b403 Forbidden\b|\b401 Unauthorized\b/.test(tail)) {
    return new MuxError('UPSTREAM_FORBIDDEN', `the media server refused ffmpeg (${how}): ${tail}`);
  }
  if (/\b404 Not Found\b|\b410 Gone\b/.test(tail)) {
    return new MuxError('NOT_FOUND', `the media is gone (${how}): ${tail}`);
  }
  return new MuxError('MUX_FAILED', `ffmpeg failed (${how})${tail ? `: ${tail}` : ''}`);
}
