// The real server.ts as its own process: configuration errors, signals.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readBody, readJson } from '../helpers/passmux-server.js';
import { childrenNamed, isAlive } from '../helpers/processes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface ServerProcess {
  child: ChildProcess;
  origin: string;
  /** Resolves with the next stdout JSON line whose event is `event`. */
  nextEvent(event: string): Promise<Record<string, unknown>>;
}

async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: root, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<[string, (entry: Record<string, unknown>) => void]> = [];
  lines.on('line', (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const index = waiting.findIndex(([event]) => event === entry.event);
    if (index !== -1) waiting.splice(index, 1)[0]![1](entry);
  });
  const nextEvent = (event: string) => new Promise<Record<string, unknown>>((resolve) => waiting.push([event, resolve]));
  const listening = await nextEvent('listening');
  const port = String(listening.address).split(':').at(-1);
  return { child, origin: `http://127.0.0.1:${port}`, nextEvent };
}

describe('server process', () => {
  let site: FixtureSite;
  before(async () => { site = await startFixtureSite({ throttle: 200_000 }); });
  after(() => site.close());

  it('exits 1 with one line naming a bad variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: root, env: { ...process.env, PASSMUX_MAX_CONNECTIONS: 'lots' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => { stderr += chunk; });
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.match(stderr.trim(), /^passmux: invalid configuration: PASSMUX_MAX_CONNECTIONS: .*"lots"$/);
  });

  it('warns at startup when a program cannot be started, and names the ones it found', async () => {
    const server = await startServer({ PASSMUX_YTDLP: '/nonexistent/yt-dlp' });
    const [ffmpeg, warning] = await Promise.all([server.nextEvent('program'), server.nextEvent('warning')]);
    assert.equal(ffmpeg.program, 'ffmpeg');
    assert.match(String(ffmpeg.version), /^ffmpeg version/);
    assert.match(String(warning.message), /yt-dlp could not be started \(tried "\/nonexistent\/yt-dlp"\).*PASSMUX_YTDLP/);
    const exited = once(server.child, 'exit');
    server.child.kill('SIGTERM');
    assert.equal((await exited)[0], 0);
  });

  it('on SIGTERM: answers 503 during the grace, cuts what is left, kills its ffmpeg, exits 0', async () => {
    const server = await startServer({ PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_SHUTDOWN_GRACE_MS: '1500' });
    const res = await get(`${server.origin}/download?url=${encodeURIComponent(site.pageUrl('h264'))}`);
    assert.equal(res.statusCode, 200);
    const body = readBody(res);
    const ffmpeg = childrenNamed(server.child.pid!, 'ffmpeg').map((p) => p.pid);
    assert.equal(ffmpeg.length, 1);

    const exited = once(server.child, 'exit');
    const shutdown = server.nextEvent('shutdown');
    server.child.kill('SIGTERM');
    await shutdown;
    const health = await get(`${server.origin}/healthz`);
    assert.equal(health.statusCode, 503);
    assert.equal((await readJson(health)).ok, false);
    const refused = await get(`${server.origin}/download?url=${encodeURIComponent(site.pageUrl('h264'))}`);
    assert.equal(refused.statusCode, 503);
    assert.equal((await readJson(refused)).error.code, 'BUSY');

    // 1.1 MB at 200 kB/s outlasts the 1.5 s grace: the transfer is cut, not ended cleanly.
    await assert.rejects(body, /aborted|ECONNRESET|socket hang up/i);
    const [code] = await exited;
    assert.equal(code, 0);
    assert.deepEqual(ffmpeg.filter(isAlive), [], 'no ffmpeg survives the server');
  });
});
