// npm run bench: how fast, and at what CPU and memory cost, passmux moves
// bytes compared with bare ffmpeg on the same inputs, measured in one run.
// Loopback only: fixture sites of ours, our server, our ffmpeg.
import { execFileSync } from 'node:child_process';
import { unlink } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { extractSelection } from '../lib/index.js';
import { ensureMedia } from '../test/helpers/media.js';
import { checkOutput } from './check-output.js';
import { ensureBenchHls, HLS_SECONDS, HLS_SEGMENT_SECONDS, HLS_VIDEO_FRAMES } from './hls-source.js';
import { HLS_PAGE } from './hls-site.js';
import { median, memoryMb, spawnJsonLines, stop, stopAll, type JsonLinesProcess } from './measure.js';
import { runBareFfmpeg, runNodeRead, runPassmux, savePassmux, slowClients, type Run } from './scenarios.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** BENCH_ONLY=throughput or BENCH_ONLY=crowd runs one half; BENCH_ONLY=hls only the HLS rows (for tuning). */
const ONLY = process.env.BENCH_ONLY;
const THROTTLE = 4_000_000;

// Ctrl-C or a kill: take down every process the bench started (fixtures, servers, ffmpeg) before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

interface Row { source: string; path: string; mbps: number; ttfbMs: number; cpuPerGb: number; rssMb?: number; runs: Run[] }

async function measure(source: string, path: string, run: () => Promise<Run>, rss?: () => number): Promise<Row> {
  await run(); // warm-up: caches, connections, JIT
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await run());
  const mbps = runs.map((r) => r.bytes / 1e6 / r.seconds);
  const cpuPerGb = runs.map((r) => r.cpu / (r.bytes / 1e9));
  const row = {
    source, path, runs,
    mbps: median(mbps),
    ttfbMs: median(runs.map((r) => r.ttfbMs)),
    cpuPerGb: median(cpuPerGb),
    ...(rss ? { rssMb: rss() } : {}),
  };
  console.error(`  ${source} · ${path}: ${row.mbps.toFixed(1)} MB/s, ${row.cpuPerGb.toFixed(2)} CPU s/GB `
    + `(runs: ${mbps.map((v) => v.toFixed(1)).join(' ')} MB/s; ${cpuPerGb.map((v) => v.toFixed(2)).join(' ')} CPU s/GB)`);
  return row;
}

interface Fixture { proc: JsonLinesProcess; origin: string; hlsOrigin: string }

async function startFixture(throttle: number): Promise<Fixture> {
  const proc = await spawnJsonLines(process.execPath, ['--import', 'tsx', 'bench/fixture-process.ts', String(throttle)]);
  return { proc, origin: String(proc.first.origin), hlsOrigin: String(proc.first.hlsOrigin) };
}

async function startPassmux(env: Record<string, string>): Promise<{ proc: JsonLinesProcess; origin: string }> {
  const proc = await spawnJsonLines(process.execPath, ['dist/server.js'], {
    // A short shutdown grace: nothing is running when the bench stops a server, and it must not wait 30 s if something is.
    ...process.env, PORT: '0', HOST: '127.0.0.1', PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_SHUTDOWN_GRACE_MS: '2000', ...env,
  });
  return { proc, origin: `http://${String(proc.first.address)}` };
}

/** Relay settings given in the environment (PASSMUX_RELAY_PARALLEL=10 …) are named in the row; none: the defaults. */
const relayOverrides = Object.keys(process.env).filter((name) => name.startsWith('PASSMUX_RELAY_')).sort()
  .map((name) => `${name.slice('PASSMUX_RELAY_'.length).toLowerCase()}=${process.env[name]}`);
const PASSMUX_PATH = `passmux /download, relay${relayOverrides.length > 0 ? ` (${relayOverrides.join(', ')})` : ''}`;

