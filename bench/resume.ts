// The resume scenario: how soon a download cut at 90 % gets its bytes again.
// Each run is a pair on one passmux server: a whole GET /download (time to its
// last byte is the full download time; its Content-Length L and ETag noted, the
// bytes from floor(0.9 × L) on hashed as they pass), then a GET with
// `Range: bytes=<floor(0.9 × L)>-` and `If-Range: <ETag>`, timed to its first
// body byte and to its last. The resume must be a 206 with the right
// Content-Range, and its bytes must be the full body's tail, byte for byte.
// Goal (its issue): the resume's first byte in under half the full download time.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { median, type JsonLinesProcess } from './measure.js';
import { get, nextDownloadLog, RUN_TIMEOUT_MS } from './scenarios.js';

/** Where the resume starts, as a share of the whole body. */
export const RESUME_AT = 0.9;
/** The goal: resume TTFB ÷ full download time under this. */
export const RESUME_GOAL = 0.5;

export interface ResumeRun {
  /** The whole body's length (Content-Length of the 200) and its ETag. */
  length: number;
  etag: string;
  /** The byte the resume asked from: floor(RESUME_AT × length). */
  from: number;
  /** The whole GET: time to its last byte. */
  fullSeconds: number;
  /** The resume: time to its response headers, to its first body byte, to its last. */
  resumeHeadersSeconds: number;
  resumeTtfbSeconds: number;
  resumeSeconds: number;
  /** Everything checked held: 206, Content-Range, lengths, and the resumed bytes equal the full body's tail. */
  matched: boolean;
  /** What did not hold, if anything. */
  problems: string[];
}

export interface ResumeRow {
  source: string;
  /** Timed runs (the warm-up pair is not among them, but its checks count). */
  runs: ResumeRun[];
  /** Why there is no row of numbers (the source is not resumable, a request failed). */
  failure?: string;
  /** Every pair, the warm-up included, matched. */
  allMatched: boolean;
  checkedPairs: number;
}

/**
 * Reads `body` to its end: its length, when its first byte came (ms after
 * `started`), when its last did, and the SHA-256 of its bytes from offset
 * `hashFrom` on. Gives up after RUN_TIMEOUT_MS.
 */
