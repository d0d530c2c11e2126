// HLS media playlists (RFC 8216) → the fragments the relay fetches in order.
// Pure text work: no network, no decryption; refusals happen here, before any fetch.

import { MuxError } from '../errors.js';
import { MAX_FRAGMENTS, type Fragment } from '../types.js';

export interface MediaPlaylist {
  /** Init section (EXT-X-MAP) first when present, then every media segment in order. */
  fragments: Fragment[];
  /** EXT-X-ENDLIST seen: a finished (VOD) playlist; false means live/event still growing. */
  ended: boolean;
  /** Sum of EXTINF durations, seconds. */
  duration: number;
  /** True when the segments are fMP4 (an EXT-X-MAP exists), false for MPEG-TS. */
  fmp4: boolean;
}

/** The EXT-X-KEY in effect; without an IV each fragment derives one from its sequence number. */
interface KeyTag { url: string; iv: Buffer | undefined }
interface SubRange { length: number; offset: number | undefined }

interface State {
  sequence: number; key: KeyTag | undefined; ended: boolean; duration: number;
  extinf: number | undefined; // EXTINF waiting for its URI line
  range: SubRange | undefined; // EXT-X-BYTERANGE waiting for its URI line
  map: { fragment: Fragment; key: KeyTag | undefined } | undefined; // its default IV is the NEXT segment's sequence number
  init: Fragment | undefined; segments: Fragment[];
}

const fail = (message: string): MuxError => new MuxError('EXTRACT_FAILED', message);
const drm = (what: string): MuxError => new MuxError('DRM_PROTECTED', `this video is DRM-protected (${what})`);

export function parseMediaPlaylist(text: string, playlistUrl: string): MediaPlaylist {
  const lines = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/).map((line) => line.trim());
  assertMediaPlaylist(lines);
  const state: State = { sequence: 0, key: undefined, extinf: undefined, range: undefined, map: undefined, init: undefined, segments: [], ended: false, duration: 0 };
  for (const line of lines.slice(1)) {
    if (line.startsWith('#')) applyTag(state, line, playlistUrl);
    else if (line) addSegment(state, resolveUrl(line, playlistUrl));
  }
  if (state.segments.length === 0) throw fail('the media playlist lists no segments');
  const fragments = state.init ? [state.init, ...state.segments] : state.segments;
  return { fragments, ended: state.ended, duration: state.duration, fmp4: state.init !== undefined };
}

/** 16-byte big-endian: the IV AES-128 segments use when their EXT-X-KEY gives none. */
export function ivFromSequence(sequence: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(sequence), 8);
  return iv;
}

/** `0x` + 32 hex digits → 16 bytes. */
export function parseIv(hex: string): Buffer {
  if (!/^0x[0-9a-f]{32}$/i.test(hex)) throw fail(`the media playlist has a malformed encryption IV (${hex})`);
  return Buffer.from(hex.slice(2), 'hex');
}

/** `KEY=value,KEY="quoted, value"` → record; accepts the whole `#EXT-X-…:` line too. */
export function parseAttributes(line: string): Record<string, string> {
  const list = line.startsWith('#') ? line.slice(line.indexOf(':') + 1) : line;
  const attributes: Record<string, string> = {};
  // Sticky: each match must start where the previous one ended, so garbage stops the scan.
  const pattern = /\s*([A-Za-z0-9-]+)\s*=\s*(?:"([^"]*)"|([^,]*?))\s*(?:,|$)/y;
  for (let match = pattern.exec(list); match; match = pattern.exec(list)) {
    attributes[match[1] ?? ''] = match[2] ?? match[3] ?? '';
  }
  return attributes;
}

