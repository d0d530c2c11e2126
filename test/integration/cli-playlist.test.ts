// The built CLI (dist/bin/passmux.js) on playlists: the fixture site's RSS feeds.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { feedUrl } from '../helpers/fixture-feed.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed, isAlive } from '../helpers/processes.js';

const CLI = fileURLToPath(new URL('../../dist/bin/passmux.js', import.meta.url));

function runCli(args: string[], cwd: string) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd, env: { ...process.env, PASSMUX_ALLOW_PRIVATE_NETWORKS: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const done = once(child, 'close').then(([code]) => ({ code: code as number, stdout, stderr }));
  return { child, done };
}

const CLIP_FILES = ['H264 clip (2).mp4', 'H264 clip.mp4', 'VP9 clip.mp4'];

describe('passmux CLI on playlists', () => {
  let site: FixtureSite;
  let slowSite: FixtureSite;
  let dir: string;
  before(async () => {
    [site, slowSite, dir] = await Promise.all([startFixtureSite(), startFixtureSite({ throttle: 150_000 }), mkdtemp(join(tmpdir(), 'passmux-cli-list-'))]);
  });
  after(() => Promise.all([site.close(), slowSite.close(), rm(dir, { recursive: true, force: true })]));

  it('info lists the entries; --json prints the shape of /info', async () => {
    const text = await runCli(['info', feedUrl(site, 'clips')], dir).done;
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Playlist: {2}Fixture clips\nEntries: {3}3\nPage: {6}http:\/\/127\.0\.0\.1:\d+\/feed\/clips\.rss\n\n1\. First: the H264 clip {2}0:10\n {3}http:\/\/.*\/watch\/h264#__youtubedl_smuggle=.*\n\n2\. Second: the VP9 clip {2}0:10\n {3}http:\/\/.*\/watch\/vp9\n/);
    const json = await runCli(['info', feedUrl(site, 'clips'), '--json'], dir).done;
    const parsed = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(parsed), ['type', 'id', 'title', 'uploader', 'webpageUrl', 'entries', 'truncated']);
    assert.deepEqual(parsed.entries.map((e: { title: string }) => e.title), ['First: the H264 clip', 'Second: the VP9 clip', 'Third: the H264 clip again']);
    assert.deepEqual(Object.keys(parsed.entries[0]), ['index', 'id', 'title', 'url', 'duration', 'thumbnail']);
  });

  it('download saves every entry into -o DIR (created), a repeated name numbered; a second run skips them all untouched', async () => {
    const work = await mkdtemp(join(dir, 'all-'));
    const first = await runCli(['download', feedUrl(site, 'clips'), '-o', 'out/clips'], work).done;
    assert.equal(first.code, 0, first.stderr);
    const out = join(work, 'out/clips');
    assert.deepEqual((await readdir(out)).sort(), CLIP_FILES, 'one complete file per entry, nothing else');
    for (const name of CLIP_FILES) assert.deepEqual((await probeFile(join(out, name))).streams.map((s) => s.type), ['video', 'audio'], name);
    assert.match(first.stderr, /^\[1\/3\] Saved .*H264 clip\.mp4 — /m);
    assert.match(first.stderr, /\nPlaylist Fixture clips: 3 saved, 0 skipped \(already there\), 0 failed — in .*out\/clips\n$/);

    const before = await Promise.all(CLIP_FILES.map((name) => stat(join(out, name))));
    const mediaBefore = site.stats.mediaRequests;
    const second = await runCli(['download', feedUrl(site, 'clips'), '-o', 'out/clips'], work).done;
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stderr.match(/Skipped .* \(already there\)/g)?.length, 3);
    assert.match(second.stderr, /0 saved, 3 skipped \(already there\), 0 failed/);
    assert.equal(site.stats.mediaRequests, mediaBefore, 'nothing was fetched again');
    const again = await Promise.all(CLIP_FILES.map((name) => stat(join(out, name))));
    assert.deepEqual(again.map((s) => [s.ino, s.mtimeMs, s.size]), before.map((s) => [s.ino, s.mtimeMs, s.size]));
  });

  it('--items picks entries; without -o the folder is named after the playlist; --quiet prints nothing', async () => {
    const work = await mkdtemp(join(dir, 'items-'));
    const run = await runCli(['download', feedUrl(site, 'clips'), '--items', '2-3', '-q'], work).done;
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(await readdir(work), ['Fixture clips']);
    assert.deepEqual((await readdir(join(work, 'Fixture clips'))).sort(), ['H264 clip.mp4', 'VP9 clip.mp4']);
  });

  it('goes on after a failed entry, says which, and exits 1', async () => {
    const work = await mkdtemp(join(dir, 'mixed-'));
    const run = await runCli(['download', feedUrl(site, 'mixed'), '-o', 'mixed'], work).done;
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^passmux: MUX_FAILED: entry 3 \(Broken file\): /m);
    assert.match(run.stderr, /Playlist Mixed bag: 2 saved, 0 skipped \(already there\), 1 failed — in .*mixed\npassmux: ENTRIES_FAILED: 1 of 3 entries failed\n$/);
    assert.deepEqual((await readdir(join(work, 'mixed'))).sort(), ['H264 clip.mp4', 'Single file clip.mp4']);
  });

  it('refuses stdout, items that pick nothing, and bad --items', async () => {
    const stdout = await runCli(['download', feedUrl(site, 'clips'), '-o', '-'], dir).done;
    assert.equal(stdout.code, 1);
    assert.match(stdout.stderr, /^passmux: IS_PLAYLIST: a playlist cannot go to stdout/);
    const none = await runCli(['download', feedUrl(site, 'clips'), '--items', '9', '-o', 'none'], dir).done;
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^passmux: NO_ENTRIES: --items 9 picks none of the 3 listed entries\n$/);
    const bad = await runCli(['download', feedUrl(site, 'clips'), '--items', 'first'], dir).done;
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--items takes entry numbers/);
  });

  it('SIGINT mid-list exits 130, kills ffmpeg and leaves no partial file', async () => {
    const work = await mkdtemp(join(dir, 'sigint-'));
    const run = runCli(['download', feedUrl(slowSite, 'clips'), '-o', 'slow'], work);
    await once(slowSite.events, 'media');
    const ffmpeg = childrenNamed(run.child.pid!, 'ffmpeg').map((p) => p.pid);
    assert.equal(ffmpeg.length, 1);
    run.child.kill('SIGINT');
    assert.equal((await run.done).code, 130);
    assert.deepEqual(ffmpeg.filter(isAlive), []);
    assert.deepEqual(await readdir(join(work, 'slow')), []);
  });
});
