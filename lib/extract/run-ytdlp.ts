// Runs yt-dlp once and returns its parsed JSON. One exit path: whatever
// happens (timeout, abort, failure), the process is stopped before we settle.
import { execFile } from 'node:child_process';
import { abortError, MuxError } from '../errors.js';
import { missingBinaryMessage, resolveBinary } from '../process/binaries.js';
import { spawnGroup } from '../process/child.js';
import { buildChildEnv } from '../process/child-env.js';
import { mapYtdlpFailure } from './map-error.js';

/** yt-dlp's JSON for one video is rarely over a few MB; beyond this something is wrong. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;
const KILL_GRACE_MS = 1000;

export interface RunYtdlpOptions {
  /** yt-dlp executable (the library's entry points fill in PASSMUX_YTDLP). @default 'yt-dlp' (PATH) */
  ytdlp?: string;
  /** Give up (and stop yt-dlp) when this aborts. */
  signal?: AbortSignal;
  /** Stop yt-dlp and fail with TIMEOUT after this long. @default 60000 */
  timeoutMs?: number;
  /**
   * Netscape cookies file with the site logins yt-dlp should use (age-restricted,
   * members-only videos). Each run reads it anew into a private copy; the file itself
   * is never written. @default none
   */
  cookiesFile?: string;
}

export interface RunYtdlpSetup {
  /** Variables added to yt-dlp's minimal environment (its proxy: kept out of argv, where `ps` shows it). */
  env?: Record<string, string>;
}

const pluginDirSupport = new Map<string, Promise<boolean>>();

/** Whether this yt-dlp knows --no-plugin-dirs (asked once per binary). */
export function supportsNoPluginDirs(command: string): Promise<boolean> {
  let known = pluginDirSupport.get(command);
  if (!known) {
    known = new Promise<boolean>((resolve) => {
      execFile(command, ['--help'], { maxBuffer: 4 * 1024 * 1024, timeout: 20_000, env: buildChildEnv() }, (error, stdout) => resolve(!error && stdout.includes('--no-plugin-dirs')));
    });
    pluginDirSupport.set(command, known);
  }
  return known;
}

/** Runs yt-dlp with `buildArgs(features)` and returns its parsed JSON. */
export async function runYtdlp(buildArgs: (features: { noPluginDirs: boolean }) => string[], options: RunYtdlpOptions = {},
  setup: RunYtdlpSetup = {}): Promise<unknown> {
  const { signal, timeoutMs = 60_000 } = options;
  if (signal?.aborted) throw abortError(signal);
  const command = resolveBinary('yt-dlp', options.ytdlp);
  const noPluginDirs = await supportsNoPluginDirs(command);
  // The first probe of a binary takes a second: the caller may have left meanwhile.
  if (signal?.aborted) throw abortError(signal);
  const proc = spawnGroup(command, buildArgs({ noPluginDirs }), { env: buildChildEnv(setup.env) });
  const chunks: Buffer[] = [];
  let length = 0;
  let failure: MuxError | undefined;

  const stop = (error: MuxError) => {
    failure ??= error;
    void proc.terminate(KILL_GRACE_MS);
  };
  const onAbort = () => stop(abortError(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => stop(new MuxError('TIMEOUT', `yt-dlp took longer than ${timeoutMs} ms`)), timeoutMs);

  proc.child.stdout!.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (length > MAX_JSON_BYTES) return stop(new MuxError('EXTRACT_FAILED', 'yt-dlp output is too large'));
    chunks.push(chunk);
  });

  try {
    const { code } = await proc.exited;
    if (proc.spawnError) throw new MuxError('EXTRACT_FAILED', missingBinaryMessage('yt-dlp', command), { cause: proc.spawnError });
    if (failure) throw failure;
    if (code !== 0) throw mapYtdlpFailure(proc.stderrTail(), code);
    try {
      return JSON.parse(Buffer.concat(chunks, length).toString('utf8'));
    } catch (error) {
      throw new MuxError('EXTRACT_FAILED', 'yt-dlp printed invalid JSON', { cause: error });
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await proc.terminate(KILL_GRACE_MS);
  }
}
