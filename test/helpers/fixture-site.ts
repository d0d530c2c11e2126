// A local "video site" that real yt-dlp understands (schema.org JSON-LD → DASH
// manifest → whole-file representations) and that behaves like a strict CDN:
// media requests without the page's session cookie, or from another
// User-Agent than the one that fetched the page, get 403.
import { randomBytes } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { renderFeed } from './fixture-feed.js';
import { CLIP_SECONDS, ensureMedia, RECIPES } from './media.js';

interface Track { file: string; mime: string; codecs: string; bandwidth: number; video: boolean; width?: number; height?: number }
interface Video { title: string; tracks?: Track[]; file?: string; /** @default CLIP_SECONDS */ seconds?: number }

const H264: Track = { file: 'h264-video.mp4', mime: 'video/mp4', codecs: 'avc1.64000d', bandwidth: 800_000, video: true };
const AAC: Track = { file: 'aac-audio.m4a', mime: 'audio/mp4', codecs: 'mp4a.40.2', bandwidth: 96_000, video: false };
const VP9: Track = { file: 'vp9-video.webm', mime: 'video/webm', codecs: 'vp9', bandwidth: 300_000, video: true };
const OPUS: Track = { file: 'opus-audio.webm', mime: 'audio/webm', codecs: 'opus', bandwidth: 64_000, video: false };
// The same picture in two codecs at one size, as one AdaptationSet each.
const VP9_720: Track = { file: 'vp9-720p.webm', mime: 'video/webm', codecs: 'vp9', bandwidth: 1_000_000, video: true, width: 1280, height: 720 };
const H264_720: Track = { file: 'h264-720p.mp4', mime: 'video/mp4', codecs: 'avc1.42c01f', bandwidth: 1_500_000, video: true, width: 1280, height: 720 };
const AV1_720: Track = { file: 'av1-720p.mp4', mime: 'video/mp4', codecs: 'av01.0.05M.08', bandwidth: 700_000, video: true, width: 1280, height: 720 };
const AAC_32K: Track = { file: 'aac-32k.m4a', mime: 'audio/mp4', codecs: 'mp4a.40.2', bandwidth: 32_000, video: false };
const FRAG_H264: Track = { ...H264, file: 'frag-h264-video.mp4' };
const FRAG_AAC: Track = { ...AAC, file: 'frag-aac-audio.m4a' };
const OPUS_24K: Track = { file: 'opus-24k.webm', mime: 'audio/webm', codecs: 'opus', bandwidth: 24_000, video: false };

const benchTracks = (seconds: number, suffix = ''): Track[] => [
  { file: `bench-${seconds}s-video${suffix}.mp4`, mime: 'video/mp4', codecs: 'avc1.640028', bandwidth: 24_000_000, video: true, width: 1920, height: 1080 },
  { file: `bench-${seconds}s-audio${suffix}.m4a`, mime: 'audio/mp4', codecs: 'mp4a.40.2', bandwidth: 128_000, video: false },
];

/** Media made by bench/plain-source.ts and bench/webm-source.ts (ensurePlainMedia, ensureWebmMedia), served once it is there. */
const MADE_ELSEWHERE = new Set(['bench-600s-5m-video.mp4', 'bench-600s-5m-audio.m4a', 'bench-600s-vp9-720p.webm', 'bench-600s-opus.webm']);

/** A title that tries everything: traversal, NUL, length, a right-to-left override hiding the extension. */
export const NASTY_TITLE = `../../etc/passwd\u0000 ${'long '.repeat(60)}\u202Egpj.exe`;

export const FANCY_TITLE = 'He said "hi" / Grüße – 日本語 🎬';

