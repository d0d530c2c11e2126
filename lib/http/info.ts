// GET /info: what the page is, from the shared extraction cache.
import type { ServerResponse } from 'node:http';
import type { VideoInfo } from '../types.js';
import type { ExtractionCache } from './extraction-cache.js';
import type { DownloadQuery } from './query.js';
import { sendError, sendJson, toMuxError } from './status.js';

export async function handleInfo(res: ServerResponse, query: DownloadQuery, cache: ExtractionCache): Promise<void> {
  const controller = new AbortController();
  const onClose = () => controller.abort();
  res.once('close', onClose);
  try {
    const { info } = await cache.get(query.url, query, controller.signal);
    const body: VideoInfo = {
      id: info.id, title: info.title, duration: info.duration, thumbnail: info.thumbnail, uploader: info.uploader,
      webpageUrl: info.webpageUrl, filename: info.filename, estimatedSize: info.estimatedSize,
    };
    sendJson(res, 200, body);
  } catch (error) {
    if (!controller.signal.aborted) sendError(res, toMuxError(error));
  } finally {
    res.off('close', onClose);
  }
}
