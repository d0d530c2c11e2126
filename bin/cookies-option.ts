// --cookies FILE (default: $PASSMUX_YTDLP_COOKIES): checked here, at the edge,
// so a wrong path or a JSON export fails before yt-dlp runs, in words.
import { resolve } from 'node:path';
import { checkCookiesFile } from '../lib/internal.js';
import { CliError } from './usage.js';

/** The absolute cookies path to hand down, or undefined; throws CliError COOKIES_FILE when unusable. */
export function readCookiesOption(value: string | undefined, warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = value ?? (env.PASSMUX_YTDLP_COOKIES || undefined);
  if (given === undefined) return undefined;
  const path = resolve(given);
  try {
    for (const message of checkCookiesFile(path).warnings) warn(message);
  } catch (error) {
    throw new CliError('COOKIES_FILE', (error as Error).message);
  }
  return path;
}
