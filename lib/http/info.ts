// GET /info: what the page is (one video, or a playlist's entries), from the shared extraction cache.
import type { ServerResponse } from 'node:http';
import { isFetchable, type EgressPolicy } from '../egress/guard.js';
import { isPlaylist } from '../extract/parse-playlist.js';
import { screenThumbnails } from '../extract/screen-playlist.js';
import type { PlaylistInfo, VideoPage } from '../types.js';
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
    const page = await cache.lookup(query.url, query, signal);
    if (isPlaylist(page)) return sendJson(res, 200, await playlistBody(page, options.policy));
    const { info } = page;
    const thumbnail = info.thumbnail !== null && await isFetchable(info.thumbnail, options.policy) ? info.thumbnail : null;
    const body: VideoPage = {
      type: 'video', id: info.id, title: info.title, duration: info.duration, thumbnail, uploader: info.uploader,
      webpageUrl: info.webpageUrl, filename: info.filename, estimatedSize: info.estimatedSize,
      // So the page offers only real choices.
      codecs: info.codecs, heights: info.heights,
    };
    sendJson(res, 200, body);
  } catch (error) {
    if (!signal.aborted) sendError(res, toMuxError(error), options);
  } finally {
    dispose();
  }
}

/** A playlist as /info tells it: the listed fields only, thumbnails only where they pass the fetch check. */
async function playlistBody(playlist: PlaylistInfo, policy: EgressPolicy): Promise<PlaylistInfo> {
  const { entries } = await screenThumbnails(playlist, policy);
  return {
    type: 'playlist', id: playlist.id, title: playlist.title, uploader: playlist.uploader,
    webpageUrl: playlist.webpageUrl, entries, truncated: playlist.truncated,
  };
}
