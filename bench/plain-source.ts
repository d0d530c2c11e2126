// The benchmark's second source shape (issue 13): 600 s of 1080p H.264 at about
// 5 Mbit/s plus 128 kbit/s AAC (~389 MB), served by a plain file server
// (bench/plain-site.ts). Made cheaply: 20 s of testsrc2 encoded once
// (ultrafast, 5 Mbit/s capped, GOP 60), looped ×30 with -c copy; the audio is
// 600 s of sine. Cached in the test media dir like the other bench sources:
// written under a temporary name, then renamed.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MEDIA_DIR } from '../test/helpers/media.js';
import { runFfmpeg } from './hls-source.js';

export const PLAIN_SECONDS = 600;
/** Video frames in the whole source (30 fps). */
export const PLAIN_VIDEO_FRAMES = PLAIN_SECONDS * 30;
export const PLAIN_VIDEO = 'bench-600s-5m-video.mp4';
export const PLAIN_AUDIO = 'bench-600s-5m-audio.m4a';
const SEGMENT = 'bench-20s-5m-video.mp4';
const SEGMENT_SECONDS = 20;

const RECIPES: Record<string, () => Promise<string[]>> = {
  [SEGMENT]: async () => ['-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${SEGMENT_SECONDS}`, '-c:v', 'libx264',
    '-preset', 'ultrafast', '-b:v', '5M', '-maxrate', '5M', '-bufsize', '10M', '-g', '60', '-pix_fmt', 'yuv420p', '-an'],
  [PLAIN_VIDEO]: async () => ['-stream_loop', String(PLAIN_SECONDS / SEGMENT_SECONDS - 1), '-i', await ensure(SEGMENT), '-c', 'copy'],
  [PLAIN_AUDIO]: async () => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${PLAIN_SECONDS}`,
    '-c:a', 'aac', '-b:a', '128k', '-vn'],
};

const ensure = (name: string) => ensureMade(name, RECIPES);

/** `name` in the test media dir, made by its recipe (ffmpeg arguments before the output) on first use. */
export async function ensureMade(name: string, recipes: Record<string, () => Promise<string[]>>): Promise<string> {
  const target = join(MEDIA_DIR, name);
  if (existsSync(target)) return target;
  await mkdir(MEDIA_DIR, { recursive: true });
  const partial = join(MEDIA_DIR, `.${process.pid}.${Date.now()}.${name}`);
  try {
    await runFfmpeg([...await recipes[name]!(), partial], MEDIA_DIR);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    if (!existsSync(target)) throw error;
  }
  return target;
}

/** Paths of the video and audio files, made on first use. */
export async function ensurePlainMedia(): Promise<{ video: string; audio: string }> {
  const [video, audio] = await Promise.all([ensure(PLAIN_VIDEO), ensure(PLAIN_AUDIO)]);
  return { video, audio };
}
