// One timed run of each way of moving the bytes. Each returns bytes, wall
// time, time to first byte and the CPU seconds it cost.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { buildFfmpegArgs, type Selection } from '../lib/index.js';
import { cpuSeconds, type JsonLinesProcess } from './measure.js';

export interface Run {
  bytes: number;
  seconds: number;
  ttfbMs: number;
  cpu: number;
}

function get(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request(url, { headers, agent: false }, resolve).on('error', reject).end());
}

/** Reads a body to the end, counting bytes and noting when the first arrived. */
function drain(body: NodeJS.ReadableStream, started: number): Promise<{ bytes: number; ttfbMs: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let ttfbMs = -1;
    body.on('data', (chunk: Buffer) => {
      if (ttfbMs < 0) ttfbMs = performance.now() - started;
      bytes += chunk.length;
    });
    body.once('end', () => resolve({ bytes, ttfbMs }));
    body.once('error', reject);
  });
}

/** (1) The limit: both inputs read once with plain Node HTTP, in this process. */
export async function runNodeRead(selection: Selection): Promise<Run> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.all(selection.inputs.map(async (input) => drain(await get(input.url, input.headers), started)));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    bytes: results.reduce((n, r) => n + r.bytes, 0),
    seconds: (performance.now() - started) / 1000,
    ttfbMs: Math.min(...results.map((r) => r.ttfbMs)),
    cpu: (cpu.user + cpu.system) / 1e6,
  };
}

/** (2) Bare ffmpeg reading the URLs itself (-headers), -c copy fMP4 to a pipe. CPU from our reaped-children time. */
export async function runBareFfmpeg(selection: Selection): Promise<Run> {
  const cpuBefore = cpuSeconds('self') - cpuSeconds('self', false);
  const started = performance.now();
  const child = spawn('ffmpeg', buildFfmpegArgs(selection.inputs), { stdio: ['ignore', 'pipe', 'ignore'] });
  const [{ bytes, ttfbMs }, code] = await Promise.all([drain(child.stdout, started), new Promise((resolve) => child.once('close', resolve))]);
  if (code !== 0) throw new Error(`bare ffmpeg exited ${String(code)}`);
  return { bytes, seconds: (performance.now() - started) / 1000, ttfbMs, cpu: cpuSeconds('self') - cpuSeconds('self', false) - cpuBefore };
}

/** (3)/(4) A passmux /download; CPU of the server process and the ffmpeg children it reaped. */
export async function runPassmux(origin: string, page: string, server: JsonLinesProcess): Promise<Run> {
  const pid = server.child.pid!;
  const cpuBefore = cpuSeconds(pid);
  // The server logs a download after its ffmpeg was reaped, so its CPU is counted by then.
  const logged = once(server.lines, 'line');
  const started = performance.now();
  const res = await get(`${origin}/download?url=${encodeURIComponent(page)}`);
  if (res.statusCode !== 200) throw new Error(`passmux answered ${res.statusCode}`);
  const { bytes, ttfbMs } = await drain(res, started);
  const seconds = (performance.now() - started) / 1000;
  const [entry] = await logged as [Record<string, unknown>];
  if (entry.outcome !== 'completed') throw new Error(`download ${String(entry.outcome)}: ${String(entry.message)}`);
  return { bytes, seconds, ttfbMs, cpu: cpuSeconds(pid) - cpuBefore };
}

/**
 * Opens `count` downloads at once whose clients read one chunk every
 * `everyMs` (queued ones wait for their headers), for `forMs`; then cuts them
 * all. Resolves with how many got a 200 meanwhile.
 */
export async function slowClients(origin: string, page: string, count: number, everyMs: number, forMs: number): Promise<number> {
  let admitted = 0;
  const timers: NodeJS.Timeout[] = [];
  const requests = Array.from({ length: count }, () => request(`${origin}/download?url=${encodeURIComponent(page)}`, { agent: false }, (res) => {
    if (res.statusCode === 200) admitted += 1;
    res.pause();
    timers.push(setInterval(() => res.read(), everyMs));
  }).on('error', () => {}));
  for (const req of requests) req.end();
  await new Promise((resolve) => setTimeout(resolve, forMs));
  for (const timer of timers) clearInterval(timer);
  for (const req of requests) req.destroy();
  return admitted;
}
