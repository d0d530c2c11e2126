// createHandler(deps) → the server's request handler: routes, the two gates,
// shared extractions, metrics, and a close() for graceful shutdown.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdmissionController } from '../admission/admission-controller.js';
import { DEFAULT_CONFIG, DEFAULT_RELAY, type ServerConfig } from '../defaults.js';
import { probeInput } from '../length/probe-input.js';
import { MuxError } from '../errors.js';
import { egressPolicy, type EgressPolicy } from '../egress/guard.js';
import { lookUpPage } from '../extract/extract.js';
import { ClientLimit } from '../admission/client-limit.js';
import { clientAddress, clientGroup } from './client-address.js';
import { handleDownload, handleDownloadHead, type DownloadContext } from './download.js';
import { ExtractionCache, type ExtractFn } from './extraction-cache.js';
import { ProbeCache } from './probe-cache.js';
import { handleInfo } from './info.js';
import { PAGE_FILES, servePageFile } from './page.js';
import { Metrics } from './metrics.js';
import { parseDownloadQuery } from './query.js';
import { sendError, sendJson, toMuxError } from './status.js';
import { viewToolchain, type ToolchainSource } from './toolchain-view.js';

export interface HandlerDeps {
  admission: AdmissionController;
  /** Server settings; anything missing takes its default from DEFAULT_CONFIG. */
  config?: Partial<ServerConfig>;
  /** How to extract a page (replaceable in tests). @default lookUpPage with the config's yt-dlp, timeout and playlist cap */
  extract?: ExtractFn;
  /** One JSON object per finished download. @default a JSON line on stdout */
  log?: (entry: Record<string, unknown>) => void;
  /** Egress policy overrides (tests: a resolver hook, exempt addresses). @default from config */
  policy?: Partial<EgressPolicy>;
  /**
   * The programs' versions and warnings for /healthz and /metrics (server.ts passes its Toolchain).
   * @default none: /healthz says only ok and the counts
   */
  toolchain?: ToolchainSource;
}

export interface Handler {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly metrics: Metrics;
  readonly cache: ExtractionCache;
  readonly closing: boolean;
  /** Refuses new downloads, lets running ones finish for `graceMs`, then stops the rest. */
  close(graceMs: number): Promise<void>;
}

const ROUTES: Record<string, readonly string[]> = {
  ...Object.fromEntries(Object.keys(PAGE_FILES).map((path) => [path, ['GET', 'HEAD']])),
  '/info': ['GET', 'HEAD'],
  '/download': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/metrics': ['GET', 'HEAD'],
};

const logLine = (entry: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);

