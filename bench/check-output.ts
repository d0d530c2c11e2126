// Is what passmux sent a whole, playable file? ffprobe counts every packet of
// each track, so a fast number can never come from a short or broken file.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Expected {
  seconds: number;
  videoFrames: number;
  width: number;
  height: number;
}

interface Stream { codec_type: string; codec_name: string; width?: number; height?: number; nb_read_packets?: string }

/** One line saying what the file holds, and whether that is what was expected. */
export async function checkOutput(path: string, bytes: number, expected: Expected): Promise<{ ok: boolean; line: string }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries',
    'format=duration,format_name:stream=codec_type,codec_name,width,height,nb_read_packets', '-of', 'json', path], { maxBuffer: 1 << 20 });
  const json = JSON.parse(stdout) as { format: { duration?: string; format_name?: string }; streams: Stream[] };
  const duration = Number(json.format.duration);
  const video = json.streams.filter((s) => s.codec_type === 'video');
  const audio = json.streams.filter((s) => s.codec_type === 'audio');
  const problems: string[] = [];
  if (!json.format.format_name?.includes('mp4')) problems.push(`container ${json.format.format_name}`);
  if (video.length !== 1 || audio.length !== 1) problems.push(`${video.length} video + ${audio.length} audio tracks`);
  const v = video[0];
  const a = audio[0];
  if (v && (v.codec_name !== 'h264' || v.width !== expected.width || v.height !== expected.height)) problems.push(`video ${v.codec_name} ${v.width}x${v.height}`);
  if (v && Number(v.nb_read_packets) !== expected.videoFrames) problems.push(`${v.nb_read_packets} video frames, ${expected.videoFrames} expected`);
  // AAC at 48 kHz: 1024 samples per packet.
  const audioPackets = Math.floor((expected.seconds * 48_000) / 1024);
  if (a && (a.codec_name !== 'aac' || Number(a.nb_read_packets) < audioPackets)) problems.push(`audio ${a.codec_name}, ${a.nb_read_packets} packets`);
  if (!(Math.abs(duration - expected.seconds) < 0.5)) problems.push(`duration ${duration} s`);
  const what = `${v ? `${v.codec_name} ${v.width}x${v.height} ${v.nb_read_packets} frames` : 'no video'} + `
    + `${a ? `${a.codec_name} ${a.nb_read_packets} packets` : 'no audio'}, ${duration.toFixed(2)} s, ${(bytes / 1e6).toFixed(1)} MB`;
  return { ok: problems.length === 0, line: `${what}: ${problems.length === 0 ? 'ok' : `BROKEN (${problems.join('; ')})`}` };
}
