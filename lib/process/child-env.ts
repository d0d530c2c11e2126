// The environment our children get: an explicit, minimal one. An inherited
// NO_PROXY, http_proxy, LD_PRELOAD or PYTHONPATH from the server's own shell
// must not change where yt-dlp connects or what ffmpeg loads.
import { makePrivateDir } from './private-temp.js';

/** Taken from the parent when set: where programs are, how text is encoded, trusted CAs. */
const PASSED = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;

let home: string | undefined;

/** An empty private directory for HOME (yt-dlp and its JS runtime look there), one per process. */
function privateHome(): string {
  home ??= makePrivateDir('passmux-home').path;
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
