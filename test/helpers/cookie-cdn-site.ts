// A site whose HLS segments sit elsewhere than its playlists, as on real CDNs:
// - `second-port`: on a second port of the same host (127.0.0.1), guarded by
//   the site's own session cookie AND a per-page-view `?token=` AND the
//   User-Agent: cookies ignore ports, so the cookie must reach it.
// - `other-host`: on another loopback address (127.0.0.2), a different host
//   to cookies: guarded by token + User-Agent only, and it records whether a
//   cookie arrived anyway (it must not).
// Playlists are on the site (cookie + User-Agent, else 403). Every request
// is recorded with the Cookie and Authorization it carried.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readCookie } from './fixture-site.js';
import { ensureStreamSet, STREAM_SECONDS } from './stream-media.js';

export type CdnPage = 'second-port' | 'other-host';

export interface CdnRequest {
  server: 'site' | 'cdn' | 'other';
  kind: 'page' | 'playlist' | 'segment' | 'other';
  path: string;
  cookie: string | undefined;
  authorization: string | undefined;
  status: number;
}

export interface CookieCdnSite {
  origin: string;
  cdnOrigin: string;
  otherOrigin: string;
  /** The page; `query` reaches test/helpers/ytdlp-format-details.mjs through yt-dlp's argv. */
  pageUrl(page: CdnPage, query?: Record<string, string>): string;
  requests: CdnRequest[];
  /** Emits 'request' (a CdnRequest) as each is answered. */
  events: EventEmitter;
  close(): Promise<void>;
}

interface Session { cookie: string; token: string; userAgent: string | undefined }

const SAFE_NAME = /^[\w-][\w.-]*$/;

const listen = (server: Server, host: string) => new Promise<number>((resolve) =>
  server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));

function renderPage(origin: string, page: CdnPage): string {
  const ld = {
    '@context': 'https://schema.org', '@type': 'VideoObject', name: `CDN ${page}`, duration: `PT${STREAM_SECONDS}S`,
    author: { '@type': 'Person', name: 'Fixture Uploader' }, uploadDate: '2026-01-02',
    contentUrl: `${origin}/hls/${page}/master.m3u8`, encodingFormat: 'application/x-mpegURL',
  };
  return `<!doctype html><html><head><title>CDN ${page}</title>
<script type="application/ld+json">${JSON.stringify(ld)}</script></head><body></body></html>`;
}

/** A media playlist with every init section and segment moved to `segments` and signed with `token`. */
function signPlaylist(text: string, segments: string, token: string): string {
  const signed = (name: string) => `${segments}/media/${name}?token=${token}`;
  return text.split('\n').map((line) => {
    if (line.startsWith('#EXT-X-MAP:')) return line.replace(/URI="([^"]+)"/, (_m, name: string) => `URI="${signed(name)}"`);
    return line && !line.startsWith('#') ? signed(line) : line;
  }).join('\n');
}

export async function startCookieCdnSite(): Promise<CookieCdnSite> {
  const dir = await ensureStreamSet('hls-fmp4');
  const sessions = new Map<string, Session>();
  const byToken = new Map<string, Session>();
  const requests: CdnRequest[] = [];
  const events = new EventEmitter();
  const origins = { site: '', cdn: '', other: '' };

  const answer = (req: IncomingMessage, res: ServerResponse, entry: Omit<CdnRequest, 'cookie' | 'authorization' | 'status'>,
    status: number, body: string | Buffer, type = 'text/plain') => {
    const recorded: CdnRequest = { ...entry, cookie: req.headers.cookie, authorization: req.headers.authorization, status };
    requests.push(recorded);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
    events.emit('request', recorded);
  };

  const site = createServer((req, res) => void (async () => {
    const url = new URL(req.url ?? '/', origins.site);
    const [, area, page, file] = url.pathname.split('/') as [string, string, CdnPage, string | undefined];
    const entry = { server: 'site' as const, kind: 'other' as const, path: url.pathname };
    if (area === 'watch' && (page === 'second-port' || page === 'other-host')) {
      const session: Session = { cookie: randomBytes(12).toString('hex'), token: randomBytes(12).toString('hex'), userAgent: req.headers['user-agent'] };
      sessions.set(session.cookie, session);
      byToken.set(session.token, session);
      res.setHeader('set-cookie', `session=${session.cookie}; Path=/`);
      return answer(req, res, { ...entry, kind: 'page' }, 200, renderPage(origins.site, page), 'text/html; charset=utf-8');
    }
    if (area !== 'hls' || !file || !SAFE_NAME.test(file) || !file.endsWith('.m3u8')) return answer(req, res, entry, 404, 'not found');
    const session = sessions.get(readCookie(req, 'session') ?? '');
    if (!session || session.userAgent !== req.headers['user-agent']) return answer(req, res, { ...entry, kind: 'playlist' }, 403, 'forbidden');
    const text = await readFile(join(dir, file), 'utf8');
    const body = file === 'master.m3u8' ? text : signPlaylist(text, page === 'second-port' ? origins.cdn : origins.other, session.token);
    return answer(req, res, { ...entry, kind: 'playlist' }, 200, body, 'application/vnd.apple.mpegurl');
  })().catch(() => res.destroy()));

  /** Segments: token + User-Agent always; the site's cookie too where `needsCookie`. */
  const segments = (server: 'cdn' | 'other', needsCookie: boolean) => createServer((req, res) => void (async () => {
    const url = new URL(req.url ?? '/', origins[server]);
    const [, area, file] = url.pathname.split('/');
    const entry = { server, kind: 'segment' as const, path: url.pathname };
    if (area !== 'media' || !file || !SAFE_NAME.test(file)) return answer(req, res, { ...entry, kind: 'other' }, 404, 'not found');
    const session = byToken.get(url.searchParams.get('token') ?? '');
    const cookieOk = !needsCookie || (session !== undefined && readCookie(req, 'session') === session.cookie);
    if (!session || session.userAgent !== req.headers['user-agent'] || !cookieOk) return answer(req, res, entry, 403, 'forbidden');
    return answer(req, res, entry, 200, await readFile(join(dir, file)), 'video/iso.segment');
  })().catch(() => res.destroy()));

  const servers = [site, segments('cdn', true), segments('other', false)];
  const [sitePort, cdnPort, otherPort] = await Promise.all([listen(servers[0]!, '127.0.0.1'), listen(servers[1]!, '127.0.0.1'), listen(servers[2]!, '127.0.0.2')]);
  origins.site = `http://127.0.0.1:${sitePort}`;
  origins.cdn = `http://127.0.0.1:${cdnPort}`;
  origins.other = `http://127.0.0.2:${otherPort}`;
  return {
    origin: origins.site,
    cdnOrigin: origins.cdn,
    otherOrigin: origins.other,
    pageUrl: (page, query = {}) => {
      const url = new URL(`/watch/${page}`, origins.site);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      return url.href;
    },
    requests,
    events,
    close: () => Promise.all(servers.map((server) => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }))).then(() => undefined),
  };
}
