import { parseArgs } from 'node:util';
import { extractInfo } from '../../lib/internal.js';
import { readCookiesOption } from '../cookies-option.js';
import { formatBytes, formatDuration } from '../progress.js';
import { UsageError } from '../usage.js';
import { printPlaylist } from './info-playlist.js';

export async function info(args: string[], signal: AbortSignal): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, cookies: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'a URL is required' : 'give exactly one URL', 'info');
  const cookiesFile = readCookiesOption(values.cookies, (message) => process.stderr.write(`passmux: warning: ${message}\n`));
  const video = await extractInfo(positionals[0]!, { signal, cookiesFile });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(video, null, 2)}\n`);
    return;
  }
  if (video.type === 'playlist') return printPlaylist(video);
  const rows: Array<[string, string | null]> = [
    ['Title', video.title],
    ['Uploader', video.uploader],
    ['Duration', video.duration === null ? null : formatDuration(video.duration)],
    ['Size', video.estimatedSize === null ? null : `≈ ${formatBytes(video.estimatedSize)} (estimate)`],
    // What --codec and --max-height can choose from.
    ['Video', video.codecs.length === 0 ? null : `${video.codecs.join(', ')}${video.heights.length > 0 ? ` (${video.heights.map((h) => `${h}p`).join(', ')})` : ''}`],
    ['File name', video.filename],
    ['Page', video.webpageUrl],
    ['Thumbnail', video.thumbnail],
  ];
  for (const [label, value] of rows) {
    if (value !== null) process.stdout.write(`${`${label}:`.padEnd(11)}${value}\n`);
  }
}
