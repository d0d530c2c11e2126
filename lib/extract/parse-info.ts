// yt-dlp's JSON → our VideoInfo and Selection. yt-dlp's JSON is large and
// loosely typed; everything is checked here so nothing else has to.
import { MuxError } from '../errors.js';
import type { InputKind, MediaInput, Selection, VideoInfo } from '../types.js';
import { cookiesFor, requestHeadersFor } from './cookies.js';
import { listOffers } from './codecs.js';
import { checkDeliverable, dashFragments, protocolOf } from './format-protocol.js';
import { isPlaylistJson, playlistRefusal } from './parse-playlist.js';
import { safeFilename } from './safe-filename.js';

type Json = Record<string, unknown>;

/** A non-empty string, cut to `max` characters: a page may send megabytes of title, and the cache keeps it. */
const text = (value: unknown, max = 2048): string | null => (typeof value === 'string' && value !== '' ? value.slice(0, max) : null);
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The formats yt-dlp chose: `requested_formats` for a merge, else the top-level format itself. */
function chosenFormats(json: Json): Json[] {
  if (Array.isArray(json.requested_formats) && json.requested_formats.length > 0) {
    return json.requested_formats.filter(isObject);
  }
  return typeof json.url === 'string' ? [json] : [];
}

function declaredSize(format: Json): number | null {
  return number(format.filesize) ?? number(format.filesize_approx);
}

/** yt-dlp's size, else its bitrate (kbit/s) × the duration: all a fragmented format usually has. */
function guessedSize(format: Json, duration: number | null): number | null {
  const kbps = number(format.tbr) ?? ((number(format.vbr) ?? 0) + (number(format.abr) ?? 0) || null);
  return declaredSize(format) ?? (kbps !== null && duration !== null ? kbps * 125 * duration : null);
}

/** Sum of declared or guessed sizes, or null when any chosen format has neither (a partial sum would mislead). */
export function estimateSize(formats: Json[], duration: number | null = null): number | null {
  if (formats.length === 0) return null;
  let total = 0;
  for (const format of formats) {
    const size = guessedSize(format, duration);
    if (size === null) return null;
    total += size;
  }
  return Math.round(total);
}

/**
 * How yt-dlp's own downloader would fetch the format: ranges no larger than
 * `downloader_options.http_chunk_size` (YouTube: 10 MiB, larger ones are
 * throttled or refused), nothing before `available_at` (unix seconds).
 */
function fetchDetails(format: Json): Pick<MediaInput, 'chunkSize' | 'availableAt'> {
  const options = isObject(format.downloader_options) ? format.downloader_options : {};
  const chunk = number(options.http_chunk_size);
  const at = number(format.available_at);
  return {
    ...(chunk !== null && chunk >= 1 ? { chunkSize: Math.floor(chunk) } : {}),
    ...(at !== null && at > 0 ? { availableAt: at } : {}),
  };
}

function kindOf(format: Json): InputKind {
  if (format.vcodec === 'none') return 'audio';
  if (format.acodec === 'none') return 'video';
  return 'av';
}

function assertSingleVideo(json: unknown): asserts json is Json {
  if (!isObject(json)) throw new MuxError('EXTRACT_FAILED', 'yt-dlp printed something that is not a video description');
  if (isPlaylistJson(json)) {
    const count = number(json.playlist_count) ?? (Array.isArray(json.entries) ? json.entries.length : null);
    throw playlistRefusal(count);
  }
}

export function parseVideoInfo(json: unknown, extension = 'mp4'): VideoInfo {
  assertSingleVideo(json);
  const thumbnails = Array.isArray(json.thumbnails) ? json.thumbnails.filter(isObject) : [];
  const title = text(json.title) ?? text(json.fulltitle);
  return {
    id: text(json.id),
    title,
    duration: number(json.duration),
    thumbnail: text(json.thumbnail) ?? text(thumbnails.at(-1)?.url),
    uploader: text(json.uploader) ?? text(json.channel) ?? text(json.creator),
    webpageUrl: text(json.webpage_url) ?? text(json.original_url),
    filename: safeFilename(title ?? text(json.id), extension),
    estimatedSize: estimateSize(chosenFormats(json), number(json.duration)),
    // A single video's -J lists every format, also in info mode: what the page can offer.
    ...listOffers(json.formats),
  };
}

/**
 * One video and one audio input, or one input of any kind; never more (each
 * would be fetched and become a track). A combined format next to an audio
 * one gives only its video.
 */
function assignKinds(kinds: InputKind[]): InputKind[] {
  if (kinds.length === 1) return kinds;
  if (kinds.length === 2 && kinds[0] !== 'audio' && kinds[1] === 'audio') return ['video', 'audio'];
  throw new MuxError('EXTRACT_FAILED', `yt-dlp chose ${kinds.length} formats (${kinds.join(', ')}); passmux muxes one video and one audio`);
}

export function parseSelection(json: unknown, extension = 'mp4'): Selection {
  const info = parseVideoInfo(json, extension);
  const formats = chosenFormats(json as Json);
  if (formats.length === 0) throw new MuxError('EXTRACT_FAILED', 'yt-dlp found no downloadable format for this page');
  const kinds = assignKinds(formats.map(kindOf));
  const inputs = formats.map((format, index): MediaInput => {
    const url = text(format.url, Infinity);
    if (!url) throw new MuxError('EXTRACT_FAILED', `format ${String(format.format_id)} has no URL`);
    checkDeliverable(json as Json, format);
    // Playlists and manifests are read by the relay, never by ffmpeg.
    const protocol = protocolOf(format, url);
    const size = declaredSize(format);
    const vcodec = text(format.vcodec, 256);
    const acodec = text(format.acodec);
    const formatId = text(format.format_id, 256);
    const cookies = cookiesFor(format, url);
    return {
      url, headers: requestHeadersFor(format), kind: kinds[index]!, protocol,
      ...(cookies.length > 0 ? { cookies } : {}),
      ...fetchDetails(format),
      ...(protocol === 'dash' ? { fragments: dashFragments(format) } : {}),
      ...(vcodec && vcodec !== 'none' ? { vcodec } : {}),
      ...(acodec && acodec !== 'none' ? { acodec } : {}),
      ...(size !== null ? { size } : {}),
      ...(formatId ? { formatId } : {}),
    };
  });
  return { info, inputs };
}
