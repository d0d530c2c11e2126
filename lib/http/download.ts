// GET/HEAD /download: Gate 1, extraction, Gate 2, ffmpeg, bytes. Every path
// ends in the same finally: ffmpeg gone, ticket released (this file is the
// one owner of a server download's ticket), one log line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdmissionController } from '../admission/admission-controller.js';
import { inputAt, muxPage, type MuxOptions } from '../create-mux-stream.js';
import type { Selection } from '../types.js';
import { MuxError } from '../errors.js';
import type { MuxStream } from '../mux/mux-stream.js';
import type { Ticket } from '../admission/admission-controller.js';
import { clientSignal } from './client-signal.js';
import { describeOutput, forgetClipLength } from './describe-output.js';
import { planSkip, type InputProber } from '../length/measure-output.js';
import { answerRange, type RangeAnswer } from './range-request.js';
import { ByteWindow } from './byte-window.js';
import type { ExtractionCache } from './extraction-cache.js';
import type { DownloadOutcome, Metrics } from './metrics.js';
import type { DownloadQuery } from './query.js';
import { redactUrls, sendError, toMuxError } from './status.js';
import { firstChunk, pumpBody } from './stream-body.js';
import { waitUntilAvailable } from '../wait-available.js';
import { resolveClip } from '../section.js';

export interface DownloadContext {
  admission: AdmissionController;
  cache: ExtractionCache;
  metrics: Metrics;
  /** What every download passes to muxPage (binaries, network policy, timeouts). */
  muxOptions: Pick<MuxOptions, 'ffmpeg' | 'ytdlp' | 'policy' | 'timeoutMs' | 'relay'>;
  idleTimeoutMs: number;
  /** After Gate 2, the first media byte must come within this long, and no later gap in the media may last longer. */
  firstByteTimeoutMs: number;
  /** How long a download may wait in Gate 2's queue before it gives up with a 503 in words. */
  queueTimeoutMs: number;
  retryAfterSeconds: number;
  log: (entry: Record<string, unknown>) => void;
  /** An input's exact size and index, asked of its media server (HEAD and GET send what it gives). */
  probe: InputProber;
  /** ffmpeg's version line, part of every ETag. */
  ffmpegVersion: () => Promise<string>;
  /** Registers a running download for shutdown: how to stop it, and when it is done. */
  track: (abort: (reason: MuxError) => void, done: Promise<unknown>) => void;
}

/** Ranges starting earlier are cheaper to re-read than to plan (one more read of the inputs' indexes). */
const SKIP_PLAN_FROM = 1024 * 1024;

/**
 * Gate 1 for HEAD and GET alike: a ticket, or a 503 with `Retry-After`
 * (counted and logged) and undefined. HEAD runs yt-dlp just like GET, so a
 * flood of HEADs is turned away at the door too.
 */
function admit(res: ServerResponse, query: DownloadQuery, ctx: DownloadContext): Ticket | undefined {
  try {
    return ctx.admission.tryAdmit();
  } catch (error) {
    ctx.metrics.countDownload('rejected_busy', 0);
    ctx.log({ event: 'download', method: res.req.method, host: new URL(query.url).hostname, outcome: 'rejected_busy', bytes: 0, ms: 0, error: 'BUSY' });
    sendError(res, toMuxError(error), { retryAfterSeconds: ctx.retryAfterSeconds });
    return undefined;
  }
}

/** Gate 2, waited for at most `ms`: a queue nobody leaves would hold the client (and its Gate 1 place) for ever. */
async function acquireWithin(ticket: Ticket, signal: AbortSignal, ms: number): Promise<void> {
  const waited = new AbortController();
  const timer = setTimeout(() => waited.abort(new MuxError('BUSY', `every worker stayed busy for ${Math.round(ms / 1000)} s; try again later`)), ms);
  try {
    await ticket.acquire(AbortSignal.any([signal, waited.signal]));
  } catch (error) {
    throw waited.signal.aborted && !signal.aborted ? waited.signal.reason : error;
  } finally {
    clearTimeout(timer);
  }
}

/** HEAD: the headers GET will send, from the cache (no yt-dlp run for a known page) and a size probe; no ffmpeg. */
export async function handleDownloadHead(res: ServerResponse, query: DownloadQuery, ctx: DownloadContext): Promise<void> {
  const ticket = admit(res, query, ctx);
  if (!ticket) return;
  const { signal, controller, clientGone, dispose } = clientSignal(res);
  let finish!: () => void;
  // Holds a ticket, so shutdown may stop it like a download.
  ctx.track((reason) => controller.abort(reason), new Promise<void>((resolve) => { finish = resolve; }));
  try {
    const selection = await ctx.cache.get(query.url, query, signal);
    // A clip starting past the video's end: a 400 now, before any media request.
    const clip = resolveClip(query, selection.info.duration);
    // The size probe is a media request too: none before the site's moment.
    await waitUntilAvailable(selection.inputs, ctx.firstByteTimeoutMs, signal);
    res.writeHead(200, (await describeOutput(selection, query, ctx.probe, await ctx.ffmpegVersion(), clip)).headers).end();
  } catch (error) {
    if (!clientGone() && !res.headersSent) {
      sendError(res, toMuxError(signal.aborted ? signal.reason : error), { retryAfterSeconds: ctx.retryAfterSeconds });
    }
  } finally {
    ticket.release();
    dispose();
    finish();
  }
}

