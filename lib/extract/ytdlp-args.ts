// Pure argv builders for yt-dlp. The page URL always comes after `--`, so a
// URL can never be read as an option.

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

const COMMON = ['--ignore-config', '--no-playlist', '--no-cache-dir', '--no-warnings', '--no-progress', '--socket-timeout', '20'];

export interface YtdlpArgsOptions extends FormatChoice {
  /** 'info': light metadata (flat extraction); 'select': resolve formats for muxing. */
  mode: 'info' | 'select';
  /** The yt-dlp knows --no-plugin-dirs (2025 and later): load no plugins from anywhere. */
  noPluginDirs?: boolean;
}

export function buildYtdlpArgs(url: string, options: YtdlpArgsOptions): string[] {
  const what = options.mode === 'info' ? ['--flat-playlist', '-J'] : ['-J', '-f', buildFormatSelector(options)];
  const plugins = options.noPluginDirs ? ['--no-plugin-dirs'] : [];
  // No --proxy: its credentials would show in `ps`, and it covers http(s) only; the proxy comes in the environment.
  return [...COMMON, ...plugins, ...what, '--', url];
}
