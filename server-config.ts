// The server's configuration read from the environment: the edge, beside
// server.ts. Below it, lib/ takes values (lib/defaults.ts has the defaults).
import { resolve } from 'node:path';
import { parseAllowedPorts } from './lib/egress/guard.js';
import { checkCookiesFile } from './lib/extract/cookies-file.js';
import { parseTrustedProxies } from './lib/http/client-address.js';
import { DEFAULT_CONFIG, type ServerConfig } from './lib/defaults.js';

export { DEFAULT_CONFIG, type ServerConfig };

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

/** Reads the environment, or exits 1 with one line naming the bad variable. */
export function readConfigOrExit(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  try {
    const config = readServerConfig(env);
    if (config.ytdlpCookies) checkCookies(config.ytdlpCookies);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`passmux: invalid configuration: ${error.message}`);
    process.exit(1);
  }
}

/** A cookies file that cannot be read or is not Netscape format stops the start (the reason, never a value). */
function checkCookies(path: string): void {
  try {
    checkCookiesFile(path);
  } catch (error) {
    throw new ConfigError('PASSMUX_YTDLP_COOKIES', (error as Error).message);
  }
}
