// Bench rows for clips (docs/clips.md): a 30 s clip of 600 s of 1080p
// (5 Mbit/s + AAC, ~400 MB, the plain file server) against the whole
// download: time to first byte, bytes sent, bytes fetched from the media
// server, wall time, CPU of the passmux process and its ffmpeg.
// Run: npm run build && node --import tsx bench/clip.ts
import { request, type IncomingMessage } from 'node:http';
import { startPlainSite } from './plain-site.js';
import { PLAIN_PAGE } from './plain-site.js';
import { cpuParts, spawnJsonLines, stop } from './measure.js';
import { nextDownloadLog } from './scenarios.js';

const RUNS = Number(process.env.BENCH_CLIP_RUNS ?? 3);
const CASES = [
  { label: 'whole 600 s', query: '' },
  { label: '30 s clip (300–330 s)', query: '&start=300&end=330' },
  { label: '30 s clip (570–600 s, the end)', query: '&start=570&end=600' },
];

const get = (url: string) => new Promise<IncomingMessage>((resolve, reject) => request(url, { agent: false }, resolve).on('error', reject).end());

const site = await startPlainSite();
const server = await spawnJsonLines(process.execPath, ['dist/server.js'], {
  ...process.env, PORT: '0', HOST: '127.0.0.1', PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_SHUTDOWN_GRACE_MS: '2000',
});
const origin = `http://${String(server.first.address)}`;
const page = `${site.origin}/watch/${PLAIN_PAGE}`;
try {
  // One look at the page first: every timed run then reuses the cached extraction.
  await new Promise((resolve) => void get(`${origin}/info?url=${encodeURIComponent(page)}`).then((res) => res.resume().on('end', resolve)));
  for (const { label, query } of CASES) {
    for (let run = 0; run < RUNS; run++) {
      const fetchedBefore = site.stats.bytes;
      const before = cpuParts(server.child.pid!);
      const logged = nextDownloadLog(server);
      const started = performance.now();
      const res = await get(`${origin}/download?url=${encodeURIComponent(page)}${query}`);
      let bytes = 0;
      let ttfb = -1;
      for await (const chunk of res) {
        if (ttfb < 0) ttfb = performance.now() - started;
        bytes += (chunk as Buffer).length;
      }
      const seconds = (performance.now() - started) / 1000;
      const entry = await logged;
      const after = cpuParts(server.child.pid!);
      const cpu = after.user - before.user + after.sys - before.sys + after.childUser - before.childUser + after.childSys - before.childSys;
      const fetched = site.stats.bytes - fetchedBefore;
      console.log(JSON.stringify({ label, run, status: res.statusCode, outcome: entry.outcome, ttfbMs: Math.round(ttfb), bytes, fetched, seconds: Number(seconds.toFixed(2)), cpu: Number(cpu.toFixed(2)) }));
    }
  }
} finally {
  await stop(server.child);
  await site.close();
}
