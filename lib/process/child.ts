// Spawning and stopping external programs. Each child gets its own process
// group (detached) so that a signal reaches any helpers it started, and its
// stderr is always drained into a small ring so it never blocks on a full pipe.
import { spawn, type ChildProcess } from 'node:child_process';
import { buildChildEnv } from './child-env.js';

export const STDERR_TAIL_BYTES = 8 * 1024;

export interface GroupChild {
  child: ChildProcess;
  /** Resolves with the exit code (or null if killed by a signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Last bytes the program wrote to stderr. */
  stderrTail(): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process has exited. */
  terminate(graceMs: number): Promise<void>;
  /** Set once spawning failed (e.g. ENOENT). */
  readonly spawnError: NodeJS.ErrnoException | undefined;
}

export interface SpawnGroupOptions {
  /** Keep stdout as a pipe (the default) or ignore it. */
  stdout?: 'pipe' | 'ignore';
  /** The child's whole environment. @default buildChildEnv() (minimal, nothing else inherited) */
  env?: Record<string, string>;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone; the process itself may still be there if it left it.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

export function spawnGroup(command: string, args: readonly string[], options: SpawnGroupOptions = {}): GroupChild {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
    env: options.env ?? buildChildEnv(),
    windowsHide: true,
  });
  let tail = '';
  let spawnError: NodeJS.ErrnoException | undefined;
  let hasExited = false;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    tail = (tail + text).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError ??= error;
      if (child.pid === undefined) { hasExited = true; resolve({ code: null, signal: null }); }
    });
    child.once('exit', (code, signal) => { hasExited = true; resolve({ code, signal }); });
  });

  return {
    child,
    exited,
    stderrTail: () => tail,
    get spawnError() { return spawnError; },
    async terminate(graceMs) {
      if (hasExited) return;
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Sweep helpers the program may have left behind in its group.
      signalGroup(child, 'SIGKILL');
    },
  };
}
