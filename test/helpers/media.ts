// Short test clips made by ffmpeg's lavfi sources, cached in a temp dir so
// every test file (and every run) after the first reuses them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLIP_SECONDS = 10;
const VERSION = 'v1';
export const MEDIA_DIR = process.env.PASSMUX_TEST_MEDIA_DIR ?? join(tmpdir(), `passmux-test-media-${VERSION}`);

const video = (seconds: number) => [
  '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=30:duration=${seconds}`,
];
const audio = (seconds: number) => [
  '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
];
const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-pix_fmt', 'yuv420p'];
const vp9 = ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k'];

/** A file made by looping another one `times` times without re-encoding. */
interface Loop { loop: string; times: number }
/** Noise that no demuxer accepts: the same bytes on every machine (random ones were once taken for H.263). */
interface Noise { randomBytes: number }

function noise(bytes: number): Buffer {
  const blocks = Array.from({ length: Math.ceil(bytes / 32) }, (_, i) => createHash('sha256').update(`passmux garbage ${i}`).digest());
  return Buffer.concat(blocks).subarray(0, bytes);
}
/** Another file copied into a new container layout (`-c copy` plus these output arguments). */
interface Remux { remux: string; args: string[] }
/** Another file's bytes, changed. */
interface Derived { from: string; derive: (bytes: Buffer) => Buffer }

/** A fragmented file with a copy of its last fragment after everything (ffmpeg reads it: a third more video than the sidx lists). */
function trailingMoof(bytes: Buffer): Buffer {
  const last = bytes.lastIndexOf('moof') - 4;
  const end = bytes.lastIndexOf('mfra') - 4;
  return Buffer.concat([bytes, bytes.subarray(last, end > last ? end : bytes.length)]);
}

/** A fragmented file whose sidx says its first fragment lasts a second longer than its moof does. */
function lyingSidx(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  const sidx = copy.indexOf('sidx') - 4;
  const at = sidx + 12;
  const v1 = copy[sidx + 8] === 1;
  const firstReference = at + (v1 ? 24 : 16) + 4;
  copy.writeUInt32BE(copy.readUInt32BE(firstReference + 4) + copy.readUInt32BE(at + 4), firstReference + 4);
  return copy;
}

/** YouTube's and SegmentBase sites' whole-file layout: ftyp, moov with mvex, one sidx, moof/mdat pairs. */
const fragmented = (from: string, ...args: string[]): Remux => ({ remux: from, args: [...args, '-f', 'mp4', '-movflags', 'dash+global_sidx'] });

const bench1080p = ['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=20', '-c:v', 'libx264', '-preset', 'ultrafast',
  '-crf', '14', '-g', '60', '-pix_fmt', 'yuv420p', '-an'];