async function passmuxRow(source: string, page: string, before?: (origin: string) => Promise<void>): Promise<Row> {
  const { proc, origin } = await startPassmux({});
  try {
    await fetch(`${origin}/info?url=${encodeURIComponent(page)}`); // extraction cached: downloads measure bytes only
    await before?.(origin);
    return await measure(source, PASSMUX_PATH, () => runPassmux(origin, page, proc), () => memoryMb(proc.child.pid!).peak);
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

/** The ratio of each passmux run to the bare ffmpeg median of the same source: how far the targets hold run by run. */
function ratioRanges(rows: Row[]): string[] {
  const out: string[] = [];
  for (const row of rows.filter((r) => r.path.startsWith('passmux'))) {
    const bare = rows.find((r) => r.source === row.source && r.path.startsWith('bare ffmpeg'))!;
    const speed = row.runs.map((r) => r.bytes / 1e6 / r.seconds / bare.mbps);
    const cpu = row.runs.map((r) => r.cpu / (r.bytes / 1e9) / bare.cpuPerGb);
    out.push(`- ${row.source}: × bare ${Math.min(...speed).toFixed(2)}–${Math.max(...speed).toFixed(2)}, `
      + `× bare CPU ${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}`);
  }
  return out;
}

const HLS_LABEL = `${HLS_SECONDS} s 1080p HLS, ${HLS_SEGMENT_SECONDS} s TS segments (~180 MB)`;

console.error('preparing sources (cached after the first run)…');
for (const name of ['bench-20s-video.mp4', 'bench-20s-audio.m4a', 'bench-120s-video.mp4', 'bench-120s-audio.m4a']) await ensureMedia(name);
await ensureBenchHls();
const rows: Row[] = [];
const crowd: string[] = [];
const checks: string[] = [];
let broken = false;
try {
  const fast = await startFixture(0);
  const slow = await startFixture(THROTTLE);
  const throttled = `${THROTTLE / 1e6} MB/s per connection`;
  const sources = [
    { source: '120 s 1080p (~360 MB), unthrottled', page: `${fast.origin}/watch/bench-120s`, hls: false },
    { source: `20 s 1080p (~60 MB), ${throttled}`, page: `${slow.origin}/watch/bench-20s`, hls: false },
    { source: `${HLS_LABEL}, unthrottled`, page: `${fast.hlsOrigin}/watch/${HLS_PAGE}`, hls: true },
    { source: `${HLS_LABEL}, ${throttled}`, page: `${slow.hlsOrigin}/watch/${HLS_PAGE}`, hls: true },
  ].filter(({ hls }) => (ONLY === 'crowd' ? false : ONLY === 'hls' ? hls : true));
  let probedBytes: number | undefined;
  for (const { source, page, hls } of sources) {
    console.error(source);
    const selection = await extractSelection(page, { allowPrivateNetworks: true });
    // The limit row reads whole files; an HLS input is a playlist of segments (bare ffmpeg and passmux only).
    if (!hls) rows.push(await measure(source, 'Node HTTP read, no ffmpeg (limit)', () => runNodeRead(selection)));
    rows.push(await measure(source, 'bare ffmpeg -headers → pipe', () => runBareFfmpeg(selection)));
    // Once per run, before the first HLS rows are timed: the file passmux makes from the HLS source is checked whole.
    const check = hls && probedBytes === undefined ? async (origin: string) => {
      const path = join(tmpdir(), `passmux-bench-${process.pid}.mp4`);
      try {
        probedBytes = await savePassmux(origin, page, path);
        const result = await checkOutput(path, probedBytes, { seconds: HLS_SECONDS, videoFrames: HLS_VIDEO_FRAMES, width: 1920, height: 1080 });
        broken ||= !result.ok;
        checks.push(`- passmux /download of the HLS source (${source}): ${result.line}`);
      } finally {
        await unlink(path).catch(() => {});
      }
    } : undefined;
    const row = await passmuxRow(source, page, check);
    rows.push(row);
    if (hls && probedBytes !== undefined) {
      // ffmpeg's output is the same bytes whatever the timing: every timed run must have sent exactly the checked file.
      const off = row.runs.filter((r) => r.bytes !== probedBytes);
      broken ||= off.length > 0;
      checks.push(`- ${source}: ${off.length === 0 ? `all ${row.runs.length} timed passmux runs sent exactly the checked file's ${probedBytes} bytes`
        : `BROKEN: ${off.length} of ${row.runs.length} timed runs sent ${off.map((r) => r.bytes).join(', ')} bytes instead of ${probedBytes}`}`);
    }
  }
  for (const upstream of ONLY === 'throughput' || ONLY === 'hls' ? [] : ['relay']) {
    console.error(`50 slow clients (25 muxing, 25 queued), ${upstream}…`);
    const { proc, origin } = await startPassmux({ PASSMUX_MAX_CONNECTIONS: '50', PASSMUX_MAX_WORKERS: '25' });
    try {
      const page = `${fast.origin}/watch/bench-120s`;
      await fetch(`${origin}/info?url=${encodeURIComponent(page)}`);
      const admitted = await slowClients(origin, page, 50, 200, 10_000);
      crowd.push(`- ${upstream}: server peak RSS ${memoryMb(proc.child.pid!).peak.toFixed(0)} MB (${admitted} streaming, the rest queued)`);
    } finally {
      await stop(proc.child);
    }
  }
} finally {
  // Fixtures, and anything a failure left running.
  await stopAll();
}

const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0];
console.log(`passmux benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, `
  + `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${ffmpegVersion}; medians of ${RUNS} runs after a warm-up.\n`);
if (rows.length > 0) console.log(`${table(rows)}\n\nEach passmux run against the bare ffmpeg median of its source:\n${ratioRanges(rows).join('\n')}`);
if (checks.length > 0) console.log(`\nOutput checks (ffprobe, every packet counted):\n${checks.join('\n')}`);
if (crowd.length > 0) console.log(`\n50 clients at once (25 muxing, 25 queued), each reading one chunk per 200 ms for 10 s:\n${crowd.join('\n')}`);
if (broken) process.exitCode = 1;
