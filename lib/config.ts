// Every default in one place, and the reading of the environment.
import { resolve } from 'node:path';
import { parseAllowedPorts } from './egress/guard.js';
import { DEFAULT_MAX_PLAYLIST_ENTRIES } from './extract/ytdlp-args.js';
import { parseTrustedProxies } from './http/client-address.js';

/** Relay tuning; the README's benchmark section says how these were chosen. */
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

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type IntVars = { [K in keyof ServerConfig]: ServerConfig[K] extends number ? K : never }[keyof ServerConfig];

const INTEGERS: Array<[string, IntVars, number, number]> = [
  ['PORT', 'port', 0, 65535],
  ['PASSMUX_MAX_CONNECTIONS', 'maxConnections', 0, 100_000],
  ['PASSMUX_MAX_WORKERS', 'maxWorkers', 1, 10_000],
  ['PASSMUX_MAX_CONNECTIONS_PER_CLIENT', 'maxConnectionsPerClient', 0, 100_000],
  ['PASSMUX_QUEUE_TIMEOUT_MS', 'queueTimeoutMs', 1_000, 3_600_000],
  ['PASSMUX_MAX_EXTRACTIONS', 'maxExtractions', 1, 1_000],
  ['PASSMUX_MAX_EXTRACTION_QUEUE', 'maxExtractionQueue', 0, 100_000],
  ['PASSMUX_SHUTDOWN_GRACE_MS', 'shutdownGraceMs', 0, 3_600_000],
  ['PASSMUX_EXTRACTION_TIMEOUT_MS', 'extractionTimeoutMs', 1_000, 3_600_000],
  ['PASSMUX_IDLE_TIMEOUT_MS', 'idleTimeoutMs', 1_000, 3_600_000],
  ['PASSMUX_FIRST_BYTE_TIMEOUT_MS', 'firstByteTimeoutMs', 1_000, 3_600_000],
  ['PASSMUX_CACHE_TTL_MS', 'cacheTtlMs', 0, 86_400_000],
  ['PASSMUX_RETRY_AFTER', 'retryAfterSeconds', 1, 3_600],
  ['PASSMUX_RELAY_RANGE_BYTES', 'relayRangeBytes', 16 * 1024, 1024 * 1024 * 1024],
  ['PASSMUX_RELAY_PARALLEL', 'relayParallel', 1, 64],
  ['PASSMUX_RELAY_FRAGMENT_PARALLEL', 'relayFragmentParallel', 1, 64],
  ['PASSMUX_RELAY_BUFFER_BYTES', 'relayBufferBytes', 64 * 1024, 1024 * 1024 * 1024],
  ['PASSMUX_RELAY_TOTAL_BUFFER_BYTES', 'relayTotalBufferBytes', 64 * 1024, 16 * 1024 * 1024 * 1024],
  ['PASSMUX_MAX_PLAYLIST_ENTRIES', 'maxPlaylistEntries', 1, 100_000],
];

/** Reads the server's configuration; throws ConfigError naming the first bad variable. */
export function readServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const config: ServerConfig = { ...DEFAULT_CONFIG };
  for (const [name, key, min, max] of INTEGERS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
      throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
    }
    config[key] = Number(raw);
  }
  if (env.HOST) config.host = env.HOST;
  config.ffmpeg = env.PASSMUX_FFMPEG || undefined;
  config.ytdlp = env.PASSMUX_YTDLP || undefined;
  config.allowedPorts = readAllowedPorts(env.PASSMUX_ALLOWED_PORTS);
  const allow = env.PASSMUX_ALLOW_PRIVATE_NETWORKS;
  if (allow !== undefined && allow !== '' && allow !== '0' && allow !== '1') {
    throw new ConfigError('PASSMUX_ALLOW_PRIVATE_NETWORKS', `expected 0 or 1, got "${allow}"`);
  }
  config.allowPrivateNetworks = allow === '1';
  const trust = env.PASSMUX_TRUST_PROXY?.trim();
  if (trust) {
    try {
      config.trustProxy = parseTrustedProxies(trust);
    } catch (error) {
      throw new ConfigError('PASSMUX_TRUST_PROXY', (error as Error).message);
    }
  }
  // Resolved now: the working directory of the start is the one the operator meant.
  config.ytdlpCookies = env.PASSMUX_YTDLP_COOKIES ? resolve(env.PASSMUX_YTDLP_COOKIES) : undefined;
  // ffmpeg reading the media servers itself ('direct') followed redirects past the guard: it is gone.
  const upstream = env.PASSMUX_UPSTREAM;
  if (upstream !== undefined && upstream !== '' && upstream !== 'relay') {
    throw new ConfigError('PASSMUX_UPSTREAM', `"${upstream}" is no longer supported: every input goes through the relay; unset the variable`);
  }
  return config;
}

/** PASSMUX_ALLOWED_PORTS → a list, `'*'` (any), or undefined (the default for the mode); a typo stops the server at start. */
function readAllowedPorts(raw: string | undefined): ServerConfig['allowedPorts'] {
  if (!raw?.trim()) return undefined;
  try {
    return parseAllowedPorts(raw) ?? '*';
  } catch (error) {
    throw new ConfigError('PASSMUX_ALLOWED_PORTS', (error as Error).message);
  }
}
