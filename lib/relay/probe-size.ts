// The exact size of a whole-file input, asked of the media server itself
// (`Range: bytes=0-0`, under the guard, with the format's headers) — never
// yt-dlp's guess. Fragmented inputs have none to ask for.
import { parseContentRange } from './byte-range.js';
import { openUpstream } from './upstream.js';
import type { EgressPolicy } from '../egress/guard.js';
import type { MediaInput } from '../types.js';

export interface ProbeOptions {
  policy: EgressPolicy;
  readTimeoutMs: number;
  signal: AbortSignal;
}

/** The input's size in bytes, or undefined when it is fragmented or the server will not say (a failure says nothing either). */
export async function probeSize(input: MediaInput, options: ProbeOptions): Promise<number | undefined> {
  if (input.protocol !== 'http') return undefined;
  try {
    const { res } = await openUpstream({ url: input.url, headers: input.headers }, { ...options, range: [0, 0] });
    res.destroy();
    if (res.statusCode === 206) return parseContentRange(res.headers['content-range'])?.total;
    const length = Number(res.headers['content-length']);
    return res.statusCode === 200 && Number.isFinite(length) ? length : undefined;
  } catch {
    // The download itself will meet (and report) whatever went wrong here.
    return undefined;
  }
}
