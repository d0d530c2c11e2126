// GET /info: what the page is, from the shared extraction cache.
import type { ServerResponse } from 'node:http';
import type { VideoInfo } from '../types.js';
import { clientSignal } from './client-signal.js';
import type { ExtractionCache } from './extraction-cache.js';
import type { DownloadQuery } from './query.js';
import { sendError, sendJson, toMuxError } from './status.js';

export async function handleInfo(res: ServerResponse, query: DownloadQuery, cache: ExtractionCache): Promise<void> {
  const { signal, dispose } = clientSignal(res);
  try {
    const { info } = await cache.get(query.url, query, signal);
    const body: VideoInfo = {
      id: info.id, title: info.title, duration: info.duration, thumbnail: info.thumbnail, uploader: info.uploader,
      webpageUrl: info.webpageUrl, filename: info.filename, estimatedSize: info.estimatedSize,
    };
    sendJson(res, 200, body);
  } catch (error) {
    if (!signal.aborted) sendError(res, toMuxError(error));
  } finally {
    dispose();
  }
}
