/** Every failure passmux reports has one of these codes. */
export type MuxErrorCode =
  | 'INVALID_URL'
  | 'UNSUPPORTED_URL'
  | 'IS_PLAYLIST'
  | 'NOT_FOUND'
  | 'UPSTREAM_FORBIDDEN'
  | 'EXTRACT_FAILED'
  | 'DRM_PROTECTED'
  | 'LIVE_NOT_SUPPORTED'
  | 'MUX_FAILED'
  | 'INDEX_CHANGED'
  | 'BUSY'
  | 'TOO_MANY_REQUESTS'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'INVALID_REQUEST'
  | 'INVALID_SECTION'
  | 'RANGE_NOT_SATISFIABLE'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED';

export const MUX_ERROR_CODES: readonly MuxErrorCode[] = [
  'INVALID_URL', 'UNSUPPORTED_URL', 'IS_PLAYLIST', 'NOT_FOUND', 'UPSTREAM_FORBIDDEN',
  'EXTRACT_FAILED', 'DRM_PROTECTED', 'LIVE_NOT_SUPPORTED', 'MUX_FAILED', 'INDEX_CHANGED', 'BUSY', 'TOO_MANY_REQUESTS', 'TIMEOUT', 'ABORTED', 'INVALID_REQUEST', 'INVALID_SECTION', 'RANGE_NOT_SATISFIABLE', 'ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED',
];

export interface MuxErrorOptions {
  cause?: unknown;
  /**
   * What happened in full (a child's stderr, a resolver's answer): for the
   * operator's log only. `message` is what a client may read.
   */
  detail?: string;
}

export class MuxError extends Error {
  readonly code: MuxErrorCode;
  readonly detail: string | undefined;

  constructor(code: MuxErrorCode, message: string, options?: MuxErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MuxError';
    this.code = code;
    this.detail = options?.detail;
  }
}

export function isMuxError(value: unknown): value is MuxError {
  return value instanceof MuxError;
}

/** The error to throw when `signal` has aborted: its reason if that is a MuxError, else ABORTED. */
export function abortError(signal: AbortSignal): MuxError {
  const reason: unknown = signal.reason;
  if (reason instanceof MuxError) return reason;
  return new MuxError('ABORTED', 'the operation was aborted', { cause: reason });
}
