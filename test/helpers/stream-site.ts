// A local "video site" serving the segmented stream shapes real sites use (HLS
// master/media playlists with TS, fMP4, AES-128, byte ranges, live and
// FairPlay-style SAMPLE-AES; DASH with SegmentTemplate+SegmentTimeline and with
// a SegmentList of ../ paths), behind pages real yt-dlp understands (schema.org
// JSON-LD whose contentUrl is the master playlist or the MPD).
//
// Strict like a CDN: every playlist, manifest, key and segment request needs the
// page's session cookie AND the User-Agent that fetched the page, else 403. A
// second origin (another port) serves the segments of `hls-fmp4-cdn`; it ignores
// cookies and checks a per-page-view `?token=` (a signed URL) plus the User-Agent.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readCookie } from './fixture-site.js';
import { ensureMedia } from './media.js';
import { ensureStreamSet, KEY_URI_PLACEHOLDER, STREAM_KEY_FILE, STREAM_SECONDS, SEGMENT_SECONDS, type StreamSet } from './stream-media.js';

export type StreamShape =
  | 'hls-master' | 'hls-fmp4-cdn' | 'hls-aes' | 'hls-byterange' | 'hls-live' | 'hls-sample-aes' | 'hls-muxed'
  | 'dash-timeline' | 'dash-list';

export interface StreamShapeDef {
  title: string;
  set: StreamSet;
  kind: 'hls' | 'dash';
  /** Path of the playlist/manifest the page points at. */
  manifest: string;
}

/**
 * Each page id, what it serves, and where:
 * - hls-master: master → 320x240 and 160x120 video-only variants + AAC audio group, MPEG-TS (/hls/hls-master/…).
 * - hls-fmp4-cdn: master → 320x240 video + audio group, fMP4 (EXT-X-MAP); init and segments on the
 *   second origin (/cdn/hls-fmp4-cdn/…?token=…), the playlists rewritten per page view.
 * - hls-aes: master → video + audio group, AES-128 TS; key at /keys/hls-aes.key (cookie + UA).
 * - hls-byterange: master → video + audio group, one .ts per rendition cut by EXT-X-BYTERANGE (Range → 206).
 * - hls-live: a media playlist (muxed A/V TS) without EXT-X-ENDLIST or PLAYLIST-TYPE.
 * - hls-sample-aes: that media playlist as VOD with `#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://…"` (segments plain TS).
 * - hls-muxed: that media playlist as plain VOD (muxed video + audio in each TS segment).
 * - dash-timeline: ffmpeg's MPD (SegmentTemplate + SegmentTimeline), video and audio AdaptationSets (/dash/timeline/…).
 * - dash-list: hand-written SegmentList MPD at /dash/list/manifest/list.mpd whose Initialization and
 *   SegmentURLs are `../segs/<file>` (→ /dash/list/segs/<file>), the dash-timeline segment files.
 */
export const STREAM_SHAPES: Record<StreamShape, StreamShapeDef> = {
  'hls-master': { title: 'HLS master clip', set: 'hls-ts', kind: 'hls', manifest: '/hls/hls-master/master.m3u8' },
  'hls-fmp4-cdn': { title: 'HLS fMP4 CDN clip', set: 'hls-fmp4', kind: 'hls', manifest: '/hls/hls-fmp4-cdn/master.m3u8' },
  'hls-aes': { title: 'HLS AES-128 clip', set: 'hls-aes', kind: 'hls', manifest: '/hls/hls-aes/master.m3u8' },
  'hls-byterange': { title: 'HLS byte-range clip', set: 'hls-single', kind: 'hls', manifest: '/hls/hls-byterange/master.m3u8' },
  'hls-live': { title: 'HLS live clip', set: 'hls-muxed', kind: 'hls', manifest: '/hls/hls-live/index.m3u8' },
  'hls-sample-aes': { title: 'HLS SAMPLE-AES clip', set: 'hls-muxed', kind: 'hls', manifest: '/hls/hls-sample-aes/index.m3u8' },
  'hls-muxed': { title: 'HLS muxed clip', set: 'hls-muxed', kind: 'hls', manifest: '/hls/hls-muxed/index.m3u8' },
  'dash-timeline': { title: 'DASH timeline clip', set: 'dash', kind: 'dash', manifest: '/dash/timeline/manifest.mpd' },
  'dash-list': { title: 'DASH segment list clip', set: 'dash', kind: 'dash', manifest: '/dash/list/manifest/list.mpd' },
};

