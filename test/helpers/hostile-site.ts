// An attacker's "video site" and the internal services it aims at. The site
// serves pages real yt-dlp understands, whose media are playlists pointing
// inward, redirects into other schemes, or credentials bait. The canaries
// stand for internal services: each counts every hit, and the tests fail on one.
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { ensureMedia } from './media.js';

/** An internal service: an HTTP one holding a secret, and a TCP one that greets like FTP. */
export interface Canaries {
  secret: string;
  http: { origin: string; port: number; hits: number };
  ftp: { port: number; hits: number };
  close(): Promise<void>;
}

const listen = (server: Server | TcpServer, host = '127.0.0.1') => new Promise<number>((resolve) =>
  server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
const closeAll = (...servers: Array<Server | TcpServer>) => Promise.all(servers.map((server) => new Promise<void>((resolve) => {
  if ('closeAllConnections' in server) server.closeAllConnections();
  server.close(() => resolve());
})));

export async function startCanaries(): Promise<Canaries> {
  const secret = `SECRET-${randomBytes(8).toString('hex')}`;
  const http = { origin: '', port: 0, hits: 0 };
  const ftp = { port: 0, hits: 0 };
  const httpServer = createHttpServer((_req, res) => {
    http.hits += 1;
    res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(`${secret}\n`.repeat(64));
  });
  const ftpServer = createTcpServer((socket) => {
    ftp.hits += 1;
    socket.on('error', () => {});
    socket.end(`220 ${secret} FTP ready\r\n`);
  });
  http.port = await listen(httpServer);
  http.origin = `http://127.0.0.1:${http.port}`;
  ftp.port = await listen(ftpServer);
  return { secret, http, ftp, close: () => closeAll(httpServer, ftpServer).then(() => undefined) };
}

/** What a hostile page's media URL answers. */
export type HostileMedia =
  | { kind: 'body'; contentType: string; body: string }
  | { kind: 'file'; file: string }
  | { kind: 'redirect'; to: string }
  /** One file's bytes to the size probe, another's (of the same size) once ffmpeg reads: a range from 0 that is not the probe's first. */
  | { kind: 'two-faced'; probe: Buffer; ffmpeg: Buffer };

export interface HostilePage {
  title: string;
  /** Path (on the site) or absolute URL of the page's media, as JSON-LD contentUrl. */
  media: string;
  /** JSON-LD encodingFormat: what the page claims the media is. @default 'video/mp4' */
  claims?: string;
  /** og:image and JSON-LD thumbnailUrl (a path is taken on the site). */
  thumbnail?: string;
  /** Answer the page itself with a redirect here instead. */
  redirect?: string;
}

export interface HostileSite {
  origin: string;
  port: number;
  pageUrl(name: string): string;
  /** Headers of every request, by path (to see which credentials arrived where). */
  seen: Array<{ path: string; cookie: string | undefined; authorization: string | undefined }>;
  close(): Promise<void>;
}

/** Serves a media file (a path, or its bytes) with Range support (the relay asks for ranges). */
async function serveFile(req: IncomingMessage, res: ServerResponse, name: string | Buffer): Promise<void> {
  const path = typeof name === 'string' ? await ensureMedia(name) : '';
  const size = typeof name === 'string' ? statSync(path).size : name.length;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const end = range?.[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
  res.writeHead(range ? 206 : 200, {
    'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-length': end - start + 1,
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (typeof name === 'string') createReadStream(path, { start, end }).pipe(res);
  else res.end(name.subarray(start, end + 1));
}

function renderPage(origin: string, name: string, page: HostilePage): string {
  const media = new URL(page.media, origin).href;
  const thumbnail = page.thumbnail && new URL(page.thumbnail, origin).href;
  const ld = {
    '@context': 'https://schema.org', '@type': 'VideoObject', name: page.title, duration: 'PT10S',
    uploadDate: '2026-01-02', contentUrl: media, encodingFormat: page.claims ?? 'video/mp4',
    ...(thumbnail ? { thumbnailUrl: thumbnail } : {}),
  };
  const og = thumbnail ? `<meta property="og:image" content="${thumbnail}">` : '';
  return `<!doctype html><html><head><title>${page.title}</title>${og}
<script type="application/ld+json">${JSON.stringify(ld)}</script></head><body><h1>${name}</h1></body></html>`;
}

/**
 * `pages` by name at /watch/<name>; `media` by path. Every media request must
 * carry the cookie the page set (403 otherwise), like a strict CDN.
 */
export async function startHostileSite(pages: Record<string, HostilePage>, media: Record<string, HostileMedia>): Promise<HostileSite> {
  const seen: HostileSite['seen'] = [];
  const cookies = new Set<string>();
  const ffmpegReads = new Set<HostileMedia>();
  let origin = '';
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    seen.push({ path: url.pathname, cookie: req.headers.cookie, authorization: req.headers.authorization });
    const page = url.pathname.startsWith('/watch/') ? pages[url.pathname.slice(7)] : undefined;
    if (page?.redirect) return void res.writeHead(302, { location: page.redirect }).end();
    if (page) {
      const session = randomBytes(12).toString('hex');
      cookies.add(session);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': `session=${session}; Path=/` });
      return void res.end(renderPage(origin, url.pathname.slice(7), page));
    }
    const answer = media[url.pathname];
    if (!answer) return void res.writeHead(404).end();
    if (!cookies.has(/session=(\w+)/.exec(req.headers.cookie ?? '')?.[1] ?? '')) return void res.writeHead(403).end('no cookie');
    if (answer.kind === 'redirect') return void res.writeHead(302, { location: answer.to }).end();
    if (answer.kind === 'file') return void serveFile(req, res, answer.file).catch(() => res.destroy());
    if (answer.kind === 'two-faced') {
      if (/^bytes=0-(?!65535$)/.test(req.headers.range ?? '')) ffmpegReads.add(answer);
      return void serveFile(req, res, ffmpegReads.has(answer) ? answer.ffmpeg : answer.probe).catch(() => res.destroy());
    }
    res.writeHead(200, { 'content-type': answer.contentType }).end(answer.body);
  });
  const port = await listen(server);
  origin = `http://127.0.0.1:${port}`;
  return { origin, port, pageUrl: (name) => `${origin}/watch/${name}`, seen, close: () => closeAll(server).then(() => undefined) };
}

/**
 * A plain media server on another origin: serves `file` at any path, records what arrived.
 * `host`: another loopback address (127.0.0.2) is another host to cookies; another port is not.
 */
export async function startOtherOrigin(file: string, host = '127.0.0.1'): Promise<{ origin: string; port: number; seen: HostileSite['seen']; close(): Promise<void> }> {
  const seen: HostileSite['seen'] = [];
  const server = createHttpServer((req, res) => {
    seen.push({ path: req.url ?? '', cookie: req.headers.cookie, authorization: req.headers.authorization });
    void serveFile(req, res, file).catch(() => res.destroy());
  });
  const port = await listen(server, host);
  return { origin: `http://${host}:${port}`, port, seen, close: () => closeAll(server).then(() => undefined) };
}
