/** Every failure passmux reports has one of these codes. */
export type MuxErrorCode =
  | 'INVALID_URL'
  | 'UNSUPPORTED_URL'
  | 'NOT_FOUND'
  | 'UPSTREAM_FORBIDDEN'
  | 'EXTRACT_FAILED'
  | 'MUX_FAILED'
  | 'BUSY'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'INVALID_REQUEST'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED';

export const MUX_ERROR_CODES: readonly MuxErrorCode[] = [
  'INVALID_URL', 'UNSUPPORTED_URL', 'NOT_FOUND', 'UPSTREAM_FORBIDDEN',
  'EXTRACT_FAILED', 'MUX_FAILED', 'BUSY', 'TIMEOUT', 'ABORTED', 'INVALID_REQUEST', 'ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED',
];

export class MuxError extends Error {
  readonly code: MuxErrorCode;

  constructor(code: MuxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MuxError';
    this.code = code;
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
