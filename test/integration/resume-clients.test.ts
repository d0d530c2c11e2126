// Real clients resume with passmux (Debian's curl and wget): a transfer killed
// mid-way and resumed with `curl -C -` / `wget -c` ends as a file byte-identical
// to an uninterrupted download, through a 206 for the rest; resuming a finished
// file gets a 416 that both clients take as "done", leaving the file alone, and
// /metrics counts it as unsatisfiable.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { statSync, watch } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readBody, startPassmux, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';

const installed = (program: string) => spawnSync(program, ['--version'], { stdio: 'ignore' }).error === undefined;
// In CI both must be there (.ci/run installs them): a missing one is a failure, not a skip.
const skipWithout = (program: string) => (!installed(program) && !process.env.CI ? `${program} not installed (apt-get install ${program})` : false);
const noCurl = skipWithout('curl');
const noWget = skipWithout('wget');

// Neither client reads the user's configuration (~/.curlrc, ~/.wgetrc) or keeps state (~/.wget-hsts):
// curl's -q must come first. -sS / -q: no progress meter; -v / -d -S: the request and response headers on stderr.
const CURL = ['-q', '-sS', '-v', '-w', '%{http_code}'];
const WGET = ['--no-config', '--no-hsts', '-q', '-d', '-S'];

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
interface Client { child: ChildProcess; done: Promise<Run> }

const ffmpegLeft = () => childrenNamed(process.pid, 'ffmpeg');

/** The first byte where `actual` and `expected` differ, for a failure message. */
function firstDifference(actual: Buffer, expected: Buffer): string {
  const shorter = Math.min(actual.length, expected.length);
  for (let i = 0; i < shorter; i += 1) {
    if (actual[i] !== expected[i]) return `first difference at byte ${i} (0x${actual[i]!.toString(16)} instead of 0x${expected[i]!.toString(16)}), lengths ${actual.length} and ${expected.length}`;
  }
  return `same first ${shorter} bytes, lengths ${actual.length} and ${expected.length}`;
}

/** The value of `name` (one sample, labels included) in /metrics text. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

/** The request header `name` a client printed (curl -v: "> Name: value"; wget -d: between ---request begin/end---). */
function requestHeader(stderr: string, name: string): string | undefined {
  const pattern = new RegExp(`^(?:> )?${name}: (.*?)\\r?$`, 'im');
  const request = /---request begin---([\s\S]*?)---request end---/.exec(stderr)?.[1]
    ?? stderr.split('\n').filter((l) => l.startsWith('> ')).join('\n');
  return pattern.exec(request)?.[1];
}

