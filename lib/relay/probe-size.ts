// The exact size of a whole-file input, asked of the media server itself
// (`Range: bytes=0-0`, under the guard, with the format's headers) — never
// yt-dlp's guess. Fragmented inputs have none to ask for.
import type { EgressPolicy } from '../egress/guard.js';
import type { MediaInput } from '../types.js';
import { UpstreamSource } from './upstream-source.js';

export interface ProbeOptions {
  policy: EgressPolicy;
  readTimeoutMs: number;
  signal: AbortSignal;
}

/** The input's size in bytes, or undefined when it is fragmented or the server will not say (a failure says nothing either). */
export async function probeSize(input: MediaInput, options: ProbeOptions): Promise<number | undefined> {
  if (input.protocol !== 'http') return undefined;
  try {
    // The relay's own reading of Content-Range / Content-Length; one try, no re-extraction.
    const source = new UpstreamSource({ url: input.url, headers: input.headers }, { policy: options.policy, readTimeoutMs: options.readTimeoutMs, retries: 0 });
    const { res, total } = await source.open(0, 0, options.signal);
    res.destroy();
    return total;
  } catch {
    // The download itself will meet (and report) whatever went wrong here.
    return undefined;
  }
}
