// From an extracted input to what the relay fetches: the file itself, the
// DASH fragments yt-dlp listed, or the segments of an HLS media playlist the
// relay reads itself (under the guard, with the format's headers), so ffmpeg
// never sees a playlist. DRM and live playlists are refused here, before
// ffmpeg starts.
import type { EgressPolicy } from '../egress/guard.js';
import { MuxError } from '../errors.js';
import type { MediaInput } from '../types.js';
import { parseMediaPlaylist } from '../media/hls-playlist.js';
import { readWhole } from './read-whole.js';
import { openUpstream, statusError } from './upstream.js';
import type { SourceTarget } from './upstream-source.js';

/** Media playlists of multi-hour videos run to a few MB; beyond this something is wrong. */
const MAX_PLAYLIST_BYTES = 16 * 1024 * 1024;

export interface PrepareOptions {
  policy: EgressPolicy;
  readTimeoutMs: number;
  signal: AbortSignal;
}

/** What every request of the input carries, and its range limit (the size probe's requests too). */
export function targetOf(input: MediaInput): SourceTarget {
  return {
    url: input.url, headers: input.headers,
    ...(input.cookies ? { cookies: input.cookies } : {}),
    ...(input.chunkSize ? { chunkSize: input.chunkSize } : {}),
  };
}

/** Fetches and reads an HLS media playlist; its segments become the input's fragments. */
async function readPlaylist(input: MediaInput, options: PrepareOptions): Promise<SourceTarget> {
  const { res, url } = await openUpstream(targetOf(input), options);
  if (res.statusCode !== 200) throw (res.resume(), statusError(res.statusCode ?? 0, new URL(url).host));
  // Segment addresses are relative to where the playlist really was (after redirects).
  const text = await readWhole(res, MAX_PLAYLIST_BYTES, () => new MuxError('EXTRACT_FAILED', 'the media playlist is too large'));
  const playlist = parseMediaPlaylist(text.toString('utf8'), url);
  if (!playlist.ended) throw new MuxError('LIVE_NOT_SUPPORTED', 'this is a live stream (its playlist is still growing); passmux downloads finished videos only');
  return { ...targetOf(input), fragments: playlist.fragments };
}

export async function prepareTarget(input: MediaInput, options: PrepareOptions): Promise<SourceTarget> {
  const base = targetOf(input);
  if (input.protocol === 'hls') return readPlaylist(input, options);
  if (input.protocol === 'dash') return { ...base, fragments: input.fragments ?? [] };
  return base;
}
