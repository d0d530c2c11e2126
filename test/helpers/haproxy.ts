// Debian's HAProxy running deploy/haproxy.cfg as shipped, with only its bind
// address, servers and log target rewritten, its log read back as it comes.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForProxy } from './nginx.js';
import { eventually } from './server-process.js';

export const HAPROXY = process.env.PASSMUX_HAPROXY ?? ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'].find((path) => existsSync(path));
// In CI HAProxy must be there (.ci/run installs it): a missing one is a failure, not a skip.
export const skipWithoutHaproxy = !HAPROXY && !process.env.CI ? 'haproxy not found (apt-get install haproxy, or set PASSMUX_HAPROXY)' : false;
const CONF = new URL('../../deploy/haproxy.cfg', import.meta.url);

/** deploy/haproxy.cfg listening on `port`, its servers at `upstreams` (host:port), logging to stdout; each rewrite must hit. */
export function rewriteHaproxyConf(text: string, port: number, upstreams: string[]): string {
  const swap = (from: RegExp, to: string) => {
    assert.match(text, from, `deploy/haproxy.cfg has ${from}`);
    text = text.replace(from, to);
  };
  swap(/^(\s*)bind :80$/m, `$1bind 127.0.0.1:${port}`);
  swap(/^(\s*)server passmux1 127\.0\.0\.1:8081( .*)\n\s*server passmux2 127\.0\.0\.1:8082 .*$/m,
    upstreams.map((u, i) => `$1server passmux${i + 1} ${u}$2`).join('\n'));
  swap(/^(\s*)log \/dev\/log local0$/m, '$1log stdout format raw local0');
  if (process.getuid?.() !== 0) swap(/^\s*user haproxy\n\s*group haproxy\n/m, '');
  return text;
}

export interface HaproxyLine { server: string; status: number; retries: string; path: string }

export interface Haproxy {
  front: string;
  /** The request log line whose path contains `mark`, once HAProxy has written it. */
  line(mark: string): Promise<HaproxyLine>;
  /** Everything HAProxy printed (server state changes among it). */
  output(): string;
  stop(): Promise<void>;
}

export async function startHaproxy(upstreams: string[]): Promise<Haproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'passmux-haproxy-'));
  const port = await freePort();
  const conf = join(dir, 'haproxy.cfg');
  await writeFile(conf, rewriteHaproxyConf(await readFile(CONF, 'utf8'), port, upstreams));
  await promisify(execFile)(HAPROXY!, ['-c', '-q', '-f', conf]);
  const child = spawn(HAPROXY!, ['-db', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (chunk) => { text += chunk; });
  child.stderr.on('data', (chunk) => { text += chunk; });
  const front = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  };
  const lines = () => text.split('\n').flatMap((line) => {
    // option httplog: … backend/server Tq/Tw/Tc/Tr/Ta status bytes … actconn/feconn/beconn/srv_conn/retries queues "METHOD path …"
    const match = / \S+\/(\S+) \S+ (\d{3}) \d+ .* \d+\/\d+\/\d+\/\d+\/(\+?\d+) \d+\/\d+ "\S+ (\S+)/.exec(line);
    return match ? [{ server: match[1]!, status: Number(match[2]), retries: match[3]!, path: match[4]! }] : [];
  });
  await waitForProxy('haproxy', front, stop);
  return {
    front, stop, output: () => text,
    line: (mark) => eventually(`${mark} in HAProxy's log`, () => lines().find((l) => l.path.includes(mark))),
  };
}
