// Saving a playlist into a folder the person picked (showDirectoryPicker):
// entries in list order, at most PARALLEL at a time, each straight into its
// own file under the name the server gives (a name already taken gets " (2)").
// A file is created only once the server has started sending, and removed
// again when its download does not complete: the folder ends up holding
// complete files only.
import { downloadPath } from './format.js';
import { filenameFromDisposition, numberedName } from './playlist-format.js';
import { DownloadError, openDownload, writeDownload } from './save.js';

/** Downloads at once: each holds a server slot and an ffmpeg, and a browser opens few connections per host. */
export const PARALLEL = 2;

async function exists(dir, name) {
  try {
    await dir.getFileHandle(name);
    return true;
  } catch (error) {
    // A folder of that name, or anything else in the way: not ours to take.
    return error?.name !== 'NotFoundError';
  }
}

/** A name neither in `dir` nor given out in this run; claimed before any await, so two downloads never share one. */
async function claimName(dir, name, claimed) {
  for (let n = 1; ; n += 1) {
    const candidate = numberedName(name, n);
    if (claimed.has(candidate)) continue;
    claimed.add(candidate);
    if (!(await exists(dir, candidate))) return candidate;
  }
}

async function createWritable(dir, name, response) {
  try {
    return await (await dir.getFileHandle(name, { create: true })).createWritable();
  } catch {
    await response.body?.cancel().catch(() => {});
    await dir.removeEntry(name).catch(() => {});
    throw new DownloadError(`Could not create ${name} in that folder.`, 'file');
  }
}

/** One entry into `dir`; resolves with { name, bytes }, throws a DownloadError with no file left behind. */
async function saveEntry(dir, entry, { quality, codec, signal, claimed, report }) {
  const path = downloadPath(entry.url, quality, codec);
  const onBusy = (left) => report({ state: 'busy', left });
  const response = await openDownload(path, { signal, onBusy });
  const fallback = `Entry ${entry.index}.${quality === 'audio' ? 'm4a' : 'mp4'}`;
  const name = await claimName(dir, filenameFromDisposition(response.headers.get('content-disposition')) ?? fallback, claimed);
  const writable = await createWritable(dir, name, response);
  const started = performance.now();
  report({ state: 'saving', name, bytes: 0, total: null, elapsedMs: 0 });
  try {
    const bytes = await writeDownload(response, writable, {
      path, signal, onBusy,
      onProgress: (done, total) => report({ state: 'saving', name, bytes: done, total, elapsedMs: performance.now() - started }),
      onResume: (state) => report({ state, name }),
    });
    return { name, bytes };
  } catch (error) {
    // The file exists since it was created; empty or partial, it goes.
    await dir.removeEntry(name).catch(() => {});
    throw error;
  }
}

/**
 * Saves `entries` into `dir`, each as `quality` and `codec` choose (as downloadPath). `onEntry(entry, update)` hears each entry's way:
 * { state: 'starting' | 'busy' (left) | 'saving' (name, bytes, total, elapsedMs)
 * | 'resuming' | 'restarting' (name) | 'done' (name, bytes) | 'failed' (message)
 * | 'cancelled' }. A failed entry does not stop the others; `signal` stops the
 * running ones (their files removed) and starts no more. Resolves once every
 * started entry has ended.
 */
export async function saveAllTo(dir, entries, { quality, codec = '', signal, onEntry }) {
  const claimed = new Set();
  let next = 0;
  const worker = async () => {
    while (next < entries.length && !signal.aborted) {
      const entry = entries[next];
      next += 1;
      onEntry(entry, { state: 'starting' });
      try {
        const { name, bytes } = await saveEntry(dir, entry, { quality, codec, signal, claimed, report: (update) => onEntry(entry, update) });
        onEntry(entry, { state: 'done', name, bytes });
      } catch (error) {
        if (signal.aborted) onEntry(entry, { state: 'cancelled' });
        else onEntry(entry, { state: 'failed', message: error instanceof DownloadError ? error.message : 'Could not save this entry.' });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, entries.length) }, worker));
}