export const SAMPLE_AES_KEY_LINE =
  '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://fixture-fairplay-key",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"';

export interface StreamSiteOptions {
  /**
   * Cut the first response for one segment after `afterBytes` bytes (once; Content-Length still
   * announces the whole body). A string matches a request path ending with it (`stream_0_001.ts`),
   * a RegExp is tested against the path. Either origin.
   */
  cutOnce?: { segment: string | RegExp; afterBytes: number };
  /** Every request for this segment (path ends with it) gets 404: a segment gone upstream. */
  missing?: string;
  /**
   * The first page view's session (its cookie and its CDN token) stops working (403 for every
   * playlist, key and segment) once it has been granted this many segment requests, like an
   * expiring signature. Later page views get fresh sessions that keep working.
   */
  expireFirstSessionAfter?: number;
  /** hls-live: add EXT-X-ENDLIST once its playlist has been requested this many times (default: never). */
  liveEndsAfterPolls?: number;
}

export interface StreamSiteStats {
  pages: number;
  /** Playlist and manifest requests (master, media playlists, MPDs), both origins, any status. */
  playlists: number;
  /** Segment requests (init and media, both origins, any status). */
  segments: number;
  /** Of `segments`, those on the second origin. */
  cdnSegments: number;
  /** Segment requests carrying a Range header. */
  rangeRequests: number;
  keys: number;
  forbidden: number;
}

export interface StreamRequest {
  origin: 'site' | 'cdn';
  kind: 'page' | 'playlist' | 'segment' | 'key' | 'other';
  path: string;
  status: number;
  range?: string;
}

export interface StreamSite {
  origin: string;
  /** The second origin (segments of hls-fmp4-cdn). */
  cdnOrigin: string;
  pageUrl(shape: StreamShape): string;
  /** URL of the master playlist / media playlist / MPD the page points at. */
  manifestUrl(shape: StreamShape): string;
  stats: StreamSiteStats;
  /** Every request, in order of arrival. */
  requests: StreamRequest[];
  /** Session cookie values handed out so far, one per page view (to look for leaks). */
  cookies: string[];
  /** CDN tokens handed out so far, one per page view, same order as `cookies`. */
  tokens: string[];
  /** Emits 'request' (a StreamRequest) as each request is answered. */
  events: EventEmitter;
  close(): Promise<void>;
}

interface Session { cookie: string; token: string; userAgent: string | undefined; granted: number; revoked: boolean }

