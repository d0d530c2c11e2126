// --items 1-3,7: which entries of a playlist to save, counted from 1 like
// yt-dlp's --playlist-items. Pure: text in, a predicate out.
import { UsageError } from './usage.js';

export interface ItemPicker {
  /** Whether the entry at `index` (from 1) was asked for. */
  has(index: number): boolean;
  /** The spec as given, for messages. */
  spec: string;
}

/** `1-3,7`, `5-` (5 to the end) or `2` → a picker; a UsageError for anything else. */
export function parseItems(spec: string): ItemPicker {
  const ranges: Array<[number, number]> = [];
  for (const part of spec.split(',').map((p) => p.trim())) {
    const match = /^(\d{1,9})(?:(-)(\d{1,9})?)?$/.exec(part);
    const from = Number(match?.[1]);
    const to = match?.[2] ? (match[3] === undefined ? Infinity : Number(match[3])) : from;
    if (!match || from < 1 || to < from) {
      throw new UsageError(`--items takes entry numbers from 1 and ranges, like 1-3,7 or 5- (got "${spec}")`, 'download');
    }
    ranges.push([from, to]);
  }
  return { spec, has: (index) => ranges.some(([from, to]) => index >= from && index <= to) };
}
