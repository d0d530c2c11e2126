// The one table from error code to HTTP status, and the JSON error body.
import type { ServerResponse } from 'node:http';
import { MuxError, type MuxErrorCode } from '../errors.js';

export const STATUS_BY_CODE: Record<MuxErrorCode, number> = {
  INVALID_URL: 400,
  UNSUPPORTED_URL: 400,
  // A list where one video was expected: the client should pick entries (/info lists them).
  IS_PLAYLIST: 400,
  INVALID_REQUEST: 400,
  // A clip's start/end that is no time, out of order, or past the video's end.
  INVALID_SECTION: 400,
  NOT_FOUND: 404,
  // A Range that starts at or past the end of an exact-length download.
  RANGE_NOT_SATISFIABLE: 416,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  // The request is fine; the media is of a kind passmux will not remux.
  DRM_PROTECTED: 422,
  LIVE_NOT_SUPPORTED: 422,
  UPSTREAM_FORBIDDEN: 502,
  EXTRACT_FAILED: 502,
  MUX_FAILED: 502,
  // The media server sent ffmpeg another index than the one the length was measured from.
  INDEX_CHANGED: 502,
  BUSY: 503,
  // One client at its own limit (PASSMUX_MAX_CONNECTIONS_PER_CLIENT); others are still served.
  TOO_MANY_REQUESTS: 429,
  TIMEOUT: 504,
  // The client went away; nobody reads this, but logs do.
  ABORTED: 499,
};

/** Any thrown value as a MuxError; unknown errors become MUX_FAILED without leaking internals. */
export function toMuxError(error: unknown): MuxError {
  if (error instanceof MuxError) return error;
  return new MuxError('MUX_FAILED', 'internal error', { cause: error });
}

export function statusFor(error: MuxError): number {
  return STATUS_BY_CODE[error.code];
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

export interface ErrorResponseOptions {
  /** Seconds for `Retry-After` on BUSY and TOO_MANY_REQUESTS. */
  retryAfterSeconds?: number;
  /** Extra headers, e.g. `Allow` on 405. */
  headers?: Record<string, string>;
}

/**
 * Cuts every URL in a message down to its origin: ffmpeg and yt-dlp quote the
 * URLs they fail on, and signed CDN URLs (or relay tokens) must not reach logs
 * or clients.
 */
export function redactUrls(text: string): string {
  // The path ends before whitespace, a quote, or a trailing ':' ',' '.' ';' ')' (ffmpeg writes "URL: message").
  return text.replace(/\b(https?:\/\/[^\s/'"?#<>]+)[^\s'"<>]*?(?=[:,.;)]?(?:[\s'"<>]|$))/g,
    (whole, origin: string) => (whole === origin ? origin : `${origin}/…`));
}

/**
 * What a client may read of an error message: URLs cut to their origin, no
 * heap pointers (`[hls @ 0x55…]`), no port on a loopback address (where
 * passmux's own relay and proxy listen). The full story goes to the log.
 */
export function publicMessage(message: string): string {
  return redactUrls(message)
    .replace(/\[[\w:. -]+ @ 0x[0-9a-f]+\]\s*/gi, '')
    .replace(/\b0x[0-9a-f]{6,}\b/gi, '0x…')
    .replace(/\b(127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d+)/gi, '$1')
    .slice(0, 500);
}

export function sendError(res: ServerResponse, error: MuxError, options: ErrorResponseOptions = {}): void {
  const headers: Record<string, string | number> = { ...options.headers };
  if ((error.code === 'BUSY' || error.code === 'TOO_MANY_REQUESTS') && options.retryAfterSeconds !== undefined) headers['retry-after'] = options.retryAfterSeconds;
  sendJson(res, statusFor(error), { error: { code: error.code, message: publicMessage(error.message) } }, headers);
}
