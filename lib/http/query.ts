// Query parameters of /info and /download, checked before anything runs.
import { MuxError } from '../errors.js';
import type { PageChoice } from '../extract/ytdlp-args.js';
import { checkUrl } from '../url.js';
import { isVideoCodec, VIDEO_CODECS } from '../extract/codecs.js';
import { parseSection, type Section } from '../section.js';

export interface DownloadQuery extends PageChoice, Section {
  url: string;
}

const MAX_HEIGHT = 8640;

function parseFlag(value: string | null, name: string): boolean | undefined {
  if (value === null) return undefined;
  if (['1', 'true', 'yes', ''].includes(value)) return true;
  if (['0', 'false', 'no'].includes(value)) return false;
  throw new MuxError('INVALID_REQUEST', `${name} must be 1 or 0`);
}

/** `codec`: one of a closed set, or absent (the best). */
function parseCodec(search: URLSearchParams): DownloadQuery['codec'] {
  const values = search.getAll('codec');
  if (values.length === 0) return undefined;
  if (values.length > 1 || !isVideoCodec(values[0])) throw new MuxError('INVALID_REQUEST', `codec must be one of ${VIDEO_CODECS.join(', ')}, given once`);
  return values[0];
}

function single(search: URLSearchParams, name: string): string | undefined {
  const values = search.getAll(name);
  if (values.length > 1) throw new MuxError('INVALID_SECTION', `give ${name} once`);
  // An empty field (the page's form left blank) is no value.
  return values[0] || undefined;
}

/** Reads `url`, `maxHeight`, `audioOnly`, `codec`, `playlist`, `start` and `end`; throws INVALID_URL, INVALID_REQUEST or INVALID_SECTION naming the bad parameter. */
export function parseDownloadQuery(search: URLSearchParams, allowPrivateNetworks: boolean): DownloadQuery {
  const urls = search.getAll('url');
  if (urls.length === 0) throw new MuxError('INVALID_URL', 'the url parameter is missing');
  if (urls.length > 1) throw new MuxError('INVALID_URL', 'give exactly one url parameter');
  const url = checkUrl(urls[0], { allowPrivateNetworks, label: 'url' }).href;
  const query: DownloadQuery = { url };
  const height = search.get('maxHeight');
  if (height !== null) {
    if (!/^\d{1,5}$/.test(height) || Number(height) < 1 || Number(height) > MAX_HEIGHT) {
      throw new MuxError('INVALID_REQUEST', `maxHeight must be a whole number from 1 to ${MAX_HEIGHT}`);
    }
    query.maxHeight = Number(height);
  }
  const audioOnly = parseFlag(search.get('audioOnly'), 'audioOnly');
  if (audioOnly) query.audioOnly = true;
  const codec = parseCodec(search);
  if (codec) query.codec = codec;
  // A video link inside a list (watch?v=…&list=…) stays the video unless this asks for the list.
  const playlist = parseFlag(search.get('playlist'), 'playlist');
  if (playlist) query.playlist = true;
  // A clip: `start` and `end`, each once at most, checked here (nothing runs on a bad one).
  Object.assign(query, parseSection(single(search, 'start'), single(search, 'end')));
  return query;
}