/** name → ffmpeg arguments that write it (the output path is appended), or a loop of another file. */
export const RECIPES: Record<string, string[] | Loop | Noise | Remux | Derived> = {
  'garbage.mp4': { randomBytes: 256 * 1024 },
  // Benchmark sources (made only when the benchmark asks): 20 s of 1080p (~60 MB) and 120 s (~360 MB).
  'bench-20s-video.mp4': bench1080p,
  'bench-20s-audio.m4a': [...audio(20), '-c:a', 'aac', '-b:a', '128k', '-vn'],
  'bench-120s-video.mp4': { loop: 'bench-20s-video.mp4', times: 6 },
  'bench-120s-audio.m4a': { loop: 'bench-20s-audio.m4a', times: 6 },
  'bench-120s-video-frag.mp4': fragmented('bench-120s-video.mp4'),
  'bench-120s-audio-frag.m4a': fragmented('bench-120s-audio.m4a', '-frag_duration', '2000000'),
  'h264-video.mp4': [...video(CLIP_SECONDS), ...h264, '-an'],
  'aac-audio.m4a': [...audio(CLIP_SECONDS), '-c:a', 'aac', '-b:a', '96k', '-vn'],
  'vp9-video.webm': [...video(CLIP_SECONDS), ...vp9, '-an'],
  'opus-audio.webm': [...audio(CLIP_SECONDS), '-c:a', 'libopus', '-b:a', '64k', '-vn'],
  // Low-bitrate audio: where ffmpeg's per-sample index entries weigh most against the data (the exact-length bound).
  'aac-32k.m4a': [...audio(CLIP_SECONDS), '-c:a', 'aac', '-b:a', '32k', '-vn'],
  'opus-24k.webm': [...audio(CLIP_SECONDS), '-c:a', 'libopus', '-b:a', '24k', '-vn'],
  // Lossless, so it is large enough (~12 MB) to fill every socket buffer of a client that stops reading.
  'big.mp4': ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=20', ...audio(20), '-c:v', 'libx264', '-preset', 'ultrafast',
    '-qp', '0', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-shortest'],
  // The two-codec page: the same 720p picture as VP9 WebM and as H.264 MP4 (what YouTube offers side by side).
  'vp9-720p.webm': ['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${CLIP_SECONDS}`, ...vp9, '-an'],
  'h264-720p.mp4': ['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${CLIP_SECONDS}`, ...h264, '-an'],
  // And as AV1 MP4 (SVT-AV1's fastest preset: about 3 s here).
  'av1-720p.mp4': ['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${CLIP_SECONDS}`, '-c:v', 'libsvtav1', '-preset', '12', '-g', '60',
    '-pix_fmt', 'yuv420p', '-an'],
  'thumb.jpg': ['-f', 'lavfi', '-i', 'testsrc2=size=640x360', '-frames:v', '1', '-update', '1'],
  // Plain mp4 output puts the moov atom at the end: demuxing needs a seekable input.
  'moov-end.mp4': [...video(CLIP_SECONDS), ...audio(CLIP_SECONDS), ...h264, '-c:a', 'aac', '-shortest'],
  // H.264 with B-frames: composition offsets in every trun.
  'bframes-video.mp4': [...video(CLIP_SECONDS), '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '2', '-g', '60', '-pix_fmt', 'yuv420p', '-an'],
  // A minute of 1080p, lightly compressed so that it is made in seconds (~20 MB).
  'h264-1080p-60s.mp4': ['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=60', '-c:v', 'libx264', '-preset', 'ultrafast',
    '-crf', '30', '-g', '60', '-pix_fmt', 'yuv420p', '-an'],
  'aac-60s.m4a': [...audio(60), '-c:a', 'aac', '-b:a', '128k', '-vn'],
  // Fragmented whole files (ffmpeg cuts video at its keyframes; audio every 2 s here, as YouTube's m4a_dash is cut).
  'frag-h264-video.mp4': fragmented('h264-video.mp4'),
  'frag-aac-audio.m4a': fragmented('aac-audio.m4a', '-frag_duration', '2000000'),
  'frag-aac-32k.m4a': fragmented('aac-32k.m4a', '-frag_duration', '2000000'),
  'frag-aac-one-fragment.m4a': fragmented('aac-audio.m4a'),
  'frag-bframes-video.mp4': fragmented('bframes-video.mp4'),
  'frag-1080p-60s-video.mp4': fragmented('h264-1080p-60s.mp4'),
  'frag-aac-60s.m4a': fragmented('aac-60s.m4a', '-frag_duration', '2000000'),
  'frag-lying-sidx.mp4': { from: 'frag-h264-video.mp4', derive: lyingSidx },
  'frag-trailing-moof.mp4': { from: 'frag-h264-video.mp4', derive: trailingMoof },
  // YouTube's AV1 formats are fragmented MP4 too.
  'frag-av1-720p.mp4': fragmented('av1-720p.mp4'),
  // Both tracks in one fragmented file (a sidx for each), ~12 MB.
  'frag-big.mp4': fragmented('big.mp4'),
};

function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(' ')}: ${stderr}`))));
  });
}

/** Path of a cached clip, generating it first when missing. Safe across processes: write then rename. */
export async function ensureMedia(name: keyof typeof RECIPES & string): Promise<string> {
  const target = join(MEDIA_DIR, name);
  if (existsSync(target)) return target;
  await mkdir(MEDIA_DIR, { recursive: true });
  const partial = join(MEDIA_DIR, `.${process.pid}.${Date.now()}.${name}`);
  const recipe = RECIPES[name]!;
  if ('randomBytes' in recipe || 'derive' in recipe) {
    await writeFile(partial, 'derive' in recipe ? recipe.derive(await readFile(await ensureMedia(recipe.from))) : noise(recipe.randomBytes));
    await rename(partial, target);
    return target;
  }
  const args = Array.isArray(recipe) ? recipe
    : 'remux' in recipe ? ['-i', await ensureMedia(recipe.remux), '-c', 'copy', ...recipe.args]
      : ['-stream_loop', String(recipe.times - 1), '-i', await ensureMedia(recipe.loop), '-c', 'copy'];
  await runFfmpeg([...args, partial]);
  await rename(partial, target);
  return target;
}

/** Every clip the tests use (not the benchmark's large sources). */
export async function ensureAllMedia(): Promise<void> {
  await Promise.all(Object.keys(RECIPES).filter((name) => !name.startsWith('bench-')).map((name) => ensureMedia(name)));
}
