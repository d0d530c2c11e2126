#!/usr/bin/env node
// Stands in for yt-dlp on pages whose formats carry details the fixtures'
// generic pages cannot make yt-dlp report: runs the installed yt-dlp, then
// rewrites each chosen format as the page URL's query asks (the query reaches
// no server logic; yt-dlp fetches the page with it and ignores it):
//   shape=current          cookies as current yt-dlp reports them (a `cookies` field, no Cookie header)
//   extra_cookies=1        (current shape) also a Path=/private cookie and a Secure cookie
//   authorization=<value>  an Authorization header on every format
//   http_chunk_size=<n>    downloader_options.http_chunk_size
//   available_in=<s>       available_at this many seconds after yt-dlp finished
//   protocol=<p>           protocol, in place of m3u8_native
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const query = new URL(args.at(-1)).searchParams;
const real = process.env.REAL_YTDLP || 'yt-dlp';
const result = spawnSync(real, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
process.stderr.write(result.stderr ?? '');
if (result.status !== 0) process.exit(result.status ?? 1);

const info = JSON.parse(result.stdout);
for (const format of [info, ...(info.formats ?? []), ...(info.requested_formats ?? [])]) {
  const headers = (format.http_headers ??= {});
  if (query.get('shape') === 'current' && headers.Cookie) {
    const host = new URL(format.url ?? info.webpage_url).hostname;
    const cookies = headers.Cookie.split('; ').map((pair) => `${pair}; Domain=${host}; Path=/`);
    if (query.get('extra_cookies')) cookies.push(`priv=private-only; Domain=${host}; Path=/private`, `sec=https-only; Domain=${host}; Path=/; Secure`);
    format.cookies = cookies.join('; ');
    delete headers.Cookie;
  }
  if (query.get('authorization')) headers.Authorization = query.get('authorization');
  if (query.get('http_chunk_size')) format.downloader_options = { http_chunk_size: Number(query.get('http_chunk_size')) };
  if (query.get('available_in')) format.available_at = Date.now() / 1000 + Number(query.get('available_in'));
  if (query.get('protocol') && format.protocol === 'm3u8_native') format.protocol = query.get('protocol');
}
process.stdout.write(JSON.stringify(info));
