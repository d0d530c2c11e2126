// passmux download: the library straight to a file (or stdout), no server.
// The file appears only once whole (bin/write-atomically.ts).
import { createWriteStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createMuxStream, extractPage, isPlaylist, isVideoCodec, measureSelection, MuxError, VIDEO_CODECS } from '../../lib/internal.js';
import { parseItems } from '../playlist-items.js';
import { downloadPlaylist } from './download-playlist.js';
import { readCookiesOption } from '../cookies-option.js';
import { createProgress, formatBytes } from '../progress.js';
import { CliError, UsageError } from '../usage.js';
import { writeAtomically } from '../write-atomically.js';
import { clipFilename, parseSectionSpec, resolveClip } from '../../lib/section.js';

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  'max-height': { type: 'string' },
  'audio-only': { type: 'boolean' },
  codec: { type: 'string' },
  force: { type: 'boolean', short: 'f' },
  quiet: { type: 'boolean', short: 'q' },
  items: { type: 'string' },
  cookies: { type: 'string' },
  section: { type: 'string' },
} as const;

function parse(args: string[]) {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'a URL is required' : 'give exactly one URL', 'download');
  let maxHeight: number | undefined;
  if (values['max-height'] !== undefined) {
    maxHeight = Number(values['max-height']);
    if (!Number.isInteger(maxHeight) || maxHeight < 1) throw new UsageError('--max-height must be a whole number of pixels', 'download');
  }
  const codec = values.codec;
  if (codec !== undefined && !isVideoCodec(codec)) throw new UsageError(`--codec must be one of ${VIDEO_CODECS.join(', ')}`, 'download');
  // yt-dlp's --download-sections form (`*5:00-6:00`), refused in words before anything runs.
  const section = values.section === undefined ? undefined : parseSectionSpec(values.section);
  return { url: positionals[0]!, section, output: values.output, maxHeight, codec, audioOnly: values['audio-only'] ?? false, force: values.force ?? false, quiet: values.quiet ?? false, cookies: values.cookies,
    items: values.items === undefined ? undefined : parseItems(values.items) };
}

export async function download(args: string[], signal: AbortSignal): Promise<void> {
  const options = parse(args);
  const toStdout = options.output === '-';
  const cookiesFile = readCookiesOption(options.cookies, (message) => { if (!options.quiet) process.stderr.write(`passmux: warning: ${message}\n`); });
  const page = await extractPage(options.url, { signal, maxHeight: options.maxHeight, audioOnly: options.audioOnly, codec: options.codec, cookiesFile });
  // A playlist goes into a folder, entry by entry; stdout holds one MP4 only.
  if (isPlaylist(page)) {
    if (options.section) throw new UsageError('--section cuts one video, not a playlist', 'download');
    if (toStdout) throw new MuxError('IS_PLAYLIST', 'a playlist cannot go to stdout; give -o DIR (or no -o) to save its entries into a folder');
    return downloadPlaylist(page, { ...options, cookiesFile }, signal);
  }
  const selection = page;
  // A start past the video's end is refused now; the file name says which span it holds.
  const clip = options.section ? resolveClip(options.section, selection.info.duration) : undefined;
  const target = toStdout ? '-' : resolve(options.output ?? (clip ? clipFilename(selection.info.filename, clip) : selection.info.filename));
  if (!toStdout && existsSync(target) && !options.force) {
    throw new CliError('FILE_EXISTS', `${target} already exists (use --force to overwrite)`);
  }
  // The exact size when the media servers give the inputs' sizes and indexes; the file is then exactly this long.
  // A clip has no exact size (docs/clips.md).
  const { length } = clip ? { length: undefined } : await measureSelection(selection, { signal, audioOnly: options.audioOnly });
  if (length !== undefined && !options.quiet) process.stderr.write(`Size: ${formatBytes(length)} (${length} bytes, exact)\n`);
  // cookiesFile and the choice again: a URL refused mid-way is looked up afresh, with the same login and formats.
  const stream = await createMuxStream(options.url, { selection, signal, maxHeight: options.maxHeight, audioOnly: options.audioOnly, codec: options.codec, cookiesFile, ...(length !== undefined ? { length } : {}), ...options.section });
  const progress = createProgress(process.stderr, { quiet: options.quiet, total: length ?? stream.info.estimatedSize });
  stream.on('data', (chunk: Buffer) => progress.add(chunk.length));
  try {
    if (toStdout) await pipeline(stream, process.stdout, { end: false });
    else await writeAtomically(target, (temp) => pipeline(stream, createWriteStream(temp, { flags: 'wx' })));
    progress.finish(({ bytes, seconds, speed }) =>
      `${toStdout ? 'Wrote' : `Saved ${target} —`} ${formatBytes(bytes)} in ${seconds.toFixed(1)} s${speed ? ` (${speed})` : ''}${toStdout ? ' to stdout' : ''}`);
  } catch (error) {
    progress.clear();
    // A reader that closed stdout early (a player, `head`) is not an error of ours.
    if (toStdout && (error as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw error;
  } finally {
    await stream.close();
  }
}