export function createHandler(deps: HandlerDeps): Handler {
  const config: ServerConfig = { ...DEFAULT_CONFIG, ...deps.config };
  const { admission } = deps;
  const metrics = new Metrics();
  const ports = config.allowedPorts === undefined ? {} : { allowedPorts: config.allowedPorts === '*' ? undefined : config.allowedPorts };
  // One complete policy for every path (yt-dlp's proxy, the relay, probes, thumbnails): nothing below reads the environment.
  const policy = egressPolicy({ policy: { allowPrivateNetworks: config.allowPrivateNetworks, ...ports, ...deps.policy } });
  const extract: ExtractFn = deps.extract ?? ((url, choice, signal) => lookUpPage(url, {
    ...choice, signal, ytdlp: config.ytdlp, timeoutMs: config.extractionTimeoutMs, policy, maxEntries: config.maxPlaylistEntries,
    cookiesFile: config.ytdlpCookies,
  }));
  const cache = new ExtractionCache({
    extract, maxConcurrent: config.maxExtractions, maxQueued: config.maxExtractionQueue, ttlMs: config.cacheTtlMs,
    onExtracted: (ms, ok) => metrics.countExtraction(ms, ok),
  });
  const running = new Map<Promise<unknown>, (reason: MuxError) => void>();
  const programs = viewToolchain(deps.toolchain, config.ffmpeg);
  let closing = false;
  const perClient = new ClientLimit(config.maxConnectionsPerClient);
  // Not the client's signal: the answer is shared by the HEAD, the GET and every range of the same extraction.
  const probes = new ProbeCache({
    ttlMs: config.cacheTtlMs,
    probe: (input) => probeInput(input, { policy, readTimeoutMs: DEFAULT_RELAY.readTimeoutMs, signal: AbortSignal.timeout(DEFAULT_RELAY.readTimeoutMs), tables: true }),
  });

  const ctx: DownloadContext = {
    admission, cache, metrics, idleTimeoutMs: config.idleTimeoutMs, firstByteTimeoutMs: config.firstByteTimeoutMs, queueTimeoutMs: config.queueTimeoutMs,
    muxOptions: {
      ffmpeg: config.ffmpeg, ytdlp: config.ytdlp, policy, timeoutMs: config.extractionTimeoutMs,
      relay: {
        rangeSize: config.relayRangeBytes, parallel: config.relayParallel, fragmentParallel: config.relayFragmentParallel,
        maxBufferedBytes: config.relayBufferBytes, totalBufferedBytes: config.relayTotalBufferBytes,
      },
    },
    retryAfterSeconds: config.retryAfterSeconds, log: deps.log ?? logLine,
    probe: probes.prober,
    ffmpegVersion: programs.ffmpegVersion,
    track: (abort, done) => {
      running.set(done, abort);
      void done.then(() => running.delete(done));
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://passmux.invalid');
    } catch {
      return sendError(res, new MuxError('INVALID_REQUEST', 'the request target is not a valid path'));
    }
    const methods = ROUTES[url.pathname];
    if (!methods) return sendError(res, new MuxError('ROUTE_NOT_FOUND', `no route ${url.pathname}`));
    if (!methods.includes(req.method ?? '')) {
      return sendError(res, new MuxError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`), { headers: { allow: methods.join(', ') } });
    }
    if (Object.hasOwn(PAGE_FILES, url.pathname)) return servePageFile(res, url.pathname);
    switch (url.pathname) {
      case '/healthz':
        return sendJson(res, closing ? 503 : 200, { ok: !closing, ...admission.counts, ...await programs.health() });
      case '/metrics':
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
        return void res.end(req.method === 'HEAD' ? undefined : metrics.render(admission.counts, cache, programs.buildInfo()));
    }
    const query = parseDownloadQuery(url.searchParams, config.allowPrivateNetworks);
    // Each download's log line names its client (behind a trusted proxy: the one X-Forwarded-For names).
    const client = clientAddress(req, config.trustProxy);
    if (!enterForClient(res, client, url.pathname === '/info' ? 'info' : 'download')) return;
    if (url.pathname === '/info') return handleInfo(res, query, cache, { retryAfterSeconds: config.retryAfterSeconds, policy });
    if (closing) return sendError(res, new MuxError('BUSY', 'the server is shutting down'), { retryAfterSeconds: config.retryAfterSeconds });
    const requestCtx: DownloadContext = { ...ctx, log: (entry) => ctx.log({ ...entry, client }) };
    if (req.method === 'HEAD') return handleDownloadHead(res, query, requestCtx);
    return handleDownload(req, res, query, requestCtx);
  }

  /**
   * Counts the request against its client's limit until its response closes
   * (finished or cut: every path), or answers 429 and says false.
   */
  function enterForClient(res: ServerResponse, client: string | null, route: 'download' | 'info'): boolean {
    if (client === null) return true;
    try {
      res.once('close', perClient.enter(clientGroup(client)));
      return true;
    } catch (error) {
      metrics.countClientLimited(route);
      sendError(res, toMuxError(error), { retryAfterSeconds: config.retryAfterSeconds });
      return false;
    }
  }

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, toMuxError(error));
      else res.destroy();
    });
  }) as Handler;

  Object.defineProperties(handler, {
    metrics: { value: metrics },
    cache: { value: cache },
    closing: { get: () => closing },
    close: {
      value: async (graceMs: number) => {
        closing = true;
        const all = () => Promise.all([...running.keys()]);
        let timer: NodeJS.Timeout | undefined;
        const graceOver = new Promise<'grace'>((resolve) => { timer = setTimeout(() => resolve('grace'), graceMs); });
        if (await Promise.race([all(), graceOver]) === 'grace') {
          for (const abort of running.values()) abort(new MuxError('ABORTED', 'the server is shutting down'));
          await all();
        }
        clearTimeout(timer);
      },
    },
  });
  return handler;
}
