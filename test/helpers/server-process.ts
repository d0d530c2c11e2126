// The real server.ts as its own process (signals, start-up log, environment
// exactly as an operator sets it), with every line it prints kept.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  origin: string;
  port: number;
  /** Every JSON line on stdout so far. */
  events: Array<Record<string, unknown>>;
  /** Everything written to stdout and stderr so far (to look for leaks). */
  output(): string;
  /** The first event (already logged or still to come) with this name that `match` accepts. */
  waitFor(event: string, match?: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** SIGTERM (unless it has exited) and the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Starts `node --import tsx server.ts` with PORT=0 on 127.0.0.1 (unless `env` says otherwise) and `env`; resolves once it listens. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: root, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Array<Record<string, unknown>> = [];
  const waiting: Array<{ event: string; match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }> = [];
  let text = '';
  child.stderr!.on('data', (chunk) => { text += chunk; });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    text += `${line}\n`;
    if (!line.startsWith('{')) return;
    const entry = JSON.parse(line) as Record<string, unknown>;
    events.push(entry);
    for (const waiter of [...waiting]) {
      if (waiter.event !== entry.event || !waiter.match(entry)) continue;
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(entry);
    }
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const waitFor = (event: string, match: (e: Record<string, unknown>) => boolean = () => true) => {
    const seen = events.find((entry) => entry.event === event && match(entry));
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve) => waiting.push({ event, match, resolve }));
  };
  const listening = await Promise.race([waitFor('listening'), exited.then(([code]) => {
    throw new Error(`server exited with ${code} before listening: ${text}`);
  })]);
  const port = Number(String(listening.address).split(':').at(-1));
  return {
    child, port, origin: `http://${env.HOST ?? '127.0.0.1'}:${port}`, events, output: () => text, waitFor, exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return (await exited)[0];
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms` naming `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
