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

/** Where an mp4a entry's DecoderConfigDescriptor (tag 0x04) starts, inside its esds. */
function decoderConfigAt(buffer: Buffer, entry: BoxHeader): number | undefined {
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
    return buffer[at] === 0x04 && at + 16 < box.start + box.size ? at : undefined;
  }
  return undefined;
}

/** The esds object type of an mp4a entry (0x40: AAC; 0x69/0x6B: MPEG audio, which ffmpeg re-parses). */
function objectType(buffer: Buffer, entry: BoxHeader): number | undefined {
  const at = decoderConfigAt(buffer, entry);
  return at === undefined ? undefined : buffer[descriptorLength(buffer, at + 1).next];
}

/**
 * Whether ffmpeg, told not to parse this input (-fflags +noparse+nofillin),
 * copies the track's samples without looking inside them, so that a resume
 * may feed it zeros for samples whose output it drops anyway: H.264 and AAC
 * in MP4, the codecs the tests prove byte for byte (others are left to their
 * parsers and never blanked).
 */
export function isBlindCopy(buffer: Buffer, stsd: BoxHeader): boolean {
  const entry = firstEntry(buffer, stsd);
  if (!entry) return false;
  if (entry.type === 'avc1' || entry.type === 'avc3') return true;
  return entry.type === 'mp4a' && objectType(buffer, entry) === 0x40;
}

/** The first sample entry of an stsd: what ffmpeg makes of the track (its FourCC decides audio, video or data). */
export function firstEntry(buffer: Buffer, stsd: BoxHeader): BoxHeader | undefined {
  return readBoxHeader(buffer, body(stsd) + 4, stsd.start + stsd.size);
}

/** Sample entries ffmpeg takes for neither audio nor video: a track of these may sit beside the indexed ones. */
export const DATA_ENTRIES = new Set(['tx3g', 'text', 'wvtt', 'stpp', 'c608', 'c708', 'tmcd', 'mett', 'metx', 'sbtt', 'rtp ', 'srtp']);
const VIDEO_ENTRIES = new Set(['avc1', 'avc3', 'hvc1', 'hev1', 'av01', 'vp09', 'vp08', 'mp4v', 'mjpa', 'jpeg', 'dvh1', 'dvhe']);
const AUDIO_ENTRIES = new Set(['mp4a', 'Opus', 'ac-3', 'ec-3', 'fLaC', 'alac', '.mp3', 'sowt', 'twos', 'lpcm', 'ipcm', 'samr']);

/** Whether a trak's handler and its first sample entry (`type`) say the same kind (ffmpeg believes the entry). */
export function entryAgrees(type: string, kind: 'video' | 'audio'): boolean {
  return !DATA_ENTRIES.has(type) && !(kind === 'video' ? AUDIO_ENTRIES : VIDEO_ENTRIES).has(type);
}

/**
 * Whether ffmpeg copies the track with its parsers off (-fflags +noparse):
 * what blind copy gets, and AV1 and VP9, whose parsers would otherwise flag
 * keyframes the index does not list (each one a fragment more). Only
 * isBlindCopy's tracks may also be fed zeros: ffmpeg's MP4 writer reads AV1's
 * OBUs itself.
 */
function copiesUnparsed(buffer: Buffer, stsd: BoxHeader): boolean {
  const type = firstEntry(buffer, stsd)?.type;
  return isBlindCopy(buffer, stsd) || type === 'av01' || type === 'vp09';
}

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** The sampling rate in an mp4a entry's AudioSpecificConfig, and whether it signals SBR or PS (another output rate). */
function ascRate(buffer: Buffer, entry: BoxHeader): { rate: number | undefined; extended: boolean } | undefined {
  const config = decoderConfigAt(buffer, entry);
  if (config === undefined) return undefined;
  // The DecoderConfigDescriptor's 13 bytes, then its DecoderSpecificInfo (tag 0x05): the AudioSpecificConfig.
  const info = descriptorLength(buffer, config + 1).next + 13;
  if (buffer[info] !== 0x05 || info + 8 > entry.start + entry.size) return undefined;
  const asc = descriptorLength(buffer, info + 1).next;
  const type = buffer[asc]! >> 3;
  const index = ((buffer[asc]! & 0x07) << 1) | (buffer[asc + 1]! >> 7);
  return { rate: AAC_RATES[index], extended: type === 5 || type === 29 || type === 31 };
}

/**
 * Whether ffmpeg keeps an audio track's durations as they are: its MP4 writer
 * times audio by the sample rate, and where the input's timescale is another,
 * rounding makes every duration differ (a field per sample the bound must
 * count). True only when the timescale, the entry's rate and (AAC) the
 * AudioSpecificConfig's rate are one.
 */
function keepsAudioTiming(buffer: Buffer, stsd: BoxHeader, timescale: number): boolean {
  const entry = firstEntry(buffer, stsd);
  if (!entry || entry.size < 36) return false;
  if (buffer.readUInt32BE(entry.start + 32) >>> 16 !== timescale) return false;
  if (entry.type !== 'mp4a') return true;
  const asc = ascRate(buffer, entry);
  return asc !== undefined && !asc.extended && asc.rate === timescale;
}

/** How ffmpeg copies a track, as both index readers (plain and fragmented) tell it. */
export interface CopyTraits {
  /** Parsers off (copiesUnparsed). */
  unparsed: boolean;
  /** May be fed zeros in a resume (isBlindCopy). */
  blankable: boolean;
  /** Its durations come out as they go in (audio: keepsAudioTiming; video always). */
  keepsTiming: boolean;
}

export function copyTraits(buffer: Buffer, stsd: BoxHeader, kind: 'video' | 'audio', timescale: number): CopyTraits {
  return {
    unparsed: copiesUnparsed(buffer, stsd), blankable: isBlindCopy(buffer, stsd),
    keepsTiming: kind !== 'audio' || keepsAudioTiming(buffer, stsd, timescale),
  };
}
