// How the relay fetches one input: byte ranges of one file, or an ordered
// list of fragments (HLS segments, DASH segments) served as one stream.

/** AES-128-CBC encryption of a fragment (HLS `EXT-X-KEY METHOD=AES-128`). */
export interface FragmentKey {
  /** Absolute URL of the 16-byte key. */
  url: string;
  /** 16 bytes: the tag's IV, else the segment's media sequence number. */
  iv: Buffer;
}

/** One piece of a fragmented input, in delivery order. */
export interface Fragment {
  /** Absolute URL. */
  url: string;
  /** Inclusive byte range within the resource, when the fragment is only part of it. */
  range?: [number, number];
  key?: FragmentKey;
}

export type FetchPlan =
  /** A whole file, fetched as parallel byte ranges; seekable by ffmpeg. */
  | { kind: 'ranges' }
  /** Fragments concatenated into one stream (TS segments, or an fMP4 init segment and its media segments); not seekable. */
  | { kind: 'fragments'; fragments: Fragment[] };
