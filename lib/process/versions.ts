// Which ffmpeg, yt-dlp and JavaScript runtime passmux will run, as the
// programs themselves say. A stale yt-dlp is the first reason real downloads
// fail, and current yt-dlp needs deno for YouTube's full format lists.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { probeVersion, resolveBinary } from './binaries.js';
import { buildChildEnv } from './child-env.js';

const DAY_MS = 86_400_000;

export interface ProgramProbe {
  /** What is run: the override, or the bare name looked up on PATH. */
  command: string;
  /** The first line of its version output, exactly as printed; null when it could not be run. */
  version: string | null;
}

export interface ToolchainProbe {
  ffmpeg: ProgramProbe;
  ytdlp: ProgramProbe;
  /** deno as yt-dlp would find it (on the children's PATH); null when there is none. */
  deno: ProgramProbe | null;
  /** When the programs were asked. */
  probedAt: Date;
}

export interface ProbeToolchainOptions {
  /** ffmpeg executable (the edges pass PASSMUX_FFMPEG). @default 'ffmpeg' on PATH */
  ffmpeg?: string;
  /** yt-dlp executable (the edges pass PASSMUX_YTDLP). @default 'yt-dlp' on PATH */
  ytdlp?: string;
  /** Give up on a program that has not answered after this long. @default 10000 */
  timeoutMs?: number;
}

/** yt-dlp's versions are its release dates: `2023.03.04`, nightly `2025.10.22.232815` → that day (UTC); else null. */
export function ytdlpReleaseDate(version: string): Date | null {
  const match = /^(\d{4})\.(\d{2})\.(\d{2})(?:\.\d+)?$/.exec(version.trim());
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  // 2023.02.31 is not a day.
  return date.getUTCDate() === Number(match[3]) ? date : null;
}

/** Whole days from `released` to `now` (0 on the day itself; never negative). */
export function ageInDays(released: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - released.getTime()) / DAY_MS));
}

/** `ffmpeg version 5.1.9-0+deb12u1 Copyright …` → `5.1.9-0+deb12u1` (a short label); other text as it is. */
export function ffmpegVersionNumber(line: string): string {
  return /^ffmpeg version (\S+)/.exec(line)?.[1] ?? line;
}

/** The first executable file called `name` in a PATH-style list, or null. */
export function findOnPath(name: string, pathList: string): string | null {
  for (const dir of pathList.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** Asks ffmpeg, yt-dlp and (when yt-dlp could find one) deno for their versions, all at once. */
export async function probeToolchain(options: ProbeToolchainOptions = {}): Promise<ToolchainProbe> {
  const { timeoutMs = 10_000 } = options;
  const ffmpeg = resolveBinary('ffmpeg', options.ffmpeg);
  const ytdlp = resolveBinary('yt-dlp', options.ytdlp);
  // The PATH yt-dlp gets, not ours: that is where it will look for deno.
  const deno = findOnPath('deno', buildChildEnv().PATH!);
  const [ffmpegVersion, ytdlpVersion, denoVersion] = await Promise.all([
    probeVersion(ffmpeg, '-version', timeoutMs),
    probeVersion(ytdlp, '--version', timeoutMs),
    deno ? probeVersion(deno, '--version', timeoutMs) : null,
  ]);
  return {
    ffmpeg: { command: ffmpeg, version: ffmpegVersion },
    ytdlp: { command: ytdlp, version: ytdlpVersion },
    deno: deno ? { command: deno, version: denoVersion } : null,
    probedAt: new Date(),
  };
}
