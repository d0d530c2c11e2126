#!/usr/bin/env node
// A yt-dlp (or a plugin) that answers with 200 formats, all at the address in
// the page URL's `to` parameter: passmux must refuse the lot and fetch none.
if (process.argv.includes('--help')) process.exit(0);
const page = new URL(process.argv.at(-1));
const target = page.searchParams.get('to');
const requested_formats = Array.from({ length: 200 }, (_, n) => ({
  format_id: String(n), url: `${target}/track${n}.mp4`, protocol: 'http',
  vcodec: n % 2 ? 'none' : 'h264', acodec: n % 2 ? 'aac' : 'none', http_headers: {},
}));
process.stdout.write(JSON.stringify({ id: 'many', title: 'Many tracks', requested_formats }));