export const VIDEOS: Record<string, Video> = {
  h264: { title: 'H264 clip', tracks: [H264, AAC] },
  vp9: { title: 'VP9 clip', tracks: [VP9, OPUS] },
  single: { title: 'Single file clip', file: 'moov-end.mp4' },
  big: { title: 'Big lossless clip', file: 'big.mp4' },
  nasty: { title: NASTY_TITLE, tracks: [H264, AAC] },
  garbage: { title: 'Not a video', file: 'garbage.mp4' },
  'bench-20s': { title: 'Benchmark 20 s 1080p', tracks: benchTracks(20) },
  'bench-120s': { title: 'Benchmark 120 s 1080p', tracks: benchTracks(120), seconds: 120 },
  // bench/plain-source.ts's 600 s of 5 Mbit/s 1080p (call ensurePlainMedia first).
  'plain-600s': { title: 'Plain 600 s 1080p', seconds: 600, tracks: [
    { ...benchTracks(600)[0]!, file: 'bench-600s-5m-video.mp4', bandwidth: 5_000_000 }, { ...benchTracks(600)[1]!, file: 'bench-600s-5m-audio.m4a' }] },
  'webm-600s': { title: 'WebM 600 s 720p', seconds: 600, tracks: [
    { ...VP9_720, file: 'bench-600s-vp9-720p.webm', bandwidth: 1_600_000 }, { ...OPUS, file: 'bench-600s-opus.webm', bandwidth: 128_000 }] },
  'bench-120s-frag': { title: 'Benchmark 120 s 1080p, fragmented', tracks: benchTracks(120, '-frag'), seconds: 120 },
  fancy: { title: FANCY_TITLE, tracks: [H264, AAC] },
  'low-aac': { title: 'Low-bitrate AAC', tracks: [H264, AAC_32K] },
  'low-opus': { title: 'Low-bitrate Opus', tracks: [VP9, OPUS_24K] },
  // Fragmented whole files (mp4_dash / m4a_dash), as YouTube and SegmentBase sites serve them.
  frag: { title: 'Fragmented clip', tracks: [FRAG_H264, FRAG_AAC] },
  'frag-bframes': { title: 'Fragmented B-frames clip', tracks: [{ ...FRAG_H264, file: 'frag-bframes-video.mp4' }, FRAG_AAC] },
  'frag-low-aac': { title: 'Fragmented low-bitrate AAC', tracks: [FRAG_H264, { ...FRAG_AAC, file: 'frag-aac-32k.m4a', bandwidth: 32_000 }] },
  'frag-one-fragment': { title: 'Fragmented audio in one fragment', tracks: [FRAG_H264, { ...FRAG_AAC, file: 'frag-aac-one-fragment.m4a' }] },
  'frag-1080p': {
    title: 'Fragmented 1080p minute', seconds: 60, tracks: [
      { ...FRAG_H264, file: 'frag-1080p-60s-video.mp4', codecs: 'avc1.640028', bandwidth: 2_500_000, width: 1920, height: 1080 },
      { ...FRAG_AAC, file: 'frag-aac-60s.m4a', bandwidth: 128_000 }],
  },
  'frag-av1': { title: 'Fragmented AV1 clip', tracks: [{ ...AV1_720, file: 'frag-av1-720p.mp4' }, FRAG_AAC] },
  'frag-big': { title: 'Fragmented big clip', file: 'frag-big.mp4' },
  'frag-trailing-moof': { title: 'Fragmented clip with a moof past its sidx', tracks: [{ ...FRAG_H264, file: 'frag-trailing-moof.mp4' }, FRAG_AAC] },
  'frag-lying': { title: 'Fragmented clip with a lying sidx', tracks: [{ ...FRAG_H264, file: 'frag-lying-sidx.mp4' }, FRAG_AAC] },
  'two-codecs': { title: 'Two codecs clip', tracks: [VP9_720, OPUS, H264_720, AAC] },
  'three-codecs': { title: 'Three codecs clip', tracks: [AV1_720, VP9_720, OPUS, H264_720, AAC] },
};

