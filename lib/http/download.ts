// GET/HEAD /download: Gate 1, extraction, Gate 2, ffmpeg, bytes. Every path
// ends in the same finally: ffmpeg gone, ticket released, one log line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdmissionController } from '../admission/admission-controller.js';
import { createMuxStream, type MuxOptions } from '../create-mux-stream.js';
import { MuxError } from '../errors.js';
import type { MuxStream } from '../mux/mux-stream.js';
import type { MuxInfo } from '../types.js';
import { clientSignal } from './client-signal.js';
import { contentDisposition } from './content-disposition.js';
import type { ExtractionCache } from './extraction-cache.js';
import type { DownloadOutcome, Metrics } from './metrics.js';
import type { DownloadQuery } from './query.js';
import { redactUrls, sendError, toMuxError } from './status.js';
import { firstChunk, pumpBody } from './stream-body.js';

export interface DownloadContext {
  admission: AdmissionController;
  cache: ExtractionCache;
  metrics: Metrics;
  /** What every download passes to createMuxStream (binaries, network policy, timeouts). */
  muxOptions: Pick<MuxOptions, 'ffmpeg' | 'ytdlp' | 'policy' | 'timeoutMs' | 'relay'>;
  idleTimeoutMs: number;
  retryAfterSeconds: number;
  log: (entry: Record<string, unknown>) => void;
  /** Registers a running download for shutdown: how to stop it, and when it is done. */
  track: (abort: (reason: MuxError) => void, done: Promise<unknown>) => void;
}

export function downloadHeaders(info: MuxInfo): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': info.mimeType,
    'content-disposition': contentDisposition(info.filename),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  // A guess for progress bars only: a Content-Length from it would cut the file.
  if (info.estimatedSize !== null) headers['x-estimated-content-length'] = String(info.estimatedSize);
  return headers;
}

/**
 * HEAD runs yt-dlp just like GET, so it passes Gate 1 just like GET (refused and
 * counted the same way): a flood of HEADs is turned away at the door instead of
 * filling the extraction queue behind the gate's back.
 */
export async function handleDownloadHead(res: ServerResponse, query: DownloadQuery, ctx: DownloadContext): Promise<void> {
  let ticket;
  try {
    ticket = ctx.admission.tryAdmit();
  } catch (error) {
    ctx.metrics.countDownload('rejected_busy', 0);
    ctx.log({ event: 'download', method: 'HEAD', host: new URL(query.url).hostname, outcome: 'rejected_busy', bytes: 0, ms: 0, error: 'BUSY' });
    return sendError(res, toMuxError(error), { retryAfterSeconds: ctx.retryAfterSeconds });
  }

  const { signal, controller, clientGone, dispose } = clientSignal(res);
  let finish!: () => void;
  // Holds a ticket, so shutdown may stop it like a download.
  ctx.track((reason) => controller.abort(reason), new Promise<void>((resolve) => { finish = resolve; }));
  try {
    // The cache answers known pages without spawning anything.
    const selection = await ctx.cache.get(query.url, query, signal);
    const mimeType = query.audioOnly ? 'audio/mp4' : 'video/mp4';
    res.writeHead(200, downloadHeaders({ ...selection.info, mimeType })).end();
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

export async function handleDownload(_req: IncomingMessage, res: ServerResponse, query: DownloadQuery, ctx: DownloadContext): Promise<void> {
  const started = performance.now();
  const host = new URL(query.url).hostname;
  let ticket;
  try {
    ticket = ctx.admission.tryAdmit();
  } catch (error) {
    ctx.metrics.countDownload('rejected_busy', 0);
    ctx.log({ event: 'download', host, outcome: 'rejected_busy', bytes: 0, ms: 0, error: 'BUSY' });
    return sendError(res, toMuxError(error), { retryAfterSeconds: ctx.retryAfterSeconds });
  }

  const { signal, controller, clientGone, dispose } = clientSignal(res);
  let stream: MuxStream | undefined;
  let bytes = 0;
  let outcome: DownloadOutcome = 'completed';
  let failure: MuxError | undefined;
  let finish!: () => void;
  ctx.track((reason) => controller.abort(reason), new Promise<void>((resolve) => { finish = resolve; }));
  try {
    const selection = await ctx.cache.get(query.url, query, signal);
    stream = await createMuxStream(query.url, { ...ctx.muxOptions, ...query, selection, admission: ticket, signal });
    // Failures are read through firstChunk/pumpBody; this keeps a late one (after we stopped listening) from going uncaught.
    stream.on('error', () => {});
    const first = await firstChunk(stream);
    res.writeHead(200, downloadHeaders(stream.info));
    bytes += first.length;
    res.write(first);
    await pumpBody(stream, res, ctx.idleTimeoutMs, (n) => { bytes += n; });
  } catch (error) {
    failure = toMuxError(signal.aborted ? signal.reason : error);
    outcome = clientGone() ? 'client_aborted' : 'failed';
    if (failure.code === 'UPSTREAM_FORBIDDEN') ctx.cache.invalidate(query.url, query);
    // Before the first byte the client gets a JSON error; after it, a cut connection,
    // never a short file that looks complete.
    if (!res.headersSent && !res.destroyed) sendError(res, failure, { retryAfterSeconds: ctx.retryAfterSeconds });
    else res.destroy();
  } finally {
    if (stream && !stream.closed) {
      stream.destroy();
      await new Promise((resolve) => stream!.once('close', resolve));
    }
    ticket.release();
    dispose();
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