function assertMediaPlaylist(lines: string[]): void {
  if (!lines[0]?.startsWith('#EXTM3U')) throw fail('the media playlist is not an HLS playlist');
  // A master playlist lists variants, not segments; the caller picked the wrong URL.
  const master = lines.some((line) => /^#EXT-X-(?:I-FRAME-)?STREAM-INF\b/.test(line));
  if (master) throw fail('the URL is a master playlist where a media playlist was expected');
}

function applyTag(state: State, line: string, base: string): void {
  const [, name, value = ''] = /^([^:]*):?(.*)$/.exec(line) ?? [];
  switch (name) {
    case '#EXTINF': state.extinf = readDuration(value); state.duration += state.extinf; break;
    case '#EXT-X-MEDIA-SEQUENCE': state.sequence = parseSequence(value); break;
    case '#EXT-X-KEY': state.key = readKey(parseAttributes(value), base); break;
    case '#EXT-X-MAP': setMap(state, parseAttributes(value), base); break;
    case '#EXT-X-BYTERANGE': state.range = parseSubRange(value); break;
    case '#EXT-X-ENDLIST': state.ended = true; break;
    // Joining around a hole would silently drop media: refuse instead.
    case '#EXT-X-GAP': throw new MuxError('MUX_FAILED', 'the playlist marks a segment as missing (EXT-X-GAP)');
    // EXT-X-DISCONTINUITY and the rest change nothing we fetch: ffmpeg copes with timestamp jumps.
  }
}

function addSegment(state: State, url: string): void {
  if (state.segments.length >= MAX_FRAGMENTS) throw fail(`the media playlist lists more than ${MAX_FRAGMENTS} segments`);
  const sequence = state.sequence++;
  if (state.map) {
    state.init = withKey(state.map.fragment, state.map.key, sequence);
    state.map = undefined;
  }
  const fragment: Fragment = { url };
  if (state.extinf !== undefined) fragment.seconds = state.extinf;
  state.extinf = undefined;
  if (state.range) fragment.range = placeRange(state.range, url, state.segments.at(-1));
  state.range = undefined;
  state.segments.push(withKey(fragment, state.key, sequence));
}

function setMap(state: State, attributes: Record<string, string>, base: string): void {
  if (!attributes.URI) throw fail('the media playlist has an EXT-X-MAP without a URI');
  const fragment: Fragment = { url: resolveUrl(attributes.URI, base) };
  if (attributes.BYTERANGE) {
    // No previous sub-range applies to an init section, so a missing offset means 0.
    const { length, offset } = parseSubRange(attributes.BYTERANGE);
    fragment.range = [offset ?? 0, (offset ?? 0) + length - 1];
  }
  if (state.segments.length === 0) state.map = { fragment, key: state.key };
  // One output file can hold only one init section; a repeat of the same one is harmless.
  else if (state.init?.url !== fragment.url || String(state.init.range) !== String(fragment.range)) {
    throw new MuxError('UNSUPPORTED_URL', 'the playlist changes its fMP4 init section mid-way, which passmux cannot join into one file');
  }
}

function readKey(attributes: Record<string, string>, base: string): KeyTag | undefined {
  const { METHOD: method, URI: uri, KEYFORMAT: format } = attributes;
  if (method === 'NONE') return undefined;
  if (uri?.toLowerCase().startsWith('skd://')) throw drm('Apple FairPlay');
  if (method === 'SAMPLE-AES') throw drm('sample-level AES encryption, SAMPLE-AES');
  if (method === 'SAMPLE-AES-CTR') throw drm('sample-level AES-CTR encryption, SAMPLE-AES-CTR');
  if (format !== undefined && format !== 'identity') throw drm(`keys in the ${format} format`);
  if (method !== 'AES-128') throw fail(`the media playlist uses an unknown encryption method (${method ?? 'none given'})`);
  if (!uri) throw fail('the media playlist has an AES-128 key without a URI');
  return { url: resolveUrl(uri, base), iv: attributes.IV === undefined ? undefined : parseIv(attributes.IV) };
}

/** An explicit offset, else right after the previous segment's sub-range of the same resource. */
function placeRange({ length, offset }: SubRange, url: string, previous: Fragment | undefined): [number, number] {
  const start = offset ?? (previous?.url === url && previous.range ? previous.range[1] + 1 : undefined);
  if (start === undefined) throw fail('the media playlist has an EXT-X-BYTERANGE without an offset and no previous sub-range to follow');
  return [start, start + length - 1];
}

function withKey(fragment: Fragment, key: KeyTag | undefined, sequence: number): Fragment {
  return key ? { ...fragment, key: { url: key.url, iv: key.iv ?? ivFromSequence(sequence) } } : fragment;
}

function parseSubRange(value: string): SubRange {
  const match = /^(\d+)(?:@(\d+))?$/.exec(value.trim());
  if (!match || Number(match[1]) === 0) throw fail(`the media playlist has a malformed byte range (${value})`);
  return { length: Number(match[1]), offset: match[2] === undefined ? undefined : Number(match[2]) };
}

// EXTINF only informs the caller: a malformed one counts as 0 rather than refusing a playable stream.
function readDuration(value: string): number {
  const seconds = Number.parseFloat(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

/** Strict: a wrong sequence number means wrong IVs, i.e. garbage after decryption. */
function parseSequence(value: string): number {
  if (!/^\d{1,15}$/.test(value.trim())) throw fail(`the media playlist has a malformed EXT-X-MEDIA-SEQUENCE (${value})`);
  return Number(value.trim());
}

function resolveUrl(uri: string, base: string): string {
  if (!URL.canParse(uri, base)) throw fail(`the media playlist has a URI that cannot be resolved (${uri})`);
  return new URL(uri, base).href;
}