export interface FixtureOptions {
  /** Per-connection media rate limit in bytes/s. */
  throttle?: number;
  /** Cut the first response for this file after this many bytes (once). */
  cutOnce?: { file: string; afterBytes: number };
  /** The first session's cookie stops working (403) after this many media requests, like an expiring signature. */
  expireFirstSessionAfter?: number;
  /** Answer media requests with 200 and the whole file, ignoring Range. */
  ignoreRange?: boolean;
  /** Every response for this file stops sending after this many bytes and never ends. */
  stall?: { file: string; afterBytes: number };
  /** Serve HTTPS with the self-signed test certificate in test/fixtures/tls. */
  tls?: boolean;
}

export interface FixtureStats {
  pages: number;
  mediaRequests: number;
  /** Media bytes read from disk for responses (what a client made the CDN send). */
  mediaBytes: number;
  forbidden: number;
  openMedia: number;
  peakOpenMedia: number;
  /** TCP connections accepted (keep-alive reuse shows as fewer than requests). */
  connections: number;
}

export interface FixtureSite {
  origin: string;
  pageUrl(id: string): string;
  stats: FixtureStats;
  /** Session cookie values handed out so far (to look for leaks). */
  cookies: string[];
  /** Emits 'page', 'manifest' and 'media' (the file's name and its Range header) as each request arrives. */
  events: EventEmitter;
  close(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function renderPage(origin: string, id: string, video: Video): string {
  const contentUrl = video.file ? `${origin}/media/${video.file}` : `${origin}/dash/${id}.mpd`;
  const ld = {
    '@context': 'https://schema.org', '@type': 'VideoObject', name: video.title,
    duration: `PT${video.seconds ?? CLIP_SECONDS}S`, thumbnailUrl: `${origin}/thumb/${id}.jpg`,
    author: { '@type': 'Person', name: 'Fixture Uploader' }, uploadDate: '2026-01-02',
    contentUrl, encodingFormat: video.file ? 'video/mp4' : 'application/dash+xml',
  };
  return `<!doctype html><html><head><title>${escapeHtml(video.title)}</title>
<script type="application/ld+json">${JSON.stringify(ld).replace(/</g, '\\u003c')}</script>
</head><body><h1>${escapeHtml(video.title)}</h1></body></html>`;
}

function renderMpd(origin: string, tracks: Track[], seconds: number): string {
  const sets = tracks.map((t, i) => `  <AdaptationSet mimeType="${t.mime}" contentType="${t.video ? 'video' : 'audio'}">
   <Representation id="r${i}" codecs="${t.codecs}" bandwidth="${t.bandwidth}" ${t.video ? `width="${t.width ?? 320}" height="${t.height ?? 240}" frameRate="30"` : 'audioSamplingRate="48000"'}>
    <BaseURL>${origin}/media/${t.file}</BaseURL>
   </Representation>
  </AdaptationSet>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" type="static" mediaPresentationDuration="PT${seconds}S" minBufferTime="PT2S">
 <Period>
${sets}
 </Period>
</MPD>`;
}

/** The value of cookie `name` in a request, if sent. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** Paces a stream to `rate` bytes/s, in small slices so the rate holds within a second. */
function throttleStream(rate: number): Transform {
  const started = Date.now();
  let sent = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      const due = started + (sent / rate) * 1000;
      setTimeout(() => done(null, chunk), Math.max(0, due - Date.now()));
    },
  });
}

