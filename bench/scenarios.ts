// One timed run of each way of moving the bytes. Each returns bytes, wall
// time, time to first byte and the CPU seconds it cost.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { cookieHeaderFor } from '../lib/cookie-jar.js';
import { cleanHeaders } from '../lib/headers.js';
import type { MediaInput, Selection } from '../lib/internal.js';
import { cpuParts, cpuSeconds, track, type JsonLinesProcess } from './measure.js';

export interface Run {
  bytes: number;
  seconds: number;
  ttfbMs: number;
  cpu: number;
  /** `cpu` split into the server process's own CPU seconds and its reaped ffmpeg children's (bare ffmpeg: all ffmpeg), and the system time of each. */
  split?: { server: number; ffmpeg: number; serverSys: number; ffmpegSys: number };
}

/** No single run may take longer than this: a stalled transfer fails the bench instead of hanging it. */
export const RUN_TIMEOUT_MS = Number(process.env.BENCH_RUN_TIMEOUT_MS ?? 180_000);

export function get(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, resolve).on('error', reject);
    req.setTimeout(RUN_TIMEOUT_MS, () => req.destroy(new Error(`no answer from ${url} in ${RUN_TIMEOUT_MS} ms`)));
    req.end();
  });
}

/** Reads a body to the end, counting bytes and noting when the first arrived; gives up after RUN_TIMEOUT_MS. */
function drain(body: NodeJS.ReadableStream & { destroy?: (error?: Error) => void }, started: number): Promise<{ bytes: number; ttfbMs: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let ttfbMs = -1;
    const timer = setTimeout(() => {
      const error = new Error(`a transfer took longer than ${RUN_TIMEOUT_MS} ms`);
      body.destroy?.(error);
      reject(error);
    }, RUN_TIMEOUT_MS);
    body.on('data', (chunk: Buffer) => {
      if (ttfbMs < 0) ttfbMs = performance.now() - started;
      bytes += chunk.length;
    });
    body.once('end', () => { clearTimeout(timer); resolve({ bytes, ttfbMs }); });
    body.once('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

/** (1) The limit: both inputs read once with plain Node HTTP, in this process. Whole files only. */
export async function runNodeRead(selection: Selection): Promise<Run> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.all(selection.inputs.map(async (input) => drain(await get(input.url, headersOf(input)), started)));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    bytes: results.reduce((n, r) => n + r.bytes, 0),
    seconds: (performance.now() - started) / 1000,
    ttfbMs: Math.min(...results.map((r) => r.ttfbMs)),
    cpu: (cpu.user + cpu.system) / 1e6,
  };
}

/**
 * An input's headers with the cookies its jar sends to its own URL: what a
 * baseline without our relay must send by itself (the Cookie is not among the
 * format's headers since cookies became a jar).
 */
function headersOf(input: MediaInput): Record<string, string> {
  const cookie = cookieHeaderFor(input.cookies ?? [], new URL(input.url));
  return cookie ? { ...input.headers, Cookie: cookie } : input.headers;
}

/** ffmpeg's `-headers` text: one `Name: value\r\n` line per header (User-Agent and Cookie among them). */
function headerBlock(headers: Record<string, string>): string {
  return Object.entries(cleanHeaders(headers)).map(([name, value]) => `${name}: ${value}\r\n`).join('');
}

/**
 * Bare ffmpeg reading the extracted URLs itself — files, or HLS media playlists
 * (its own hls demuxer fetches the segments) — with the page's headers, the
 * same maps as passmux, -c copy to fragmented MP4 on stdout.
 */
export function bareFfmpegArgs(inputs: readonly MediaInput[]): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  for (const input of inputs) args.push('-headers', headerBlock(headersOf(input)), '-i', input.url);
  inputs.forEach((input, i) => {
    if (input.kind === 'audio') args.push('-map', `${i}:a:0`);
    else if (input.kind === 'video') args.push('-map', `${i}:v:0`);
    else args.push('-map', `${i}:v:0?`, '-map', `${i}:a:0?`);
  });
  // AAC out of MPEG-TS is ADTS; with empty_moov the mp4 muxer does not convert it itself.
  if (inputs.some((input) => input.protocol === 'hls' && input.kind !== 'video')) args.push('-bsf:a', 'aac_adtstoasc');
  args.push('-c', 'copy', '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', 'pipe:1');
  return args;
}

/** (2) Bare ffmpeg reading the URLs itself (-headers), -c copy fMP4 to a pipe. CPU from our reaped-children time. */
export async function runBareFfmpeg(selection: Selection): Promise<Run> {
  const cpuBefore = cpuSeconds('self') - cpuSeconds('self', false);
  const sysBefore = cpuParts(process.pid).childSys;
  const started = performance.now();
  const child = track(spawn('ffmpeg', bareFfmpegArgs(selection.inputs), { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
  const closed = new Promise((resolve) => child.once('close', resolve));
  const drained = drain(child.stdout!, started).catch((error: Error) => { child.kill('SIGKILL'); throw error; });
  const [{ bytes, ttfbMs }, code] = await Promise.all([drained, closed]);
  if (code !== 0) throw new Error(`bare ffmpeg exited ${String(code)}: ${stderr.trim()}`);
  const cpu = cpuSeconds('self') - cpuSeconds('self', false) - cpuBefore;
  return {
    bytes, seconds: (performance.now() - started) / 1000, ttfbMs, cpu,
    split: { server: 0, ffmpeg: cpu, serverSys: 0, ffmpegSys: cpuParts(process.pid).childSys - sysBefore },
  };
}

/** The next download the server logs (it logs one after its ffmpeg was reaped, so its CPU is counted by then). */
export function nextDownloadLog(server: JsonLinesProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onLine = (entry: Record<string, unknown>) => {
      if (entry.event !== 'download') return;
      server.lines.off('line', onLine);
      resolve(entry);
    };
    server.lines.on('line', onLine);
  });
}

/** (3) A passmux /download; CPU of the server process and the ffmpeg children it reaped. */
export async function runPassmux(origin: string, page: string, server: JsonLinesProcess): Promise<Run> {
  const pid = server.child.pid!;
  const before = cpuParts(pid);
  const logged = nextDownloadLog(server);
  const started = performance.now();
  const res = await get(`${origin}/download?url=${encodeURIComponent(page)}`);
  if (res.statusCode !== 200) throw new Error(`passmux answered ${res.statusCode}`);
  const { bytes, ttfbMs } = await drain(res, started);
  const seconds = (performance.now() - started) / 1000;
  const entry = await logged;
  if (entry.outcome !== 'completed') throw new Error(`download ${String(entry.outcome)}: ${String(entry.message ?? entry.error)}`);
  const after = cpuParts(pid);
  const own = after.user - before.user + after.sys - before.sys;
  const ffmpeg = after.childUser - before.childUser + after.childSys - before.childSys;
  return {
    bytes, seconds, ttfbMs, cpu: own + ffmpeg,
    split: { server: own, ffmpeg, serverSys: after.sys - before.sys, ffmpegSys: after.childSys - before.childSys },
  };
}

/** A passmux /download saved to `path` (not timed: for checking the file). */
export async function savePassmux(origin: string, page: string, path: string): Promise<number> {
  const res = await get(`${origin}/download?url=${encodeURIComponent(page)}`);
  if (res.statusCode !== 200) throw new Error(`passmux answered ${res.statusCode}`);
  let bytes = 0;
  res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
  await pipeline(res, createWriteStream(path));
  if (!res.complete) throw new Error('the download was cut');
  return bytes;
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
