// GET /info: what the page is, from the shared extraction cache.
import type { ServerResponse } from 'node:http';
import { isFetchable, type EgressPolicy } from '../egress/guard.js';
import type { VideoInfo } from '../types.js';
import { clientSignal } from './client-signal.js';
import type { ExtractionCache } from './extraction-cache.js';
import type { DownloadQuery } from './query.js';
import { sendError, sendJson, toMuxError } from './status.js';

export interface InfoOptions {
  /** Seconds in `Retry-After` on BUSY. */
  retryAfterSeconds?: number;
  /** The fetch rule a thumbnail must pass to be shown (the page loads it in the visitor's browser). */
  policy: EgressPolicy;
}

export async function handleInfo(res: ServerResponse, query: DownloadQuery, cache: ExtractionCache, options: InfoOptions): Promise<void> {
  const { signal, dispose } = clientSignal(res);
  try {
    const { info } = await cache.get(query.url, query, signal);
    const thumbnail = info.thumbnail !== null && await isFetchable(info.thumbnail, options.policy) ? info.thumbnail : null;
    const body: VideoInfo = {
      id: info.id, title: info.title, duration: info.duration, thumbnail, uploader: info.uploader,
      webpageUrl: info.webpageUrl, filename: info.filename, estimatedSize: info.estimatedSize,
    };
    sendJson(res, 200, body);
  } catch (error) {
    if (!signal.aborted) sendError(res, toMuxError(error), options);
  } finally {
    dispose();
  }
}
