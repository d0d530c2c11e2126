// What a range costs (issue 21): on a page just extracted, a `Range: bytes=-1`
// (it probes the index too), then a whole download of the same page: the bytes the media host sent for each (the fixture site's own
// counter) and the wall time. Goals: ≤ 32 MB upstream for the 1-byte answer,
// answered in ≤ half the time of the whole download. The fixture site and
// passmux run in this process (test helpers): the numbers that matter are
// bytes; the times are on shared cores.
import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';
import { ensurePlainMedia } from './plain-source.js';
import { ensureWebmMedia } from './webm-source.js';
import { median } from './measure.js';
import { startFixtureSite } from '../test/helpers/fixture-site.js';
import { startPassmux } from '../test/helpers/passmux-server.js';

export const RANGE_UPSTREAM_GOAL_MB = 32;

interface RangeRun { length: number; rangeUpstream: number; wholeUpstream: number; rangeSeconds: number; wholeSeconds: number }

const SOURCES = [
  { source: '600 s 1080p H.264 5 Mbit/s + AAC (MP4)', page: 'plain-600s' },
  { source: '600 s 720p VP9 + Opus (WebM)', page: 'webm-600s' },
  { source: '120 s 1080p fragmented MP4', page: 'bench-120s-frag' },
];

/** Reads `res` to its end; the bytes it had. */
function drain(res: IncomingMessage): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    res.once('end', () => (res.complete ? resolve(bytes) : reject(new Error(`cut after ${bytes} bytes`))));
    res.once('error', reject);
  });
}

const fetch = (url: string, headers: Record<string, string> = {}) => new Promise<IncomingMessage>((resolve, reject) => {
  request(url, { headers, agent: false }, resolve).on('error', reject).end();
});

/** One cold run: a fresh passmux, the 1-byte range, then the whole body. */
async function runOnce(page: string, site: Awaited<ReturnType<typeof startFixtureSite>>): Promise<RangeRun> {
  const passmux = await startPassmux();
  try {
    const url = `${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl(page))}`;
    // The extraction cached first (as for the resume rows): yt-dlp's time is neither request's cost.
    await drain(await fetch(`${passmux.origin}/info?url=${encodeURIComponent(site.pageUrl(page))}`));
    let before = site.stats.mediaBytes;
    let started = performance.now();
    const ranged = await fetch(url, { range: 'bytes=-1' });
    if (ranged.statusCode !== 206) throw new Error(`bytes=-1 answered ${ranged.statusCode}`);
    const length = Number(/\/(\d+)$/.exec(ranged.headers['content-range'] ?? '')?.[1]);
    if ((await drain(ranged)) !== 1) throw new Error('bytes=-1 did not send one byte');
    const rangeSeconds = (performance.now() - started) / 1000;
    const rangeUpstream = site.stats.mediaBytes - before;
    before = site.stats.mediaBytes;
    started = performance.now();
    const whole = await fetch(url);
    if ((await drain(whole)) !== length) throw new Error('the whole body was not its announced length');
    return { length, rangeUpstream, wholeUpstream: site.stats.mediaBytes - before, rangeSeconds, wholeSeconds: (performance.now() - started) / 1000 };
  } finally {
    await passmux.close();
  }
}

/** The table, medians of `runs` cold runs per source. */
export async function measureRangeCost(runs: number): Promise<string> {
  await Promise.all([ensurePlainMedia(), ensureWebmMedia()]);
  const site = await startFixtureSite();
  const lines = [`| source | body MB | bytes=-1: upstream MB | whole: upstream MB | bytes=-1 s | whole s | ÷ whole | goal ≤ ${RANGE_UPSTREAM_GOAL_MB} MB and ≤ 0.5 |`,
    '|---|--:|--:|--:|--:|--:|--:|:-:|'];
  try {
    for (const { source, page } of SOURCES) {
      console.error(`range cost, ${source}…`);
      try {
        const done: RangeRun[] = [];
        for (let i = 0; i < runs; i += 1) done.push(await runOnce(page, site));
        const mb = (pick: (run: RangeRun) => number) => (median(done.map(pick)) / 1e6).toFixed(1);
        const ratio = median(done.map((run) => run.rangeSeconds / run.wholeSeconds));
        const met = median(done.map((run) => run.rangeUpstream)) <= RANGE_UPSTREAM_GOAL_MB * 1e6 && ratio <= 0.5;
        lines.push(`| ${source} | ${mb((run) => run.length)} | ${mb((run) => run.rangeUpstream)} | ${mb((run) => run.wholeUpstream)} | `
          + `${median(done.map((run) => run.rangeSeconds)).toFixed(2)} | ${median(done.map((run) => run.wholeSeconds)).toFixed(2)} | ${ratio.toFixed(2)} | ${met ? 'met' : 'missed'} |`);
      } catch (error) {
        lines.push(`| ${source} | — | — | — | — | — | — | FAILED: ${(error as Error).message} |`);
      }
    }
  } finally {
    await site.close();
  }
  return lines.join('\n');
}
