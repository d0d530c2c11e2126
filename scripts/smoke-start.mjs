#!/usr/bin/env node
// CI runs the README's quick start for real: after `npm run setup`, `npm start`
// builds, listens, and /healthz answers 200 naming the ffmpeg and yt-dlp it
// found. Then SIGTERM, and the server must stop cleanly (exit 0).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const DEADLINE_MS = 180_000;

function fail(message) {
  console.error(`smoke-start: FAILED: ${message}`);
  process.exitCode = 1;
}

// Its own process group: npm, sh and node all get the signal.
const child = spawn('npm', ['start'], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, detached: true, stdio: ['ignore', 'pipe', 'inherit'],
});
const stop = (signal) => { try { process.kill(-child.pid, signal); } catch { /* gone */ } };
const timer = setTimeout(() => { fail(`no "listening" line within ${DEADLINE_MS / 1000} s`); stop('SIGKILL'); }, DEADLINE_MS);
const exited = once(child, 'exit');

const listening = new Promise((resolve) => {
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return void console.log(`  ${line}`);
    const entry = JSON.parse(line);
    if (entry.event === 'listening') resolve(entry);
    if (entry.event === 'program' || entry.event === 'warning') console.log(`  ${line}`);
  });
});

const first = await Promise.race([listening, exited.then(() => null)]);
if (!first) {
  fail('npm start exited before listening');
} else {
  const port = String(first.address).split(':').at(-1);
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  const health = await res.json();
  if (res.status !== 200 || health.ok !== true) fail(`/healthz said ${res.status} ${JSON.stringify(health)}`);
  else if (!health.programs?.ffmpeg?.version || !health.programs?.['yt-dlp']?.version) fail(`/healthz names no ffmpeg or yt-dlp: ${JSON.stringify(health.programs)}`);
  else console.log(`smoke-start: npm start serves; ffmpeg "${health.programs.ffmpeg.version}", yt-dlp ${health.programs['yt-dlp'].version}, ${health.warnings.length} warning(s)`);
  stop('SIGTERM');
}
const [code, signal] = await exited;
clearTimeout(timer);
// npm itself may report the signal; the server's own clean stop is what matters, and npm passes its code on.
if (first && code !== 0 && signal !== 'SIGTERM') fail(`npm start ended with ${code ?? signal} after SIGTERM`);
stop('SIGKILL');
