// ffprobe a downloaded file: which streams, how long.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbeResult {
  duration: number;
  streams: Array<{ type: string; codec: string }>;
}

export async function probeFile(path: string): Promise<ProbeResult> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration,format_name:stream=codec_type,codec_name', '-of', 'json', path]);
  const json = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string; codec_name: string }> };
  return {
    duration: Number(json.format.duration),
    streams: json.streams.map((s) => ({ type: s.codec_type, codec: s.codec_name })),
  };
}
