// The built CLI (dist/bin/passmux.js; npm's pretest builds it) against the fixture site.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed, isAlive } from '../helpers/processes.js';

const CLI = fileURLToPath(new URL('../../dist/bin/passmux.js', import.meta.url));

function runCli(args: string[], cwd: string, stdoutFile?: string) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd, env: { ...process.env, PASSMUX_ALLOW_PRIVATE_NETWORKS: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  if (stdoutFile) child.stdout.pipe(createWriteStream(stdoutFile));
  else child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const done = once(child, 'close').then(([code]) => ({ code: code as number, stdout, stderr }));
  return { child, done };
}

describe('passmux CLI', () => {
  let site: FixtureSite;
  let slowSite: FixtureSite;
  let dir: string;
  before(async () => {
    [site, slowSite, dir] = await Promise.all([startFixtureSite(), startFixtureSite({ throttle: 150_000 }), mkdtemp(join(tmpdir(), 'passmux-cli-'))]);
  });
  after(() => Promise.all([site.close(), slowSite.close(), rm(dir, { recursive: true, force: true })]));

  it('download prints the exact size, saves an MP4 of exactly that size with both tracks under the title, one plain summary line on a non-TTY stderr', async () => {
    const work = await mkdtemp(join(dir, 'dl-'));
    const { code, stderr } = await runCli(['download', site.pageUrl('h264')], work).done;
    assert.equal(code, 0, stderr);
    assert.deepEqual(await readdir(work), ['H264 clip.mp4'], 'no temporary file left');
    assert.deepEqual((await probeFile(join(work, 'H264 clip.mp4'))).streams.map((s) => s.type), ['video', 'audio']);
    assert.ok(!stderr.includes('\x1b') && !stderr.includes('\r'), 'no escape codes when stderr is not a terminal');
    assert.match(stderr, /^Size: 1\.\d MB \(\d+ bytes, exact\)\nSaved .*H264 clip\.mp4 — 1\.\d MB in \d+\.\d s \(.*\/s\)\n$/);
    const exact = Number(/\((\d+) bytes, exact\)/.exec(stderr)![1]);
    assert.equal((await stat(join(work, 'H264 clip.mp4'))).size, exact);
  });

  it('-o - writes the same MP4 bytes to stdout', async () => {
    const work = await mkdtemp(join(dir, 'stdout-'));
    const toFile = await runCli(['download', site.pageUrl('vp9'), '-o', 'file.mp4', '--quiet'], work).done;
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.equal(toFile.stderr, '', '--quiet prints nothing');
    const piped = join(work, 'piped.mp4');
    const toStdout = runCli(['download', site.pageUrl('vp9'), '-o', '-', '-q'], work, piped);
    assert.equal((await toStdout.done).code, 0);
    assert.deepEqual(await readFile(piped), await readFile(join(work, 'file.mp4')));
  });

  it('does not overwrite an existing file without --force', async () => {
    const work = await mkdtemp(join(dir, 'force-'));
    await writeFile(join(work, 'out.mp4'), 'keep me');
    const refused = await runCli(['download', site.pageUrl('h264'), '-o', 'out.mp4'], work).done;
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^passmux: FILE_EXISTS: .*out\.mp4 already exists \(use --force to overwrite\)\n$/);
    assert.equal(await readFile(join(work, 'out.mp4'), 'utf8'), 'keep me');
    const forced = await runCli(['download', site.pageUrl('h264'), '-o', 'out.mp4', '--force', '-q'], work).done;
    assert.equal(forced.code, 0);
    assert.deepEqual((await probeFile(join(work, 'out.mp4'))).streams.map((s) => s.type), ['video', 'audio']);
  });

  it('info --json prints the page fields; plain info is readable text', async () => {
    const json = await runCli(['info', site.pageUrl('h264'), '--json'], dir).done;
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.title, 'H264 clip');
    assert.equal(parsed.duration, 10);
    assert.equal(parsed.filename, 'H264 clip.mp4');
    const text = await runCli(['info', site.pageUrl('h264')], dir).done;
    assert.match(text.stdout, /^Title: {5}H264 clip\nUploader: {2}Fixture Uploader\nDuration: {2}0:10\n/);
  });

  it('--section saves a clip under the clip\'s name (cut at keyframes); a bad section exits 1 before yt-dlp runs', async () => {
    const work = await mkdtemp(join(dir, 'clip-'));
    const { code, stderr } = await runCli(['download', site.pageUrl('h264'), '--section', '*0:03.5-0:07', '-q'], work).done;
    assert.equal(code, 0, stderr);
    assert.deepEqual(await readdir(work), ['H264 clip (3.5s-7s).mp4']);
    const probe = await probeFile(join(work, 'H264 clip (3.5s-7s).mp4'));
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    // From the keyframe at 2 s (one every 2 s) to 7 s.
    assert.ok(probe.duration >= 3.45 && probe.duration <= 3.5 + 2 + 0.5, `duration ${probe.duration}`);
    const pages = site.stats.pages;
    const bad = await runCli(['download', site.pageUrl('h264'), '--section', '6:00-5:00'], work).done;
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^passmux: INVALID_SECTION: start \(360 s\) must come before end \(300 s\)\n$/);
    assert.equal(site.stats.pages, pages, 'yt-dlp ran');
  });

  it('a removed video exits 1 with NOT_FOUND on one line', async () => {
    const { code, stderr } = await runCli(['download', site.pageUrl('gone')], dir).done;
    assert.equal(code, 1);
    assert.match(stderr, /^passmux: NOT_FOUND: .*404.*\n$/);
    assert.doesNotMatch(stderr, /please report/);
  });

  it('bad usage prints usage and exits 2; --help and --version work everywhere', async () => {
    const missing = await runCli(['download'], dir).done;
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /a URL is required[\s\S]*usage: passmux download URL/);
    for (const args of [['--bogus'], ['download', site.pageUrl('h264'), '--max-height', 'tall'], ['frobnicate'], []]) {
      assert.equal((await runCli(args, dir).done).code, 2, args.join(' '));
    }
    for (const command of ['serve', 'info', 'download']) {
      const help = await runCli([command, '--help'], dir).done;
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`^usage: passmux ${command}`));
      const version = await runCli([command, '--version'], dir).done;
      assert.match(version.stdout, /^passmux \d+\.\d+\.\d+\n$/);
    }
  });

  it('SIGINT mid-download exits 130, kills ffmpeg and leaves no partial file', async () => {
    const work = await mkdtemp(join(dir, 'sigint-'));
    const run = runCli(['download', slowSite.pageUrl('h264')], work);
    // The CLI itself asks for sizes and indexes first; media asked for once ffmpeg runs means the download is under way.
    let ffmpeg: number[] = [];
    while (ffmpeg.length === 0) {
      await once(slowSite.events, 'media');
      ffmpeg = childrenNamed(run.child.pid!, 'ffmpeg').map((p) => p.pid);
    }
    assert.equal(ffmpeg.length, 1);
    run.child.kill('SIGINT');
    const { code } = await run.done;
    assert.equal(code, 130);
    assert.deepEqual(ffmpeg.filter(isAlive), []);
    assert.deepEqual(await readdir(work), []);
  });
});
