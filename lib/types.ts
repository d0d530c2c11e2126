// The few shapes that cross folder boundaries.

/** The video codecs a download may ask for (lib/extract/codecs.ts); absent means yt-dlp's best. */
export type VideoCodec = 'h264' | 'vp9' | 'av1';

/** A video format's codec family, as /info lists it. */
export type CodecFamily = VideoCodec | 'other';

/** What a page is: enough to show a preview and name the file. */
export interface VideoInfo {
  id: string | null;
  title: string | null;
  /** Seconds. */
  duration: number | null;
  thumbnail: string | null;
  uploader: string | null;
  webpageUrl: string | null;
  /** A safe file name for the download, `<title>.mp4`. */
  filename: string;
  /** Sum of the chosen formats' declared sizes in bytes; a guess, null when any is unknown. */
  estimatedSize: number | null;
  /** The video codec families the page offers (AV1, VP9, H.264, other: in that order); empty when yt-dlp lists none. */
  codecs: CodecFamily[];
  /** The video heights the page offers, tallest first. */
  heights: number[];
}

export type InputKind = 'video' | 'audio' | 'av';

/** AES-128-CBC encryption of a fragment (HLS `EXT-X-KEY METHOD=AES-128`). */
export interface FragmentKey {
  /** Absolute URL of the 16-byte key. */
  url: string;
  /** 16 bytes: the tag's IV, else the segment's media sequence number. */
  iv: Buffer;
}

/**
 * Fragments one input may have: 55 hours of 2 s segments. A hostile playlist
 * of millions of lines would otherwise fill the heap (a review took a server
 * down with 8 million); counted before objects are built.
 */
export const MAX_FRAGMENTS = 100_000;

/** One piece of a fragmented input (an HLS or DASH segment, or an init section), in delivery order. */
export interface Fragment {
  /** Absolute URL. */
  url: string;
  /** Inclusive byte range within the resource, when the fragment is only part of it. */
  range?: [number, number];
  key?: FragmentKey;
  /** How long it plays (EXTINF, DASH's duration); absent on an init section. What a clip picks segments by. */
  seconds?: number;
}

/**
 * How an input is delivered: one whole file (`http`), an HLS media playlist
 * the relay reads (`hls`), or the DASH fragments yt-dlp listed (`dash`).
 */
export type InputProtocol = 'http' | 'hls' | 'dash';

/**
 * A cookie yt-dlp handed over for a format, with the scope RFC 6265 gives it
 * (lib/cookie-jar.ts decides which request it goes with).
 */
export interface JarCookie {
  name: string;
  value: string;
  /** Lower-case host or domain, no leading dot. */
  domain: string;
  /** No Domain attribute: `domain` itself only, none of its subdomains. */
  hostOnly: boolean;
  /** Sent to this path and below it. */
  path: string;
  /** https only. */
  secure: boolean;
}

/** One upstream media URL and what every request for it carries. */
export interface MediaInput {
  /** The file, or (hls) the media playlist, or (dash) the manifest. */
  url: string;
  /**
   * yt-dlp's per-format headers (User-Agent, Referer, …): sent with every
   * request of this input, on any host. Authorization only to `url`'s origin.
   * A `Cookie` here is taken as cookies of `url`'s host alone.
   */
  headers: Record<string, string>;
  /** The cookies yt-dlp gave: each sent only where its domain, path and secure flag allow. */
  cookies?: JarCookie[];
  /** Largest byte range to ask for at once (yt-dlp's `http_chunk_size`); the relay's own size when smaller. */
  chunkSize?: number;
  /** Unix seconds before which the format may not be fetched (yt-dlp's `available_at`): the download waits. */
  availableAt?: number;
  kind: InputKind;
  protocol: InputProtocol;
  /** dash: the fragments, the init segment first. */
  fragments?: Fragment[];
  /** yt-dlp's video codec, when it says (`avc1.64001f`, `vp9`, …). */
  vcodec?: string;
  /** yt-dlp's audio codec, when it says (`mp4a.40.2`, `opus`, …). */
  acodec?: string;
  /** Declared size in bytes, if yt-dlp knows it. */
  size?: number;
  /** yt-dlp's format id (`137`, `hls-720p`, …): with the exact size, what names this input in an ETag. */
  formatId?: string;
}

/**
 * One output track as the output-size bound sees it (lib/length/output-bound.ts),
 * read from its input's own index by the relay (lib/length/probe-input.ts).
 */
export interface TrackBudget {
  kind: 'video' | 'audio';
  /** Bytes of sample data (at most). */
  payload: number;
  /** Samples (at most). */
  samples: number;
  seconds: number;
  /** Video: fragments this track starts (its keyframes), at most. */
  keyframes: number;
  /** The most samples between two keyframes (video) — the longest fragment. */
  maxGopSamples: number;
  /** The longest sample duration in seconds. */
  maxSampleSeconds: number;
  /** trun bytes per sample in a fragment whose durations are all the default. */
  sampleBytes: number;
  /** The first and last fragment list durations sample by sample (edit-list starts, a short last frame). */
  edgeDurations: boolean;
  /** The sample description the output's moov repeats. */
  descriptionBytes: number;
  /** ffmpeg may copy it without its parsers, so a resume may feed it zeros (MP4 H.264 and AAC only). */
  blindCopy?: boolean;
}

/** The chosen formats of one page. */
export interface Selection {
  info: VideoInfo;
  inputs: MediaInput[];
}

export interface MuxInfo extends VideoInfo {
  mimeType: string;
}

/** `/info` and `extractInfo` for one video: its VideoInfo, tagged. */
export interface VideoPage extends VideoInfo {
  type: 'video';
}

/** One entry of a playlist, as listed (never extracted on its own while listing). */
export interface PlaylistEntry {
  /** Position in the list, from 1 (what `--items` and yt-dlp's `--playlist-items` count). */
  index: number;
  id: string | null;
  title: string | null;
  /** What `/download?url=` takes: the entry's URL as yt-dlp gave it (a smuggled `#__youtubedl_smuggle=…` kept). */
  url: string;
  /** Seconds. */
  duration: number | null;
  thumbnail: string | null;
}

/** A playlist, channel or feed: its entries from one flat listing. */
export interface PlaylistInfo {
  type: 'playlist';
  id: string | null;
  title: string | null;
  uploader: string | null;
  webpageUrl: string | null;
  entries: PlaylistEntry[];
  /** The list has more entries than were listed (the cap, PASSMUX_MAX_PLAYLIST_ENTRIES). */
  truncated: boolean;
}

/** What a page is, as `extractInfo` and `/info` tell it. */
export type PageInfo = VideoPage | PlaylistInfo;

/** One extraction: a video's chosen formats, or a playlist's entries. */
export type Extraction = Selection | PlaylistInfo;
