// Pure argv builder for ffmpeg: relay inputs in, fragmented MP4 on stdout out.
import type { MediaInput } from '../types.js';
import { audioFragmentSeconds } from '../media/output-fragments.js';
import { clipArgs, type InputClip } from './clip-inputs.js';

/** ffmpeg reads nothing but our loopback relay: plain HTTP over TCP. */
export const RELAY_PROTOCOLS = 'http,tcp';

/**
 * The container demuxers a relayed input may be opened with: the mp4/mov
 * family, matroska/webm, MPEG-TS, and bare audio. Never hls, dash, concat,
 * image2 or any other demuxer that opens further addresses by itself: those
 * would dial past the guard (a body sniffed as a playlist fetches its segments).
 */
export const CONTAINER_FORMATS = 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mpegts,mp3,aac,ogg,flac';

/**
 * `-map` arguments for input `index`: only the track(s) its kind promises.
 * `V`, not `v`: an MP4's cover art is a video stream too, and one placed
 * before the traks would be taken instead of the video.
 */
function mapsFor(input: Pick<MediaInput, 'kind'>, index: number, audioOnly: boolean): string[] {
  if (input.kind === 'audio') return ['-map', `${index}:a:0`];
  if (input.kind === 'video') return audioOnly ? [] : ['-map', `${index}:V:0`];
  return audioOnly ? ['-map', `${index}:a:0`] : ['-map', `${index}:V:0?`, '-map', `${index}:a:0?`];
}

export interface FfmpegArgsOptions {
  /** Leave video out of the output. @default false */
  audioOnly?: boolean;
}

/** A relay URL (it carries no secret), the kind of track it holds, and whether its AAC may be ADTS (from MPEG-TS). */
export interface FfmpegInput extends Pick<MediaInput, 'url' | 'kind'> {
  adts?: boolean;
  /**
   * Copy its packets without ffmpeg's parsers: timestamps and keyframes come
   * from the container's index alone, so the output's layout never depends on
   * the sample bytes (a resume may serve skipped samples as zeros). MP4 with
   * H.264/AAC only: there it gives the same bytes as parsing.
   */
  blind?: boolean;
  /** Its part of a clip (lib/mux/clip-inputs.ts). @default the whole input */
  cut?: InputClip;
}

export function buildFfmpegArgs(inputs: readonly FfmpegInput[], options: FfmpegArgsOptions = {}): string[] {
  const audioOnly = options.audioOnly ?? false;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  for (const input of inputs) {
    // A deeper packet queue per input: with the default of 8, ffmpeg 5.1 crawls over two long TS
    // streams (bench: 70 → 160 MB/s on 1080p HLS), and it costs nothing on MP4 inputs.
    // Without parsers ffmpeg would read seconds of packets to guess what the MP4's index already says.
    if (input.blind) args.push('-fflags', '+noparse+nofillin', '-analyzeduration', '0', '-probesize', '32');
    args.push('-protocol_whitelist', RELAY_PROTOCOLS, '-format_whitelist', CONTAINER_FORMATS, '-thread_queue_size', '512', ...clipArgs(input.cut), '-i', input.url);
  }
  inputs.forEach((input, index) => args.push(...mapsFor(input, index, audioOnly)));
  // -movflags empty_moov turns off the muxer's own ADTS → MP4 conversion; without this, AAC from TS breaks the file.
  if (inputs.some((input) => input.adts && input.kind !== 'video')) args.push('-bsf:a', 'aac_adtstoasc');
  // A clip's audio from before its origin (a WebM's cluster, the frames before the video's keyframe) is dropped: it starts with the picture.
  if (inputs.some((input) => input.cut)) args.push('-copypriorss:a', '0');
  const fragmentSeconds = audioFragmentSeconds(inputs, audioOnly);
  if (fragmentSeconds !== undefined) args.push('-frag_duration', String(fragmentSeconds * 1_000_000));
  args.push(
    // No metadata or chapters from the inputs: a 5000-character description or 200 chapters would grow
    // the moov past what the exact length allows for (the file name carries the title).
    '-map_metadata', '-1', '-map_chapters', '-1',
    '-c', 'copy',
    // The same inputs give the same bytes on every run (no encoder string): what Range and resume rely on.
    '-fflags', '+bitexact',
    '-f', 'mp4',
    // Fragmented MP4 can be written to a pipe: no seeking back to fix up the index.
    '-movflags', 'frag_keyframe+empty_moov+default_base_moof',
    'pipe:1',
  );
  return args;
}
