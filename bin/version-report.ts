// `passmux --version`: passmux's version, and what it would run — ffmpeg and
// yt-dlp as they print their versions, yt-dlp's age, deno — with the same
// warnings the server logs and shows on /healthz.
import { describeToolchain, packageVersion, probeToolchain, type ToolchainReport } from '../lib/internal.js';

/** The report as lines of text (pure). */
export function formatVersionReport(version: string, report: ToolchainReport): string[] {
  const { ffmpeg, 'yt-dlp': ytdlp, deno } = report.programs;
  const age = ytdlp.ageDays === null ? '' : ` (released ${ytdlp.released}, ${ytdlp.ageDays} day${ytdlp.ageDays === 1 ? '' : 's'} old)`;
  return [
    `passmux ${version}`,
    `ffmpeg: ${ffmpeg.version ?? `not found (tried "${ffmpeg.command}")`}`,
    `yt-dlp: ${ytdlp.version === null ? `not found (tried "${ytdlp.command}")` : `${ytdlp.version}${age}`}`,
    `deno:   ${deno.found ? `${deno.version ?? 'cannot be run'} (${deno.command})` : 'not on PATH'}`,
    ...report.warnings.map((warning) => `warning: ${warning.message}`),
  ];
}

/** Probes the programs the way the server would (PASSMUX_FFMPEG / PASSMUX_YTDLP) and prints the report. */
export async function printVersionReport(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const probe = await probeToolchain({ ffmpeg: env.PASSMUX_FFMPEG || undefined, ytdlp: env.PASSMUX_YTDLP || undefined });
  console.log(formatVersionReport(packageVersion(), describeToolchain(probe, new Date())).join('\n'));
}
