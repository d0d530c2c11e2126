// Every default in one place: the server's settings, the relay's tuning, and
// what the admission controller and the extraction cache start from. Values
// only; the environment is read at the edge (server-config.ts, bin/).

/** Entries /info lists of a playlist at most. */
export const DEFAULT_MAX_PLAYLIST_ENTRIES = 500;

/** Relay tuning; docs/streams.md says how these were chosen. */
export const DEFAULT_RELAY = {
  /** Bytes per upstream range request. */
  rangeSize: 4 * 1024 * 1024,
  /** Range requests in flight per input. */
  parallel: 5,
  /**
   * Fragment requests in flight per HLS/DASH input. Higher than for ranges: a
   * segment is a whole request of its own (no read-ahead past the budget
   * either way), and under per-connection throttling each one in flight adds
   * about the same speed (bench: 5 → 2.4×, 10 → 4.3× bare ffmpeg).
   */
  fragmentParallel: 10,
  /** Heap bytes one download's read-ahead may hold (all its inputs together). */
  maxBufferedBytes: 2 * 1024 * 1024,
  /** Heap bytes the read-ahead of all downloads together may hold: a busy server shares it. */
  totalBufferedBytes: 4 * 1024 * 1024,
  /** Attempts per range after the first. */
  retries: 3,
  /** A range that sends nothing for this long is reopened. */
  readTimeoutMs: 30_000,
  /** Whole-file ranges read off their sockets without Node's parser copy (docs/performance.md). */
  leanReader: true,
};

export interface ServerConfig {
  /** @default 8080 */
  port: number;
  /** @default '0.0.0.0' */
  host: string;
  /** Gate 1: open downloads (streaming + queued + extracting) before 503. @default 50 */
  maxConnections: number;
  /** Gate 2: ffmpeg processes at once; the rest wait FIFO. @default 25 */
  maxWorkers: number;
  /** Downloads and lookups one client (an address, an IPv6 /64) may have open; more get 429. 0: no limit. @default 8 */
  maxConnectionsPerClient: number;
  /** How long a download may wait for an ffmpeg slot (Gate 2) before a 503 in words. @default 120000 */
  queueTimeoutMs: number;
  /** yt-dlp processes at once (it is CPU-heavy). @default 4 */
  maxExtractions: number;
  /** New page lookups that may wait for a yt-dlp slot; one more gets 503 BUSY. @default 16 */
  maxExtractionQueue: number;
  /**
   * Ports passmux and its programs may dial: a list, or '*' for any.
   * @default 80 and 443; any port when private networks are allowed
   */
  allowedPorts: readonly number[] | '*' | undefined;
  /** ffmpeg executable. @default 'ffmpeg' (PATH) */
  ffmpeg: string | undefined;
  /** yt-dlp executable. @default 'yt-dlp' (PATH) */
  ytdlp: string | undefined;
  /** Allow page and media URLs on loopback/private networks. @default false */
  allowPrivateNetworks: boolean;
  /** On SIGTERM/SIGINT, how long running downloads may finish. @default 30000 */
  shutdownGraceMs: number;
  /** A yt-dlp run longer than this fails with TIMEOUT. @default 60000 */
  extractionTimeoutMs: number;
  /** A client that reads nothing for this long is dropped. @default 60000 */
  idleTimeoutMs: number;
  /**
   * From the moment a download holds an ffmpeg slot, its first media byte must
   * come within this long, and no later gap in the media may last longer while
   * the client waits (a playlist or file that drips would hold the slot forever). @default 120000
   */
  firstByteTimeoutMs: number;
  /** How long an extraction result is reused. @default 300000 */
  cacheTtlMs: number;
  /** Seconds in `Retry-After` when Gate 1 is full. @default 10 */
  retryAfterSeconds: number;
  /** Relay: bytes per upstream range request. @default 4 MiB */
  relayRangeBytes: number;
  /** Relay: range requests in flight per input. @default 5 */
  relayParallel: number;
  /** Relay: fragment requests in flight per HLS/DASH input. @default 10 */
  relayFragmentParallel: number;
  /** Relay: heap bytes one download's read-ahead may hold. @default 2 MiB */
  relayBufferBytes: number;
  /** Relay: heap bytes all downloads' read-ahead may hold together. @default 4 MiB */
  relayTotalBufferBytes: number;
  /** Entries /info lists of a playlist at most; beyond them `truncated: true`. @default 500 */
  maxPlaylistEntries: number;
  /** Proxies (IP addresses) whose X-Forwarded-For names the client in the log. @default [] (the peer is the client) */
  trustProxy: readonly string[];
  /** Netscape cookies file yt-dlp gets (a private copy per run), absolute. @default undefined (no cookies) */
  ytdlpCookies: string | undefined;
}

export const DEFAULT_CONFIG: ServerConfig = {
  port: 8080,
  host: '0.0.0.0',
  maxConnections: 50,
  maxWorkers: 25,
  maxConnectionsPerClient: 8,
  queueTimeoutMs: 120_000,
  maxExtractions: 4,
  maxExtractionQueue: 16,
  allowedPorts: undefined,
  ffmpeg: undefined,
  ytdlp: undefined,
  allowPrivateNetworks: false,
  shutdownGraceMs: 30_000,
  extractionTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  firstByteTimeoutMs: 120_000,
  cacheTtlMs: 300_000,
  retryAfterSeconds: 10,
  relayRangeBytes: DEFAULT_RELAY.rangeSize,
  relayParallel: DEFAULT_RELAY.parallel,
  relayFragmentParallel: DEFAULT_RELAY.fragmentParallel,
  relayBufferBytes: DEFAULT_RELAY.maxBufferedBytes,
  relayTotalBufferBytes: DEFAULT_RELAY.totalBufferedBytes,
  maxPlaylistEntries: DEFAULT_MAX_PLAYLIST_ENTRIES,
  trustProxy: [],
  ytdlpCookies: undefined,
};
