// Paired A/B of server builds, for tuning (issue 22): the same scenario run on
// each variant in turn (A B A B …), so a drift of the shared machine hits both.
//   tsx bench/ab.ts <mode> [rounds] <label>=<dist dir>[,VAR=value…] …
// mode: crowd (50 slow clients on the plain file server: peak RSS), crowd-fixture
// (the same on the fixture site), throttled (20 s 1080p at 4 MB/s per connection:
// MB/s), throttled-hls (the 60 s HLS source, same throttle), cpu (600 s plain source
// unthrottled: CPU s/GB, server and its ffmpeg).
// A variant named `bare` (no dist) is bare ffmpeg on the same source.
// MEM_PROBE=1: each crowd server also reports its peak heap/external/arrayBuffers (bench/mem-probe.ts);
// MEM_PROBE=gc adds a full collection every 500 ms, to tell live Buffers from uncollected ones.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractSelection } from '../lib/index.js';
import { median, memoryMb, spawnJsonLines, stop, stopAll, type JsonLinesProcess } from './measure.js';
import { HLS_PAGE } from './hls-site.js';
import { PLAIN_PAGE } from './plain-site.js';
import { runBareFfmpeg, runPassmux, slowClients, type Run } from './scenarios.js';

const [mode = 'crowd', roundsArg = '3', ...specs] = process.argv.slice(2);
const rounds = Number(roundsArg);
const variants = specs.map((spec) => {
  const [label, rest = ''] = spec.split('=', 2).length === 2 ? [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)] : [spec, ''];
  const [dist, ...vars] = rest.split(',');
  return { label: label!, dist: dist!, env: Object.fromEntries(vars.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)])) };
});
if (variants.length === 0) throw new Error('usage: tsx bench/ab.ts <crowd|crowd-fixture|throttled|cpu> [rounds] <label>=<dist>[,VAR=v…] …');
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));

async function startServer(dist: string, env: Record<string, string>, probe?: string): Promise<{ proc: JsonLinesProcess; origin: string }> {
  const gc = process.env.MEM_PROBE === 'gc' ? ['--expose-gc'] : [];
  const args = probe ? [...gc, '--import', 'tsx', '--import', './bench/mem-probe.ts', join(dist, 'server.js')] : [join(dist, 'server.js')];
  const proc = await spawnJsonLines(process.execPath, args, {
    ...process.env, PORT: '0', HOST: '127.0.0.1', PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_SHUTDOWN_GRACE_MS: '2000',
    ...(probe ? { MEM_PROBE_FILE: probe } : {}), ...env,
  });
  return { proc, origin: `http://${String(proc.first.address)}` };
}

const throttled = mode.startsWith('throttled');
const hls = mode === 'throttled-hls';
const fixture = mode === 'crowd' || mode === 'cpu'
  ? await spawnJsonLines(process.execPath, ['--import', 'tsx', 'bench/plain-process.ts'])
  : await spawnJsonLines(process.execPath, ['--import', 'tsx', 'bench/fixture-process.ts', throttled ? '4000000' : '0']);
const origin = String(hls ? fixture.first.hlsOrigin : fixture.first.origin);
const page = mode === 'crowd' || mode === 'cpu' ? `${origin}/watch/${PLAIN_PAGE}`
  : `${origin}/watch/${hls ? HLS_PAGE : throttled ? 'bench-20s' : 'bench-120s'}`;
const results = new Map<string, string[]>(variants.map((v) => [v.label, []]));
const values = new Map<string, number[]>(variants.map((v) => [v.label, []]));

async function crowdRound(variant: (typeof variants)[number]): Promise<void> {
  const probe = process.env.MEM_PROBE ? join(tmpdir(), `passmux-ab-probe-${process.pid}.jsonl`) : undefined;
  if (probe) rmSync(probe, { force: true });
  const { proc, origin: server } = await startServer(variant.dist, {
    PASSMUX_MAX_CONNECTIONS: '50', PASSMUX_MAX_WORKERS: '25', PASSMUX_MAX_CONNECTIONS_PER_CLIENT: '0', ...variant.env,
  }, probe);
  try {
    await fetch(`${server}/info?url=${encodeURIComponent(page)}`);
    const admitted = await slowClients(server, page, 50, 200, 10_000);
    const peak = memoryMb(proc.child.pid!).peak;
    values.get(variant.label)!.push(peak);
    results.get(variant.label)!.push(`${peak.toFixed(0)} MB (${admitted} streaming)`);
  } finally {
    await stop(proc.child);
  }
  if (probe) results.get(variant.label)!.push(`parts ${readFileSync(probe, 'utf8').trim()}`);
}

async function downloads(): Promise<void> {
  const selection = await extractSelection(page, { allowPrivateNetworks: true });
  const servers = new Map<string, { proc: JsonLinesProcess; origin: string }>();
  for (const v of variants.filter((x) => x.label !== 'bare')) {
    const started = await startServer(v.dist, v.env);
    await fetch(`${started.origin}/info?url=${encodeURIComponent(page)}`);
    servers.set(v.label, started);
  }
  const once = (label: string): Promise<Run> => {
    const server = servers.get(label);
    return server ? runPassmux(server.origin, page, server.proc) : runBareFfmpeg(selection);
  };
  try {
    for (const v of variants) await once(v.label); // warm-up
    for (let round = 0; round < rounds; round += 1) {
      for (const v of variants) {
        const run = await once(v.label);
        const gb = run.bytes / 1e9;
        const mbps = run.bytes / 1e6 / run.seconds;
        values.get(v.label)!.push(throttled ? mbps : run.cpu / gb);
        const split = run.split ? ` = server ${(run.split.server / gb).toFixed(2)} (sys ${(run.split.serverSys / gb).toFixed(2)}) + ffmpeg ${(run.split.ffmpeg / gb).toFixed(2)}` : '';
        results.get(v.label)!.push(`${mbps.toFixed(1)} MB/s, ${(run.cpu / gb).toFixed(2)} CPU s/GB${split}, ttfb ${run.ttfbMs.toFixed(0)} ms`);
      }
    }
  } finally {
    for (const { proc } of servers.values()) await stop(proc.child);
  }
}

try {
  if (mode.startsWith('crowd')) {
    for (let round = 0; round < rounds; round += 1) for (const v of variants) await crowdRound(v);
  } else {
    await downloads();
  }
} finally {
  await stop(fixture.child);
}
const unit = mode.startsWith('crowd') ? 'MB peak RSS' : throttled ? 'MB/s' : 'CPU s/GB';
for (const v of variants) {
  const list = values.get(v.label)!;
  console.log(`${v.label}: median ${median(list).toFixed(2)} ${unit} (${Math.min(...list).toFixed(2)}–${Math.max(...list).toFixed(2)})`);
  for (const line of results.get(v.label)!) console.log(`  ${line}`);
}
const [a, b] = variants;
if (a && b) {
  const ratios = values.get(a.label)!.map((x, i) => x / values.get(b.label)![i]!);
  console.log(`${a.label} / ${b.label}, run by run: ${ratios.map((r) => r.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})`);
}
