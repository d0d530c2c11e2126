#!/usr/bin/env node
// A yt-dlp that prints something that is not JSON and exits 0.
if (process.argv.includes('--help')) process.exit(0);
process.stdout.write('<html>definitely not json</html>\n');
