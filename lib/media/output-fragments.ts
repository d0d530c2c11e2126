// How ffmpeg cuts the output into fragments: one rule read by the argv
// builder and by the output-size bound, so both give the same answer.
import type { MediaInput } from '../types.js';

export const AUDIO_FRAGMENT_SECONDS = 2;

/**
 * Seconds per fragment when the output has no video for frag_keyframe to cut
 * at (else undefined): without it, ffmpeg holds a whole audio track in memory
 * and writes its one fragment at the very end.
 */
export function audioFragmentSeconds(inputs: readonly Pick<MediaInput, 'kind'>[], audioOnly: boolean): number | undefined {
  return audioOnly || inputs.every((input) => input.kind === 'audio') ? AUDIO_FRAGMENT_SECONDS : undefined;
}
