// The environment our children get: an explicit, minimal one. An inherited
// NO_PROXY, http_proxy, LD_PRELOAD or PYTHONPATH from the server's own shell
// must not change where yt-dlp connects or what ffmpeg loads.
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Taken from the parent when set: where programs are, how text is encoded, trusted CAs. */
const PASSED = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;

let home: string | undefined;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes the HOMEs of our processes that died without their 'exit' handler (SIGKILL). */
function sweepStaleHomes(): void {
  const uid = process.getuid?.();
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^passmux-home-(\d+)-/.exec(name)?.[1]);
    if (!pid || isAlive(pid)) continue;
    const path = join(tmpdir(), name);
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (info?.isDirectory() && info.uid === uid) rmSync(path, { recursive: true, force: true });
  }
}

/** An empty private directory for HOME (yt-dlp and its JS runtime look there), removed when we exit. */
function privateHome(): string {
  if (!home) {
    try {
      sweepStaleHomes();
    } catch {
      // Only tidying up: never a reason not to start a child.
    }
    const made = mkdtempSync(join(tmpdir(), `passmux-home-${process.pid}-`));
    home = made;
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return home;
}

/** The environment for a child process: `PASSED` from `parent`, a private HOME, UTF-8, then `extra`. */
export function buildChildEnv(extra: Record<string, string> = {}, parent: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED) {
    const value = parent[name];
    if (value) env[name] = value;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.LANG ??= 'C.UTF-8';
  env.HOME = privateHome();
  // yt-dlp prints JSON; titles are in every script.
  env.PYTHONIOENCODING = 'utf-8';
  return { ...env, ...extra };
}

/** Proxy variables for every scheme, so nothing (ftp included) is dialled around our proxy. */
export function proxyEnv(proxyUrl: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const scheme of ['http', 'https', 'ftp', 'all']) {
    env[`${scheme}_proxy`] = proxyUrl;
    env[`${scheme.toUpperCase()}_PROXY`] = proxyUrl;
  }
  return env;
}
