// What /healthz, /metrics, the start-up log and `passmux --version` say about
// the programs: versions as printed, yt-dlp's age, and warnings an operator
// can act on. Ages are counted when asked, so a server running for months
// still notices its yt-dlp going stale.
import { missingBinaryMessage } from './binaries.js';
import { ageInDays, ffmpegVersionNumber, probeToolchain, ytdlpReleaseDate, type ProbeToolchainOptions, type ToolchainProbe } from './versions.js';

/** Past this many days a yt-dlp is likely to fail on real sites (they change weekly). */
export const MAX_YTDLP_AGE_DAYS = 60;

export interface ToolchainWarning {
  program: 'ffmpeg' | 'yt-dlp' | 'deno';
  message: string;
}

export interface ToolchainReport {
  programs: {
    ffmpeg: { command: string; version: string | null };
    'yt-dlp': { command: string; version: string | null; released: string | null; ageDays: number | null };
    /** `found: false` when yt-dlp would find no deno on its PATH. */
    deno: { found: boolean; command: string | null; version: string | null };
  };
  warnings: ToolchainWarning[];
  /** Short forms for labels: `5.1.9-0+deb12u1`, `2023.03.04` ('' when unknown). */
  labels: { ffmpeg: string; ytdlp: string };
}

/** The report for a probe, with ages counted at `now`. Pure. */
export function describeToolchain(probe: ToolchainProbe, now: Date, maxAgeDays = MAX_YTDLP_AGE_DAYS): ToolchainReport {
  const { ffmpeg, ytdlp, deno } = probe;
  const released = ytdlp.version ? ytdlpReleaseDate(ytdlp.version) : null;
  const ageDays = released ? ageInDays(released, now) : null;
  const warnings: ToolchainWarning[] = [];
  if (!ffmpeg.version) warnings.push({ program: 'ffmpeg', message: missingBinaryMessage('ffmpeg', ffmpeg.command) });
  if (!ytdlp.version) warnings.push({ program: 'yt-dlp', message: missingBinaryMessage('yt-dlp', ytdlp.command) });
  if (ageDays !== null && ageDays > maxAgeDays) {
    warnings.push({
      program: 'yt-dlp',
      message: `yt-dlp ${ytdlp.version} is ${ageDays} days old (more than ${maxAgeDays}): sites change every week and an old yt-dlp fails on many; update it (docs/operating.md)`,
    });
  }
  if (!deno) {
    warnings.push({
      program: 'deno',
      message: 'deno is not on PATH: current yt-dlp needs a JavaScript runtime (deno, with the yt-dlp-ejs package) for YouTube\'s full format lists',
    });
  }
  return {
    programs: {
      ffmpeg: { command: ffmpeg.command, version: ffmpeg.version },
      'yt-dlp': { command: ytdlp.command, version: ytdlp.version, released: released?.toISOString().slice(0, 10) ?? null, ageDays },
      deno: { found: deno !== null, command: deno?.command ?? null, version: deno?.version ?? null },
    },
    warnings,
    labels: { ffmpeg: ffmpeg.version ? ffmpegVersionNumber(ffmpeg.version) : '', ytdlp: ytdlp.version ?? '' },
  };
}

export interface ToolchainOptions extends ProbeToolchainOptions {
  /** Ask the programs again when the last answer is older than this (an operator may update yt-dlp under us). @default 3600000 */
  refreshMs?: number;
  /** Warn when yt-dlp is older than this. @default 60 */
  maxAgeDays?: number;
}

/** The programs' versions, probed on demand and refreshed in the background when old. */
export class Toolchain {
  readonly #options: ToolchainOptions;
  #probe: ToolchainProbe | undefined;
  #probing: Promise<ToolchainProbe> | undefined;

  constructor(options: ToolchainOptions = {}) {
    this.#options = options;
  }

  /** Asks the programs now (one run at a time); resolves with their answers. */
  refresh(): Promise<ToolchainProbe> {
    this.#probing ??= probeToolchain(this.#options).then((probe) => {
      this.#probe = probe;
      return probe;
    }).finally(() => { this.#probing = undefined; });
    return this.#probing;
  }

  /** The report as of `now`, or undefined before the first probe. Starts a refresh when the answers are old. */
  report(now = new Date()): ToolchainReport | undefined {
    const probe = this.#probe;
    if (probe && now.getTime() - probe.probedAt.getTime() > (this.#options.refreshMs ?? 3_600_000)) void this.refresh();
    return probe && describeToolchain(probe, now, this.#options.maxAgeDays);
  }
}
