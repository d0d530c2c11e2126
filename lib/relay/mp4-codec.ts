// Which MP4 sample entries ffmpeg copies blind. Pure.
import { body, children, readBoxHeader, type BoxHeader } from './mp4-boxes.js';

/** MPEG-4 descriptor length: up to four 7-bit groups. */
function descriptorLength(buffer: Buffer, at: number): { length: number; next: number } {
  let length = 0;
  let next = at;
  for (let i = 0; i < 4; i++) {
    const byte = buffer[next++]!;
    length = length * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) break;
  }
  return { length, next };
}

/** The esds object type of an mp4a entry (0x40: AAC; 0x69/0x6B: MPEG audio, which ffmpeg re-parses). */
function objectType(buffer: Buffer, entry: BoxHeader): number | undefined {
  // mp4a: 8 header + 28 bytes of AudioSampleEntry, then its boxes.
  for (const box of children(buffer, entry.start + 36, entry.start + entry.size)) {
    if (box.type !== 'esds') continue;
    let at = body(box);
    if (buffer[at] !== 0x03) return undefined;
    at = descriptorLength(buffer, at + 1).next;
    // ES_ID, flags, then what the flags announce: a stream it depends on, a URL, an OCR stream.
    const flags = buffer[at + 2]!;
    at += 3 + (flags & 0x80 ? 2 : 0);
    if (flags & 0x40) at += 1 + buffer[at]!;
    if (flags & 0x20) at += 2;
    if (buffer[at] !== 0x04) return undefined;
    return buffer[descriptorLength(buffer, at + 1).next];
  }
  return undefined;
}

/**
 * Whether ffmpeg, told not to parse this input (-fflags +noparse+nofillin),
 * copies the track's samples without looking inside them, so that a resume
 * may feed it zeros for samples whose output it drops anyway: H.264 and AAC
 * in MP4, the codecs the tests prove byte for byte (others are left to their
 * parsers and never blanked).
 */
export function isBlindCopy(buffer: Buffer, stsd: BoxHeader): boolean {
  const entry = readBoxHeader(buffer, body(stsd) + 4, stsd.start + stsd.size);
  if (!entry) return false;
  if (entry.type === 'avc1' || entry.type === 'avc3') return true;
  return entry.type === 'mp4a' && objectType(buffer, entry) === 0x40;
}
