// Clip sections: a start and an end as a person writes them (seconds with
// decimals, or [[h:]m:]s), checked before anything runs, then resolved
// against the video's duration once yt-dlp has told it. Pure.
import { MuxError } from './errors.js';
import { clipName, readTime, spanTime } from '../shared/clip-span.js';

/** A span as asked: either side may be left out (from the start, to the end). Seconds. */
export interface Section {
  start?: number;
  end?: number;
}

/** A span to cut: `start` ≥ 0, `end` (when given) past it and within the video. Seconds. */
export interface Clip {
  start: number;
  /** Undefined: to the end of the video. */
  end?: number;
}

/** Longer than any video: a typo like `start=9999999999` is refused in words, not cut to nothing. */
const MAX_SECONDS = 1000 * 3600;

const invalid = (message: string) => new MuxError('INVALID_SECTION', message);

/** `90`, `90.5`, `1:30`, `1:02:03.25` → seconds; throws INVALID_SECTION naming `label`. */
export function parseTime(text: string, label: string): number {
  // The page's rule (shared/clip-span.js), so the fields and the server agree on what a time is.
  const seconds = readTime(text);
  if (seconds === undefined || seconds === null) throw invalid(`${label} must be seconds (like 90 or 90.5) or [h:]m:ss (like 1:30), not "${text.slice(0, 40)}"`);
  if (seconds > MAX_SECONDS) throw invalid(`${label} is later than any video (${Math.round(seconds)} s)`);
  return seconds;
}

/** A section from two optional values (query parameters, library options); numbers are taken as seconds. */
export function parseSection(start: string | number | undefined, end: string | number | undefined): Section {
  const read = (value: string | number | undefined, label: string) => {
    if (value === undefined) return undefined;
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || value < 0) throw invalid(`${label} must be a number of seconds, 0 or more`);
      if (value > MAX_SECONDS) throw invalid(`${label} is later than any video (${Math.round(value)} s)`);
      return value;
    }
    return parseTime(value, label);
  };
  const section: Section = {};
  const s = read(start, 'start');
  const e = read(end, 'end');
  if (s !== undefined) section.start = s;
  if (e !== undefined) section.end = e;
  if (s !== undefined && e !== undefined && s >= e) throw invalid(`start (${s} s) must come before end (${e} s)`);
  if (e === 0) throw invalid('end must be after the start of the video');
  return section;
}

/**
 * yt-dlp's `--download-sections` habit: `*5:00-6:00`, `5:00-6:00`, `5:00-`,
 * `-6:00` or `5:00-inf`. Chapter names (yt-dlp's other form) are not taken.
 */
export function parseSectionSpec(spec: string): Section {
  const match = /^\*?\s*([^-\s]*)\s*-\s*([^-\s]*)$/.exec(spec.trim());
  if (!match) throw invalid(`a section is START-END (like 5:00-6:00), not "${spec.slice(0, 40)}"`);
  const [, start = '', given = ''] = match;
  // `inf` is no end: `-inf` names no span at all, like `-`.
  const end = given === 'inf' ? '' : given;
  if (!start && !end) throw invalid('a section needs a start, an end, or both');
  return parseSection(start || undefined, end || undefined);
}

/**
 * The span to cut from a video of `duration` seconds (null: unknown), or
 * undefined when the section is the whole video. A start at or past the end
 * is refused; an end past it is cut to it.
 */
export function resolveClip(section: Section, duration: number | null): Clip | undefined {
  const start = section.start ?? 0;
  if (duration !== null && duration > 0 && start >= duration) {
    throw invalid(`start (${start} s) is at or past the end of the video (${duration} s)`);
  }
  const end = section.end !== undefined && (duration === null || section.end < duration) ? section.end : undefined;
  if (start === 0 && end === undefined) return undefined;
  return end === undefined ? { start } : { start, end };
}

/** `5m00s`, `1h02m03s`, `7.5s`: how a file name shows a time (the page's own function: one name on both sides). */
export const formatTime: (seconds: number) => string = spanTime;

/** `Title.mp4` → `Title (5m00s-6m00s).mp4`; a clip to the end says `-end`. */
export function clipFilename(filename: string, clip: Clip): string {
  return clipName(filename, clip);
}
