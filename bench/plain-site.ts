// A plain file server for the benchmark's second source shape (issue 13): not
// the fixture site (which reads and writes 16 KiB slices) but the shape of an
// ordinary static server: whole files with Range support, each response a
// fs.createReadStream with a 64 KiB highWaterMark piped to the socket. Like the
// other fixtures it is a page real yt-dlp understands (schema.org JSON-LD → a
// DASH manifest whose representations are the whole files, so separate video
// and audio formats), and the manifest and media answer only with the page's
// session cookie AND the User-Agent that fetched the page (else 403).
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { avcCodec } from './hls-source.js';
import { ensurePlainMedia, PLAIN_SECONDS } from './plain-source.js';
import { readCookie } from '../test/helpers/fixture-site.js';

export const PLAIN_PAGE = 'bench-plain-600s';
const TITLE = 'Benchmark 600 s 1080p 5 Mbit/s';
const CHUNK = 64 * 1024;

export interface PlainSite {
  origin: string;
  /** `bytes`: media bytes read from disk for responses (what a client made the server send). */
  stats: { pages: number; media: number; forbidden: number; bytes: number };
  close(): Promise<void>;
}

interface File { name: string; path: string; size: number; mime: string; codecs: string; video: boolean }

function renderPage(base: string): string {
  const ld = {
    '@context': 'https://schema.org', '@type': 'VideoObject', name: TITLE,
    duration: `PT${PLAIN_SECONDS}S`, author: { '@type': 'Person', name: 'Fixture Uploader' }, uploadDate: '2026-01-02',
    contentUrl: `${base}/dash/${PLAIN_PAGE}.mpd`, encodingFormat: 'application/dash+xml',
  };
  return `<!doctype html><html><head><title>${TITLE}</title>
<script type="application/ld+json">${JSON.stringify(ld).replace(/</g, '\\u003c')}</script>
</head><body><h1>${TITLE}</h1></body></html>`;
}

function renderMpd(base: string, files: File[]): string {
  const sets = files.map((f, i) => `  <AdaptationSet mimeType="${f.mime}" contentType="${f.video ? 'video' : 'audio'}">
   <Representation id="r${i}" codecs="${f.codecs}" bandwidth="${Math.round((f.size * 8) / PLAIN_SECONDS)}" ${f.video ? 'width="1920" height="1080" frameRate="30"' : 'audioSamplingRate="48000"'}>
    <BaseURL>${base}/media/${f.name}</BaseURL>
   </Representation>
  </AdaptationSet>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" type="static" mediaPresentationDuration="PT${PLAIN_SECONDS}S" minBufferTime="PT2S">
 <Period>
${sets}
 </Period>
</MPD>`;
}

export async function startPlainSite(): Promise<PlainSite> {
  const { video, audio } = await ensurePlainMedia();
  const files: File[] = [
    { name: basename(video), path: video, size: statSync(video).size, mime: 'video/mp4', codecs: avcCodec(video), video: true },
    { name: basename(audio), path: audio, size: statSync(audio).size, mime: 'audio/mp4', codecs: 'mp4a.40.2', video: false },
  ];
  const sessions = new Map<string, string | undefined>();
  const stats = { pages: 0, media: 0, forbidden: 0, bytes: 0 };
  let origin = '';

  const allowed = (req: IncomingMessage) => {
    const session = readCookie(req, 'session');
    return session !== undefined && sessions.has(session) && sessions.get(session) === req.headers['user-agent'];
  };
  const forbid = (res: ServerResponse) => {
    stats.forbidden += 1;
    res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: cookie or user-agent missing');
  };

  async function serveFile(req: IncomingMessage, res: ServerResponse, file: File): Promise<void> {
    stats.media += 1;
    if (!allowed(req)) return forbid(res);
    let start = 0;
    let end = file.size - 1;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      start = range[1] ? Number(range[1]) : Math.max(0, file.size - Number(range[2]));
      end = range[1] && range[2] ? Math.min(Number(range[2]), file.size - 1) : file.size - 1;
      if (start >= file.size || start > end) return void res.writeHead(416, { 'content-range': `bytes */${file.size}` }).end();
    }
    res.writeHead(range ? 206 : 200, {
      'content-type': file.mime, 'accept-ranges': 'bytes', 'content-length': end - start + 1,
      ...(range ? { 'content-range': `bytes ${start}-${end}/${file.size}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    const read = createReadStream(file.path, { start, end, highWaterMark: CHUNK }).on('data', (chunk) => { stats.bytes += chunk.length; });
    await pipeline(read, res).catch(() => {});
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const base = req.headers.host ? `http://${req.headers.host}` : origin;
    const [, area, leaf = ''] = url.pathname.split('/');
    if (area === 'watch' && leaf === PLAIN_PAGE) {
      stats.pages += 1;
      const session = randomBytes(12).toString('hex');
      sessions.set(session, req.headers['user-agent']);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': `session=${session}; Path=/` });
      return void res.end(renderPage(base));
    }
    if (area === 'dash' && leaf === `${PLAIN_PAGE}.mpd`) {
      if (!allowed(req)) return forbid(res);
      res.writeHead(200, { 'content-type': 'application/dash+xml' });
      return void res.end(renderMpd(base, files));
    }
    const file = area === 'media' ? files.find((f) => f.name === leaf) : undefined;
    if (file) return void serveFile(req, res, file).catch(() => res.destroy());
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    stats,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
