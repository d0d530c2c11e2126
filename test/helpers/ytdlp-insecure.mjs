#!/usr/bin/env node
// The installed yt-dlp, told to accept the HTTPS fixture's self-signed certificate.
import { spawnSync } from 'node:child_process';

const result = spawnSync(process.env.REAL_YTDLP || 'yt-dlp', ['--no-check-certificates', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
