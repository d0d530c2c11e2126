// What the server says of its programs: ffmpeg's version line for the ETag
// (the build that makes the bytes), and versions and warnings for /healthz and
// /metrics. From the toolchain server.ts passes, else ffmpeg asked once.
import { packageVersion } from '../package-version.js';
import { probeVersion, resolveBinary } from '../process/binaries.js';
import type { ToolchainReport } from '../process/toolchain.js';

export interface ToolchainSource { report(): ToolchainReport | undefined; refresh(): Promise<unknown> }

export interface ToolchainView {
  /** ffmpeg's first -version line ('' when unknown). */
  ffmpegVersion(): Promise<string>;
  /** /healthz's versions and warnings (news, not failures: /healthz stays 200 with them). */
  health(): Promise<Record<string, unknown>>;
  /** passmux_build_info's labels. */
  buildInfo(): { version: string; ffmpeg: string; ytdlp: string; ytdlpAgeDays: number | null };
}

export function viewToolchain(toolchain: ToolchainSource | undefined, ffmpeg: string | undefined): ToolchainView {
  let ffmpegLine: Promise<string> | undefined;
  // Only in the first moments after the start: the programs have not answered yet.
  const fresh = async () => {
    if (toolchain && !toolchain.report()) await toolchain.refresh();
    return toolchain?.report();
  };
  return {
    async ffmpegVersion() {
      // The toolchain's line is refreshed hourly, so an upgrade shows; without one, asked once.
      if (!toolchain) return ffmpegLine ??= probeVersion(resolveBinary('ffmpeg', ffmpeg), '-version').then((line) => line ?? '');
      return (await fresh())?.programs.ffmpeg.version ?? '';
    },
    async health() {
      if (!toolchain) return {};
      const report = await fresh();
      return { version: packageVersion(), programs: report?.programs ?? null, warnings: report?.warnings ?? [] };
    },
    buildInfo() {
      const report = toolchain?.report();
      return {
        version: packageVersion(), ffmpeg: report?.labels.ffmpeg ?? '', ytdlp: report?.labels.ytdlp ?? '',
        ytdlpAgeDays: report?.programs['yt-dlp'].ageDays ?? null,
      };
    },
  };
}
