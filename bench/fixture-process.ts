// The fixture sites in their own process, so their CPU never counts against what we measure:
// the file site (test/helpers/fixture-site.ts) and the HLS site (bench/hls-site.ts), both with
// the same per-connection throttle. argv[2]: that throttle in bytes/s (0 = none). Exits when stdin closes.
import { startFixtureSite } from '../test/helpers/fixture-site.js';
import { startHlsSite } from './hls-site.js';

const throttle = Number(process.argv[2]) || undefined;
const [site, hls] = await Promise.all([startFixtureSite({ throttle }), startHlsSite({ throttle })]);
process.stdout.write(`${JSON.stringify({ origin: site.origin, hlsOrigin: hls.origin })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void Promise.all([site.close(), hls.close()]).then(() => process.exit(0)));
