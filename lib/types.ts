// The few shapes that cross folder boundaries.

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
}

export type InputKind = 'video' | 'audio' | 'av';

/** One upstream media URL and the request headers (cookies folded into `Cookie`) it needs. */
export interface MediaInput {
  url: string;
  headers: Record<string, string>;
  kind: InputKind;
  /** Declared size in bytes, if yt-dlp knows it. */
  size?: number;
}

/** The chosen formats of one page. */
export interface Selection {
  info: VideoInfo;
  inputs: MediaInput[];
}

export interface MuxInfo extends VideoInfo {
  mimeType: string;
}
