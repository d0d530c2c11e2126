// Usage texts and the errors that print them.

export const USAGE: Record<string, string> = {
  main: `usage: passmux <command> [options]

commands:
  serve                 run the HTTP server (same as node dist/server.js)
  info URL              show what a video page (or playlist) is
  download URL          save a video page as MP4 (a playlist: every entry into a folder)

Run "passmux <command> --help" for a command's options.
  -h, --help            show this help
  -v, --version         show the version, and the ffmpeg, yt-dlp and deno it runs`,
  serve: `usage: passmux serve [--port N] [--host H]

Runs the passmux HTTP server. Configuration comes from the environment
(PORT, HOST, PASSMUX_MAX_CONNECTIONS, ... — see docs/configuration.md); flags override it.
  -p, --port N          port to listen on (default: $PORT or 8080)
      --host H          address to listen on (default: $HOST or 0.0.0.0)`,
  info: `usage: passmux info URL [--json] [--cookies FILE]

Shows title, uploader, duration, estimated size and file name of a video page;
for a playlist, channel or feed, its entries with their URLs.
      --json            print JSON instead of text
      --cookies FILE    site logins for yt-dlp, Netscape cookies.txt format
                        (default: $PASSMUX_YTDLP_COOKIES); the file is never written`,
  download: `usage: passmux download URL [-o FILE | -o -] [--max-height N] [--codec h264|vp9|av1] [--audio-only] [--section 5:00-6:00] [--force] [--quiet] [--cookies FILE]
       passmux download PLAYLIST-URL [-o DIR] [--items 1-3,7] [...]

Saves the video as MP4 (audio only: M4A). Nothing is written until it is
complete: the file appears under its name only when the download succeeded.
  -o, --output FILE     where to save (default: the video's title in this folder);
                        "-" writes the MP4 to stdout
      --max-height N    best video no taller than N pixels (e.g. 720)
      --codec C         prefer this video codec where the page has it, else the best:
                        h264 (most compatible: H.264 + AAC, SDR), vp9 or av1
      --audio-only      audio track only
      --section S-E     only this span ([h:]m:ss or seconds; either side may be left
                        out, a leading * as yt-dlp takes it): cut at keyframes, no
                        re-encoding, so it starts up to one keyframe interval early
  -f, --force           overwrite an existing file
  -q, --quiet           no progress or summary on stderr
      --cookies FILE    site logins for yt-dlp (age-restricted, members-only videos),
                        Netscape cookies.txt format (default: $PASSMUX_YTDLP_COOKIES);
                        yt-dlp gets a private copy, the file is never written

A playlist, channel or feed: every entry is saved into one folder (-o DIR,
created when missing; default: a folder named after the playlist). Files
already there are skipped (--force replaces them); a failed entry does not
stop the rest, and the exit code is 1 if any failed.
      --items 1-3,7     only these entries (numbers as "passmux info" lists them)`,
};

/** Wrong arguments: print the command's usage and exit 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command: string) {
    super(message);
  }
}

/** A failure that is not a MuxError, printed as `passmux: CODE: message`, exit 1. */
export class CliError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
