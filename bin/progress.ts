// Download progress on stderr: a live bar on a terminal (≤ 10 redraws a
// second), one plain summary line anywhere else, nothing with --quiet.
import { describeProgress, formatBytes, formatDuration } from '../shared/format.js';

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

export interface ProgressOptions {
  quiet: boolean;
  /** Estimated total bytes, if known. */
  total: number | null;
}

export interface Progress {
  add(bytes: number): void;
  /** Clears the live line and prints the summary (unless quiet). */
  finish(summary: (stats: { bytes: number; seconds: number; speed: string }) => string): void;
  /** Clears the live line without a summary (before an error message). */
  clear(): void;
}

function bar(percent: number | null): string {
  if (percent === null) return '';
  const filled = Math.round((percent / 100) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] `;
}

export function createProgress(out: NodeJS.WritableStream & { isTTY?: boolean }, options: ProgressOptions): Progress {
  const live = Boolean(out.isTTY) && !options.quiet;
  const started = performance.now();
  let bytes = 0;
  let lastDraw = 0;
  let drawn = false;

  const draw = (now: number) => {
    lastDraw = now;
    drawn = true;
    const { percent, text } = describeProgress({ bytes, total: options.total, elapsedMs: now - started });
    out.write(`\r\x1b[2K${bar(percent)}${text}`);
  };
  const clear = () => {
    if (drawn) out.write('\r\x1b[2K');
    drawn = false;
  };

  return {
    add(n) {
      bytes += n;
      if (!live) return;
      const now = performance.now();
      if (now - lastDraw >= REDRAW_MS) draw(now);
    },
    clear,
    finish(summary) {
      clear();
      if (options.quiet) return;
      const seconds = (performance.now() - started) / 1000;
      const speed = seconds > 0 ? `${formatBytes(Math.round(bytes / seconds))}/s` : '';
      out.write(`${summary({ bytes, seconds, speed })}\n`);
    },
  };
}

export { formatBytes, formatDuration };
