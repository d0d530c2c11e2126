// A strong ETag for an exact-length download, from what decides its bytes:
// the chosen formats (ids and exact sizes), the quality and codec choice, the ffmpeg
// that remuxes, and the version of passmux's output (its ffmpeg arguments).
// Never the media URLs: a re-extraction signs them anew, and a resume after
// it must still match.
import { createHash } from 'node:crypto';
import { OUTPUT_VERSION } from '../output-format.js';
import type { FormatChoice } from '../extract/ytdlp-args.js';

export interface EtagParts {
  /** Per input: yt-dlp's format id and the exact size its media server gave. */
  inputs: ReadonlyArray<{ formatId: string | undefined; size: number | undefined }>;
  choice: FormatChoice;
  /** ffmpeg's version line ('' when unknown). */
  ffmpeg: string;
  length: number;
  /** A clip's start and end (null: to the end), as resolved against the video. */
  span?: readonly [number, number | null];
}

export function outputEtag(parts: EtagParts): string {
  const key = JSON.stringify([
    OUTPUT_VERSION, parts.ffmpeg, parts.length, Boolean(parts.choice.audioOnly), parts.choice.maxHeight ?? null,
    parts.inputs.map((input) => [input.formatId ?? null, input.size ?? null]),
    // Only when given: the ETags of downloads without a codec stay as they were, so their resumes still match.
    ...(parts.choice.codec !== undefined ? [parts.choice.codec] : []),
    ...(parts.span ? [['span', ...parts.span]] : []),
  ]);
  return `"pm${OUTPUT_VERSION}-${createHash('sha256').update(key).digest('base64url').slice(0, 32)}"`;
}
