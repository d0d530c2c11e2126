// What passmux writes, decided in one place: fragmented MP4, `.m4a` and
// `audio/mp4` when there is no video.

export interface OutputFormat {
  mimeType: 'video/mp4' | 'audio/mp4';
  extension: 'mp4' | 'm4a';
}

export function outputFormat(audioOnly: boolean | undefined): OutputFormat {
  return audioOnly ? { mimeType: 'audio/mp4', extension: 'm4a' } : { mimeType: 'video/mp4', extension: 'mp4' };
}

/**
 * The version of what passmux asks of ffmpeg (its arguments, the padding):
 * part of every ETag, so a resume never joins bytes of two different recipes.
 * Raise it whenever a change could alter a byte of the output.
 */
export const OUTPUT_VERSION = 4;