export async function handleDownload(req: IncomingMessage, res: ServerResponse, query: DownloadQuery, ctx: DownloadContext): Promise<void> {
  const started = performance.now();
  const host = new URL(query.url).hostname;
  const ticket = admit(res, query, ctx);
  if (!ticket) return;

  const { signal, controller, clientGone, dispose } = clientSignal(res);
  let stream: MuxStream | undefined;
  let bytes = 0;
  let outcome: DownloadOutcome = 'completed';
  let failure: MuxError | undefined;
  let firstByte: NodeJS.Timeout | undefined;
  // A clip whose output missed its length goes chunked from then on.
  let forgetLength: (() => void) | undefined;
  let finish!: () => void;
  ctx.track((reason) => controller.abort(reason), new Promise<void>((resolve) => { finish = resolve; }));
  try {
    const selection = await ctx.cache.get(query.url, query, signal);
    // A clip starting past the video's end: a 400 before any media request or ffmpeg.
    const clip = resolveClip(query, selection.info.duration);
    if (clip) forgetLength = () => forgetClipLength(selection, Boolean(query.audioOnly), clip);
    // yt-dlp's available_at: no media request (not even the size probe) before it, within the first-byte bound.
    await waitUntilAvailable(selection.inputs, ctx.firstByteTimeoutMs, signal);
    // Asked of the media servers while this download waits for its slot.
    const described = ctx.ffmpegVersion().then((version) => describeOutput(selection, query, ctx.probe, version, clip));
    described.catch(() => {});
    await acquireWithin(ticket, signal, ctx.queueTimeoutMs);
    // Waiting for a slot is fair; holding one without a byte (a dripping playlist or file) is not.
    firstByte = setTimeout(() => controller.abort(new MuxError('TIMEOUT', `no media arrived within ${Math.round(ctx.firstByteTimeoutMs / 1000)} s`)),
      ctx.firstByteTimeoutMs);
    const output = await described;
    const answer: RangeAnswer = output.length === undefined ? { status: 200 }
      : answerRange(req.headers.range, [req.headers['if-range'] ?? []].flat().join(',') || undefined, output.etag!, output.length);
    if (answer.status === 416) {
      outcome = 'unsatisfiable';
      return sendError(res, new MuxError('RANGE_NOT_SATISFIABLE', `the download is ${output.length} bytes long`),
        { headers: { 'content-range': `bytes */${output.length}` } });
    }
    // A refused URL gets one fresh extraction through the cache: its limit, its metrics.
    let fresh: Promise<Selection> | undefined;
    const refresh = (index: number) => (fresh ??= ctx.cache.refresh(query.url, query, selection, signal)).then((s) => inputAt(s, index));
    const length = output.length !== undefined ? { length: output.length } : {};
    // A resume deep into the file: what surely lands before its start is read as zeros, not fetched again.
    // A clip's range re-runs the clip: its samples whose output surely lands before the range are zeros too.
    const blanks = answer.status === 206 && answer.start >= SKIP_PLAN_FROM ? await planSkip(selection, Boolean(query.audioOnly), answer.start, ctx.probe, signal, clip) : undefined;
    stream = await muxPage(query.url, { ...ctx.muxOptions, ...query, selection, refresh, signal, availabilityWaitMs: ctx.firstByteTimeoutMs, ...length, blind: output.blind, indexes: output.indexes, ...(blanks ? { blanks } : {}),
      // A clip's keyframe from the index kept with the extraction: a second clip of the page reads no index.
      probe: (input) => ctx.probe(input, true) });
    // Failures are read through firstChunk/pumpBody; this keeps a late one (after we stopped listening) from going uncaught.
    stream.on('error', () => {});
    const first = await firstChunk(stream);
    clearTimeout(firstByte);
    // A range is the same remux, run again: the bytes before it are made and dropped, the rest not made at all.
    const window = answer.status === 206 ? new ByteWindow(answer.start, answer.end) : undefined;
    res.writeHead(answer.status, answer.status === 206 ? {
      ...output.headers, 'content-length': String(answer.end - answer.start + 1),
      'content-range': `bytes ${answer.start}-${answer.end}/${output.length}`,
    } : output.headers);
    // The remux is under way; the range's first byte may be many seconds off: let the client know it is coming.
    if (window) res.flushHeaders();
    await pumpBody(stream, res, { idleMs: ctx.idleTimeoutMs, stallMs: ctx.firstByteTimeoutMs }, (n) => { bytes += n; }, { first, window });
  } catch (error) {
    failure = toMuxError(signal.aborted ? signal.reason : error);
    outcome = clientGone() ? 'client_aborted' : 'failed';
    // Before the first byte the client gets a JSON error; after it, a cut connection,
    // never a short file that looks complete.
    if (!res.headersSent && !res.destroyed) sendError(res, failure, { retryAfterSeconds: ctx.retryAfterSeconds });
    else res.destroy();
  } finally {
    clearTimeout(firstByte);
    await stream?.close();
    // The one place this download's ticket is given back: after its ffmpeg is gone.
    ticket.release();
    dispose();
    if (stream?.overran) ctx.metrics.countLengthOverrun();
    if (stream?.missedLength) forgetLength?.();
    if (failure?.code === 'INDEX_CHANGED') ctx.metrics.countIndexChanged();
    ctx.metrics.countDownload(outcome, bytes);
    ctx.log({
      event: 'download', host, outcome, bytes, ms: Math.round(performance.now() - started),
      ffmpegExit: stream?.exitCode ?? null, ...(failure ? logFields(failure) : {}),
    });
    finish();
  }
}

/** The log's view of a failure: the client's message, and the detail the client never sees (URLs still cut). */
function logFields(failure: MuxError): Record<string, string> {
  return {
    error: failure.code, message: redactUrls(failure.message).slice(0, 300),
    ...(failure.detail ? { detail: redactUrls(failure.detail).slice(0, 1000) } : {}),
  };
}
