// Site cookies: a members-only page (403 without the login cookie) downloads
// when the operator gives passmux a cookies file, and fails in words without
// one. The operator's file never changes, yt-dlp only ever sees a private
// copy, and the login's value appears in no argv and no log.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { startLoginGate, type LoginGate } from '../helpers/login-gate.js';
import { get, readBody, readJson } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { startServerProcess } from '../helpers/server-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RECORDER = fileURLToPath(new URL('../helpers/ytdlp-record.mjs', import.meta.url));
const SECRET = `s3cret-${randomBytes(12).toString('hex')}`;

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');
const downloadUrl = (origin: string, page: string) => `${origin}/download?url=${encodeURIComponent(page)}`;

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/passmux.ts', ...args], {
    cwd: root, env: { ...process.env, PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_YTDLP_COOKIES: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  return once(child, 'close').then(([code]) => ({ code: code as number, output }));
}

describe('site cookies for yt-dlp', () => {
  let site: FixtureSite;
  let gate: LoginGate;
  let dir: string;
  let cookies: string;
  let before256: string;

  before(async () => {
    site = await startFixtureSite();
    gate = await startLoginGate(site, { name: 'login', value: SECRET });
    dir = await mkdtemp(join(tmpdir(), 'passmux-cookies-test-'));
    cookies = join(dir, 'cookies.txt');
    // As a browser extension exports it: no header line here (passmux adds the one old yt-dlp wants), an HttpOnly cookie.
    await writeFile(cookies, `#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t2147483647\tlogin\t${SECRET}\n`, { mode: 0o600 });
    before256 = await sha256(cookies);
  });
  after(async () => {
    await Promise.all([gate.close(), site.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('downloads a login-only video with PASSMUX_YTDLP_COOKIES; the file is untouched, yt-dlp gets a private copy, the value is in no argv or log', async () => {
    const temp = join(dir, 'server-tmp');
    await mkdir(temp);
    const server = await startServerProcess({
      PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_YTDLP_COOKIES: cookies, PASSMUX_YTDLP: RECORDER, TMPDIR: temp,
    });
    try {
      const loaded = await server.waitFor('cookies');
      assert.deepEqual([loaded.cookies, loaded.domains], [1, ['127.0.0.1']]);

      const res = await get(downloadUrl(server.origin, gate.pageUrl('h264')));
      const body = await readBody(res);
      assert.equal(res.statusCode, 200, body.toString());
      const saved = join(dir, 'login.mp4');
      await writeFile(saved, body);
      assert.deepEqual((await probeFile(saved)).streams.map((s) => s.type), ['video', 'audio']);
      assert.ok(gate.seen.some((r) => r.path === '/watch/h264' && r.loggedIn), 'the page was fetched with the login');
      assert.ok(gate.seen.some((r) => r.path.startsWith('/media/') && r.loggedIn), 'the media too (through the relay)');

      const calls = (await readFile(join(temp, 'ytdlp-calls.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
      const runs = calls.filter((call) => call.argv.includes('--cookies'));
      assert.ok(runs.length >= 1, 'yt-dlp got --cookies');
      for (const run of runs) {
        assert.notEqual(run.cookies.path, cookies, 'never the operator\'s own file');
        assert.ok(run.cookies.path.startsWith(temp), run.cookies.path);
        assert.equal(run.cookies.mode, 0o600);
        assert.equal(run.cookies.dirMode, 0o700);
      }
      assert.ok(calls.every((call) => !JSON.stringify(call.argv).includes(SECRET)), 'no cookie value in any argv');
      assert.deepEqual((await readdir(temp)).filter((name) => name.startsWith('passmux-cookies-')), [], 'every copy is removed');
    } finally {
      assert.equal(await server.stop(), 0);
    }
    assert.equal(await sha256(cookies), before256, 'the operator\'s file did not change by a byte');
    assert.equal((await stat(cookies)).mode & 0o777, 0o600);
    assert.ok(!server.output().includes(SECRET), 'no cookie value on stdout or stderr');
  });

  it('without the cookies file the same video fails in words: 502 UPSTREAM_FORBIDDEN, the 403, and what to do', async () => {
    const server = await startServerProcess({ PASSMUX_ALLOW_PRIVATE_NETWORKS: '1' });
    try {
      const res = await get(downloadUrl(server.origin, gate.pageUrl('h264')));
      assert.equal(res.statusCode, 502);
      const { error } = await readJson(res);
      assert.equal(error.code, 'UPSTREAM_FORBIDDEN');
      assert.match(error.message, /403/);
      assert.match(error.message, /cookies file: PASSMUX_YTDLP_COOKIES/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('a cookies file that is not in Netscape format stops the start, naming the variable and the line but no value', async () => {
    const bad = join(dir, 'bad.txt');
    await writeFile(bad, `# Netscape HTTP Cookie File\n127.0.0.1 FALSE / FALSE 0 login ${SECRET}\n`);
    await chmod(bad, 0o600);
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: root, env: { ...process.env, PORT: '0', PASSMUX_YTDLP_COOKIES: bad }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.match(stderr.trim(), /^passmux: invalid configuration: PASSMUX_YTDLP_COOKIES: .*bad\.txt: line 2 is not a Netscape cookie line/);
    assert.ok(!stderr.includes(SECRET));
  });

  it('passmux download --cookies FILE saves the video; without it, exit 1 and the reason', async () => {
    const out = join(dir, 'cli.mp4');
    const withCookies = await runCli(['download', gate.pageUrl('h264'), '--cookies', cookies, '-o', out, '--quiet']);
    assert.equal(withCookies.code, 0, withCookies.output);
    assert.deepEqual((await probeFile(out)).streams.map((s) => s.type), ['video', 'audio']);
    const without = await runCli(['download', gate.pageUrl('h264'), '-o', join(dir, 'none.mp4'), '--quiet']);
    assert.equal(without.code, 1);
    assert.match(without.output, /^passmux: UPSTREAM_FORBIDDEN: .*403.*--cookies/m);
    assert.ok(!withCookies.output.includes(SECRET) && !without.output.includes(SECRET));
    assert.equal(await sha256(cookies), before256);
  });
});
