// Saving a download straight to a file the person picked: fetch → progress →
// FileSystemWritableFileStream. Nothing is held whole in memory. When the
// server names the exact size and a strong ETag, a cut connection is resumed
// with a Range request into the same writable.
import { describeHttpError } from './format.js';

export class DownloadError extends Error {
  constructor(message, kind) {
    super(message);
    this.kind = kind; // 'http' | 'network' | 'interrupted' | 'cancelled'
  }
}

const INTERRUPTED = 'Download interrupted — the partial file was discarded.';
/** Backoff before each resume try; their count is the number of tries. */
const RESUME_DELAYS_MS = [1000, 2000, 4000];

/** The transfer broke off (the body cut, or the server unreachable for a resume): worth another try. */
class Cut extends Error {}
const isCut = (error) => error instanceof Cut || error?.kind === 'network';

const wait = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); reject(new DownloadError('Download cancelled.', 'cancelled')); }, { once: true });
});

/** fetch that waits out 503s as the server's Retry-After says, telling `onBusy` each second left. */
export async function fetchWhenFree(path, signal, onBusy, headers = {}) {
  for (;;) {
    let response;
    try {
      // no-store: a resume must come from the server, never from a cached partial entry.
      response = await fetch(path, { signal, headers, cache: 'no-store' });
    } catch {
      if (signal.aborted) throw new DownloadError('Download cancelled.', 'cancelled');
      throw new DownloadError('Could not reach the passmux server. Check your connection.', 'network');
    }
    if (response.status !== 503) return response;
    await response.body?.cancel();
    const seconds = Math.max(1, Number.parseInt(response.headers.get('retry-after') ?? '', 10) || 5);
    for (let left = seconds; left > 0; left -= 1) {
      onBusy(left);
      await wait(1000, signal);
    }
  }
}

async function errorCode(response) {
  try { return (await response.json()).error?.code; } catch { return undefined; }
}

/** Any failure of a download, as the DownloadError a person reads. */
function asDownloadError(error, signal) {
  if (signal.aborted) return new DownloadError('Download cancelled.', 'cancelled');
  if (error instanceof DownloadError) return error;
  return new DownloadError(INTERRUPTED, 'interrupted');
}

/** The server's size guess, for progress only. */
export const estimatedTotal = (response) => Number(response.headers.get('x-estimated-content-length')) || null;

/** The exact size, when the server sends a Content-Length. */
function exactTotal(response) {
  const value = response.headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

/** What progress measures against: the exact size, else the guess. */
const progressTotal = (response) => exactTotal(response) ?? estimatedTotal(response);

/** { etag, total } when the response can be resumed (exact size, strong ETag, byte ranges); null otherwise. */
function resumeKey(response) {
  const total = exactTotal(response);
  const etag = response.headers.get('etag');
  const ranges = /\bbytes\b/i.test(response.headers.get('accept-ranges') ?? '');
  // If-Range only works with a strong validator.
  return total !== null && etag && !etag.startsWith('W/') && ranges ? { etag, total } : null;
}

/** The response for `path` once it is a success (503s waited out); a DownloadError otherwise. */
export async function openDownload(path, { signal, onBusy }) {
  try {
    const response = await fetchWhenFree(path, signal, onBusy);
    if (!response.ok) throw new DownloadError(describeHttpError(response.status, await errorCode(response)), 'http');
    return response;
  } catch (error) {
    throw asDownloadError(error, signal);
  }
}

/**
 * Writes `response`'s body into `state.writable` from `state.written` on.
 * Only finished writes count, so `state.written` is always a safe place to
 * resume from. A failed read throws Cut.
 */
async function writeBody(response, state, onProgress) {
  const reader = response.body.getReader();
  try {
    for (;;) {
      let chunk;
      try { chunk = await reader.read(); } catch { throw new Cut(); }
      if (chunk.done) return;
      await state.writable.write({ type: 'write', position: state.written, data: chunk.value });
      state.written += chunk.value.byteLength;
      onProgress(state.written, state.total);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Does this 206 carry the rest of the same file, from byte `from`? */
function continuesAt(response, from, total) {
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
  return range !== null && Number(range[1]) === from && Number(range[2]) === total - 1 && Number(range[3]) === total;
}

/**
 * Asks for the rest of the file. A 200 means the video changed on the server
 * (If-Range did not match): the file is emptied to start over.
 */
async function reopen(path, state, { signal, onBusy, onResume }) {
  const response = await fetchWhenFree(path, signal, onBusy, { range: `bytes=${state.written}-`, 'if-range': state.key.etag });
  if (response.status === 206 && continuesAt(response, state.written, state.key.total)) return response;
  if (response.status === 200) {
    await state.writable.truncate(0);
    Object.assign(state, { written: 0, key: resumeKey(response), total: progressTotal(response) });
    onResume('restarting');
    return response;
  }
  if (!response.ok) throw new DownloadError(describeHttpError(response.status, await errorCode(response)), 'http');
  // Anything else, such as a 206 for other bytes than asked: appending it would corrupt the file.
  await response.body?.cancel();
  throw new DownloadError(INTERRUPTED, 'interrupted');
}

/**
 * Writes the body `open()` resolves to. True once the file is whole; false
 * when the transfer was cut and can be resumed from `state.written`.
 */
async function writeRest(open, state, { signal, onProgress }) {
  try {
    await writeBody(await open(), state, onProgress);
  } catch (error) {
    if (signal.aborted || !state.key || !isCut(error)) throw error;
  }
  // The exact length decides, also when the cut came right after the last byte.
  return !state.key || state.written === state.key.total;
}

/**
 * Streams a successful download response into `writable`, calling
 * `onProgress(bytes, total)` as bytes arrive. With `path` and a resumable
 * response, a cut transfer is resumed (`onResume('resuming')` before each
 * try, `onResume('restarting')` when the video changed and it starts over).
 * Resolves with the byte count; on any other failure the writable is aborted
 * (so nothing half-written is kept) and a DownloadError is thrown.
 */
export async function writeDownload(response, writable, { path, signal, onBusy = () => {}, onProgress, onResume = () => {} }) {
  const state = { writable, written: 0, key: path ? resumeKey(response) : null, total: progressTotal(response) };
  let open = async () => response;
  try {
    for (let tries = 0; !(await writeRest(open, state, { signal, onProgress })); tries += 1) {
      if (tries === RESUME_DELAYS_MS.length) throw new DownloadError(INTERRUPTED, 'interrupted');
      onResume('resuming');
      await wait(RESUME_DELAYS_MS[tries], signal);
      open = () => reopen(path, state, { signal, onBusy, onResume });
    }
    await writable.close();
    return state.written;
  } catch (error) {
    await writable.abort().catch(() => {});
    throw asDownloadError(error, signal);
  }
}

/**
 * Streams `path` into `writable`, resuming a cut transfer where the server
 * allows. Calls `onStart(total)` once the server answers, `onProgress(bytes,
 * total)` as bytes arrive, `onResume(state)` as writeDownload says. Resolves
 * with the byte count; on any failure the writable is aborted and a
 * DownloadError is thrown.
 */
export async function saveTo(writable, path, { signal, onBusy, onStart, onProgress, onResume }) {
  let response;
  try {
    response = await openDownload(path, { signal, onBusy });
  } catch (error) {
    await writable.abort().catch(() => {});
    throw error;
  }
  onStart(progressTotal(response));
  return writeDownload(response, writable, { path, signal, onBusy, onProgress, onResume });
}
