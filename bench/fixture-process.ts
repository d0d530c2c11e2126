// The fixture site in its own process, so its CPU never counts against what we measure.
// argv[2]: per-connection throttle in bytes/s (0 = none). Exits when stdin closes.
import { startFixtureSite } from '../test/helpers/fixture-site.js';

const throttle = Number(process.argv[2]) || undefined;
const site = await startFixtureSite({ throttle });
process.stdout.write(`${JSON.stringify({ origin: site.origin })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void site.close().then(() => process.exit(0)));
