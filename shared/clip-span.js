// A clip's span as the page's "From" and "To" fields give it (docs/clips.md):
// the same times /download takes, checked here only to say what is wrong
// before asking (the server checks again), and the clip's file name, which
// the server takes from here too (lib/section.ts). Pure: no DOM.

/**
 * `90`, `90.5`, `1:30`, `1:02:03` → seconds; undefined when empty; null when no time.
 * @param {string} text
 */
export function readTime(text) {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const parts = trimmed.split(':');
  const ok = parts.length <= 3 && parts.every((part, i) => (i === parts.length - 1 ? /^\d{1,10}(?:\.\d{1,3})?$/ : /^\d{1,10}$/).test(part))
    // Minutes and seconds after a larger unit stay under 60 (`1:75` is a typo, not 2:15).
    && parts.slice(1).every((part) => Number(part) < 60);
  return ok ? parts.reduce((sum, part) => sum * 60 + Number(part), 0) : null;
}

/**
 * The span of the two fields: `{ start, end }` (either may be undefined), or `{ error }` in words.
 * @param {string} from
 * @param {string} to
 * @param {number | null} duration the video's, in seconds, when known
 */
export function readSpan(from, to, duration) {
  const start = readTime(from);
  const end = readTime(to);
  if (start === null) return { error: '“From” is not a time (like 1:30 or 90).' };
  if (end === null) return { error: '“To” is not a time (like 2:45 or 165).' };
  if (start !== undefined && end !== undefined && start >= end) return { error: '“To” must come after “From”.' };
  if (start !== undefined && duration && start >= duration) return { error: '“From” is past the end of the video.' };
  return { start, end: end !== undefined && duration && end >= duration ? undefined : end };
}

/**
 * `5m00s`, `1h02m03s`, `7.5s`: how a clip's file name shows a time.
 * @param {number} seconds
 */
export function spanTime(seconds) {
  // Rounded once, to the millisecond the name shows: 59.9999 is 1m00s, never "59s".
  const ms = Math.round(seconds * 1000);
  const whole = Math.floor(ms / 1000);
  const fraction = (ms % 1000) / 1000;
  const s = `${String(whole % 60).padStart(whole >= 60 ? 2 : 1, '0')}${fraction > 0 ? String(fraction).slice(1) : ''}s`;
  const m = Math.floor(whole / 60) % 60;
  const h = Math.floor(whole / 3600);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${s}`;
  return m > 0 ? `${m}m${s}` : s;
}

/**
 * Whether the span is a clip at all (not the whole video).
 * @param {{ start?: number, end?: number }} span
 */
export function isClip(span) {
  return Boolean(span.start) || span.end !== undefined;
}

/**
 * `Title.mp4` → `Title (5m00s-6m00s).mp4`; a clip to the end says `-end`.
 * @param {string} filename
 * @param {{ start?: number, end?: number }} span
 */
export function clipName(filename, span) {
  if (!isClip(span)) return filename;
  const dot = filename.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [filename.slice(0, dot), filename.slice(dot)] : [filename, ''];
  return `${stem} (${spanTime(span.start ?? 0)}-${span.end === undefined ? 'end' : spanTime(span.end)})${extension}`;
}
