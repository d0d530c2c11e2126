// The range-cost bench's WebM source (issue 21): 600 s of 720p VP9 at about
// 1.6 Mbit/s and 600 s of Opus 128k in WebM, YouTube's VP9 shape. Made like
// bench/plain-source.ts: 20 s of testsrc2 encoded once (realtime, GOP 60),
// looped ×30 with -c copy (the muxer writes fresh Cues); cached in the test
// media dir, written under a temporary name, then renamed.
import { ensureMade } from './plain-source.js';

export const WEBM_VIDEO = 'bench-600s-vp9-720p.webm';
export const WEBM_AUDIO = 'bench-600s-opus.webm';
const SEGMENT = 'bench-20s-vp9-720p.webm';

const RECIPES: Record<string, () => Promise<string[]>> = {
  [SEGMENT]: async () => ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=20', '-c:v', 'libvpx-vp9',
    '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1.6M', '-g', '60', '-an', '-f', 'webm'],
  [WEBM_VIDEO]: async () => ['-stream_loop', '29', '-i', await ensure(SEGMENT), '-c', 'copy', '-f', 'webm'],
  [WEBM_AUDIO]: async () => ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=600', '-c:a', 'libopus', '-b:a', '128k', '-vn', '-f', 'webm'],
};

const ensure = (name: string) => ensureMade(name, RECIPES);

/** Paths of the video and audio files, made on first use. */
export async function ensureWebmMedia(): Promise<{ video: string; audio: string }> {
  const [video, audio] = await Promise.all([ensure(WEBM_VIDEO), ensure(WEBM_AUDIO)]);
  return { video, audio };
}
