// The size line of a video: yt-dlp's guess at first, then the exact size a
// HEAD of the download gives (the server measures it without starting ffmpeg).
import { describeSize } from './format.js';
import { estimatedTotal } from './save.js';

/** The exact body length a response announces: Content-Length with byte ranges (a guess comes without both). */
function exactLength(response) {
  const length = response.headers.get('content-length');
  const ranges = /\bbytes\b/i.test(response.headers.get('accept-ranges') ?? '');
  return length !== null && /^\d+$/.test(length) && ranges ? Number(length) : null;
}

/**
 * Asks the server what the download at `path` will be. Resolves with the
 * line's text and whether it is exact; null when the server could not say
 * (busy, an error: the download itself will tell). `estimate` is the guess
 * to fall back on.
 */
export async function askSize(path, estimate) {
  const response = await fetch(path, { method: 'HEAD', cache: 'no-store' });
  if (!response.ok) return null;
  const exact = exactLength(response);
  return { text: describeSize(exact, estimatedTotal(response) ?? estimate), exact: exact !== null };
}