/** The response status and header `name` a client printed (curl -v: "< …"; wget -S: indented). */
function responseLine(stderr: string, name: string): string | undefined {
  const lines = stderr.split('\n').filter((l) => l.startsWith('< ') || l.startsWith('  ')).map((l) => l.replace(/^(< | {2})/, '').trimEnd());
  return name === 'status' ? lines.find((l) => /^HTTP\/\S+ \d{3}/.test(l))
    : lines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}: `))?.slice(name.length + 2);
}

// A plain MP4 with its index first, the same media as one fragmented file (ftyp, moov+mvex, sidx, moof/mdat),
// and a clip of the first (15 s of 20: its own exact length).
const DOWNLOADS = [{ pageId: 'big', span: '' }, { pageId: 'frag-big', span: '' }, { pageId: 'big', span: '&start=2.5&end=17' }];
for (const { pageId: page, span } of DOWNLOADS) describe(`curl -C - and wget -c resume a passmux download of ${page}${span ? ' (a clip)' : ''}`, { skip: noCurl && noWget ? `${noCurl}; ${noWget}` : false, timeout: 180_000 }, () => {
  const pageId = span ? `${page}-clip` : page;
  let site: FixtureSite;
  let passmux: TestServer;
  let dir: string;
  let url: string;
  let length: number;
  let etag: string;
  let reference: Buffer;
  const clients = new Set<ChildProcess>();

  function start(program: string, args: string[]): Client {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    clients.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const done = new Promise<Run>((resolve, reject) => {
      child.once('error', (error) => { clients.delete(child); reject(error); });
      child.once('close', (code, signal) => { clients.delete(child); resolve({ code, signal, stdout, stderr }); });
    });
    return { child, done };
  }

  /**
   * Resolves with the size of `path` once it holds at least `bytes`, watching its
   * directory (a client creates the file when it likes); fails if `client` ends first.
   */
  function whenFileHolds(path: string, bytes: number, client: Client): Promise<number> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const watcher = watch(dirname(path));
      const settle = (error: Error | undefined, size = 0) => {
        if (settled) return;
        settled = true;
        watcher.close();
        if (error) reject(error); else resolve(size);
      };
      const check = () => {
        let size: number;
        try {
          size = statSync(path).size;
        } catch {
          return; // Not created yet.
        }
        if (size >= bytes) settle(undefined, size);
      };
      watcher.on('change', (_type, name) => { if (name === basename(path)) check(); });
      watcher.on('error', (error) => settle(error));
      client.done.then((run) => settle(new Error(`the client ended (${run.code ?? run.signal}) before ${path} held ${bytes} bytes: ${run.stderr.slice(-2000)}`)),
        (error: Error) => settle(error));
      check();
    });
  }

  before(async () => {
    // Throttled media, one connection per input (the relay otherwise fetches ahead in parallel ranges and the
    // output comes in bursts): the remux streams at an even ~2 MB/s, so a client is still mid-way well past 30 %.
    [site, passmux, dir] = await Promise.all([
      startFixtureSite({ throttle: 2_000_000 }), startPassmux({ relayParallel: 1 }), mkdtemp(join(tmpdir(), 'passmux-resume-'))]);
    url = `${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl(page))}${span}`;
    const head = await get(url, 'HEAD');
    head.resume();
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['accept-ranges'], 'bytes');
    length = Number(head.headers['content-length']);
    assert.ok(length > (span ? 5_000_000 : 10_000_000), `${pageId}'s download is ${head.headers['content-length']} bytes`);
    etag = head.headers.etag!;
    assert.match(etag, /^"[^"]+"$/, 'a strong ETag');
    // The uninterrupted download, in memory: what every resumed file must equal.
    const logged = passmux.nextLogs();
    const res = await get(url);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(length));
    assert.equal(res.headers.etag, etag);
    reference = await readBody(res);
    assert.equal(reference.length, length);
    assert.equal((await logged)[0]!.outcome, 'completed');
  });

  after(async () => {
    for (const child of clients) {
      child.kill('SIGKILL');
      await once(child, 'close');
    }
    await Promise.all([site?.close(), passmux?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
    assert.deepEqual(['curl', 'wget', 'ffmpeg'].flatMap((name) => childrenNamed(process.pid, name)), [], 'no client and no ffmpeg left');
  });

  /**
   * Starts `first` writing `file`, SIGKILLs it once the file holds 30 % of the download,
   * and waits for passmux to have logged that download as client_aborted with its ffmpeg gone.
   * Resolves with the partial file's size.
   */
  async function killMidway(program: string, args: string[], file: string): Promise<number> {
    const aborted = passmux.nextLogs();
    const client = start(program, args);
    await whenFileHolds(file, Math.ceil(length * 0.3), client);
    client.child.kill('SIGKILL');
    const run = await client.done;
    assert.equal(run.signal, 'SIGKILL', `${program} was still running when killed: ${run.stderr.slice(-2000)}`);
    const partial = (await stat(file)).size;
    assert.ok(partial >= length * 0.3 && partial < length, `killed mid-way: ${partial} of ${length} bytes`);
    const [entry] = await aborted;
    assert.equal(entry!.outcome, 'client_aborted', JSON.stringify(entry));
    assert.deepEqual(ffmpegLeft(), [], 'the killed download\'s ffmpeg is gone');
    return partial;
  }

  /** What every resumed file must be: the uninterrupted download's bytes, an MP4 with video and audio. */
  async function assertComplete(file: string): Promise<void> {
    const bytes = await readFile(file);
    assert.equal(bytes.length, length);
    assert.ok(bytes.equals(reference), `the resumed file differs from the uninterrupted download: ${firstDifference(bytes, reference)}`);
    const probe = await probeFile(file);
    assert.deepEqual(probe.streams.map((s) => s.type).sort(), ['audio', 'video']);
  }

  /** passmux's log of the resumed request: completed, having sent only the bytes after `partial`. */
  function assertResumeLogged(entry: Record<string, unknown> | undefined, partial: number): void {
    assert.equal(entry?.outcome, 'completed', JSON.stringify(entry));
    assert.equal(entry?.bytes, length - partial, 'passmux sent only the missing bytes');
    assert.deepEqual(ffmpegLeft(), [], 'no ffmpeg left after the resume');
  }

  it('curl -C - resumes a transfer SIGKILLed mid-way to the same bytes, through a 206', { skip: noCurl }, async () => {
    const file = join(dir, `curl-${pageId}.mp4`);
    const partial = await killMidway('curl', ['-q', '-sS', '-o', file, url], file);

    const resumed = passmux.nextLogs();
    const run = await start('curl', [...CURL, '-C', '-', '-o', file, url]).done;
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '206', 'curl -w %{http_code}');
    assert.equal(requestHeader(run.stderr, 'range'), `bytes=${partial}-`);
    assert.match(responseLine(run.stderr, 'status')!, /^HTTP\/1\.1 206 /);
    assert.equal(responseLine(run.stderr, 'content-range'), `bytes ${partial}-${length - 1}/${length}`);
    assert.equal(responseLine(run.stderr, 'content-length'), String(length - partial));
    assert.equal(responseLine(run.stderr, 'etag'), etag);
    assertResumeLogged((await resumed)[0], partial);
    await assertComplete(file);
  });

  it('wget -c resumes a transfer SIGKILLed mid-way to the same bytes, through a 206', { skip: noWget }, async () => {
    const file = join(dir, `wget-${pageId}.mp4`);
    const partial = await killMidway('wget', ['--no-config', '--no-hsts', '-q', '-O', file, url], file);

    const resumed = passmux.nextLogs();
    // -c with -O appends to the file instead of truncating it.
    const run = await start('wget', [...WGET, '-c', '-O', file, url]).done;
    assert.equal(run.code, 0, run.stderr);
    assert.equal(requestHeader(run.stderr, 'range'), `bytes=${partial}-`);
    assert.match(responseLine(run.stderr, 'status')!, /^HTTP\/1\.1 206 /);
    assert.equal(responseLine(run.stderr, 'content-range'), `bytes ${partial}-${length - 1}/${length}`);
    assert.equal(responseLine(run.stderr, 'content-length'), String(length - partial));
    assertResumeLogged((await resumed)[0], partial);
    await assertComplete(file);
  });

  /**
   * Runs `program` resuming a complete copy of the download and checks what passmux
   * answered and counted: a 416 with `Content-Range: bytes *\/L`, outcome unsatisfiable,
   * no ffmpeg. Resolves with the client's run; the file must be untouched.
   */
  async function resumeFinished(program: string, args: (file: string) => string[]): Promise<Run> {
    const file = join(dir, `finished-${program}-${pageId}.mp4`);
    await writeFile(file, reference);
    const earlier = await stat(file);
    const count = async () => metric((await readBody(await get(`${passmux.origin}/metrics`))).toString('utf8'),
      'passmux_downloads_total{outcome="unsatisfiable"}');
    const counted = await count();
    const logged = passmux.nextLogs();
    const run = await start(program, args(file)).done;
    assert.equal(run.code, 0, `${program} takes the 416 as done: ${run.stderr}`);
    assert.equal(requestHeader(run.stderr, 'range'), `bytes=${length}-`);
    assert.match(responseLine(run.stderr, 'status')!, /^HTTP\/1\.1 416 /);
    assert.equal(responseLine(run.stderr, 'content-range'), `bytes */${length}`);
    assert.equal((await logged)[0]!.outcome, 'unsatisfiable');
    assert.equal(await count(), counted + 1, 'passmux_downloads_total{outcome="unsatisfiable"}');
    assert.deepEqual(ffmpegLeft(), [], 'a 416 starts no ffmpeg');
    const afterwards = await stat(file);
    assert.equal(afterwards.size, length);
    assert.equal(afterwards.mtimeMs, earlier.mtimeMs, 'the file was not written');
    assert.ok((await readFile(file)).equals(reference), 'the file is unchanged');
    return run;
  }

  it('curl -C - on a finished file gets a 416 and exits 0 leaving the file unchanged; counted as unsatisfiable', { skip: noCurl }, async () => {
    const run = await resumeFinished('curl', (file) => [...CURL, '-C', '-', '-o', file, url]);
    assert.equal(run.stdout, '416', 'curl -w %{http_code}');
  });

  it('wget -c on a finished file gets a 416 and leaves the file unchanged; counted as unsatisfiable', { skip: noWget }, async () => {
    await resumeFinished('wget', (file) => [...WGET, '-c', '-O', file, url]);
  });
});
