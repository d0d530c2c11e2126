// passmux info on a playlist: what it is, then one numbered line per entry
// with its URL (what `passmux download` takes for that entry alone).
import type { PlaylistInfo } from '../../lib/internal.js';
import { formatDuration } from '../progress.js';
import { printable } from './download-playlist.js';

export function printPlaylist(playlist: PlaylistInfo, out: NodeJS.WritableStream = process.stdout): void {
  const count = `${playlist.entries.length}${playlist.truncated ? ' (the list is longer; only these are listed)' : ''}`;
  const rows: Array<[string, string | null]> = [
    ['Playlist', playlist.title], ['Uploader', playlist.uploader], ['Entries', count], ['Page', playlist.webpageUrl],
  ];
  for (const [label, value] of rows) {
    if (value !== null) out.write(`${`${label}:`.padEnd(11)}${printable(value)}\n`);
  }
  const width = String(playlist.entries.at(-1)?.index ?? 1).length;
  for (const entry of playlist.entries) {
    const duration = entry.duration === null ? '' : `  ${formatDuration(entry.duration)}`;
    out.write(`\n${String(entry.index).padStart(width)}. ${printable(entry.title ?? '(no title)')}${duration}\n`);
    out.write(`${' '.repeat(width + 2)}${entry.url}\n`);
  }
}
