// The benchmark's HLS source: 60 s of the bench's 1080p H.264 (bench-20s-video.mp4,
// GOP 60 at 30 fps = 2 s, looped ×3 without re-encoding) and its AAC audio
// (bench-20s-audio.m4a, looped ×3), cut by ffmpeg's hls muxer with -c copy into
// 2 s MPEG-TS segments: a master playlist → one video-only variant
// (stream_0.m3u8) + one AAC audio rendition in an EXT-X-MEDIA group
// (stream_1.m3u8), the shape most sites serve. Cached in the test media dir
// like the other bench sources: built under a temporary name, then renamed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureMedia, MEDIA_DIR } from '../test/helpers/media.js';

export const HLS_SECONDS = 60;
export const HLS_SEGMENT_SECONDS = 2;
/** Video frames in the whole source (30 fps): what a complete output must hold. */
export const HLS_VIDEO_FRAMES = HLS_SECONDS * 30;
const NAME = 'bench-hls-60s-v1';

const AVC_PROFILES: Record<string, string> = { 'Constrained Baseline': '42c0', Baseline: '4200', Main: '4d00', High: '6400' };

/** RFC 6381 codec string of an H.264 file (`avc1.42c028`), from ffprobe's profile name and level. */
export function avcCodec(path: string): string {
  const [profile, level] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=profile,level',
    '-of', 'default=noprint_wrappers=1:nokey=1', path], { encoding: 'utf8' }).trim().split('\n');
  const idc = AVC_PROFILES[profile ?? ''];
  if (!idc || !Number(level)) throw new Error(`unexpected H.264 profile/level in ${path}: ${profile} ${level}`);
  return `avc1.${idc}${Number(level).toString(16).padStart(2, '0')}`;
}

export function runFfmpeg(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(' ')}: ${stderr}`))));
  });
}

/** Directory of the HLS set (master.m3u8, stream_0.m3u8, stream_1.m3u8, stream_<v>_<nnn>.ts), built on first use. */
export async function ensureBenchHls(): Promise<string> {
  const target = join(MEDIA_DIR, NAME);
  if (existsSync(target)) return target;
  const [video, audio] = await Promise.all([ensureMedia('bench-20s-video.mp4'), ensureMedia('bench-20s-audio.m4a')]);
  const loops = String(HLS_SECONDS / 20 - 1);
  const partial = join(MEDIA_DIR, `.${process.pid}.${Date.now()}.${NAME}`);
  await mkdir(partial, { recursive: true });
  try {
    await runFfmpeg(['-stream_loop', loops, '-i', video, '-stream_loop', loops, '-i', audio, '-map', '0:v', '-map', '1:a', '-c', 'copy',
      '-f', 'hls', '-hls_time', String(HLS_SEGMENT_SECONDS), '-hls_playlist_type', 'vod',
      '-master_pl_name', 'master.m3u8', '-var_stream_map', 'v:0,agroup:aud a:0,agroup:aud,default:yes',
      '-hls_segment_filename', 'stream_%v_%03d.ts', 'stream_%v.m3u8'], partial);
    // With -c copy from MP4 the hls muxer cannot read the H.264 profile (it wants Annex B extradata) and writes
    // no CODECS at all; real sites do, and without it yt-dlp takes the video-only variant for a complete one.
    const master = join(partial, 'master.m3u8');
    const text = await readFile(master, 'utf8');
    if (!/#EXT-X-STREAM-INF:/.test(text)) throw new Error('ffmpeg wrote no master playlist');
    await writeFile(master, text.replace(/^(#EXT-X-STREAM-INF:.*?)(,AUDIO=)/m, `$1,CODECS="${avcCodec(video)},mp4a.40.2"$2`));
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(target)) throw error;
  }
  return target;
}
