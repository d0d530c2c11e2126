// The loopback relay ffmpeg reads from: one node:http server per process on
// 127.0.0.1, started when first needed. Each mux session registers its
// upstream URLs (with their headers and cookies) under random tokens, so no
// secret is ever in ffmpeg's argv; the tokens die with the session. A token is
// served only to the process it was bound to (its ffmpeg), so a URL read from
// the process list cannot be replayed by another local program.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lazily } from '../lazily.js';
import { ByteBudget } from './budget.js';
import { firstRangeEnd, parseRangeHeader } from './byte-range.js';
import { checkWrites, IndexCheck, type IndexDigest } from './index-check.js';
import { isConnectionOf } from './peer-process.js';
import { RangeReader } from './range-reader.js';
import { Chunk, consume } from './chunk.js';
import { FragmentReader } from './fragment-reader.js';
import type { UpstreamResponse } from './lean-response.js';
import { UpstreamSource, type SourceOptions, type SourceTarget } from './upstream-source.js';

export interface RelayOptions extends SourceOptions {
  /** Bytes per upstream range request. */
  rangeSize: number;
  /** Range requests in flight per input. */
  parallel: number;
  /** Fragment requests in flight per HLS/DASH input. */
  fragmentParallel: number;
  /** Heap bytes a session's read-ahead may hold. */
  maxBufferedBytes: number;
  /** Heap bytes the read-ahead of all sessions together may hold. */
  totalBufferedBytes: number;
}

export interface RelaySession {
  /** Loopback URLs for ffmpeg, one per registered input. */
  urls: string[];
  /** Why an input could not be delivered in full, if it could not (ffmpeg may still exit 0 on a cut input). */
  failure(): Error | undefined;
  /** The one process (ffmpeg) that may read these URLs; until bound, nobody may. */
  bind(pid: number): void;
  /** Forget the tokens and stop every upstream request of the session. */
  close(): void;
}

/** One input to register: where it is, how to get a fresh copy, and which of its bytes to serve as zeros. */
export type RelayTarget = SourceTarget & {
  refresh?: () => Promise<SourceTarget>; blanks?: ReadonlyArray<readonly [number, number]>;
  /** What the probe read of its index: every block ffmpeg is served of it must match (lib/relay/index-check.ts). */
  index?: IndexDigest;
};

interface Registration {
  source: UpstreamSource;
  blanks: ReadonlyArray<readonly [number, number]> | undefined;
  index: IndexDigest | undefined;
  session: { budget: ByteBudget; controller: AbortController; options: RelayOptions; failure?: Error; pid?: number };
}

const isLoopback = (address: string | undefined) => address === '127.0.0.1' || address === '::ffff:127.0.0.1' || address === '::1';

export class Relay {
  readonly #port: number;
  readonly #tokens = new Map<string, Registration>();
  /** Connections already proven to be held by a session's ffmpeg (pid). */
  readonly #owned = new WeakMap<object, number>();
  /** The process-wide read-ahead budget, sized by the first registration. */
  #total: ByteBudget | undefined;

  private constructor(server: Server) {
    this.#port = (server.address() as AddressInfo).port;
  }

