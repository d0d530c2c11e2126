#!/usr/bin/env node
// Stands in for a current yt-dlp: runs the installed one, then rewrites its
// JSON the way current versions report cookies (no Cookie in http_headers, a
// Set-Cookie-style `cookies` field on each format instead).
import { spawnSync } from 'node:child_process';

const real = process.env.REAL_YTDLP || 'yt-dlp';
const result = spawnSync(real, process.argv.slice(2), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
process.stderr.write(result.stderr ?? '');
if (result.status !== 0) process.exit(result.status ?? 1);

const info = JSON.parse(result.stdout);
for (const format of [info, ...(info.formats ?? []), ...(info.requested_formats ?? [])]) {
  const headers = format.http_headers ?? {};
  if (!headers.Cookie) continue;
  const host = new URL(format.url ?? info.webpage_url).hostname;
  format.cookies = headers.Cookie.split('; ').map((pair) => `${pair}; Domain=${host}; Path=/`).join('; ');
  delete headers.Cookie;
}
process.stdout.write(JSON.stringify(info));
