// npm run soak: rounds of many concurrent downloads, a third cut at random
// points; after each round the gates, ffmpeg count, open files and memory
// must be back near where they started. Loopback only, bounded in time.
import { serverArgs } from './servers.js';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { childrenNamed } from '../test/helpers/processes.js';
import { memoryMb, spawnJsonLines, stop } from './measure.js';

const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 3);
const CONCURRENT = Number(process.env.SOAK_CONCURRENT ?? 60);
const DEADLINE = Date.now() + Number(process.env.SOAK_MAX_SECONDS ?? 300) * 1000;

const openFiles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One download; `cutAfterMs` set → the client hangs up then. Resolves with the status (0 when cut or failed). */
function download(url: string, cutAfterMs?: number): Promise<{ status: number; bytes: number; cut: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let status = 0;
    const req = request(url, { agent: false }, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => resolve({ status, bytes, cut: false }));
      res.on('error', () => resolve({ status, bytes, cut: true }));
    });
    req.on('error', () => resolve({ status, bytes, cut: true }));
    req.end();
    if (cutAfterMs !== undefined) setTimeout(() => req.destroy(), cutAfterMs);
  });
}

async function healthz(origin: string): Promise<{ open: number; active: number; waiting: number }> {
  return (await fetch(`${origin}/healthz`)).json() as Promise<{ open: number; active: number; waiting: number }>;
}

const fixture = await spawnJsonLines(process.execPath, ['--import', 'tsx', 'bench/fixture-process.ts', '300000']);
const server = await spawnJsonLines(process.execPath, serverArgs(), {
  ...process.env, PORT: '0', HOST: '127.0.0.1', PASSMUX_ALLOW_PRIVATE_NETWORKS: '1',
  PASSMUX_MAX_CONNECTIONS: String(CONCURRENT), PASSMUX_MAX_WORKERS: '25', PASSMUX_MAX_CONNECTIONS_PER_CLIENT: '0',
});
const pid = server.child.pid!;
const origin = `http://${String(server.first.address)}`;
const url = `${origin}/download?url=${encodeURIComponent(`${String(fixture.first.origin)}/watch/h264`)}`;
let failed = false;
try {
  await download(url); // warm-up: extraction cached, relay and agents started
  const base = { fds: openFiles(pid), rss: memoryMb(pid).now };
  console.log(`baseline: ${base.fds} open files, ${base.rss.toFixed(0)} MB RSS`);
  console.log('| round | completed | cut by client | other | open/active/waiting after | ffmpeg after | open files (Δ) | RSS MB (Δ) |');
  console.log('|--:|--:|--:|--:|--|--:|--:|--:|');
  for (let round = 1; round <= ROUNDS && Date.now() < DEADLINE; round += 1) {
    const results = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) =>
      download(url, i % 3 === 0 ? 200 + Math.random() * 6000 : undefined)));
    // Teardown finishes just after the last byte; give it until the gates read zero (bounded).
    let counts = await healthz(origin);
    for (let tries = 0; tries < 100 && counts.open + counts.active + counts.waiting > 0; tries += 1) {
      await sleep(100);
      counts = await healthz(origin);
    }
    const ffmpeg = childrenNamed(pid, 'ffmpeg').length;
    const fds = openFiles(pid);
    const rss = memoryMb(pid).now;
    const completed = results.filter((r) => r.status === 200 && !r.cut).length;
    const cut = results.filter((r) => r.cut).length;
    console.log(`| ${round} | ${completed} | ${cut} | ${CONCURRENT - completed - cut} | ${counts.open}/${counts.active}/${counts.waiting} | ${ffmpeg} | `
      + `${fds} (${fds - base.fds >= 0 ? '+' : ''}${fds - base.fds}) | ${rss.toFixed(0)} (${rss - base.rss >= 0 ? '+' : ''}${(rss - base.rss).toFixed(0)}) |`);
    // Leaks show as gates or processes left over, or descriptors growing round after round.
    if (counts.open + counts.active + counts.waiting > 0 || ffmpeg > 0 || fds - base.fds > 20) failed = true;
  }
} finally {
  await stop(server.child);
  await stop(fixture.child);
}
console.log(failed ? 'soak: FAILED (something was left over)' : 'soak: ok, nothing left over');
process.exitCode = failed ? 1 : 0;
