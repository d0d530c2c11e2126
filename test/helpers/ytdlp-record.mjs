#!/usr/bin/env node
// The real yt-dlp (from PATH), with a note of how passmux ran it: its argv and
// the cookies file it was handed (mode, its directory's mode), one JSON line per
// run in $TMPDIR/ytdlp-calls.jsonl — TMPDIR being one of the few variables
// passmux passes on to its children.
import { spawnSync } from 'node:child_process';
import { appendFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const at = args.indexOf('--cookies');
const note = { argv: args };
if (at !== -1) {
  const path = args[at + 1];
  note.cookies = { path, mode: statSync(path).mode & 0o777, dirMode: statSync(dirname(path)).mode & 0o777 };
}
appendFileSync(join(tmpdir(), 'ytdlp-calls.jsonl'), `${JSON.stringify(note)}\n`);
const run = spawnSync('yt-dlp', args, { stdio: 'inherit' });
process.exit(run.status ?? 1);
