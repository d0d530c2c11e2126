// The plain file server (bench/plain-site.ts) in a process of its own, so its CPU never
// counts against what we measure. Prints its origin as one JSON line; exits when stdin closes.
import { startPlainSite } from './plain-site.js';

const site = await startPlainSite();
process.stdout.write(`${JSON.stringify({ origin: site.origin })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void site.close().then(() => process.exit(0)));
