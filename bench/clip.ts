// Bench rows for clips (docs/clips.md): a 30 s clip of 600 s of 1080p
// (5 Mbit/s + AAC, ~400 MB, the plain file server) against the whole
// download: time to first byte, bytes sent, bytes fetched from the media
// server, wall time, CPU of the passmux process and its ffmpeg.
// Part of npm run bench (BENCH_ONLY=clip runs only this).
import { serverArgs } from './servers.js';
import { request, type IncomingMessage } from 'node:http';
import { startPlainSite } from './plain-site.js';
import { PLAIN_PAGE } from './plain-site.js';
import { cpuParts, median, spawnJsonLines, stop } from './measure.js';
import { nextDownloadLog } from './scenarios.js';

const CASES = [
  { label: 'whole 600 s', query: '' },
  { label: '30 s clip (300–330 s)', query: '&start=300&end=330' },
  { label: '30 s clip (570–600 s, the end)', query: '&start=570&end=600' },
];

const get = (url: string) => new Promise<IncomingMessage>((resolve, reject) => request(url, { agent: false }, resolve).on('error', reject).end());

interface ClipRun { ttfbMs: number; bytes: number; fetched: number; seconds: number; cpu: number }

/** Each case `runs` times on one server; a table of medians, every case printed. */
export async function measureClips(runs: number): Promise<string> {
  const site = await startPlainSite();
  const server = await spawnJsonLines(process.execPath, serverArgs(), {
    ...process.env, PORT: '0', HOST: '127.0.0.1', PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_SHUTDOWN_GRACE_MS: '2000',
  });
  const origin = `http://${String(server.first.address)}`;
  const page = `${site.origin}/watch/${PLAIN_PAGE}`;
  const lines = ['| case | sent MB | fetched MB | fetched ÷ inputs | TTFB ms | wall s | CPU s |', '|---|--:|--:|--:|--:|--:|--:|'];
  try {
    // One look at the page first: every timed run then reuses the cached extraction.
    await new Promise((resolve) => void get(`${origin}/info?url=${encodeURIComponent(page)}`).then((res) => res.resume().on('end', resolve)));
    let inputs = 0;
    for (const { label, query } of CASES) {
      const measured: ClipRun[] = [];
      for (let run = 0; run < runs; run++) measured.push(await runOnce(origin, page, query, server, site));
      const m = (pick: (r: ClipRun) => number) => median(measured.map(pick));
      if (query === '') inputs = m((r) => r.fetched);
      lines.push(`| ${label} | ${(m((r) => r.bytes) / 1e6).toFixed(1)} | ${(m((r) => r.fetched) / 1e6).toFixed(1)} | `
        + `${inputs ? (m((r) => r.fetched) / inputs * 100).toFixed(1) : '—'} % | ${m((r) => r.ttfbMs).toFixed(0)} | ${m((r) => r.seconds).toFixed(2)} | ${m((r) => r.cpu).toFixed(2)} |`);
    }
  } finally {
    await stop(server.child);
    await site.close();
  }
  return lines.join('\n');
}

async function runOnce(origin: string, page: string, query: string, server: Awaited<ReturnType<typeof spawnJsonLines>>,
  site: Awaited<ReturnType<typeof startPlainSite>>): Promise<ClipRun> {
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
  if (res.statusCode !== 200 || entry.outcome !== 'completed') throw new Error(`clip bench: ${res.statusCode} ${String(entry.outcome)}`);
  const after = cpuParts(server.child.pid!);
  const cpu = after.user - before.user + after.sys - before.sys + after.childUser - before.childUser + after.childSys - before.childSys;
  return { ttfbMs: ttfb, bytes, fetched: site.stats.bytes - fetchedBefore, seconds, cpu };
}
