// Small pieces of the fleet tests: Debian's curl as a user runs it, and an
// ffmpeg that says it is another build.
import { spawn } from 'node:child_process';
import { childrenNamed } from './processes.js';
import type { ServerProcess } from './server-process.js';

export interface CurlRun { code: number | null; stdout: string; stderr: string }

/**
 * curl with `args`, reading no ~/.curlrc (-q first), quiet but for errors; stdout is the
 * final status code (-w). Resolves when it exits.
 */
export function runCurl(args: string[]): Promise<CurlRun> {
  const child = spawn('curl', ['-q', '-sS', '-w', '%{http_code}', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A shell script standing in for another build of the ffmpeg at `real`: it runs
 * the real one for every remux (real bytes), but its version line, which passmux
 * puts into every ETag, says `+rebuilt`. `exec` keeps the process named ffmpeg.
 */
export function upgradedFfmpeg(real: string): string {
  return [
    '#!/bin/sh',
    'if [ "$1" = "-version" ]; then',
    `  "${real}" -version | sed '1s/^ffmpeg version \\([^ ]*\\)/ffmpeg version \\1+rebuilt/'`,
    '  exit 0',
    'fi',
    `exec "${real}" "$@"`,
    '',
  ].join('\n');
}

/** host:port of a server process, as nginx's upstream list, its access log and HAProxy's config name an instance. */
export const addressOf = (server: { origin: string }): string => new URL(server.origin).host;

/**
 * After a fleet test: every instance still running is killed (SIGKILL) with its
 * ffmpeg and yt-dlp children, so a failure leaves no process behind.
 */
export async function killFleet(servers: readonly ServerProcess[]): Promise<void> {
  for (const server of servers) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) continue;
    const children = ['ffmpeg', 'yt-dlp'].flatMap((name) => childrenNamed(server.child.pid!, name));
    await server.stop('SIGKILL');
    for (const child of children) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
