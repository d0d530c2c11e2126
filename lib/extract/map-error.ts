// yt-dlp says what went wrong only in prose on stderr; map the common cases
// to codes a client can act on.
import { MuxError } from '../errors.js';

const RULES: Array<[RegExp, MuxError['code']]> = [
  [/DRM protected/i, 'DRM_PROTECTED'],
  [/live event will begin|is a live stream|Live (DASH )?videos are not supported/i, 'LIVE_NOT_SUPPORTED'],
  [/Unsupported URL/i, 'UNSUPPORTED_URL'],
  [/HTTP Error 40[13]|\b403\b.*Forbidden|Sign in to confirm|members-only|login required/i, 'UPSTREAM_FORBIDDEN'],
  [/HTTP Error 4(04|10)|Video unavailable|Private video|has been removed|does not exist|This video is (no longer )?available/i, 'NOT_FOUND'],
  [/timed out|Read timed out/i, 'TIMEOUT'],
];

/** The most useful line of yt-dlp's stderr: its last `ERROR:` line, else the last line. */
export function summarizeStderr(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const error = lines.filter((line) => line.startsWith('ERROR:')).at(-1) ?? lines.at(-1) ?? '';
  // Drop yt-dlp's "please report this issue…" advice: it is about yt-dlp, not the user's link.
  return error.replace(/^ERROR:\s*/, '').replace(/;?\s*please report this issue.*$/i, '').slice(0, 500);
}

export function mapYtdlpFailure(stderr: string, exitCode: number | null): MuxError {
  const summary = summarizeStderr(stderr);
  for (const [pattern, code] of RULES) {
    if (pattern.test(summary)) return new MuxError(code, `yt-dlp: ${summary}`);
  }
  return new MuxError('EXTRACT_FAILED', `yt-dlp failed (exit ${exitCode ?? 'by signal'})${summary ? `: ${summary}` : ''}`);
}
