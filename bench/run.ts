// npm run bench: how fast, and at what CPU and memory cost, passmux moves
// bytes compared with bare ffmpeg on the same inputs, measured in one run.
// Loopback only: a fixture site of ours, our server, our ffmpeg.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { extractSelection } from '../lib/index.js';
import { ensureMedia } from '../test/helpers/media.js';
import { median, memoryMb, spawnJsonLines, stop, type JsonLinesProcess } from './measure.js';
import { runBareFfmpeg, runNodeRead, runPassmux, slowClients, type Run } from './scenarios.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** BENCH_ONLY=throughput or BENCH_ONLY=crowd runs one half (for tuning). */
const ONLY = process.env.BENCH_ONLY;
const THROTTLE = 4_000_000;

interface Row { source: string; path: string; mbps: number; ttfbMs: number; cpuPerGb: number; rssMb?: number }

async function measure(source: string, path: string, run: () => Promise<Run>, rss?: () => number): Promise<Row> {
  await run(); // warm-up: caches, connections, JIT
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await run());
  const row = {
    source, path,
    mbps: median(runs.map((r) => r.bytes / 1e6 / r.seconds)),
    ttfbMs: median(runs.map((r) => r.ttfbMs)),
    cpuPerGb: median(runs.map((r) => r.cpu / (r.bytes / 1e9))),
    ...(rss ? { rssMb: rss() } : {}),
  };
  console.error(`  ${source} · ${path}: ${row.mbps.toFixed(1)} MB/s, ${row.cpuPerGb.toFixed(2)} CPU s/GB`);
  return row;
}

async function startFixture(throttle: number): Promise<{ proc: JsonLinesProcess; origin: string }> {
  const proc = await spawnJsonLines(process.execPath, ['--import', 'tsx', 'bench/fixture-process.ts', String(throttle)]);
  return { proc, origin: String(proc.first.origin) };
}

async function startPassmux(env: Record<string, string>): Promise<{ proc: JsonLinesProcess; origin: string }> {
  const proc = await spawnJsonLines(process.execPath, ['dist/server.js'], {
    ...process.env, PORT: '0', HOST: '127.0.0.1', PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', ...env,
  });
  return { proc, origin: `http://${String(proc.first.address)}` };
}

async function passmuxRow(source: string, upstream: string, page: string, extraEnv: Record<string, string> = {}): Promise<Row> {
  const { proc, origin } = await startPassmux({ PASSMUX_UPSTREAM: upstream, ...extraEnv });
  try {
    await fetch(`${origin}/info?url=${encodeURIComponent(page)}`); // extraction cached: downloads measure bytes only
    return await measure(source, `passmux /download, ${upstream}`, () => runPassmux(origin, page, proc), () => memoryMb(proc.child.pid!).peak);
  } finally {
    await stop(proc.child);
  }
}

function table(rows: Row[]): string {
  const lines = ['| source | path | MB/s | × bare | TTFB ms | CPU s/GB | × bare CPU | server peak RSS MB |', '|---|---|--:|--:|--:|--:|--:|--:|'];
  for (const row of rows) {
    const bare = rows.find((r) => r.source === row.source && r.path.startsWith('bare ffmpeg'))!;
    lines.push(`| ${row.source} | ${row.path} | ${row.mbps.toFixed(1)} | ${(row.mbps / bare.mbps).toFixed(2)} | ${row.ttfbMs.toFixed(0)} | `
      + `${row.cpuPerGb.toFixed(2)} | ${(row.cpuPerGb / bare.cpuPerGb).toFixed(2)} | ${row.rssMb?.toFixed(0) ?? '—'} |`);
  }
  return lines.join('\n');
}

console.error('preparing sources (cached after the first run)…');
for (const name of ['bench-20s-video.mp4', 'bench-20s-audio.m4a', 'bench-120s-video.mp4', 'bench-120s-audio.m4a']) await ensureMedia(name);
const fast = await startFixture(0);
const slow = await startFixture(THROTTLE);
const rows: Row[] = [];
const crowd: string[] = [];
try {
  for (const [source, site, page] of ONLY === 'crowd' ? [] : [
    ['120 s 1080p (~360 MB), unthrottled', fast.origin, 'bench-120s'],
    [`20 s 1080p (~60 MB), ${THROTTLE / 1e6} MB/s per connection`, slow.origin, 'bench-20s'],
  ] as const) {
    const url = `${site}/watch/${page}`;
    console.error(source);
    const selection = await extractSelection(url, { allowPrivateNetworks: true });
    rows.push(await measure(source, 'Node HTTP read, no ffmpeg (limit)', () => runNodeRead(selection)));
    rows.push(await measure(source, 'bare ffmpeg -headers → pipe', () => runBareFfmpeg(selection)));
    rows.push(await passmuxRow(source, 'relay', url));
  }
  for (const upstream of ONLY === 'throughput' ? [] : ['relay']) {
    console.error(`50 slow clients (25 muxing, 25 queued), ${upstream}…`);
    const { proc, origin } = await startPassmux({ PASSMUX_MAX_CONNECTIONS: '50', PASSMUX_MAX_WORKERS: '25' });
    const page = `${fast.origin}/watch/bench-120s`;
    await fetch(`${origin}/info?url=${encodeURIComponent(page)}`);
    const admitted = await slowClients(origin, page, 50, 200, 10_000);
    crowd.push(`- ${upstream}: server peak RSS ${memoryMb(proc.child.pid!).peak.toFixed(0)} MB (${admitted} streaming, the rest queued)`);
    await stop(proc.child);
  }
} finally {
  await Promise.all([stop(fast.proc.child), stop(slow.proc.child)]);
}

const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0];
console.log(`passmux benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, `
  + `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${ffmpegVersion}; medians of ${RUNS} runs after a warm-up.\n`);
if (rows.length > 0) console.log(table(rows));
if (crowd.length > 0) console.log(`\n50 clients at once (25 muxing, 25 queued), each reading one chunk per 200 ms for 10 s:\n${crowd.join('\n')}`);
