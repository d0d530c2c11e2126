import { execFile } from 'node:child_process';
import { buildChildEnv } from './child-env.js';

// Where the external programs come from: an explicit path (the edges read
// PASSMUX_FFMPEG / PASSMUX_YTDLP into it), else the name on PATH.
export type Program = 'ffmpeg' | 'yt-dlp';

const ENV_NAMES: Record<Program, string> = { ffmpeg: 'PASSMUX_FFMPEG', 'yt-dlp': 'PASSMUX_YTDLP' };

export function resolveBinary(program: Program, override?: string): string {
  return override || program;
}

/** The hint we print when a program cannot be started. */
export function missingBinaryMessage(program: Program, command: string): string {
  return `${program} could not be started (tried "${command}"): install it or set ${ENV_NAMES[program]} to its path`;
}

/** The first line `command versionArg` prints, or null when it cannot be run (or prints nothing). */
export function probeVersion(command: string, versionArg: string, timeoutMs = 20_000): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, [versionArg], { timeout: timeoutMs, env: buildChildEnv() }, (error, stdout) => {
      const line = String(stdout).split('\n')[0]!.trim();
      resolve(error || !line ? null : line);
    });
  });
}
