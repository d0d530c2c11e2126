// Video codecs as passmux names them: the closed set a caller may ask for,
// the family a yt-dlp codec string belongs to, and what a page offers.
import type { CodecFamily, VideoCodec } from '../types.js';

export type { CodecFamily, VideoCodec };
export const VIDEO_CODECS: readonly VideoCodec[] = ['h264', 'vp9', 'av1'];

export function isVideoCodec(value: unknown): value is VideoCodec {
  return typeof value === 'string' && (VIDEO_CODECS as readonly string[]).includes(value);
}

/** yt-dlp's codec string (`avc1.64001f`, `vp09.00.40.08`, `av01.0.05M.08`, `h264`, …) → its family. */
export function codecFamily(vcodec: string): CodecFamily {
  const codec = vcodec.toLowerCase();
  if (/^(avc[1-4]|h\.?264|x264)\b/.test(codec)) return 'h264';
  if (/^vp0?9\b/.test(codec)) return 'vp9';
  if (/^(av0?1|av1)\b/.test(codec)) return 'av1';
  return 'other';
}

/**
 * A codec string fit for a response header: token characters only, short.
 * The value comes from a page's manifest, so CR/LF and anything else odd go.
 */
export function codecToken(codec: string): string {
  return codec.replace(/[^A-Za-z0-9._+-]/g, '').slice(0, 64);
}

/** Families from the best known (AV1) to the most compatible (H.264), then the rest: a stable order for /info. */
const FAMILY_ORDER: readonly CodecFamily[] = ['av1', 'vp9', 'h264', 'other'];

/** What a page offers: its video codec families and heights (tallest first), from yt-dlp's `formats`. */
export function listOffers(formats: unknown): { codecs: CodecFamily[]; heights: number[] } {
  const families = new Set<CodecFamily>();
  const heights = new Set<number>();
  for (const format of Array.isArray(formats) ? formats : []) {
    if (typeof format !== 'object' || format === null) continue;
    const { vcodec, height } = format as Record<string, unknown>;
    // A format without a codec name but with a height is video of an unknown kind; 'none' is audio.
    if (vcodec === 'none' || (typeof vcodec !== 'string' && typeof height !== 'number')) continue;
    families.add(typeof vcodec === 'string' ? codecFamily(vcodec) : 'other');
    if (typeof height === 'number' && Number.isInteger(height) && height > 0 && height <= 100_000) heights.add(height);
  }
  return {
    codecs: FAMILY_ORDER.filter((family) => families.has(family)),
    heights: [...heights].sort((a, b) => b - a).slice(0, 64),
  };
}
