#!/usr/bin/env node
// A yt-dlp that never answers (but knows --help, which passmux asks once).
if (process.argv.includes('--help')) process.exit(0);
setInterval(() => {}, 1 << 30);
