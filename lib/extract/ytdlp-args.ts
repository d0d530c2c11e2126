// Pure argv builders for yt-dlp. The page URL always comes after `--`, so a
// URL can never be read as an option.
import { MuxError } from '../errors.js';
import { isVideoCodec, VIDEO_CODECS, type VideoCodec } from './codecs.js';

/** Entries a playlist lists at most; more set `truncated` (yt-dlp stops paging after one more). */
import { DEFAULT_MAX_PLAYLIST_ENTRIES } from '../defaults.js';

export interface FormatChoice {
  /** Highest video height to accept (e.g. 720). */
  maxHeight?: number;
  /** Audio only: no video track in the output. */
  audioOnly?: boolean;
  /** Prefer this video codec (h264: with AAC audio, SDR) where the page has it; else the best there is. @default the best */
  codec?: VideoCodec;
}

/**
 * yt-dlp `-S` fields per codec. The codec ranks first, over resolution, as in
 * yt-dlp's own `-t mp4`; a page without it falls back in yt-dlp's codec order.
 */
const CODEC_SORT: Record<VideoCodec, string> = {
  // What QuickTime, iOS Photos, WhatsApp and editors play: H.264, SDR, AAC.
  h264: 'vcodec:h264,hdr:sdr,acodec:aac',
  vp9: 'vcodec:vp9',
  // yt-dlp names AV1 `av01`.
  av1: 'vcodec:av01',
};

function checkCodec(codec: unknown): asserts codec is VideoCodec | undefined {
  if (codec !== undefined && !isVideoCodec(codec)) {
    throw new MuxError('INVALID_REQUEST', `codec must be one of ${VIDEO_CODECS.join(', ')}`);
  }
}

/** yt-dlp `-S` expression for the caller's choice, or undefined for yt-dlp's own order. */
export function buildFormatSort(choice: FormatChoice = {}): string | undefined {
  checkCodec(choice.codec);
  if (choice.codec === undefined) return undefined;
  // Under a codec preference the "nothing that small" fallback is the smallest of that codec (see below).
  const height = choice.maxHeight !== undefined && !choice.audioOnly ? `,res:${Math.floor(choice.maxHeight)}` : '';
  return `${CODEC_SORT[choice.codec]}${height}`;
}

/** yt-dlp `-f` expression for the caller's choice; best separate video+audio, else best combined. */
export function buildFormatSelector(choice: FormatChoice = {}): string {
  if (choice.audioOnly) return 'bestaudio/best';
  if (choice.maxHeight !== undefined) {
    const h = Math.floor(choice.maxHeight);
    // Nothing that small: take the smallest there is rather than fail. With a codec first in the
    // sort, "worst" would be the least preferred codec; there `res:h` in -S ranks the smallest first.
    const smallest = choice.codec !== undefined ? 'bestvideo*+bestaudio/best' : 'worstvideo*+bestaudio/worst';
    return `bestvideo*[height<=${h}]+bestaudio/best[height<=${h}]/${smallest}`;
  }
  return 'bestvideo*+bestaudio/best';
}

/** How to read a page that is, or sits in, a playlist. */
export interface PageChoice extends FormatChoice {
  /** A video link inside a list (`watch?v=…&list=…`) means the list, not the video. @default false */
  playlist?: boolean;
}

const COMMON = ['--ignore-config', '--no-cache-dir', '--no-warnings', '--no-progress', '--socket-timeout', '20'];

export interface YtdlpArgsOptions extends PageChoice {
  /** 'info': light metadata (flat extraction); 'select': resolve formats for muxing. */
  mode: 'info' | 'select';
  /** Entries a playlist lists at most: yt-dlp is asked for one more, to know there are more. @default 500 */
  maxEntries?: number;
  /** The yt-dlp knows --no-plugin-dirs (2025 and later): load no plugins from anywhere. */
  noPluginDirs?: boolean;
  /** A Netscape cookies file for the site's login: a private copy, never the operator's own file. @default none */
  cookiesFile?: string;
}

export function buildYtdlpArgs(url: string, options: YtdlpArgsOptions): string[] {
  const sort = options.mode === 'select' ? buildFormatSort(options) : undefined;
  const what = options.mode === 'info' ? ['-J'] : ['-J', '-f', buildFormatSelector(options), ...(sort ? ['-S', sort] : [])];
  // A video inside a list stays the video unless the caller asked for the list.
  const scope = options.playlist ? ['--yes-playlist'] : ['--no-playlist'];
  // In both modes a list is listed, never extracted entry by entry (one page fetch instead of
  // hundreds); a single video is extracted in full either way.
  const list = ['--flat-playlist', '--playlist-items', `1-${(options.maxEntries ?? DEFAULT_MAX_PLAYLIST_ENTRIES) + 1}`];
  const plugins = options.noPluginDirs ? ['--no-plugin-dirs'] : [];
  // A path only: the values stay in a file only we (and this yt-dlp) can read.
  const cookies = options.cookiesFile ? ['--cookies', options.cookiesFile] : [];
  // No --proxy: its credentials would show in `ps`, and it covers http(s) only; the proxy comes in the environment.
  return [...COMMON, ...scope, ...plugins, ...cookies, ...list, ...what, '--', url];
}
