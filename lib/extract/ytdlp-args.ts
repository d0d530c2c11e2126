// Pure argv builders for yt-dlp. The page URL always comes after `--`, so a
// URL can never be read as an option.

/** Entries a playlist lists at most; more set `truncated` (yt-dlp stops paging after one more). */
export const DEFAULT_MAX_PLAYLIST_ENTRIES = 500;

export interface FormatChoice {
  /** Highest video height to accept (e.g. 720). */
  maxHeight?: number;
  /** Audio only: no video track in the output. */
  audioOnly?: boolean;
}

/** yt-dlp `-f` expression for the caller's choice; best separate video+audio, else best combined. */
export function buildFormatSelector(choice: FormatChoice = {}): string {
  if (choice.audioOnly) return 'bestaudio/best';
  if (choice.maxHeight !== undefined) {
    const h = Math.floor(choice.maxHeight);
    // Nothing that small: take the smallest there is rather than fail.
    return `bestvideo*[height<=${h}]+bestaudio/best[height<=${h}]/worstvideo*+bestaudio/worst`;
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
  const what = options.mode === 'info' ? ['-J'] : ['-J', '-f', buildFormatSelector(options)];
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