function readBody(body: IncomingMessage, started: number, hashFrom: number): Promise<{ bytes: number; ttfbMs: number; endMs: number; digest: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let ttfbMs = -1;
    const timer = setTimeout(() => {
      const error = new Error(`a transfer took longer than ${RUN_TIMEOUT_MS} ms`);
      body.destroy(error);
      reject(error);
    }, RUN_TIMEOUT_MS);
    body.on('data', (chunk: Buffer) => {
      if (ttfbMs < 0) ttfbMs = performance.now() - started;
      if (bytes + chunk.length > hashFrom) hash.update(chunk.subarray(Math.max(0, hashFrom - bytes)));
      bytes += chunk.length;
    });
    body.once('end', () => {
      clearTimeout(timer);
      const endMs = performance.now() - started;
      if (!body.complete) return reject(new Error(`the response was cut after ${bytes} bytes`));
      resolve({ bytes, ttfbMs, endMs, digest: hash.digest('hex') });
    });
    body.once('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

/** Waits for the server's log line of the download just made; it must have completed. */
async function completed(logged: Promise<Record<string, unknown>>, what: string): Promise<void> {
  const entry = await logged;
  if (entry.outcome !== 'completed') throw new Error(`${what}: download ${String(entry.outcome)}: ${String(entry.message ?? entry.error)}`);
}

/** Thrown when the whole GET gives nothing to resume from: the source is not resumable through passmux. */
class NotResumable extends Error {}

/** One pair: the whole download, then the resume at RESUME_AT of it. */
export async function runResume(origin: string, page: string, server: JsonLinesProcess): Promise<ResumeRun> {
  const url = `${origin}/download?url=${encodeURIComponent(page)}`;
  const problems: string[] = [];

  let logged = nextDownloadLog(server);
  let started = performance.now();
  const full = await get(url);
  if (full.statusCode !== 200) {
    full.resume();
    throw new Error(`the whole GET answered ${full.statusCode}`);
  }
  const length = Number(full.headers['content-length']);
  const etag = full.headers.etag;
  if (!full.headers['content-length'] || !Number.isSafeInteger(length) || full.headers['accept-ranges'] !== 'bytes' || !etag) {
    full.destroy();
    await logged;
    throw new NotResumable(`the whole GET sent Content-Length ${full.headers['content-length'] ?? 'none'}, `
      + `Accept-Ranges ${full.headers['accept-ranges'] ?? 'none'}, ETag ${etag ?? 'none'}: nothing to resume`);
  }
  const from = Math.floor(RESUME_AT * length);
  const whole = await readBody(full, started, from);
  await completed(logged, 'the whole GET');
  if (whole.bytes !== length) problems.push(`the whole GET sent ${whole.bytes} bytes, its Content-Length said ${length}`);

  logged = nextDownloadLog(server);
  started = performance.now();
  const res = await get(url, { range: `bytes=${from}-`, 'if-range': etag });
  const resumeHeadersSeconds = (performance.now() - started) / 1000;
  const expectedRange = `bytes ${from}-${length - 1}/${length}`;
  if (res.statusCode !== 206) {
    // A 200 here is the whole body again (If-Range did not match): not a resume, and not worth reading.
    res.destroy();
    await logged;
    throw new Error(`the resume answered ${res.statusCode}, not 206 (ETag ${etag}${res.headers.etag ? `, now ${res.headers.etag}` : ''})`);
  }
  if (res.headers['content-range'] !== expectedRange) problems.push(`Content-Range ${res.headers['content-range'] ?? 'none'}, not ${expectedRange}`);
  if (Number(res.headers['content-length']) !== length - from) problems.push(`the resume's Content-Length ${res.headers['content-length'] ?? 'none'}, not ${length - from}`);
  if (res.headers.etag !== etag) problems.push(`the resume's ETag ${res.headers.etag ?? 'none'}, not ${etag}`);
  const tail = await readBody(res, started, 0);
  await completed(logged, 'the resume');
  if (tail.bytes !== length - from) problems.push(`the resume sent ${tail.bytes} bytes, not ${length - from}`);
  if (tail.digest !== whole.digest) problems.push('the resumed bytes differ from the tail of the whole body');
  return {
    length, etag, from,
    fullSeconds: whole.endMs / 1000,
    resumeHeadersSeconds,
    resumeTtfbSeconds: tail.ttfbMs / 1000,
    resumeSeconds: tail.endMs / 1000,
    matched: problems.length === 0,
    problems,
  };
}

/** A warm-up pair, then `runs` timed pairs; a source that is not resumable, or a failing request, gives a row saying why. */
export async function measureResume(source: string, origin: string, page: string, server: JsonLinesProcess, runs: number): Promise<ResumeRow> {
  const timed: ResumeRun[] = [];
  let allMatched = true;
  let checkedPairs = 0;
  const note = (run: ResumeRun, label: string) => {
    checkedPairs += 1;
    allMatched &&= run.matched;
    console.error(`  ${label}: full ${run.fullSeconds.toFixed(2)} s; resume from byte ${run.from} of ${run.length}: `
      + `headers ${run.resumeHeadersSeconds.toFixed(2)} s, first byte ${run.resumeTtfbSeconds.toFixed(2)} s, last ${run.resumeSeconds.toFixed(2)} s `
      + `(TTFB ÷ full ${(run.resumeTtfbSeconds / run.fullSeconds).toFixed(2)}); ${run.matched ? 'bytes match' : `BROKEN: ${run.problems.join('; ')}`}`);
  };
  try {
    note(await runResume(origin, page, server), 'warm-up');
    for (let i = 0; i < runs; i += 1) {
      const run = await runResume(origin, page, server);
      note(run, `run ${i + 1}`);
      timed.push(run);
    }
  } catch (error) {
    const failure = error instanceof NotResumable ? `not resumable: ${error.message}` : `FAILED: ${(error as Error).message}`;
    console.error(`  ${failure}`);
    return { source, runs: timed, failure, allMatched: false, checkedPairs };
  }
  return { source, runs: timed, allMatched, checkedPairs };
}

const ratio = (run: ResumeRun) => run.resumeTtfbSeconds / run.fullSeconds;

/** The table: medians over the timed pairs; TTFB ÷ full is the median of each pair's own ratio. */
export function resumeTable(rows: ResumeRow[]): string {
  const lines = [`| source | length MB | resume from byte | full download s | resume TTFB s | resume total s | TTFB ÷ full | goal < ${RESUME_GOAL} | bytes match |`,
    '|---|--:|--:|--:|--:|--:|--:|:-:|:-:|'];
  for (const row of rows) {
    if (row.failure || row.runs.length === 0) {
      lines.push(`| ${row.source} | — | — | — | — | — | — | — | ${row.failure ?? 'no runs'} |`);
      continue;
    }
    const first = row.runs[0]!;
    const r = median(row.runs.map(ratio));
    lines.push(`| ${row.source} | ${(first.length / 1e6).toFixed(1)} | ${first.from} | ${median(row.runs.map((x) => x.fullSeconds)).toFixed(2)} | `
      + `${median(row.runs.map((x) => x.resumeTtfbSeconds)).toFixed(2)} | ${median(row.runs.map((x) => x.resumeSeconds)).toFixed(2)} | `
      + `${r.toFixed(2)} | ${r < RESUME_GOAL ? 'met' : 'missed'} | ${row.allMatched ? `yes (${row.checkedPairs} of ${row.checkedPairs} pairs)` : 'NO'} |`);
  }
  return lines.join('\n');
}

/** Per source: the spread of TTFB ÷ full over the timed pairs, the time to the resume's headers, and anything that broke. */
export function resumeDetails(rows: ResumeRow[]): string[] {
  const out: string[] = [];
  const range = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  for (const row of rows.filter((r) => r.runs.length > 0)) {
    const etags = new Set(row.runs.map((r) => r.etag));
    out.push(`- ${row.source}: TTFB ÷ full ${range(row.runs.map(ratio))}; resume headers after ${range(row.runs.map((r) => r.resumeHeadersSeconds))} s; `
      + `${etags.size === 1 ? `one ETag in every run (${[...etags][0]})` : `ETags differ between runs: ${[...etags].join(', ')}`}`
      + row.runs.filter((r) => !r.matched).map((r) => `; BROKEN: ${r.problems.join('; ')}`).join(''));
  }
  return out;
}
