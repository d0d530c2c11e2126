// Walking ISO BMFF (MP4) boxes in a buffer: headers, children, paths.

export interface BoxHeader {
  type: string;
  /** Offset of the box from the buffer's or file's start. */
  start: number;
  /** Whole size, header included (a size-0 box runs to `limit`). */
  size: number;
  headerBytes: number;
}

/** The header of the box at `offset`, or undefined when fewer than its header's bytes are there. */
export function readBoxHeader(buffer: Buffer, offset: number, limit = Infinity): BoxHeader | undefined {
  if (offset + 8 > buffer.length) return undefined;
  let size = buffer.readUInt32BE(offset);
  const type = buffer.toString('latin1', offset + 4, offset + 8);
  let headerBytes = 8;
  if (size === 1) {
    if (offset + 16 > buffer.length) return undefined;
    size = Number(buffer.readBigUInt64BE(offset + 8));
    headerBytes = 16;
  } else if (size === 0) {
    size = limit - offset;
  }
  if (size < headerBytes || !Number.isSafeInteger(size)) throw new Error(`bad ${JSON.stringify(type)} box size at ${offset}`);
  return { type, start: offset, size, headerBytes };
}

/** The boxes directly inside [start, end) of `buffer`. */
export function* children(buffer: Buffer, start: number, end: number): Generator<BoxHeader> {
  for (let offset = start; offset + 8 <= end;) {
    const box = readBoxHeader(buffer, offset, end);
    if (!box || box.start + box.size > end) throw new Error(`truncated ${box?.type ?? 'box'} at ${offset}`);
    yield box;
    offset += box.size;
  }
}

export function child(buffer: Buffer, parent: BoxHeader, path: string[]): BoxHeader | undefined {
  let box: BoxHeader | undefined = parent;
  for (const type of path) {
    const within: BoxHeader = box;
    box = undefined;
    for (const candidate of children(buffer, within.start + within.headerBytes, within.start + within.size)) {
      if (candidate.type === type) { box = candidate; break; }
    }
    if (!box) return undefined;
  }
  return box;
}

/** Start of a full box's payload (after version and flags). */
export const body = (box: BoxHeader) => box.start + box.headerBytes + 4;
