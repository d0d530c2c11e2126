// passmux download on a playlist: every entry (or those --items picks) into
// one folder, one after another, each an ordinary download written under a
// temporary name and renamed when complete. A file already there is left
// alone (so a second run only fetches what is missing), a failed entry does
// not stop the rest, and the exit code says whether any failed.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createMuxStream, extractSelection, isMuxError, safeBasename, type MuxStream, type PlaylistEntry, type PlaylistInfo, type VideoCodec } from '../../lib/internal.js';
import { numberedName } from '../../shared/playlist-format.js';
import type { ItemPicker } from '../playlist-items.js';
import { createProgress, formatBytes } from '../progress.js';
import { CliError } from '../usage.js';
import { writeAtomically } from '../write-atomically.js';

export interface PlaylistDownloadOptions {
  /** The folder (created when missing). @default a folder named after the playlist, here */
  output: string | undefined;
  maxHeight: number | undefined;
  audioOnly: boolean;
  /** Prefer this video codec in every entry. @default the best */
  codec: VideoCodec | undefined;
  /** Replace files that are already there instead of skipping them. */
  force: boolean;
  quiet: boolean;
  /** Entries to save. @default all */
  items: ItemPicker | undefined;
  cookiesFile: string | undefined;
}

/** A title from a stranger, safe to print on a terminal (no escape sequences). */
// eslint-disable-next-line no-control-regex
export const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');

/** The entries asked for; a CliError when that leaves none. */
function pick(playlist: PlaylistInfo, items: ItemPicker | undefined): PlaylistEntry[] {
  const picked = items ? playlist.entries.filter((entry) => items.has(entry.index)) : playlist.entries;
  if (picked.length > 0) return picked;
  if (playlist.entries.length === 0) throw new CliError('NO_ENTRIES', 'the playlist lists no entries passmux can fetch');
  throw new CliError('NO_ENTRIES', `--items ${items!.spec} picks none of the ${playlist.entries.length} listed entries`);
}

/** One entry into `target`: bytes go to a hidden temporary file, renamed only once complete. */
async function saveEntry(stream: MuxStream, target: string, quiet: boolean, label: string): Promise<void> {
  const progress = createProgress(process.stderr, { quiet, total: stream.info.estimatedSize });
  stream.on('data', (chunk: Buffer) => progress.add(chunk.length));
  try {
    await writeAtomically(target, (temp) => pipeline(stream, createWriteStream(temp, { flags: 'wx' })));
    progress.finish(({ bytes, seconds, speed }) => `${label} Saved ${target} — ${formatBytes(bytes)} in ${seconds.toFixed(1)} s${speed ? ` (${speed})` : ''}`);
  } catch (error) {
    progress.clear();
    throw error;
  } finally {
    await stream.close();
  }
}

export async function downloadPlaylist(playlist: PlaylistInfo, options: PlaylistDownloadOptions, signal: AbortSignal): Promise<void> {
  const entries = pick(playlist, options.items);
  const dir = resolve(options.output ?? safeBasename(playlist.title ?? playlist.id, 'playlist'));
  await mkdir(dir, { recursive: true });
  const say = (line: string) => { if (!options.quiet) process.stderr.write(`${line}\n`); };
  // Names given out in this run: a repeated title gets " (2)", the same on every run.
  const claimed = new Set<string>();
  const claim = (name: string) => {
    let n = 1;
    while (claimed.has(numberedName(name, n))) n += 1;
    claimed.add(numberedName(name, n));
    return numberedName(name, n);
  };
  const tally = { saved: 0, skipped: 0, failed: 0 };
  for (const [i, entry] of entries.entries()) {
    const label = `[${i + 1}/${entries.length}]`;
    try {
      const choice = { signal, maxHeight: options.maxHeight, audioOnly: options.audioOnly, codec: options.codec, cookiesFile: options.cookiesFile };
      const selection = await extractSelection(entry.url, choice);
      const target = join(dir, claim(selection.info.filename));
      if (existsSync(target) && !options.force) {
        tally.skipped += 1;
        say(`${label} Skipped ${target} (already there)`);
        continue;
      }
      await saveEntry(await createMuxStream(entry.url, { ...choice, selection }), target, options.quiet, label);
      tally.saved += 1;
    } catch (error) {
      if (signal.aborted) throw error;
      tally.failed += 1;
      const code = isMuxError(error) ? error.code : 'ERROR';
      process.stderr.write(`passmux: ${code}: entry ${entry.index} (${printable(entry.title ?? entry.url)}): ${(error as Error).message}\n`);
    }
  }
  say(`Playlist ${printable(playlist.title ?? playlist.id ?? '')}: ${tally.saved} saved, ${tally.skipped} skipped (already there), ${tally.failed} failed — in ${dir}`);
  if (tally.failed > 0) throw new CliError('ENTRIES_FAILED', `${tally.failed} of ${entries.length} entries failed`);
}
