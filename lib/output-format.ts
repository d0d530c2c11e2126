// What passmux writes, decided in one place: fragmented MP4, `.m4a` and
// `audio/mp4` when there is no video.

export interface OutputFormat {
  mimeType: 'video/mp4' | 'audio/mp4';
  extension: 'mp4' | 'm4a';
}

export function outputFormat(audioOnly: boolean | undefined): OutputFormat {
  return audioOnly ? { mimeType: 'audio/mp4', extension: 'm4a' } : { mimeType: 'video/mp4', extension: 'mp4' };
}
