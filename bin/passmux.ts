#!/usr/bin/env node
// passmux command line: serve | info | download.
import { parseArgs } from 'node:util';
import { isMuxError, packageVersion } from '../lib/internal.js';
import { download } from './commands/download.js';
import { info } from './commands/info.js';
import { serve } from './commands/serve.js';
import { CliError, USAGE, UsageError } from './usage.js';
import { printVersionReport } from './version-report.js';

const COMMANDS: Record<string, (args: string[], signal: AbortSignal) => Promise<void>> = { serve, info, download };

/** --help / --version anywhere in the arguments, for every command. */
function wantsHelpOrVersion(args: string[]): 'help' | 'version' | undefined {
  const { values } = parseArgs({ args, strict: false, options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } } });
  return values.help ? 'help' : values.version ? 'version' : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const asked = wantsHelpOrVersion(argv);
  // `passmux --version` reports the programs too (and their warnings); `passmux <command> --version` is one line.
  if (asked === 'version' && command !== undefined && command in COMMANDS) return void console.log(`passmux ${packageVersion()}`), 0;
  if (asked === 'version') return await printVersionReport(), 0;
  if (command === undefined || !(command in COMMANDS)) {
    if (asked === 'help') return void console.log(USAGE.main), 0;
    console.error(command === undefined ? USAGE.main : `passmux: unknown command "${command}"\n\n${USAGE.main}`);
    return 2;
  }
  if (asked === 'help') return void console.log(USAGE[command]), 0;

  // Ctrl-C: ffmpeg and yt-dlp run in their own process groups, so the terminal's
  // SIGINT reaches only us; aborting stops them and removes the partial file.
  const controller = new AbortController();
  const interrupted = new Promise<number>((resolve) => process.once('SIGINT', () => { controller.abort(); resolve(130); }));
  try {
    await COMMANDS[command]!(rest, controller.signal);
    return 0;
  } catch (error) {
    if (controller.signal.aborted) return interrupted;
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`passmux ${command}: ${(error as Error).message}\n\n${USAGE[command]}`);
      return 2;
    }
    if (isMuxError(error) || error instanceof CliError) {
      console.error(`passmux: ${error.code}: ${error.message}`);
      return 1;
    }
    console.error(`passmux: ERROR: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// serve keeps running; everything else is done.
if (process.argv[2] !== 'serve' || code !== 0) process.exit(code);
