// Usage texts and the errors that print them.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const USAGE: Record<string, string> = {
  main: `usage: passmux <command> [options]

commands:
  serve                 run the HTTP server (same as node dist/server.js)
  info URL              show what a video page is
  download URL          save a video page as MP4

Run "passmux <command> --help" for a command's options.
  -h, --help            show this help
  -v, --version         show the version`,
  serve: `usage: passmux serve [--port N] [--host H]

Runs the passmux HTTP server. Configuration comes from the environment
(PORT, HOST, PASSMUX_MAX_CONNECTIONS, ... — see the README); flags override it.
  -p, --port N          port to listen on (default: $PORT or 8080)
      --host H          address to listen on (default: $HOST or 0.0.0.0)`,
  info: `usage: passmux info URL [--json]

Shows title, uploader, duration, estimated size and file name of a video page.
      --json            print JSON instead of text`,
  download: `usage: passmux download URL [-o FILE | -o -] [--max-height N] [--audio-only] [--force] [--quiet]

Saves the video as MP4 (audio only: M4A). Nothing is written until it is
complete: the file appears under its name only when the download succeeded.
  -o, --output FILE     where to save (default: the video's title in this folder);
                        "-" writes the MP4 to stdout
      --max-height N    best video no taller than N pixels (e.g. 720)
      --audio-only      audio track only
  -f, --force           overwrite an existing file
  -q, --quiet           no progress or summary on stderr`,
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

/** This package's version, from package.json above bin/ (source) or dist/bin/ (build). */
export function readVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    const path = fileURLToPath(new URL(up, import.meta.url));
    if (!existsSync(path)) continue;
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'passmux') return pkg.version ?? 'unknown';
  }
  return 'unknown';
}
