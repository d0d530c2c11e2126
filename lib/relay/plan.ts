// How the relay fetches one input: byte ranges of one file, or an ordered
// list of fragments (HLS segments, DASH segments) served as one stream.
import type { Fragment } from '../types.js';

export type { Fragment, FragmentKey } from '../types.js';

export type FetchPlan =
  /** A whole file, fetched as parallel byte ranges; seekable by ffmpeg. */
  | { kind: 'ranges' }
  /** Fragments concatenated into one stream (TS segments, or an fMP4 init segment and its media segments); not seekable. */
  | { kind: 'fragments'; fragments: Fragment[] };