  static async start(): Promise<Relay> {
    // 64 KiB, not more: with many downloads paused behind slow clients every socket holds this much.
    const server = createServer({ highWaterMark: 64 * 1024 });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    // The relay must never keep a process (a CLI run, a test) alive on its own.
    server.unref();
    const relay = new Relay(server);
    server.on('request', (req, res) => void relay.#handle(req, res));
    return relay;
  }

  get port(): number { return this.#port; }
  /** Tokens registered now (for tests and metrics). */
  get tokens(): number { return this.#tokens.size; }

  /** `targets`: one per input; a target with `fragments` is served as their concatenation (not seekable). */
  register(targets: RelayTarget[], options: RelayOptions): RelaySession {
    this.#total ??= new ByteBudget(options.totalBufferedBytes);
    const budget = new ByteBudget(options.maxBufferedBytes, this.#total);
    const session: Registration['session'] = { budget, controller: new AbortController(), options };
    const tokens: string[] = [];
    for (const { refresh, blanks, index, ...target } of targets) {
      const token = randomBytes(24).toString('base64url');
      this.#tokens.set(token, { source: new UpstreamSource(target, options, refresh), blanks, index, session });
      tokens.push(token);
    }
    return {
      urls: tokens.map((token) => `http://127.0.0.1:${this.#port}/${token}`),
      failure: () => session.failure,
      bind: (pid) => { session.pid = pid; },
      close: () => {
        for (const token of tokens) this.#tokens.delete(token);
        session.controller.abort();
      },
    };
  }

  /** Whether this request's connection is held by the session's own ffmpeg (checked once per connection). */
  async #fromOwner(req: IncomingMessage, pid: number | undefined): Promise<boolean> {
    const socket = req.socket;
    if (pid === undefined || !isLoopback(socket.remoteAddress)) return false;
    if (this.#owned.get(socket) === pid) return true;
    const owned = await isConnectionOf(pid, socket.remotePort ?? 0, socket.localPort ?? 0);
    if (owned) this.#owned.set(socket, pid);
    return owned;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const registration = this.#tokens.get((req.url ?? '').slice(1));
    if (!isLoopback(req.socket.remoteAddress) || !registration || req.method !== 'GET') {
      res.writeHead(registration && req.method !== 'GET' ? 405 : 404).end();
      return;
    }
    const { source, session, blanks, index } = registration;
    if (!await this.#fromOwner(req, session.pid)) return void res.writeHead(403).end();
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, session.controller.signal]);
    // Every request in flight (fragments, keys, retries) listens on it: many, by design.
    setMaxListeners(0, signal);
    res.once('close', () => controller.abort());
    const asked = parseRangeHeader(req.headers.range) ?? { start: 0 };
    const { parallel, fragmentParallel } = session.options;
    // The format's own limit (yt-dlp's http_chunk_size) wins over ours when smaller.
    const rangeSize = Math.min(session.options.rangeSize, source.target.chunkSize ?? Infinity);
    try {
      if (source.target.fragments) {
        // One stream made of many: there is nothing to seek to.
        if (asked.start > 0) return void res.writeHead(416).end();
        res.writeHead(200);
        await new FragmentReader(source, res, { parallel: fragmentParallel, budget: session.budget }, signal).run();
        return void res.end();
      }
      // The first answer asks no further than the first blank ahead (a resume's zeros): where ffmpeg
      // starts in one, it is needed only for the file's size.
      const first = await source.open(asked.start, firstRangeEnd(asked.start, rangeSize, blanks), signal);
      if (!first.ranged || first.total === undefined) {
        // No Range support, or no size: one plain stream from where ffmpeg asked, still checked for cuts.
        if (first.ranged) first.res.destroy();
        const whole = first.ranged ? await source.request((target) => ({ url: target.url, range: [asked.start, undefined] }), signal) : first.res;
        res.writeHead(200, !first.ranged && first.total !== undefined && asked.start === 0 ? { 'content-length': first.total } : {});
        await streamRest(whole, asked.start, res, session.budget, source.options.readTimeoutMs);
        return void res.end();
      }
      const total = first.total;
      const end = Math.min(asked.end ?? Infinity, total - 1);
      res.writeHead(req.headers.range ? 206 : 200, {
        'accept-ranges': 'bytes',
        'content-length': end - asked.start + 1,
        ...(req.headers.range ? { 'content-range': `bytes ${asked.start}-${end}/${total}` } : {}),
      });
      // Another index than the one measured: the whole download is cut (never padded into a "complete" file).
      if (index) checkWrites(res, new IndexCheck(index, asked.start, blanks), (error) => { session.failure ??= error; session.controller.abort(error); });
      await new RangeReader(source, res, { rangeSize, parallel, budget: session.budget, ...(blanks ? { blanks } : {}) }, signal).run(asked.start, end, first.res);
      res.end();
    } catch (error) {
      // Not ffmpeg hanging up (a seek, the end): the input really failed, whatever ffmpeg makes of it.
      if (!controller.signal.aborted) session.failure ??= error as Error;
      // ffmpeg only needs to know the input failed; why reaches the stream through session.failure().
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    }
  }
}

/** Streams a response from byte `start` of the file to its end into `out`; a response cut short rejects. */
function streamRest(res: UpstreamResponse, start: number, out: ServerResponse, budget: ByteBudget, timeoutMs: number): Promise<void> {
  const chunk = new Chunk(0, Infinity, res);
  chunk.head = true;
  if (res.statusCode === 200) {
    // The whole file came: skip to where ffmpeg asked.
    chunk.skip = start;
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length)) chunk.end = length - start - 1;
  }
  return consume(chunk, res, out, budget, timeoutMs);
}

/** The process's relay, started on first use. */
export const getRelay = lazily(() => Relay.start());
