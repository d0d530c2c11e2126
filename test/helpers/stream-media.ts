// Segmented stream sources (HLS and DASH) made by ffmpeg's own hls and dash
// muxers from lavfi clips, cached in a temp dir like media.ts: each set is a
// directory built under a temporary name and renamed into place, so parallel
// test processes (and every later run) reuse the first one that finished.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STREAM_SECONDS = 10;
/** Target segment length; the GOP is fixed at 2 s so every video segment is exactly this long. */
export const SEGMENT_SECONDS = 2;
const VERSION = 'v1';
export const STREAM_MEDIA_DIR = process.env.PASSMUX_TEST_STREAM_DIR ?? join(tmpdir(), `passmux-test-streams-${VERSION}`);
/** The AES-128 key of the `hls-aes` set, inside its directory (16 raw bytes). */
export const STREAM_KEY_FILE = 'key.bin';
/** The placeholder ffmpeg writes as the key URI; the site replaces it when serving the playlist. */
export const KEY_URI_PLACEHOLDER = '__KEY_URI__';

/**
 * What each set's directory holds:
 * - `hls-ts`: master.m3u8 → stream_0.m3u8 (320x240 H.264, video only), stream_1.m3u8 (160x120),
 *   stream_2.m3u8 (AAC audio, EXT-X-MEDIA group "group_aud"); MPEG-TS segments stream_<v>_<nnn>.ts.
 * - `hls-fmp4`: master.m3u8 → stream_0.m3u8 (320x240 video) + stream_1.m3u8 (audio group);
 *   EXT-X-MAP init_<v>.mp4 and stream_<v>_<nnn>.m4s.
 * - `hls-aes`: like hls-fmp4's layout but MPEG-TS, every segment AES-128 encrypted with key.bin; the
 *   playlists carry `#EXT-X-KEY:METHOD=AES-128,URI="__KEY_URI__",IV=…`.
 * - `hls-single`: master.m3u8 → stream_0.m3u8 / stream_1.m3u8, each one file (stream_<v>.ts) cut
 *   by EXT-X-BYTERANGE.
 * - `hls-muxed`: index.m3u8, a media playlist of MPEG-TS segments seg_<nnn>.ts with video and audio muxed.
 * - `dash`: manifest.mpd (SegmentTemplate + SegmentTimeline, video AdaptationSet id 0, audio id 1),
 *   init-stream<r>.m4s and chunk-stream<r>-<nnnnn>.m4s.
 */
export type StreamSet = 'hls-ts' | 'hls-fmp4' | 'hls-aes' | 'hls-single' | 'hls-muxed' | 'dash';
export const STREAM_SETS: readonly StreamSet[] = ['hls-ts', 'hls-fmp4', 'hls-aes', 'hls-single', 'hls-muxed', 'dash'];

const inputs = [
  '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=30:duration=${STREAM_SECONDS}`,
  '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${STREAM_SECONDS}`,
];
const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-pix_fmt', 'yuv420p'];
const aac = ['-c:a', 'aac', '-b:a', '96k'];
const hlsVod = ['-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod'];
/** One 320x240 video variant and one audio rendition, as separate playlists tied by an EXT-X-MEDIA group. */
const videoPlusAudioGroup = [...inputs, '-map', '0:v', '-map', '1:a', ...h264, '-b:v', '400k', ...aac, ...hlsVod,
  '-master_pl_name', 'master.m3u8', '-var_stream_map', 'v:0,agroup:aud a:0,agroup:aud,default:yes'];

/** Arguments (run inside the set's directory) for each set; `dir` is that directory. */
const RECIPES: Record<StreamSet, (dir: string) => string[]> = {
  'hls-ts': () => [...inputs, '-filter_complex', '[0:v]split=2[big][in];[in]scale=160:120[small]',
    '-map', '[big]', '-map', '[small]', '-map', '1:a', ...h264, '-b:v:0', '400k', '-b:v:1', '120k', ...aac, ...hlsVod,
    '-master_pl_name', 'master.m3u8', '-var_stream_map', 'v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud,default:yes',
    '-hls_segment_filename', 'stream_%v_%03d.ts', 'stream_%v.m3u8'],
  'hls-fmp4': () => [...videoPlusAudioGroup, '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init_%v.mp4',
    '-hls_segment_filename', 'stream_%v_%03d.m4s', 'stream_%v.m3u8'],
  'hls-aes': (dir) => [...videoPlusAudioGroup, '-hls_key_info_file', join(dir, 'keyinfo.txt'),
    '-hls_segment_filename', 'stream_%v_%03d.ts', 'stream_%v.m3u8'],
  'hls-single': () => [...videoPlusAudioGroup, '-hls_flags', 'single_file',
    '-hls_segment_filename', 'stream_%v.ts', 'stream_%v.m3u8'],
  'hls-muxed': () => [...inputs, '-map', '0:v', '-map', '1:a', ...h264, '-b:v', '400k', ...aac, ...hlsVod,
    '-hls_segment_filename', 'seg_%03d.ts', 'index.m3u8'],
  dash: () => [...inputs, '-map', '0:v', '-map', '1:a', ...h264, '-b:v', '400k', ...aac,
    '-f', 'dash', '-seg_duration', String(SEGMENT_SECONDS), '-use_template', '1', '-use_timeline', '1',
    '-adaptation_sets', 'id=0,streams=v id=1,streams=a', 'manifest.mpd'],
};

function runFfmpeg(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
      cwd, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(' ')}: ${stderr}`))));
  });
}

async function build(name: StreamSet, target: string): Promise<void> {
  await mkdir(STREAM_MEDIA_DIR, { recursive: true });
  const partial = join(STREAM_MEDIA_DIR, `.${process.pid}.${Date.now()}.${randomBytes(3).toString('hex')}.${name}`);
  await mkdir(partial);
  try {
    if (name === 'hls-aes') {
      await writeFile(join(partial, STREAM_KEY_FILE), randomBytes(16));
      // Key URI as written into the playlists, then the key file ffmpeg encrypts with (no IV line:
      // ffmpeg then uses each segment's sequence number and writes it as IV=).
      await writeFile(join(partial, 'keyinfo.txt'), `${KEY_URI_PLACEHOLDER}\n${join(partial, STREAM_KEY_FILE)}\n`);
    }
    await runFfmpeg(RECIPES[name](partial), partial);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    // Another process renamed its copy into place first: use that one.
    if (existsSync(target) && (error as NodeJS.ErrnoException).code !== undefined) return;
    throw error;
  }
}

const building = new Map<StreamSet, Promise<string>>();

/** Directory of a cached stream set, generating it first when missing. */
export function ensureStreamSet(name: StreamSet): Promise<string> {
  const target = join(STREAM_MEDIA_DIR, name);
  if (existsSync(target)) return Promise.resolve(target);
  let pending = building.get(name);
  if (!pending) {
    pending = build(name, target).then(() => target);
    pending.catch(() => building.delete(name));
    building.set(name, pending);
  }
  return pending;
}

/** Every stream set (about 3 s of ffmpeg on a cold cache, in parallel). */
export async function ensureAllStreamSets(): Promise<void> {
  await Promise.all(STREAM_SETS.map((name) => ensureStreamSet(name)));
}
