// What the operator learns about the programs: the start-up log, /healthz,
// /metrics and `passmux --version` name ffmpeg's and yt-dlp's versions exactly
// as the programs print them, yt-dlp's age, and whether deno is there; a stale
// yt-dlp is a warning (and /healthz stays 200).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { get, readBody, readJson } from '../helpers/passmux-server.js';
import { startServerProcess } from '../helpers/server-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DAY = 86_400_000;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** yt-dlp's version for the day `days` ago: its versions are release dates. */
const ytdlpVersionOf = (days: number) => new Date(Date.now() - days * DAY).toISOString().slice(0, 10).replaceAll('-', '.');
const firstLine = (command: string, flag: string) => execFileSync(command, [flag], { encoding: 'utf8' }).split('\n')[0]!.trim();
const ageOf = (v: string) => Math.floor((Date.now() - Date.parse(v.slice(0, 10).replaceAll('.', '-'))) / DAY);
/** The first executable `name` on PATH, or null. */
function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // Not here.
    }
  }
  return null;
}

async function fakeProgram(dir: string, name: string, printed: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\necho '${printed}'\n`);
  await chmod(path, 0o755);
  return path;
}

function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/passmux.ts', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  return once(child, 'close').then(([code]) => ({ code: code as number, stdout }));
}

describe('program versions and freshness', () => {
  let dir: string;
  let oldYtdlp: string;
  let freshYtdlp: string;
  let denoDir: string;
  const oldVersion = ytdlpVersionOf(400);
  const DENO = 'deno 2.5.6 (stable, release, x86_64-unknown-linux-gnu)';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passmux-versions-'));
    oldYtdlp = await fakeProgram(dir, 'yt-dlp-old', oldVersion);
    freshYtdlp = await fakeProgram(dir, 'yt-dlp-fresh', ytdlpVersionOf(3));
    denoDir = join(dir, 'deno-bin');
    await mkdir(denoDir);
    await fakeProgram(denoDir, 'deno', DENO);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('the real programs: /healthz and /metrics carry their versions exactly as printed, and yt-dlp\'s age', async () => {
    const server = await startServerProcess({});
    try {
      const res = await get(`${server.origin}/healthz`);
      assert.equal(res.statusCode, 200);
      const health = await readJson(res);
      const ffmpeg = firstLine('ffmpeg', '-version');
      const ytdlp = firstLine('yt-dlp', '--version');
      assert.equal(health.ok, true);
      assert.equal(health.version, version);
      assert.equal(health.programs.ffmpeg.version, ffmpeg);
      assert.equal(health.programs['yt-dlp'].version, ytdlp);
      assert.equal(health.programs['yt-dlp'].ageDays, ageOf(ytdlp));
      assert.equal(health.programs.deno.found, which('deno') !== null);
      const stale = health.warnings.filter((w: { program: string }) => w.program === 'yt-dlp');
      assert.equal(stale.length, ageOf(ytdlp) > 60 ? 1 : 0, JSON.stringify(health.warnings));

      const metrics = (await readBody(await get(`${server.origin}/metrics`))).toString();
      const token = /^ffmpeg version (\S+)/.exec(ffmpeg)![1]!;
      assert.ok(metrics.includes(`passmux_build_info{version="${version}",ffmpeg="${token}",ytdlp="${ytdlp}"} 1\n`), metrics);
      assert.match(metrics, new RegExp(`^passmux_ytdlp_age_days ${ageOf(ytdlp)}$`, 'm'));

      const logged = await server.waitFor('program', (e) => e.program === 'yt-dlp');
      assert.deepEqual([logged.version, logged.ageDays], [ytdlp, ageOf(ytdlp)]);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('a yt-dlp older than 60 days: one warning naming it and its age, in the log and on /healthz (still 200); deno found on PATH', async () => {
    const server = await startServerProcess({ PASSMUX_YTDLP: oldYtdlp, PATH: `${denoDir}${delimiter}${process.env.PATH}` });
    try {
      const warning = await server.waitFor('warning', (e) => e.program === 'yt-dlp');
      assert.match(String(warning.message), new RegExp(`^yt-dlp ${oldVersion.replaceAll('.', '\\.')} is 400 days old`));
      const res = await get(`${server.origin}/healthz`);
      assert.equal(res.statusCode, 200);
      const health = await readJson(res);
      assert.deepEqual(health.warnings, [{ program: 'yt-dlp', message: warning.message }], 'no deno warning: it is on PATH');
      assert.deepEqual(health.programs['yt-dlp'], { command: oldYtdlp, version: oldVersion, released: oldVersion.replaceAll('.', '-'), ageDays: 400 });
      assert.deepEqual(health.programs.deno, { found: true, command: join(denoDir, 'deno'), version: DENO });
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('a current yt-dlp and no deno: no yt-dlp warning, one naming deno', async () => {
    // A PATH with nothing on it (so surely no deno); ffmpeg by its full path.
    const empty = join(dir, 'empty-bin');
    await mkdir(empty);
    const server = await startServerProcess({ PASSMUX_YTDLP: freshYtdlp, PASSMUX_FFMPEG: which('ffmpeg')!, PATH: empty });
    try {
      const health = await readJson(await get(`${server.origin}/healthz`));
      assert.equal(health.programs['yt-dlp'].ageDays, 3);
      assert.deepEqual(health.warnings.map((w: { program: string }) => w.program), ['deno']);
      assert.match(health.warnings[0].message, /deno is not on PATH.*YouTube/);
      assert.equal(health.programs.deno.found, false);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('passmux --version names passmux, ffmpeg and yt-dlp as printed, yt-dlp\'s age, deno, and the warnings', async () => {
    const { code, stdout } = await runCli(['--version'], { PASSMUX_YTDLP: oldYtdlp, PATH: `${denoDir}${delimiter}${process.env.PATH}` });
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines[0], `passmux ${version}`);
    assert.equal(lines[1], `ffmpeg: ${firstLine('ffmpeg', '-version')}`);
    assert.equal(lines[2], `yt-dlp: ${oldVersion} (released ${oldVersion.replaceAll('.', '-')}, 400 days old)`);
    assert.equal(lines[3], `deno:   ${DENO} (${join(denoDir, 'deno')})`);
    assert.match(lines[4]!, new RegExp(`^warning: yt-dlp ${oldVersion.replaceAll('.', '\\.')} is 400 days old`));
    assert.equal(lines.length, 5);
    // A command's --version stays one line.
    assert.equal((await runCli(['download', '--version'])).stdout, `passmux ${version}\n`);
  });
});
