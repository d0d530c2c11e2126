// A clip of a segmented input (HLS, DASH): only the segments that overlap the
// span are fetched. Segments start at keyframes, so the clip starts at the
// start of the segment holding `start`. Pure.
import { MuxError } from '../errors.js';
import type { Fragment } from '../types.js';

export interface PickedFragments {
  /** The init section (if any), then the overlapping segments in order. */
  fragments: Fragment[];
  /** Where the first picked segment starts in the whole stream, in seconds. */
  from: number;
}

/** The fragments of [start, end) (`end` undefined: to the end); throws INVALID_SECTION when none overlaps or durations are unknown. */
export function pickFragments(fragments: readonly Fragment[], start: number, end: number | undefined): PickedFragments {
  const init = fragments.findIndex((fragment) => fragment.seconds !== undefined);
  // Without a duration on every segment, nothing tells where the span lies.
  if (init < 0 || fragments.slice(init).some((fragment) => fragment.seconds === undefined)) {
    throw new MuxError('INVALID_SECTION', 'this video\'s segments do not say how long they are, so passmux cannot cut a clip of it');
  }
  const picked: Fragment[] = fragments.slice(0, init);
  let from: number | undefined;
  let at = 0;
  for (const fragment of fragments.slice(init)) {
    const next = at + fragment.seconds!;
    // Half-open spans: a segment ending exactly at `start` holds none of the clip.
    if (next > start && (end === undefined || at < end)) {
      from ??= at;
      picked.push(fragment);
    }
    at = next;
  }
  if (from === undefined) throw new MuxError('INVALID_SECTION', `start (${start} s) is at or past the end of the stream (${Math.round(at * 1000) / 1000} s)`);
  return { fragments: picked, from };
}
