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

/** Spawns a process that prints JSON lines, and resolves once it printed the first. */
export async function spawnJsonLines(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<JsonLinesProcess> {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
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
