// The operator's site cookies (a Netscape cookies.txt) for yt-dlp. yt-dlp
// writes its cookie jar back to the file it was given when it exits, so it
// never gets the operator's file: each run gets its own copy in a private
// directory, removed afterwards. Only lines that parse as cookies are copied:
// yt-dlp prints a line it cannot parse, value and all, to stderr.
import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MuxError } from '../errors.js';
import { makePrivateDir } from '../process/private-temp.js';

/** Bigger than any browser export of a few sites; a cap so a wrong path cannot fill the heap. */
const MAX_BYTES = 8 * 1024 * 1024;
const HEADER = '# Netscape HTTP Cookie File';
const HTTP_ONLY = '#HttpOnly_';

export interface CookiesSummary {
  /** Cookies in the file. */
  cookies: number;
  /** Their domains, without a leading dot, sorted (names, never values: for the log). */
  domains: string[];
}

export interface ParsedCookies extends CookiesSummary {
  /** The cookie lines, as given (CR removed), in file order. */
  lines: string[];
}

/** Reads Netscape cookies text; throws an Error that names line numbers, never a cookie's content. */
export function parseCookiesText(text: string): ParsedCookies {
  if (/^\s*[[{]/.test(text)) throw new Error('it is JSON; yt-dlp needs the Netscape cookies.txt format');
  const lines: string[] = [];
  const domains = new Set<string>();
  const bad: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || (line.startsWith('#') && !line.startsWith(HTTP_ONLY))) return;
    const fields = line.split('\t');
    const domain = fields[0]!.replace(HTTP_ONLY, '');
    if (fields.length !== 7 || !domain || !/^\d*$/.test(fields[4]!)) return void bad.push(index + 1);
    lines.push(line);
    domains.add(domain.replace(/^\./, '').toLowerCase());
  });
  if (bad.length > 0) {
    const which = bad.slice(0, 5).join(', ') + (bad.length > 5 ? ` and ${bad.length - 5} more` : '');
    throw new Error(`line ${which} is not a Netscape cookie line (7 fields separated by tabs)`);
  }
  if (lines.length === 0) throw new Error('it holds no cookies');
  return { lines, cookies: lines.length, domains: [...domains].sort() };
}

export interface CookiesInspection {
  summary: CookiesSummary;
  /** Things to tell the operator (e.g. the file is readable by other users). */
  warnings: string[];
}

/** The start-up check (synchronous, at the edge): readable, a regular file, Netscape format. Throws with the reason. */
export function inspectCookiesFile(path: string): CookiesInspection {
  const stats = statSync(path);
  if (!stats.isFile()) throw new Error('not a regular file');
  if (stats.size > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
  const { cookies, domains } = parseCookiesText(readFileSync(path, 'utf8'));
  const warnings: string[] = [];
  // Logins are in there: other local users should not be able to read them.
  if ((stats.mode & 0o077) !== 0) {
    warnings.push(`the cookies file ${path} is accessible to other users (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}): chmod 600 it`);
  }
  return { summary: { cookies, domains }, warnings };
}

/** inspectCookiesFile with its failure said in one sentence that names the path (never a value): for the server's start and the CLI. */
export function checkCookiesFile(path: string): CookiesInspection {
  try {
    return inspectCookiesFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code ? `cannot read ${path} (${code})` : `${path}: ${(error as Error).message}`);
  }
}

export interface CookiesCopy {
  /** The private copy to give yt-dlp with --cookies. */
  path: string;
  /** Deletes the copy and its directory. */
  remove(): Promise<void>;
}

/**
 * A copy of `source` for one yt-dlp run: in a new 0700 directory, mode 0600,
 * with the header yt-dlp's older releases insist on. Read anew each run, so a
 * refreshed cookies file takes effect without a restart.
 */
export async function copyCookiesFile(source: string): Promise<CookiesCopy> {
  let parsed: ParsedCookies;
  try {
    const text = await readFile(source, 'utf8');
    if (text.length > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
    parsed = parseCookiesText(text);
  } catch (error) {
    // The client learns that it failed; where the file is and why stays in the log.
    throw new MuxError('EXTRACT_FAILED', 'the site cookies file could not be used', { cause: error, detail: `${source}: ${(error as Error).message}` });
  }
  // Removed after the run; on exit if the run is cut short; by the next start after a SIGKILL.
  const dir = makePrivateDir('passmux-cookies');
  const path = join(dir.path, 'cookies.txt');
  const remove = async () => dir.remove();
  try {
    await writeFile(path, `${HEADER}\n${parsed.lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    await remove();
    throw new MuxError('EXTRACT_FAILED', 'the site cookies file could not be copied', { cause: error, detail: String(error) });
  }
  return { path, remove };
}
