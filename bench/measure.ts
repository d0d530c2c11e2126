// Reading CPU time and memory of processes from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds of `pid`: its own, plus (with `children`) those of its children it has reaped. */
export function cpuSeconds(pid: number | 'self', children = true): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11..14]: utime stime cutime cstime (man 5 proc, counted from field 3).
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
  return (utime + stime + (children ? cutime + cstime : 0)) / TICKS;
}

/** CPU seconds of `pid` by kind: its own user and system time, and its reaped children's. */
export function cpuParts(pid: number): { user: number; sys: number; childUser: number; childSys: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [user, sys, childUser, childSys] = fields.slice(11, 15).map((v) => Number(v) / TICKS) as [number, number, number, number];
  return { user, sys, childUser, childSys };
}

/** Peak and current resident memory of `pid`, in MB. */
export function memoryMb(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface JsonLinesProcess {
  child: ChildProcess;
  /** The first JSON line it printed (its address). */
  first: Record<string, unknown>;
  /** Emits 'line' with every later JSON line. */
  lines: EventEmitter;
}

/** Every child the bench started and has not seen exit: stopped on SIGINT/SIGTERM (stopAll). */
const children = new Set<ChildProcess>();

/** Remembers `child` until it exits. */
export function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Stops every tracked child (SIGTERM, SIGKILL after `graceMs`). */
export async function stopAll(graceMs = 5_000): Promise<void> {
  await Promise.all([...children].map(async (child) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await stop(child);
    clearTimeout(timer);
  }));
}

/** Spawns a process that prints JSON lines, and resolves once it printed the first. */
export async function spawnJsonLines(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<JsonLinesProcess> {
  const child = track(spawn(command, args, { env, stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = new EventEmitter();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try { lines.emit('line', JSON.parse(line)); } catch { /* not JSON: ignore */ }
  });
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready`)));
    lines.once('line', resolve);
  });
  return { child, first, lines };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin?.end();
  child.kill('SIGTERM');
  await exited;
}
