// yt-dlp's `available_at`: the moment from which the site serves a format
// (YouTube asks for a few seconds). Like yt-dlp's downloader, which sleeps
// until the latest of the chosen formats' moments, nothing is fetched before
// it; unlike it, the wait has a bound: a moment further off fails at once, in
// words, rather than hold a client and a slot for nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { abortError, MuxError } from './errors.js';
import type { MediaInput } from './types.js';

/** The longest wait for a format's `available_at` by default: the server's default first-byte timeout. */
export const DEFAULT_AVAILABILITY_WAIT_MS = 120_000;

const inWords = (ms: number): string => (ms <= 120_000 ? `${Math.ceil(ms / 1000)} s` : `${Math.ceil(ms / 60_000)} min`);

/**
 * Milliseconds to wait before fetching any of `inputs` (0: at once). Throws
 * TIMEOUT when that is more than `limitMs`.
 */
export function availabilityDelay(inputs: readonly Pick<MediaInput, 'availableAt'>[], nowMs: number, limitMs: number): number {
  const at = Math.max(0, ...inputs.map((input) => input.availableAt ?? 0));
  const delay = Math.max(0, Math.ceil(at * 1000 - nowMs));
  if (delay > limitMs) {
    throw new MuxError('TIMEOUT', `the site makes this video available in ${inWords(delay)} (at ${new Date(at * 1000).toISOString()}); passmux waits at most ${inWords(limitMs)}`);
  }
  return delay;
}

/** Waits until every input is available (at most `limitMs`); an abort of `signal` ends the wait at once. */
export async function waitUntilAvailable(inputs: readonly Pick<MediaInput, 'availableAt'>[], limitMs: number, signal?: AbortSignal): Promise<void> {
  const delay = availabilityDelay(inputs, Date.now(), limitMs);
  if (signal?.aborted) throw abortError(signal);
  if (delay === 0) return;
  try {
    await sleep(delay, undefined, signal ? { signal } : {});
  } catch (error) {
    throw signal?.aborted ? abortError(signal) : error;
  }
}
