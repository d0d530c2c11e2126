// Saving a download straight to a file the person picked: fetch → progress →
// FileSystemWritableFileStream. Nothing is held whole in memory.
import { describeHttpError } from './format.js';

export class DownloadError extends Error {
  constructor(message, kind) {
    super(message);
    this.kind = kind; // 'http' | 'network' | 'interrupted' | 'cancelled'
  }
}

const wait = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); reject(new DownloadError('Download cancelled.', 'cancelled')); }, { once: true });
});

/** fetch that waits out 503s as the server's Retry-After says, telling `onBusy` each second left. */
export async function fetchWhenFree(path, signal, onBusy) {
  for (;;) {
    let response;
    try {
      response = await fetch(path, { signal });
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
  return new DownloadError('Download interrupted — the partial file was discarded.', 'interrupted');
}

/** The server's size guess, for progress only (there is no Content-Length). */
export const estimatedTotal = (response) => Number(response.headers.get('x-estimated-content-length')) || null;

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
 * Streams a successful download response into `writable`, calling
 * `onProgress(bytes, total)` as bytes arrive. Resolves with the byte count; on
 * any failure the writable is aborted (so nothing half-written is kept) and a
 * DownloadError is thrown.
 */
export async function writeDownload(response, writable, { signal, onProgress }) {
  const total = estimatedTotal(response);
  let bytes = 0;
  try {
    const count = new TransformStream({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        onProgress(bytes, total);
        controller.enqueue(chunk);
      },
    });
    await response.body.pipeThrough(count).pipeTo(writable, { signal });
    return bytes;
  } catch (error) {
    await writable.abort().catch(() => {});
    throw asDownloadError(error, signal);
  }
}

/**
 * Streams `path` into `writable`. Calls `onStart(total)` once the server
 * answers, `onProgress(bytes, total)` as bytes arrive. Resolves with the byte
 * count; on any failure the writable is aborted and a DownloadError is thrown.
 */
export async function saveTo(writable, path, { signal, onBusy, onStart, onProgress }) {
  let response;
  try {
    response = await openDownload(path, { signal, onBusy });
  } catch (error) {
    await writable.abort().catch(() => {});
    throw error;
  }
  onStart(estimatedTotal(response));
  return writeDownload(response, writable, { signal, onProgress });
}
