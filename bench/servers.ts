// The processes a bench run measures against: the plain file server, the
// fixture site (optionally throttled per connection), and passmux itself.
import { readFileSync } from 'node:fs';
import { spawnJsonLines, type JsonLinesProcess } from './measure.js';

/** How `npm start` runs the server (its Node flags included): what the bench measures is what ships. */
export function serverArgs(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = start.split(/\s+/);
  if (node !== 'node' || args.at(-1) !== 'dist/server.js') throw new Error(`npm start is not "node … dist/server.js": ${start}`);
  return args;
}

export interface Fixture { proc: JsonLinesProcess; origin: string; hlsOrigin: string }

/** The plain file server (bench/plain-site.ts), in a process of its own. */
export async function startPlain(): Promise<{ proc: JsonLinesProcess; origin: string }> {
  const proc = await spawnJsonLines(process.execPath, ['--import', 'tsx', 'bench/plain-process.ts']);
  return { proc, origin: String(proc.first.origin) };
}

export async function startFixture(throttle: number): Promise<Fixture> {
  const proc = await spawnJsonLines(process.execPath, ['--import', 'tsx', 'bench/fixture-process.ts', String(throttle)]);
  return { proc, origin: String(proc.first.origin), hlsOrigin: String(proc.first.hlsOrigin) };
}

export async function startPassmux(env: Record<string, string>): Promise<{ proc: JsonLinesProcess; origin: string }> {
  const proc = await spawnJsonLines(process.execPath, serverArgs(), {
    // A short shutdown grace: nothing is running when the bench stops a server, and it must not wait 30 s if something is.
    ...process.env, PORT: '0', HOST: '127.0.0.1', PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_SHUTDOWN_GRACE_MS: '2000', ...env,
  });
  return { proc, origin: `http://${String(proc.first.address)}` };
}
