// Counters for /metrics, rendered in Prometheus text format.
import type { AdmissionCounts } from '../admission/admission-controller.js';

/** What /metrics reads from the extraction cache. */
export interface ExtractionCounts {
  hits: number;
  misses: number;
  running: number;
  queued: number;
}

/** What passmux_build_info says: passmux's version and the programs' ('' when unknown). */
export interface BuildInfo {
  version: string;
  ffmpeg: string;
  ytdlp: string;
  /** Days since the yt-dlp release (passmux_ytdlp_age_days), when known. */
  ytdlpAgeDays?: number | null;
}

/** A Prometheus label value: backslash, quote and newline escaped. */
const labelValue = (text: string) => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** How a download request ended; `unsatisfiable`: a Range past the end (wget -c on a finished file), answered 416. */
export type DownloadOutcome = 'completed' | 'client_aborted' | 'failed' | 'rejected_busy' | 'unsatisfiable';

const OUTCOMES: DownloadOutcome[] = ['completed', 'client_aborted', 'failed', 'rejected_busy', 'unsatisfiable'];

export class Metrics {
  readonly #downloads = new Map<DownloadOutcome, number>(OUTCOMES.map((o) => [o, 0]));
  #bytesSent = 0;
  #extractionSeconds = 0;
  #extractions = 0;
  #extractionFailures = 0;
  #lengthOverruns = 0;
  #indexChanges = 0;
  readonly #clientLimited = new Map<string, number>([['download', 0], ['info', 0]]);

  countDownload(outcome: DownloadOutcome, bytes: number): void {
    this.#downloads.set(outcome, this.#downloads.get(outcome)! + 1);
    this.#bytesSent += bytes;
  }

  /** A remux came out larger than its announced Content-Length: the transfer was cut. */
  countLengthOverrun(): void {
    this.#lengthOverruns += 1;
  }

  /** The media server served ffmpeg another index than the probe read: the transfer was cut. */
  countIndexChanged(): void {
    this.#indexChanges += 1;
  }

  /** A request refused because its client had the most requests open it may have (429). */
  countClientLimited(route: 'download' | 'info'): void {
    this.#clientLimited.set(route, this.#clientLimited.get(route)! + 1);
  }

  countExtraction(ms: number, ok: boolean): void {
    this.#extractions += 1;
    if (!ok) this.#extractionFailures += 1;
    this.#extractionSeconds += ms / 1000;
  }

  downloads(outcome: DownloadOutcome): number {
    return this.#downloads.get(outcome)!;
  }

  render(counts: AdmissionCounts, cache: ExtractionCounts, build?: BuildInfo): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('passmux_open_connections', 'gauge', 'Open download connections (Gate 1): active, waiting and extracting.', [['', counts.open]]);
    metric('passmux_active_workers', 'gauge', 'ffmpeg processes running (Gate 2).', [['', counts.active]]);
    metric('passmux_waiting_downloads', 'gauge', 'Downloads queued for an ffmpeg slot.', [['', counts.waiting]]);
    // yt-dlp work sits outside Gate 1's counts (/info, shared runs): without these a flood of lookups looks idle.
    metric('passmux_extractions_running', 'gauge', 'yt-dlp processes running.', [['', cache.running]]);
    metric('passmux_extractions_queued', 'gauge', 'Page lookups waiting for a yt-dlp slot.', [['', cache.queued]]);
    metric('passmux_downloads_total', 'counter', 'Finished download requests by outcome.',
      OUTCOMES.map((o) => [`{outcome="${o}"}`, this.#downloads.get(o)!]));
    metric('passmux_client_limit_rejections_total', 'counter', 'Requests refused with 429: their client had PASSMUX_MAX_CONNECTIONS_PER_CLIENT open.',
      [...this.#clientLimited].map(([route, n]) => [`{route="${route}"}`, n]));
    metric('passmux_length_overruns_total', 'counter', 'Downloads cut because the remux passed its announced Content-Length.', [['', this.#lengthOverruns]]);
    metric('passmux_index_changes_total', 'counter', 'Downloads cut because ffmpeg was served other index bytes than were measured.', [['', this.#indexChanges]]);
    metric('passmux_bytes_sent_total', 'counter', 'Media bytes sent to clients.', [['', this.#bytesSent]]);
    metric('passmux_extraction_seconds_total', 'counter', 'Time spent in yt-dlp.', [['', Number(this.#extractionSeconds.toFixed(3))]]);
    metric('passmux_extractions_total', 'counter', 'yt-dlp runs by result.', [['{result="ok"}', this.#extractions - this.#extractionFailures], ['{result="failed"}', this.#extractionFailures]]);
    metric('passmux_extraction_cache_total', 'counter', 'Extraction lookups by result.', [['{result="hit"}', cache.hits], ['{result="miss"}', cache.misses]]);
    if (build) {
      // The usual Prometheus idiom: a constant 1 whose labels say what runs (alert on an old ytdlp label, join on version).
      const labels = (['version', 'ffmpeg', 'ytdlp'] as const).map((key) => `${key}="${labelValue(build[key])}"`).join(',');
      metric('passmux_build_info', 'gauge', 'passmux version and the ffmpeg and yt-dlp it runs.', [[`{${labels}}`, 1]]);
      if (typeof build.ytdlpAgeDays === 'number') {
        metric('passmux_ytdlp_age_days', 'gauge', 'Days since the running yt-dlp was released.', [['', build.ytdlpAgeDays]]);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
