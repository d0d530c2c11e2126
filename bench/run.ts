// npm run bench: how fast, and at what CPU and memory cost, passmux moves
// bytes compared with bare ffmpeg on the same inputs, measured in one run.
// Loopback only: fixture sites of ours, our server, our ffmpeg.
import { execFileSync } from 'node:child_process';
import { unlink } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { extractSelection } from '../lib/internal.js';
import { ensureMedia } from '../test/helpers/media.js';
import { checkOutput } from './check-output.js';
import { ensureBenchHls, HLS_SECONDS, HLS_SEGMENT_SECONDS, HLS_VIDEO_FRAMES } from './hls-source.js';
import { HLS_PAGE } from './hls-site.js';
import { PLAIN_PAGE } from './plain-site.js';
import { ensurePlainMedia, PLAIN_SECONDS } from './plain-source.js';
import { median, memoryMb, stop, stopAll } from './measure.js';
import { measureResume, RESUME_AT, RESUME_GOAL, resumeDetails, resumeTable, type ResumeRow } from './resume.js';
import { measureRangeCost } from './range-cost.js';
import { measureClips } from './clip.js';
import { runBareFfmpeg, runNodeRead, runPassmux, savePassmux, slowClients, type Run } from './scenarios.js';
import { cpuSplit, ratioRanges, table, type Row } from './report.js';
import { startFixture, startPassmux, startPlain } from './servers.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/**
 * BENCH_ONLY=throughput or BENCH_ONLY=crowd runs one half; BENCH_ONLY=hls only the HLS rows (for tuning);
 * BENCH_ONLY=plain only the plain file server's source (its rows, its CPU split and its crowd); BENCH_ONLY=shapes
 * the two unthrottled whole-file sources side by side (fixture site and plain file server, rows and crowds);
 * BENCH_ONLY=resume only the resume at 90 % (bench/resume.ts) on the whole-file sources; BENCH_ONLY=range only
 * what a `bytes=-1` costs upstream (bench/range-cost.ts); BENCH_ONLY=clip only the clips (bench/clip.ts).
 */
const ONLY = process.env.BENCH_ONLY;
const THROTTLE = 4_000_000;

// Ctrl-C or a kill: take down every process the bench started (fixtures, servers, ffmpeg) before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

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

const HLS_LABEL = `${HLS_SECONDS} s 1080p HLS, ${HLS_SEGMENT_SECONDS} s TS segments (~180 MB)`;
/** The same media as the 120 s source, as YouTube serves it: ftyp, moov+mvex, sidx, moof/mdat (video cut at its keyframes, audio every 2 s). */
const FRAGMENTED_LABEL = '120 s 1080p fragmented MP4 (~360 MB), unthrottled';
const PLAIN_LABEL = `${PLAIN_SECONDS} s 1080p 5 Mbit/s + AAC (~400 MB), plain file server (64 KiB writes), unthrottled`;
/** Which parts run: the fixture site's sources, the HLS ones, the plain file server's; the crowd on each. */
const runResume = ONLY === undefined || ONLY === 'resume';
const runRange = ONLY === undefined || ONLY === 'range';
const runClip = ONLY === undefined || ONLY === 'clip';
const runFixture = ONLY === undefined || ONLY === 'throughput' || ONLY === 'crowd' || ONLY === 'hls' || ONLY === 'shapes' || runResume;
const runPlain = ONLY === undefined || ONLY === 'throughput' || ONLY === 'crowd' || ONLY === 'plain' || ONLY === 'shapes' || runResume;

