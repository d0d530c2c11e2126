// Debian's nginx running deploy/nginx.conf as shipped, with only its listen
// address, upstream servers and file paths rewritten into a temporary
// directory, and its access log read back line by line.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { get } from './passmux-server.js';
import { eventually } from './server-process.js';

export const NGINX = process.env.PASSMUX_NGINX ?? ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((path) => existsSync(path));
// In CI nginx must be there (.ci/run installs it): a missing one is a failure, not a skip.
export const skipWithoutNginx = !NGINX && !process.env.CI ? 'nginx not found (apt-get install nginx, or set PASSMUX_NGINX)' : false;
const CONF = new URL('../../deploy/nginx.conf', import.meta.url);

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer().listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * deploy/nginx.conf with its listen port, upstream servers (`host:port` each, replacing the two
 * shipped lines) and file paths moved into `dir`; each rewrite must hit.
 */
export function rewriteConf(text: string, dir: string, port: number, upstreams: string[]): string {
  const swap = (from: RegExp, to: string) => {
    assert.match(text, from, `deploy/nginx.conf has ${from}`);
    text = text.replace(from, to);
  };
  swap(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`);
  swap(/^(\s*)server 127\.0\.0\.1:8081( .*;)\n\s*server 127\.0\.0\.1:8082 .*;$/m, upstreams.map((u) => `$1server ${u}$2`).join('\n'));
  swap(/^pid \/run\/nginx\.pid;$/m, `pid ${dir}/nginx.pid;`);
  swap(/\/var\/log\/nginx\//g, `${dir}/`);
  // Temporary files are never written (buffering is off), but nginx wants the directories it may use.
  swap(/^http \{$/m, `http {\n${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${dir}/${kind};`).join('\n')}`);
  if (process.getuid?.() !== 0) swap(/^user .*;$/m, '');
  return text;
}

export interface AccessLine { path: string; status: number; upstream: string; upstreamStatus: string }

export async function readAccessLog(path: string): Promise<AccessLine[]> {
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  return text.trim().split('\n').filter(Boolean).map((line) => {
    const match = /"\S+ (\S+) [^"]*" (\d+) \d+ upstream="([^"]*)" upstream_status="([^"]*)"/.exec(line);
    assert.ok(match, `access log line in the shipped format: ${line}`);
    return { path: match[1]!, status: Number(match[2]), upstream: match[3]!, upstreamStatus: match[4]! };
  });
}

export interface Nginx {
  /** http://127.0.0.1:port */
  front: string;
  dir: string;
  accessLog: string;
  /** The access log line whose request path contains `mark`, once nginx has written it. */
  line(mark: string): Promise<AccessLine>;
  stop(): Promise<void>;
}

/** Starts nginx with the shipped config in front of `upstreams` (`host:port`); resolves once it answers. */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'passmux-nginx-'));
  const port = await freePort();
  const front = `http://127.0.0.1:${port}`;
  const accessLog = join(dir, 'access.log');
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, rewriteConf(await readFile(CONF, 'utf8'), dir, port, upstreams));
  const args = ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')];
  await promisify(execFile)(NGINX!, ['-t', '-q', ...args]);
  const child: ChildProcess = spawn(NGINX!, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  };
  await waitForProxy('nginx', front, stop);
  const line = (mark: string) => eventually(`${mark} in the access log`, async () => (await readAccessLog(accessLog)).find((l) => l.path.includes(mark)));
  return { front, dir, accessLog, line, stop };
}

/** Waits until the proxy at `front` answers /healthz (any status); on failure stops it and throws. */
export async function waitForProxy(name: string, front: string, stop: () => Promise<void>): Promise<void> {
  try {
    await eventually(`${name} answers`, async () => {
      try {
        return (await get(`${front}/healthz`)).statusCode ? true : undefined;
      } catch {
        return undefined;
      }
    }, 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A request through nginx from `localAddress` (another loopback address than nginx's own); resolves at the headers. */
export function fetchFrom(url: string, localAddress: string, headers: Record<string, string> = {}, method = 'GET'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request(url, { agent: false, localAddress, headers, method }, resolve).on('error', reject).end());
}
