// @ts-check
// Pure helpers shared by the page and the CLI: numbers and errors in words a person reads.

/**
 * 75 → "1:15", 3675 → "1:01:15".
 * @param {number | null | undefined} seconds
 * @returns {string}
 */
export function formatDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * 1234567 → "1.2 MB" (decimal units, like file managers).
 * @param {number} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * What the progress bar shows. `percent` is null when there is no usable
 * estimate (none, or already exceeded): then only bytes and speed.
 * @param {{ bytes: number, total: number | null, elapsedMs: number }} progress
 * @returns {{ percent: number | null, text: string }}
 */
export function describeProgress({ bytes, total, elapsedMs }) {
  const speed = elapsedMs > 250 ? (bytes * 1000) / elapsedMs : 0;
  const speedText = speed > 0 ? `${formatBytes(Math.round(speed))}/s` : '';
  if (!total || bytes > total) {
    return { percent: null, text: [formatBytes(bytes), speedText].filter(Boolean).join(' · ') };
  }
  const percent = Math.min(100, Math.floor((bytes / total) * 100));
  const left = speed > 0 ? Math.ceil((total - bytes) / speed) : null;
  const parts = [`${percent} %`, `${formatBytes(bytes)} of ${formatBytes(total)}`, speedText,
    left !== null ? `${formatDuration(left)} left` : ''];
  return { percent, text: parts.filter(Boolean).join(' · ') };
}

/**
 * An HTTP error from passmux → a sentence for a person.
 * @param {number} status
 * @param {string} [code]
 * @returns {string}
 */
export function describeHttpError(status, code) {
  if (code === 'IS_PLAYLIST') return 'That link is a playlist. Look it up to pick the videos to save.';
  if (code === 'MUX_FAILED') return 'passmux could not turn this video into an MP4 file.';
  if (status === 400) return code === 'UNSUPPORTED_URL'
    ? 'That site or link is not supported. Use the link of a single video page.'
    : 'That link does not look right. Paste the full address of a video page, starting with https://.';
  if (code === 'DRM_PROTECTED') return 'This video is copy-protected (DRM). passmux cannot save it.';
  if (code === 'LIVE_NOT_SUPPORTED') return 'This is a live stream. passmux can save it once the broadcast has ended and is available as a video.';
  if (status === 404) return 'This video was removed or is private.';
  if (status === 502) return 'The video site refused the request. Try again later.';
  if (status === 504) return 'The video site took too long to answer. Try again later.';
  if (status === 503) return 'The server is busy right now. Try again in a moment.';
  return `Something went wrong on the server (HTTP ${status}).`;
}

/**
 * `/download?...` for a page URL, a quality choice ("", "720", "audio") and a codec ("", "h264", "vp9", "av1").
 * @param {string} url
 * @param {string} quality
 * @param {string} [codec]
 * @param {{ start?: number, end?: number }} [span] a clip of the video
 */
export function downloadPath(url, quality, codec = '', span = {}) {
  const params = new URLSearchParams({ url });
  if (quality === 'audio') params.set('audioOnly', '1');
  else if (quality) params.set('maxHeight', quality);
  if (codec) params.set('codec', codec);
  // A clip (docs/clips.md): seconds, as the page's From/To fields read them.
  if (span.start) params.set('start', String(span.start));
  if (span.end !== undefined) params.set('end', String(span.end));
  return `/download?${params}`;
}

/** @type {Record<string, string>} */
const CODEC_LABELS = { h264: 'Most compatible (H.264 + AAC)', vp9: 'VP9', av1: 'AV1' };

/**
 * The codec choices worth showing for the families /info lists: none when the
 * page has one kind of video only (there is nothing to choose).
 * @param {string[] | undefined} codecs
 * @returns {Array<{ value: string, label: string }>}
 */
export function codecChoices(codecs) {
  if (!Array.isArray(codecs) || codecs.length < 2) return [];
  const offered = Object.keys(CODEC_LABELS).filter((codec) => codecs.includes(codec));
  return [{ value: '', label: 'Best quality' }, ...offered.map((value) => ({ value, label: CODEC_LABELS[value] }))];
}

/**
 * Whether "Up to `limit`p" picks something else than the best: the page has
 * video both that small and taller. Unknown heights: every limit is shown.
 * @param {number} limit
 * @param {number[] | undefined} heights
 */
export function isRealLimit(limit, heights) {
  if (!Array.isArray(heights) || heights.length === 0) return true;
  return heights.some((h) => h <= limit) && heights.some((h) => h > limit);
}

/**
 * The size line: the exact size once the server knows it, else yt-dlp's guess.
 * @param {number | null} exact
 * @param {number | null | undefined} estimate
 */
export function describeSize(exact, estimate) {
  if (exact !== null) return formatBytes(exact);
  return estimate ? `≈ ${formatBytes(estimate)}` : '';
}

/**
 * The suggested file name, with .m4a for audio only.
 * @param {string} filename
 * @param {string} quality
 */
export function suggestedName(filename, quality) {
  return quality === 'audio' ? filename.replace(/\.mp4$/i, '.m4a') : filename;
}