const SEGMENT_EXT = /\.(?:ts|m4s|mp4)$/;
const SAFE_NAME = /^[\w-][\w.-]*$/;
const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl', mpd: 'application/dash+xml', ts: 'video/mp2t', m4s: 'video/iso.segment', mp4: 'video/mp4',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function renderPage(base: string, shape: StreamShape): string {
  const def = STREAM_SHAPES[shape];
  const ld = {
    '@context': 'https://schema.org', '@type': 'VideoObject', name: def.title,
    duration: `PT${STREAM_SECONDS}S`, thumbnailUrl: `${base}/thumb/${shape}.jpg`,
    author: { '@type': 'Person', name: 'Fixture Uploader' }, uploadDate: '2026-01-02',
    contentUrl: `${base}${def.manifest}`,
    encodingFormat: def.kind === 'hls' ? 'application/x-mpegURL' : 'application/dash+xml',
  };
  return `<!doctype html><html><head><title>${escapeHtml(def.title)}</title>
<script type="application/ld+json">${JSON.stringify(ld).replace(/</g, '\\u003c')}</script>
</head><body><h1>${escapeHtml(def.title)}</h1></body></html>`;
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** A SegmentList MPD over ffmpeg's dash segments, every URL a `../segs/` relative path. */
export function renderSegmentListMpd(dashDir: string): string {
  const generated = readFileSync(join(dashDir, 'manifest.mpd'), 'utf8');
  const files = readdirSync(dashDir).sort();
  const sets = [...generated.matchAll(/<Representation\b[^>]*>/g)].map(([tag], index) => {
    const id = attr(tag, 'id') ?? String(index);
    const mime = attr(tag, 'mimeType') ?? 'video/mp4';
    const video = mime.startsWith('video/');
    const chunks = files.filter((f) => f.startsWith(`chunk-stream${id}-`) && f.endsWith('.m4s'));
    const shape = video
      ? `width="${attr(tag, 'width')}" height="${attr(tag, 'height')}" frameRate="30"`
      : `audioSamplingRate="${attr(tag, 'audioSamplingRate') ?? 48000}"`;
    return `  <AdaptationSet id="${index}" contentType="${video ? 'video' : 'audio'}" mimeType="${mime}" segmentAlignment="true" startWithSAP="1">
   <Representation id="${video ? 'video' : 'audio'}-${id}" codecs="${attr(tag, 'codecs')}" bandwidth="${attr(tag, 'bandwidth')}" ${shape}>
    <SegmentList timescale="1000" duration="${SEGMENT_SECONDS * 1000}">
     <Initialization sourceURL="../segs/init-stream${id}.m4s"/>
${chunks.map((f) => `     <SegmentURL media="../segs/${f}"/>`).join('\n')}
    </SegmentList>
   </Representation>
  </AdaptationSet>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT${STREAM_SECONDS}.0S" minBufferTime="PT4.0S">
 <Period id="0" start="PT0.0S">
${sets.join('\n')}
 </Period>
</MPD>
`;
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (!m[1] && !m[2])) return undefined;
  const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
  const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  return start >= size || start > end ? 'unsatisfiable' : { start, end };
}

const listen = (server: Server) => new Promise<number>((resolve) =>
  server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

export async function startStreamSite(options: StreamSiteOptions = {}): Promise<StreamSite> {
  const dirs = new Map<StreamSet, string>();
  await Promise.all([...new Set(Object.values(STREAM_SHAPES).map((d) => d.set))].map(async (set) => {
    dirs.set(set, await ensureStreamSet(set));
  }));
  const segmentList = renderSegmentListMpd(dirs.get('dash')!);
  const fileCache = new Map<string, Promise<Buffer>>();
  const readCached = (path: string) => {
    let pending = fileCache.get(path);
    if (!pending) {
      pending = readFile(path);
      pending.catch(() => fileCache.delete(path));
      fileCache.set(path, pending);
    }
    return pending;
  };

  const sessions = new Map<string, Session>();
  const byToken = new Map<string, Session>();
  let firstSession: Session | undefined;
  let cutPending = options.cutOnce;
  let livePolls = 0;
  const stats: StreamSiteStats = { pages: 0, playlists: 0, segments: 0, cdnSegments: 0, rangeRequests: 0, keys: 0, forbidden: 0 };
  const requests: StreamRequest[] = [];
  const cookies: string[] = [];
  const tokens: string[] = [];
  const events = new EventEmitter();
  let origin = '';
  let cdnOrigin = '';

  const record = (entry: StreamRequest) => {
    requests.push(entry);
    if (entry.status === 403) stats.forbidden += 1;
    events.emit('request', entry);
  };
  const valid = (session: Session | undefined, req: IncomingMessage) =>
    session !== undefined && !session.revoked && session.userAgent === req.headers['user-agent'] ? session : undefined;
  const byCookie = (req: IncomingMessage) => {
    const value = readCookie(req, 'session');
    return valid(value === undefined ? undefined : sessions.get(value), req);
  };
  const grantSegment = (session: Session) => {
    session.granted += 1;
    if (session === firstSession && session.granted >= (options.expireFirstSessionAfter ?? Infinity)) session.revoked = true;
  };

  const send = (res: ServerResponse, entry: StreamRequest, status: number, type: string, body: string | Buffer) => {
    record({ ...entry, status });
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  };
  const forbid = (res: ServerResponse, entry: StreamRequest) =>
    send(res, entry, 403, 'text/plain', 'forbidden: session cookie, token or user-agent missing or wrong');
  const notFound = (res: ServerResponse, entry: StreamRequest) => send(res, entry, 404, 'text/plain', 'not found');

  async function serveSegment(req: IncomingMessage, res: ServerResponse, entry: StreamRequest, path: string, session: Session) {
    if (options.missing && entry.path.endsWith(options.missing)) return notFound(res, entry);
    const data = await readCached(path);
    grantSegment(session);
    const range = parseRange(req.headers.range, data.length);
    if (range === 'unsatisfiable') {
      record({ ...entry, status: 416 });
      return void res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
    }
    const { start, end } = range ?? { start: 0, end: data.length - 1 };
    const status = range ? 206 : 200;
    record({ ...entry, status });
    const ext = path.slice(path.lastIndexOf('.') + 1);
    res.writeHead(status, {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': end - start + 1,
      ...(range ? { 'content-range': `bytes ${start}-${end}/${data.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    const body = data.subarray(start, end + 1);
    const cut = cutPending;
    if (cut && (typeof cut.segment === 'string' ? entry.path.endsWith(cut.segment) : cut.segment.test(entry.path))) {
      cutPending = undefined;
      return void res.write(body.subarray(0, cut.afterBytes), () => res.destroy());
    }
    res.end(body);
  }

  function rewritePlaylist(shape: StreamShape, file: string, text: string, base: string, session: Session): string {
    switch (shape) {
      case 'hls-aes':
        return text.replaceAll(KEY_URI_PLACEHOLDER, `${base}/keys/hls-aes.key`);
      case 'hls-fmp4-cdn': {
        if (file === 'master.m3u8') return text;
        const signed = (name: string) => `${cdnOrigin}/cdn/hls-fmp4-cdn/${name}?token=${session.token}`;
        return text.split('\n').map((line) => {
          if (line.startsWith('#EXT-X-MAP:')) return line.replace(/URI="([^"]+)"/, (_m, name: string) => `URI="${signed(name)}"`);
          return line && !line.startsWith('#') ? signed(line) : line;
        }).join('\n');
      }
      case 'hls-live': {
        livePolls += 1;
        const ended = livePolls >= (options.liveEndsAfterPolls ?? Infinity);
        return text.split('\n').filter((line) => line !== '#EXT-X-PLAYLIST-TYPE:VOD' && (ended || line !== '#EXT-X-ENDLIST')).join('\n');
      }
      case 'hls-sample-aes':
        return text.replace(/^(#EXT-X-MEDIA-SEQUENCE:.*)$/m, `$1\n${SAMPLE_AES_KEY_LINE}`);
      default:
        return text;
    }
  }

  /** Main origin: pages, playlists, manifests, keys and segments, all behind cookie + UA. */
  async function handleSite(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    const base = req.headers.host ? `http://${req.headers.host}` : origin;
    const path = url.pathname;
    const parts = path.split('/').slice(1);
    const entry: StreamRequest = { origin: 'site', kind: 'other', path, status: 0, ...(req.headers.range ? { range: req.headers.range } : {}) };

    if (parts[0] === 'watch' && parts.length === 2) {
      entry.kind = 'page';
      stats.pages += 1;
      const shape = parts[1] as StreamShape;
      if (!Object.hasOwn(STREAM_SHAPES, shape)) return notFound(res, entry);
      const session: Session = {
        cookie: randomBytes(12).toString('hex'), token: randomBytes(12).toString('hex'),
        userAgent: req.headers['user-agent'], granted: 0, revoked: false,
      };
      sessions.set(session.cookie, session);
      byToken.set(session.token, session);
      firstSession ??= session;
      cookies.push(session.cookie);
      tokens.push(session.token);
      res.setHeader('set-cookie', `session=${session.cookie}; Path=/`);
      return send(res, entry, 200, 'text/html; charset=utf-8', renderPage(base, shape));
    }

    if (parts[0] === 'thumb' && parts.length === 2) {
      return send(res, entry, 200, 'image/jpeg', await readCached(await ensureMedia('thumb.jpg')));
    }

    if (parts[0] === 'keys' && parts.length === 2) {
      entry.kind = 'key';
      stats.keys += 1;
      if (parts[1] !== 'hls-aes.key') return notFound(res, entry);
      if (!byCookie(req)) return forbid(res, entry);
      return send(res, entry, 200, 'application/octet-stream', await readCached(join(dirs.get('hls-aes')!, STREAM_KEY_FILE)));
    }

    // Which shape and file: /hls/<shape>/<file>, /dash/timeline/<file>, /dash/list/manifest/list.mpd, /dash/list/segs/<file>.
    let shape: StreamShape | undefined;
    let file: string | undefined;
    if (parts[0] === 'hls' && parts.length === 3 && STREAM_SHAPES[parts[1] as StreamShape]?.kind === 'hls') {
      [, shape, file] = parts as [string, StreamShape, string];
    } else if (parts[0] === 'dash' && parts[1] === 'timeline' && parts.length === 3) {
      [shape, file] = ['dash-timeline', parts[2]];
    } else if (parts[0] === 'dash' && parts[1] === 'list' && parts.length === 4
      && ((parts[2] === 'manifest' && parts[3] === 'list.mpd') || (parts[2] === 'segs' && parts[3]!.endsWith('.m4s')))) {
      [shape, file] = ['dash-list', parts[3]];
    }
    if (!shape || !file || !SAFE_NAME.test(file)) return notFound(res, entry);
    const dir = dirs.get(STREAM_SHAPES[shape].set)!;

    if (file.endsWith('.m3u8') || file.endsWith('.mpd')) {
      entry.kind = 'playlist';
      stats.playlists += 1;
      if (shape === 'dash-list' && file === 'list.mpd') {
        return byCookie(req) ? send(res, entry, 200, CONTENT_TYPES.mpd!, segmentList) : forbid(res, entry);
      }
      const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
      if (text === undefined) return notFound(res, entry);
      const session = byCookie(req);
      if (!session) return forbid(res, entry);
      const body = file.endsWith('.mpd') ? text : rewritePlaylist(shape, file, text, base, session);
      return send(res, entry, 200, CONTENT_TYPES[file.endsWith('.mpd') ? 'mpd' : 'm3u8']!, body);
    }
    if (SEGMENT_EXT.test(file) && shape !== 'hls-fmp4-cdn') {
      entry.kind = 'segment';
      stats.segments += 1;
      if (req.headers.range) stats.rangeRequests += 1;
      const session = byCookie(req);
      if (!session) return forbid(res, entry);
      return serveSegment(req, res, entry, join(dir, file), session).catch(() => notFound(res, entry));
    }
    return notFound(res, entry);
  }

  /** Second origin: /cdn/hls-fmp4-cdn/<file>?token=…, checked by token + UA (cookies ignored). */
  async function handleCdn(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', cdnOrigin);
    const parts = url.pathname.split('/').slice(1);
    const entry: StreamRequest = {
      origin: 'cdn', kind: 'other', path: url.pathname, status: 0, ...(req.headers.range ? { range: req.headers.range } : {}),
    };
    if (parts.length !== 3 || parts[0] !== 'cdn' || parts[1] !== 'hls-fmp4-cdn' || !SAFE_NAME.test(parts[2]!) || !SEGMENT_EXT.test(parts[2]!)) {
      return notFound(res, entry);
    }
    entry.kind = 'segment';
    stats.segments += 1;
    stats.cdnSegments += 1;
    if (req.headers.range) stats.rangeRequests += 1;
    const session = valid(byToken.get(url.searchParams.get('token') ?? ''), req);
    if (!session) return forbid(res, entry);
    return serveSegment(req, res, entry, join(dirs.get('hls-fmp4')!, parts[2]!), session).catch(() => notFound(res, entry));
  }

  const guard = (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch(() => res.destroy());
  };
  const site = createServer(guard(handleSite));
  const cdn = createServer(guard(handleCdn));
  const [sitePort, cdnPort] = await Promise.all([listen(site), listen(cdn)]);
  origin = `http://127.0.0.1:${sitePort}`;
  cdnOrigin = `http://127.0.0.1:${cdnPort}`;

  return {
    origin,
    cdnOrigin,
    pageUrl: (shape) => `${origin}/watch/${shape}`,
    manifestUrl: (shape) => `${origin}${STREAM_SHAPES[shape].manifest}`,
    stats,
    requests,
    cookies,
    tokens,
    events,
    close: () => Promise.all([site, cdn].map((server) => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }))).then(() => undefined),
  };
}
