// The bench's tables: every row with its ratios against bare ffmpeg of the
// same source, the per-run ratio ranges, and where a passmux run's CPU went.
import type { Run } from './scenarios.js';

export interface Row { source: string; path: string; mbps: number; ttfbMs: number; cpuPerGb: number; rssMb?: number; runs: Run[] }

export function table(rows: Row[]): string {
  const lines = ['| source | path | MB/s | × bare | TTFB ms | CPU s/GB | × bare CPU | server peak RSS MB |', '|---|---|--:|--:|--:|--:|--:|--:|'];
  for (const row of rows) {
    const bare = rows.find((r) => r.source === row.source && r.path.startsWith('bare ffmpeg'))!;
    lines.push(`| ${row.source} | ${row.path} | ${row.mbps.toFixed(1)} | ${(row.mbps / bare.mbps).toFixed(2)} | ${row.ttfbMs.toFixed(0)} | `
      + `${row.cpuPerGb.toFixed(2)} | ${(row.cpuPerGb / bare.cpuPerGb).toFixed(2)} | ${row.rssMb?.toFixed(0) ?? '—'} |`);
  }
  return lines.join('\n');
}

/** The ratio of each passmux run to the bare ffmpeg median of the same source: how far the targets hold run by run. */
export function ratioRanges(rows: Row[]): string[] {
  const out: string[] = [];
  for (const row of rows.filter((r) => r.path.startsWith('passmux'))) {
    const bare = rows.find((r) => r.source === row.source && r.path.startsWith('bare ffmpeg'))!;
    const speed = row.runs.map((r) => r.bytes / 1e6 / r.seconds / bare.mbps);
    const cpu = row.runs.map((r) => r.cpu / (r.bytes / 1e9) / bare.cpuPerGb);
    out.push(`- ${row.source}: × bare ${Math.min(...speed).toFixed(2)}–${Math.max(...speed).toFixed(2)}, `
      + `× bare CPU ${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}`);
  }
  return out;
}

/** The CPU of each passmux run split between the server process and its ffmpeg, beside bare ffmpeg's own. */
export function cpuSplit(rows: Row[]): string[] {
  const out: string[] = [];
  const range = (values: number[], digits = 2) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
  for (const row of rows.filter((r) => r.path.startsWith('passmux'))) {
    const bare = rows.find((r) => r.source === row.source && r.path.startsWith('bare ffmpeg'))!;
    const limit = rows.find((r) => r.source === row.source && r.path.startsWith('Node HTTP read'));
    const runs = row.runs.filter((r) => r.split);
    if (runs.length === 0) continue;
    const gb = (r: Run) => r.bytes / 1e9;
    out.push(`- ${row.source}: server process ${range(runs.map((r) => r.split!.server))} s `
      + `(of it system ${range(runs.map((r) => r.split!.serverSys))} s) + its ffmpeg ${range(runs.map((r) => r.split!.ffmpeg))} s `
      + `(system ${range(runs.map((r) => r.split!.ffmpegSys))} s) per download `
      + `(${range(runs.map((r) => r.split!.server / gb(r)))} + ${range(runs.map((r) => r.split!.ffmpeg / gb(r)))} CPU s/GB); `
      + `bare ffmpeg ${range(bare.runs.map((r) => r.cpu))} s (system ${range(bare.runs.map((r) => r.split?.ffmpegSys ?? 0))} s; `
      + `${range(bare.runs.map((r) => r.cpu / gb(r)))} CPU s/GB)`
      + (limit ? `; Node HTTP read ${range(limit.runs.map((r) => r.cpu))} s` : ''));
  }
  return out;
}
