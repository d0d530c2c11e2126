// What kind of delivery a yt-dlp format is, and what passmux refuses outright
// (DRM, live). Everything the relay needs to fetch a fragmented format.
import { MuxError } from '../errors.js';
import { MAX_FRAGMENTS, type Fragment, type InputProtocol } from '../types.js';
import { checkUrl } from '../url.js';

type Json = Record<string, unknown>;

const PROTOCOLS: Record<string, InputProtocol> = {
  http: 'http', https: 'http', m3u8: 'hls', m3u8_native: 'hls', http_dash_segments: 'dash',
};

/** yt-dlp's `protocol` (or, without one, the URL's scheme) → how the relay fetches it. */
export function protocolOf(format: Json, url: string): InputProtocol {
  const given = typeof format.protocol === 'string' && format.protocol !== '' ? format.protocol : new URL(url).protocol.replace(/:$/, '');
  const protocol = PROTOCOLS[given];
  if (!protocol) {
    throw new MuxError('UNSUPPORTED_URL', `this page serves its media as ${given.slice(0, 40)}; passmux fetches files, HLS and DASH over HTTP(S)`);
  }
  return protocol;
}

/** DRM and live streams are refused in words before anything is fetched (yt-dlp's flags; HLS playlists are read later). */
export function checkDeliverable(video: Json, format: Json): void {
  // yt-dlp gives true, null, or (with --allow-unplayable-formats) some other truthy value.
  if (Boolean(video.has_drm) || Boolean(format.has_drm)) throw new MuxError('DRM_PROTECTED', 'this video is DRM-protected; passmux cannot remux it');
  if (video.is_live === true || format.is_live === true || video.live_status === 'is_live') {
    throw new MuxError('LIVE_NOT_SUPPORTED', 'this is a live stream; passmux downloads finished videos only');
  }
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A yt-dlp `byte_range` ({ start, end } with `end` exclusive) → our inclusive range. */
function rangeOf(value: unknown): [number, number] | undefined {
  if (!isObject(value)) return undefined;
  const { start, end } = value;
  if (typeof start !== 'number' || typeof end !== 'number' || !(start >= 0) || !(end > start)) return undefined;
  return [start, end - 1];
}

/** DASH: the fragments yt-dlp listed (`url`, or `path` under `fragment_base_url`), the init segment first. */
export function dashFragments(format: Json): Fragment[] {
  const base = typeof format.fragment_base_url === 'string' ? format.fragment_base_url : undefined;
  const listed = Array.isArray(format.fragments) ? format.fragments : [];
  if (listed.length === 0) throw new MuxError('EXTRACT_FAILED', 'yt-dlp listed no fragments for a segmented DASH format');
  if (listed.length > MAX_FRAGMENTS) throw new MuxError('EXTRACT_FAILED', `the DASH manifest lists more than ${MAX_FRAGMENTS} fragments`);
  return listed.map((fragment): Fragment => {
    const item = isObject(fragment) ? fragment : {};
    const raw = typeof item.url === 'string' ? item.url
      : typeof item.path === 'string' && base ? new URL(item.path, base).href : undefined;
    if (!raw) throw new MuxError('EXTRACT_FAILED', 'a DASH fragment has no address');
    const url = checkUrl(raw, { allowPrivateNetworks: true, label: 'fragment URL', maxLength: 16_384 }).href;
    const range = rangeOf(item.byte_range);
    const seconds = typeof item.duration === 'number' && Number.isFinite(item.duration) && item.duration >= 0 ? { seconds: item.duration } : {};
    return range ? { url, range, ...seconds } : { url, ...seconds };
  });
}