export async function startFixtureSite(options: FixtureOptions = {}): Promise<FixtureSite> {
  const sessions = new Map<string, string | undefined>();
  const mediaUses = new Map<string, number>();
  let cutPending = options.cutOnce;
  const stats: FixtureStats = { pages: 0, mediaRequests: 0, mediaBytes: 0, forbidden: 0, openMedia: 0, peakOpenMedia: 0, connections: 0 };
  const cookies: string[] = [];
  const events = new EventEmitter();
  let origin = '';

  const allowed = (req: IncomingMessage): boolean => {
    const session = readCookie(req, 'session');
    return session !== undefined && sessions.has(session) && sessions.get(session) === req.headers['user-agent'];
  };

  const forbid = (res: ServerResponse) => {
    stats.forbidden += 1;
    res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: cookie or user-agent missing');
  };

  async function serveMedia(req: IncomingMessage, res: ServerResponse, name: string) {
    stats.mediaRequests += 1;
    events.emit('media', name, req.headers.range);
    if (!allowed(req)) return forbid(res);
    const session = readCookie(req, 'session')!;
    mediaUses.set(session, (mediaUses.get(session) ?? 0) + 1);
    if (session === cookies[0] && mediaUses.get(session)! >= (options.expireFirstSessionAfter ?? Infinity)) sessions.delete(session);
    const path = await ensureMedia(name);
    const size = statSync(path).size;
    let start = 0;
    let end = size - 1;
    const range = options.ignoreRange ? null : /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      start = range[1] ? Number(range[1]) : size - Number(range[2]);
      end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
    }
    const headers: Record<string, string | number> = {
      'content-type': name.endsWith('.webm') ? 'video/webm' : 'video/mp4',
      'accept-ranges': 'bytes',
      'content-length': end - start + 1,
    };
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD') return void res.end();
    stats.openMedia += 1;
    stats.peakOpenMedia = Math.max(stats.peakOpenMedia, stats.openMedia);
    if (options.stall?.file === name) {
      // Some bytes, then silence: the connection stays open until the client gives up.
      res.write((await readFile(path)).subarray(start, Math.min(end + 1, start + options.stall.afterBytes)));
      return;
    }
    let last = end;
    if (cutPending?.file === name) {
      last = Math.min(end, start + cutPending.afterBytes - 1);
      cutPending = undefined;
      res.once('finish', () => res.destroy());
    }
    const file = createReadStream(path, { start, end: last, highWaterMark: 16 * 1024 });
    file.on('data', (chunk) => { stats.mediaBytes += chunk.length; });
    const steps = [file,
      ...(options.throttle ? [throttleStream(options.throttle)] : []), res] as const;
    await pipeline(...(steps as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream])).catch(() => {});
    stats.openMedia -= 1;
  }

  const scheme = options.tls ? 'https' : 'http';
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    // Links use the name the client used (a test may reach us under another host name).
    const base = req.headers.host ? `${scheme}://${req.headers.host}` : origin;
    const [, area, leaf = ''] = url.pathname.split('/');
    if (area === 'watch') {
      stats.pages += 1;
      events.emit('page', leaf);
      const video = VIDEOS[leaf];
      if (!video) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such video');
      const session = randomBytes(12).toString('hex');
      sessions.set(session, req.headers['user-agent']);
      cookies.push(session);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': `session=${session}; Path=/` });
      return void res.end(renderPage(base, leaf, video));
    }
    if (area === 'feed') {
      const feed = renderFeed(base, leaf.replace(/\.rss$/, ''));
      if (!feed) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such feed');
      return void res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(feed);
    }
    if (area === 'redirect') {
      return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    }
    if (area === 'thumb') {
      return void ensureMedia('thumb.jpg').then((path) => {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        createReadStream(path).pipe(res);
      });
    }
    if (area === 'dash') {
      const video = VIDEOS[leaf.replace(/\.mpd$/, '')];
      if (!video?.tracks) return void res.writeHead(404).end();
      events.emit('manifest', leaf);
      if (!allowed(req)) return forbid(res);
      res.writeHead(200, { 'content-type': 'application/dash+xml' });
      return void res.end(renderMpd(base, video.tracks, video.seconds ?? CLIP_SECONDS));
    }
    if (area === 'media' && (Object.hasOwn(RECIPES, leaf) || MADE_ELSEWHERE.has(leaf))) {
      return void serveMedia(req, res, leaf).catch(() => res.destroy());
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };
  const tlsFile = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url));
  const server = options.tls ? createHttpsServer({ key: tlsFile('key.pem'), cert: tlsFile('cert.pem') }, handle) : createServer(handle);

  server.on('connection', () => { stats.connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl: (id) => `${origin}/watch/${id}`,
    stats,
    cookies,
    events,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
