// Range and Content-Range, the parts we need (one range per request).

export interface ByteRange {
  start: number;
  /** Inclusive; undefined means "to the end". */
  end?: number;
}

/** `bytes=10-`, `bytes=10-99` → range; suffix ranges, lists and garbage → undefined (serve all). */
export function parseRangeHeader(header: string | undefined): ByteRange | undefined {
  const match = /^bytes=(\d+)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] ? Number(match[2]) : undefined;
  if (end !== undefined && end < start) return undefined;
  return end === undefined ? { start } : { start, end };
}

export interface ContentRange {
  start: number;
  end: number;
  /** Total size of the resource, if the server said. */
  total: number | undefined;
}

/** `bytes 0-99/1000` (or `/*`) → parts; anything else → undefined. */
export function parseContentRange(header: string | undefined): ContentRange | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), total: match[3] === '*' ? undefined : Number(match[3]) };
}

/** The ranges [from, to] is cut into, `size` bytes each (the last may be shorter). */
export function splitRanges(from: number, to: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = from; start <= to; start += size) out.push([start, Math.min(start + size - 1, to)]);
  return out;
}

/** A piece of [from, to]: fetched, or (blank) served as zeros. */
export interface Piece { start: number; end: number; blank: boolean }

/**
 * [from, to] cut into pieces of at most `size` bytes to fetch, around the
 * `blanks` (sorted, disjoint, inclusive ranges) served as zeros whole.
 */
export function splitAroundBlanks(from: number, to: number, size: number, blanks: ReadonlyArray<readonly [number, number]>): Piece[] {
  const pieces: Piece[] = [];
  const fetch = (start: number, end: number) => {
    for (const [s, e] of splitRanges(start, end, size)) pieces.push({ start: s, end: e, blank: false });
  };
  let at = from;
  for (const [start, end] of blanks) {
    if (end < at || start > to) continue;
    if (start > at) fetch(at, start - 1);
    const blankEnd = Math.min(end, to);
    pieces.push({ start: Math.max(start, at), end: blankEnd, blank: true });
    at = blankEnd + 1;
  }
  if (at <= to) fetch(at, to);
  return pieces;
}

/** The last byte of the first range read from `start`: one range, cut before the first blank it meets (one byte when it starts in one). */
export function firstRangeEnd(start: number, rangeSize: number, blanks: ReadonlyArray<readonly [number, number]> | undefined): number {
  let end = start + rangeSize - 1;
  for (const [blankStart, blankEnd] of blanks ?? []) {
    if (blankStart <= start && start <= blankEnd) return start;
    if (blankStart > start) end = Math.min(end, blankStart - 1);
  }
  return end;
}
