// Pure argv builder for ffmpeg: inputs in, fragmented MP4 on stdout out.
import { cleanHeaders } from '../headers.js';
import type { MediaInput } from '../types.js';

/** Protocols ffmpeg may use for an http(s) input (crypto for encrypted HLS). */
export const DIRECT_PROTOCOLS = 'http,https,tcp,tls,crypto';

/**
 * ffmpeg's `-headers` text: one `Name: value\r\n` line per header, final CRLF
 * included (without it ffmpeg sends a malformed request).
 */
export function formatHeaderBlock(headers: Record<string, string>): string {
  let block = '';
  for (const [name, value] of Object.entries(cleanHeaders(headers))) block += `${name}: ${value}\r\n`;
  return block;
}

/** `-map` arguments for input `index`: only the track(s) its kind promises. */
function mapsFor(input: MediaInput, index: number, audioOnly: boolean): string[] {
  if (input.kind === 'audio') return ['-map', `${index}:a:0`];
  if (input.kind === 'video') return audioOnly ? [] : ['-map', `${index}:v:0`];
  return audioOnly ? ['-map', `${index}:a:0`] : ['-map', `${index}:v:0?`, '-map', `${index}:a:0?`];
}

export interface FfmpegArgsOptions {
  /** Leave video out of the output. @default false */
  audioOnly?: boolean;
  /** Comma-separated protocols each input may use. @default DIRECT_PROTOCOLS */
  protocols?: string;
}

export function buildFfmpegArgs(inputs: readonly MediaInput[], options: FfmpegArgsOptions = {}): string[] {
  const audioOnly = options.audioOnly ?? false;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  for (const input of inputs) {
    args.push('-protocol_whitelist', options.protocols ?? DIRECT_PROTOCOLS);
    const block = formatHeaderBlock(input.headers);
    if (block) args.push('-headers', block);
    args.push('-i', input.url);
  }
  inputs.forEach((input, index) => args.push(...mapsFor(input, index, audioOnly)));
  args.push(
    '-c', 'copy',
    '-f', 'mp4',
    // Fragmented MP4 can be written to a pipe: no seeking back to fix up the index.
    '-movflags', 'frag_keyframe+empty_moov+default_base_moof',
    'pipe:1',
  );
  return args;
}