console.error('preparing sources (cached after the first run)…');
if (runFixture) {
  for (const name of ['bench-20s-video.mp4', 'bench-20s-audio.m4a', 'bench-120s-video.mp4', 'bench-120s-audio.m4a',
    'bench-120s-video-frag.mp4', 'bench-120s-audio-frag.m4a']) await ensureMedia(name);
  await ensureBenchHls(); // the fixture process serves the HLS site too
}
if (runPlain) await ensurePlainMedia();
const rows: Row[] = [];
const crowd: string[] = [];
const checks: string[] = [];
const resumes: ResumeRow[] = [];
let rangeCost: string | undefined;
let clips: string | undefined;
let broken = false;
try {
  const fast = runFixture ? await startFixture(0) : undefined;
  const slow = runFixture && ONLY !== 'crowd' ? await startFixture(THROTTLE) : undefined;
  const plain = runPlain ? await startPlain() : undefined;
  const throttled = `${THROTTLE / 1e6} MB/s per connection`;
  const sources = [
    ...(fast && slow ? [
      { source: '120 s 1080p (~360 MB), unthrottled', page: `${fast.origin}/watch/bench-120s`, hls: false },
      { source: FRAGMENTED_LABEL, page: `${fast.origin}/watch/bench-120s-frag`, hls: false },
      { source: `20 s 1080p (~60 MB), ${throttled}`, page: `${slow.origin}/watch/bench-20s`, hls: false },
      { source: `${HLS_LABEL}, unthrottled`, page: `${fast.hlsOrigin}/watch/${HLS_PAGE}`, hls: true },
      { source: `${HLS_LABEL}, ${throttled}`, page: `${slow.hlsOrigin}/watch/${HLS_PAGE}`, hls: true },
    ] : []),
    ...(plain ? [{ source: PLAIN_LABEL, page: `${plain.origin}/watch/${PLAIN_PAGE}`, hls: false }] : []),
  ].filter(({ source, hls }) => (ONLY === 'crowd' || ONLY === 'resume' ? false : ONLY === 'hls' ? hls
    // The two unthrottled whole-file shapes side by side: the fixture site's and the plain file server's.
    : ONLY === 'shapes' ? !hls && source.endsWith('unthrottled') : true));
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
  const crowds = ONLY === 'throughput' || ONLY === 'hls' || ONLY === 'resume' ? [] : [
    ...(fast ? [{ label: 'relay, 120 s 1080p fixture site (16 KiB writes)', page: `${fast.origin}/watch/bench-120s` }] : []),
    ...(plain ? [{ label: `relay, ${PLAIN_SECONDS} s 1080p 5 Mbit/s plain file server (64 KiB writes)`, page: `${plain.origin}/watch/${PLAIN_PAGE}` }] : []),
  ];
  for (const { label, page } of crowds) {
    console.error(`50 slow clients (25 muxing, 25 queued), ${label}…`);
    // One address plays 50 clients: the per-client limit is off for the crowd.
    const { proc, origin } = await startPassmux({ PASSMUX_MAX_CONNECTIONS: '50', PASSMUX_MAX_WORKERS: '25', PASSMUX_MAX_CONNECTIONS_PER_CLIENT: '0' });
    try {
      await fetch(`${origin}/info?url=${encodeURIComponent(page)}`);
      const admitted = await slowClients(origin, page, 50, 200, 10_000);
      crowd.push(`- ${label}: server peak RSS ${memoryMb(proc.child.pid!).peak.toFixed(0)} MB (${admitted} streaming, the rest queued)`);
    } finally {
      await stop(proc.child);
    }
  }
  // The resume at 90 %, on the whole-file sources (an HLS download has no exact length, so no ranges).
  const resumeSources = !runResume ? [] : [
    ...(fast ? [{ source: '120 s 1080p (~360 MB), unthrottled', page: `${fast.origin}/watch/bench-120s` },
      { source: FRAGMENTED_LABEL, page: `${fast.origin}/watch/bench-120s-frag` }] : []),
    ...(slow ? [{ source: `20 s 1080p (~60 MB), ${throttled}`, page: `${slow.origin}/watch/bench-20s` }] : []),
    ...(plain ? [{ source: PLAIN_LABEL, page: `${plain.origin}/watch/${PLAIN_PAGE}` }] : []),
  ];
  for (const { source, page } of resumeSources) {
    console.error(`resume at ${RESUME_AT * 100} %, ${source}…`);
    const { proc, origin } = await startPassmux({});
    try {
      await fetch(`${origin}/info?url=${encodeURIComponent(page)}`); // extraction cached, as for the throughput rows
      const row = await measureResume(source, origin, page, proc, RUNS);
      broken ||= !row.allMatched;
      resumes.push(row);
    } finally {
      await stop(proc.child);
    }
  }
  if (runRange) rangeCost = await measureRangeCost(RUNS);
  if (runClip) clips = await measureClips(RUNS);
} finally {
  // Fixtures, and anything a failure left running.
  await stopAll();
}

const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0];
console.log(`passmux benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, `
  + `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${ffmpegVersion}; medians of ${RUNS} runs after a warm-up.\n`);
if (rows.length > 0) console.log(`${table(rows)}\n\nEach passmux run against the bare ffmpeg median of its source:\n${ratioRanges(rows).join('\n')}`);
if (rows.length > 0) console.log(`\nWhere the passmux CPU goes (range over the ${RUNS} timed runs; server = Node: HTTP, relay, output; ffmpeg = its reaped children):\n${cpuSplit(rows).join('\n')}`);
if (checks.length > 0) console.log(`\nOutput checks (ffprobe, every packet counted):\n${checks.join('\n')}`);
if (resumes.length > 0) {
  console.log(`\nResume at ${RESUME_AT * 100} % (each run: a whole GET /download, then Range: bytes=floor(${RESUME_AT} × length)- with If-Range: its ETag; `
    + `TTFB = first body byte; TTFB ÷ full = median of each pair's own ratio, goal < ${RESUME_GOAL}; bytes match = the 206 had the right `
    + `Content-Range and its bytes' SHA-256 equals that of the whole body's tail, in every pair, the warm-up's included):\n${resumeTable(resumes)}`);
  const details = resumeDetails(resumes);
  if (details.length > 0) console.log(`\nEach resume over the ${RUNS} timed runs:\n${details.join('\n')}`);
}
if (rangeCost) console.log(`\nWhat a range costs (bench/range-cost.ts; each run a fresh passmux, the page extracted, then Range: bytes=-1 (its probe included), then the whole body; upstream = what the fixture site sent; fixture and passmux in one process):\n${rangeCost}`);
if (clips) console.log(`\nClips of 600 s 1080p 5 Mbit/s + AAC, plain file server (bench/clip.ts; fetched = what the file server sent; CPU = passmux and its ffmpeg):\n${clips}`);
if (crowd.length > 0) console.log(`\n50 clients at once (25 muxing, 25 queued), each reading what is buffered every 200 ms for 10 s:\n${crowd.join('\n')}`);
if (broken) process.exitCode = 1;
