// Preloaded into a server under test (node --import tsx --import ./bench/mem-probe.ts):
// samples process.memoryUsage() every 50 ms and, at exit, writes the peak of each
// part as one JSON line to MEM_PROBE_FILE. RSS alone says how much; the parts
// say what holds it (the JS heap, Buffers outside it, or neither: socket and
// parser memory, code, the allocator's slack).
import { appendFileSync } from 'node:fs';

const file = process.env.MEM_PROBE_FILE;
if (file) {
  const peak: Record<string, number> = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0, liveArrayBuffers: 0 };
  // With --expose-gc, every 500 ms a full collection tells the Buffers still in use from garbage not yet collected.
  const gc = (globalThis as { gc?: () => void }).gc;
  let ticks = 0;
  const sample = () => {
    const usage = process.memoryUsage() as unknown as Record<string, number>;
    for (const key of Object.keys(peak)) if (key in usage) peak[key] = Math.max(peak[key]!, usage[key]!);
    if (gc && ++ticks % 10 === 0) {
      gc();
      peak.liveArrayBuffers = Math.max(peak.liveArrayBuffers!, process.memoryUsage().arrayBuffers);
    }
  };
  setInterval(sample, 50).unref();
  process.once('exit', () => {
    sample();
    const mb = Object.fromEntries(Object.entries(peak).map(([key, bytes]) => [key, Math.round(bytes / 1e5) / 10]));
    appendFileSync(file, `${JSON.stringify(mb)}\n`);
  });
}
