#!/usr/bin/env node
// Placeholder CLI: the real one (serve | info | download) is tracked separately.
const usage = `usage: passmux <serve|info|download> [options]

The command-line interface is not implemented yet. Use the library
(import { createMuxStream } from 'passmux') or run the server: npm start`;

const [command] = process.argv.slice(2);
if (command === '--help' || command === '-h' || command === undefined) {
  console.log(usage);
} else {
  console.error(usage);
  process.exitCode = 2;
}
