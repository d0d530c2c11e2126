// yt-dlp's flat listing of a playlist, channel or feed (`_type` playlist or
// multi_video) → our PlaylistInfo. Each entry keeps the URL yt-dlp gave, since
// that is what a later /download of it hands back to yt-dlp, and passes the
// same URL check as any `url` parameter.
import { MuxError } from '../errors.js';
import type { Extraction, PlaylistEntry, PlaylistInfo, Selection } from '../types.js';
import { checkUrl } from '../url.js';

type Json = Record<string, unknown>;

/** A non-empty string, cut to `max` characters (titles come from strangers; the cache keeps them). */
const text = (value: unknown, max = 2048): string | null => (typeof value === 'string' && value !== '' ? value.slice(0, max) : null);
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether yt-dlp described a list rather than one video. */
export function isPlaylistJson(json: unknown): json is Json {
  return isObject(json) && (json._type === 'playlist' || json._type === 'multi_video');
}

/** Whether an extraction is a playlist (a Selection has no `type`). */
export function isPlaylist(page: Extraction): page is PlaylistInfo {
  return (page as Partial<PlaylistInfo>).type === 'playlist';
}

/** The refusal of a list where one video was expected, in words that say what to do instead. */
export function playlistRefusal(listed: number | null, more = false): MuxError {
  const size = listed === null ? '' : ` of ${more ? 'more than ' : ''}${listed} ${listed === 1 && !more ? 'entry' : 'entries'}`;
  return new MuxError('IS_PLAYLIST', `this URL is a playlist${size}: pick its entries (GET /info or "passmux info" lists them) and download each by its own URL`);
}

/** A video's selection, or IS_PLAYLIST when the page turned out to be a list. */
export function requireVideo(page: Extraction): Selection {
  if (isPlaylist(page)) throw playlistRefusal(page.entries.length, page.truncated);
  return page;
}

export interface ParsePlaylistOptions {
  /** Entries kept; more set `truncated`. */
  maxEntries: number;
  /** Entry URLs may point into private networks (the same rule as page URLs). @default false */
  allowPrivateNetworks?: boolean;
}

/**
 * The page an entry stands for: a `url` result's own URL, else (a full entry of
 * a multi-video page) its page, unless that is the list itself, which cannot be
 * fetched as one video.
 */
function entryPage(entry: Json, listUrl: string | null): string | null {
  if (entry._type === 'url' || entry._type === 'url_transparent') return text(entry.url, Infinity);
  const page = text(entry.webpage_url, Infinity) ?? text(entry.original_url, Infinity);
  return page !== listUrl ? page : null;
}

/** `value` if it passes the checks a `url` parameter passes, else null. */
function checked(value: string | null, allowPrivateNetworks: boolean, label: string): string | null {
  if (value === null) return null;
  try {
    return checkUrl(value, { allowPrivateNetworks, label }).href;
  } catch {
    return null;
  }
}

function thumbnailOf(entry: Json): string | null {
  const thumbnails = Array.isArray(entry.thumbnails) ? entry.thumbnails.filter(isObject) : [];
  return text(entry.thumbnail, Infinity) ?? text(thumbnails.at(-1)?.url, Infinity);
}

/**
 * The first `maxEntries` entries that lead to a page passmux may fetch. An
 * entry without one is left out; `index` keeps every entry's place in the list.
 */
export function parsePlaylist(json: unknown, options: ParsePlaylistOptions): PlaylistInfo {
  if (!isPlaylistJson(json)) throw new MuxError('EXTRACT_FAILED', 'yt-dlp printed something that is not a playlist');
  const allow = options.allowPrivateNetworks ?? false;
  const listed: unknown[] = Array.isArray(json.entries) ? json.entries : [];
  const webpageUrl = text(json.webpage_url) ?? text(json.original_url);
  const entries: PlaylistEntry[] = [];
  listed.slice(0, options.maxEntries).forEach((entry, i) => {
    if (!isObject(entry)) return;
    const url = checked(entryPage(entry, webpageUrl), allow, 'entry URL');
    if (url === null) return;
    entries.push({
      index: i + 1, id: text(entry.id), title: text(entry.title), url,
      duration: number(entry.duration), thumbnail: checked(thumbnailOf(entry), allow, 'thumbnail'),
    });
  });
  // yt-dlp is asked for one entry more than the cap; a static list also says how long it is.
  const count = number(json.playlist_count);
  return {
    type: 'playlist', id: text(json.id), title: text(json.title),
    uploader: text(json.uploader) ?? text(json.channel) ?? text(json.creator), webpageUrl, entries,
    truncated: listed.length > options.maxEntries || (count !== null && count > options.maxEntries),
  };
}
