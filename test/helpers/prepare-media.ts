// Run once before the suite (npm's pretest) so parallel test files find the clips ready.
import { ensureAllMedia, MEDIA_DIR } from './media.js';

const started = Date.now();
await ensureAllMedia();
console.log(`test media ready in ${MEDIA_DIR} (${Date.now() - started} ms)`);
