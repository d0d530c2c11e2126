// The web page at `/`: a few static files from public/ (and shared/, which the
// CLI imports too), read once, served with a strict Content-Security-Policy
// (no inline code, nothing third-party).
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** URL path → file, from the package's top (the sources, or dist/). */
export const PAGE_FILES: Record<string, string> = {
  '/': 'public/index.html',
  '/app.js': 'public/app.js',
  '/format.js': 'shared/format.js',
  '/save.js': 'public/save.js',
  '/playlist.js': 'public/playlist.js',
  '/save-folder.js': 'public/save-folder.js',
  '/playlist-format.js': 'shared/playlist-format.js',
  '/choices.js': 'public/choices.js',
  '/size-line.js': 'public/size-line.js',
  '/clip-span.js': 'shared/clip-span.js',
  '/style.css': 'public/style.css',
  '/favicon.svg': 'public/favicon.svg',
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Thumbnails come from the video sites themselves.
  'img-src \'self\' https: http: data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The top of the sources, or dist/ (the build copies public/ and shared/ there). */
function findPageRoot(): string {
  const dir = fileURLToPath(new URL('../../', import.meta.url));
  if (!existsSync(`${dir}public/index.html`)) throw new Error(`passmux: the web page is missing (${dir}public); run npm run build`);
  return dir;
}

let cache: Map<string, Buffer> | undefined;

function loadFile(name: string): Buffer {
  cache ??= new Map();
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(`${findPageRoot()}${name}`);
    cache.set(name, body);
  }
  return body;
}

export function servePageFile(res: ServerResponse, path: string): void {
  const name = PAGE_FILES[path]!;
  const body = loadFile(name);
  res.writeHead(200, {
    'content-type': TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
    'content-length': body.length,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
