// A strict HLS "video site" for the benchmark, like test/helpers/stream-site.ts
// but serving the bench's 60 s 1080p set (bench/hls-source.ts) and able to
// throttle: a page real yt-dlp understands (schema.org JSON-LD whose contentUrl
// is the master playlist, encodingFormat application/x-mpegURL), and every
// playlist and segment behind the page's session cookie AND the User-Agent that
// fetched the page (else 403).
//
// Throttling is the same as fixture-site's `throttle`: each response is paced
// to `throttle` bytes/s from its first byte, in 16 KiB slices. HTTP/1.1 sends
// one response at a time per connection, so this caps every connection.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ensureBenchHls, HLS_SECONDS } from './hls-source.js';
import { readCookie } from '../test/helpers/fixture-site.js';

export const HLS_PAGE = 'bench-hls-60s';
const SAFE_NAME = /^[\w-][\w.-]*\.(?:m3u8|ts)$/;
const SLICE = 16 * 1024;

export interface HlsSiteOptions {
  /** Per-connection rate limit in bytes/s (playlists and segments). */
  throttle?: number;
}

export interface HlsSite {
  origin: string;
  pageUrl(): string;
  stats: { pages: number; playlists: number; segments: number; forbidden: number };
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `body` at `rate` bytes/s (the rate counted from the first byte), or all at once without a rate. */
async function sendBody(res: ServerResponse, body: Buffer, rate: number | undefined): Promise<void> {
  if (!rate) return void res.end(body);
  const started = Date.now();
  let sent = 0;
  for (let offset = 0; offset < body.length && !res.destroyed; offset += SLICE) {
    const slice = body.subarray(offset, offset + SLICE);
    sent += slice.length;
    const wait = started + (sent / rate) * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    if (res.destroyed) return;
    if (!res.write(slice)) {
      await new Promise<void>((resolve) => {
        const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
        res.once('drain', done);
        res.once('close', done);
      });
    }
  }
  res.end();
}

export async function startHlsSite(options: HlsSiteOptions = {}): Promise<HlsSite> {
  const dir = await ensureBenchHls();
  const files = new Map<string, Promise<Buffer>>();
  const readCached = (name: string) => {
    let pending = files.get(name);
    if (!pending) {
      pending = readFile(join(dir, name));
      pending.catch(() => files.delete(name));
      files.set(name, pending);
    }
    return pending;
  };
  const sessions = new Map<string, string | undefined>();
  const stats = { pages: 0, playlists: 0, segments: 0, forbidden: 0 };
  let origin = '';

  const allowed = (req: IncomingMessage) => {
    const session = readCookie(req, 'session');
    return session !== undefined && sessions.has(session) && sessions.get(session) === req.headers['user-agent'];
  };

  const renderPage = (base: string) => {
    const ld = {
      '@context': 'https://schema.org', '@type': 'VideoObject', name: 'Benchmark 60 s 1080p HLS',
      duration: `PT${HLS_SECONDS}S`, author: { '@type': 'Person', name: 'Fixture Uploader' }, uploadDate: '2026-01-02',
      contentUrl: `${base}/hls/${HLS_PAGE}/master.m3u8`, encodingFormat: 'application/x-mpegURL',
    };
    return `<!doctype html><html><head><title>Benchmark 60 s 1080p HLS</title>
<script type="application/ld+json">${JSON.stringify(ld).replace(/</g, '\\u003c')}</script>
</head><body><h1>Benchmark 60 s 1080p HLS</h1></body></html>`;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    const base = req.headers.host ? `http://${req.headers.host}` : origin;
    const parts = url.pathname.split('/').slice(1);
    if (parts[0] === 'watch' && parts[1] === HLS_PAGE && parts.length === 2) {
      stats.pages += 1;
      const session = randomBytes(12).toString('hex');
      sessions.set(session, req.headers['user-agent']);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': `session=${session}; Path=/` });
      return void res.end(renderPage(base));
    }
    const file = parts[2] ?? '';
    if (parts[0] !== 'hls' || parts[1] !== HLS_PAGE || parts.length !== 3 || !SAFE_NAME.test(file)) {
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
    const playlist = file.endsWith('.m3u8');
    if (playlist) stats.playlists += 1;
    else stats.segments += 1;
    if (!allowed(req)) {
      stats.forbidden += 1;
      return void res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: cookie or user-agent missing');
    }
    const data = await readCached(file).catch(() => undefined);
    if (!data) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    // Range, for completeness (neither ffmpeg's hls demuxer nor the relay asks for it on whole segments).
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
    if (start > end) return void res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
    res.writeHead(range ? 206 : 200, {
      'content-type': playlist ? 'application/vnd.apple.mpegurl' : 'video/mp2t', 'accept-ranges': 'bytes',
      'content-length': end - start + 1, 'cache-control': 'no-store',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${data.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    await sendBody(res, data.subarray(start, end + 1), options.throttle);
  }

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl: () => `${origin}/watch/${HLS_PAGE}`,
    stats,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
