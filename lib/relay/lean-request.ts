// One GET over a socket of our own (plain TCP or TLS with the normal certificate
// checks), dialled to exactly the address the egress guard checked, its body read
// by LeanResponse without Node's parser copy. Only answers with a plain
// Content-Length are read here; for anything else the socket is dropped and
// undefined returned, and the caller asks again through Node's client
// (lib/relay/upstream.ts), which reads every shape of answer.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { abortError, MuxError } from '../errors.js';
import { portOf, resolveChecked, type EgressPolicy } from '../egress/guard.js';
import { LeanResponse } from './lean-response.js';
import { HeadReader, planBody } from './response-head.js';
import { SocketPool } from './socket-pool.js';

export interface LeanOptions {
  signal: AbortSignal;
  policy: EgressPolicy;
  /** No answer for this long → TIMEOUT. */
  readTimeoutMs: number;
}

// 2 s idle: below the keep-alive timeouts servers commonly use (Node 5 s, nginx 75 s), so we close first.
export const leanPool = new SocketPool<Socket>({ maxIdlePerKey: 16, idleMs: 2_000 });
/** Answers read the lean way, and answers handed back to Node's client (tests, metrics). */
export const leanStats = { responses: 0, fallbacks: 0 };
/** Origins that answered in a shape the lean reader does not read (chunked, …): Node's client from then on. */
const unfit = new Set<string>();
const MAX_UNFIT = 1_000;

const dropIdle = (socket: Socket) => () => socket.destroy();
const idleListeners = new WeakMap<Socket, () => void>();

/** Back into the pool (idle, unref'd, closed on any stray byte), or closed. */
function release(key: string, socket: Socket, reusable: boolean): void {
  socket.setTimeout(0);
  if (!reusable || socket.destroyed) return void socket.destroy();
  const drop = dropIdle(socket);
  idleListeners.set(socket, drop);
  socket.on('data', drop);
  socket.on('error', drop);
  socket.unref();
  socket.resume();
  leanPool.give(key, socket);
}

function takeIdle(key: string): Socket | undefined {
  const socket = leanPool.take(key);
  if (!socket) return undefined;
  const drop = idleListeners.get(socket)!;
  socket.off('data', drop);
  socket.off('error', drop);
  socket.ref();
  return socket;
}

function dial(url: URL, address: string, family: number): Socket {
  const port = portOf(url);
  // noDelay as Node's Agent: a request is one small write that must not wait for an ACK.
  if (url.protocol === 'http:') return netConnect({ host: address, port, family, noDelay: true });
  const name = url.hostname.replace(/^\[|\]$/g, '');
  // Certificates are checked against the name in the URL (SNI too), never against the address.
  return tlsConnect({ host: address, port, ...(isIP(name) ? {} : { servername: name }), ALPNProtocols: ['http/1.1'] }).setNoDelay(true);
}

function formatRequest(url: URL, headers: Record<string, string>): string {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) {
    // The same refusals as Node's client: no header may smuggle a line break.
    validateHeaderName(name);
    validateHeaderValue(name, value);
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\nConnection: keep-alive\r\n\r\n`;
}

/** Whether `url` may go the lean way at all. */
export function canGoLean(url: URL): boolean {
  return (url.protocol === 'http:' || url.protocol === 'https:') && !unfit.has(url.origin);
}

/**
 * GETs `url` with exactly `headers`. Resolves with a LeanResponse, or with
 * undefined when the answer is not one the lean reader takes (the caller then asks Node's client).
 */
export async function fetchLean(url: URL, headers: Record<string, string>, options: LeanOptions): Promise<LeanResponse | undefined> {
  const text = formatRequest(url, headers);
  const checked = await resolveChecked(url.hostname, options.policy);
  const key = `${url.origin}|${checked.address}`;
  const idle = takeIdle(key);
  if (idle) {
    // A kept socket the server closed meanwhile fails before any byte: once more on a fresh one.
    const answer = await exchange(idle, true, key, text, url, options).catch((error: unknown) => {
      if (error instanceof Stale && !options.signal.aborted) return undefined;
      throw error;
    });
    if (answer) return answer.res;
  }
  const answer = await exchange(dial(url, checked.address, checked.family), false, key, text, url, options);
  return answer.res;
}

class Stale extends Error {}

/** Writes the request on `socket` and reads the head; the body is left to the response. A `reused` socket that fails silent is Stale. */
function exchange(socket: Socket, reused: boolean, key: string, text: string, url: URL, options: LeanOptions): Promise<{ res: LeanResponse | undefined }> {
  return new Promise((resolve, reject) => {
    const reader = new HeadReader();
    let heard = false;
    const fail = (error: Error) => {
      detach();
      socket.destroy();
      reject(options.signal.aborted ? abortError(options.signal) : error);
    };
    const onAbort = () => fail(abortError(options.signal));
    const onError = (error: Error) => fail(reused && !heard ? new Stale(error.message) : error);
    const onClose = () => fail(reused && !heard ? new Stale('closed')
      : new MuxError('MUX_FAILED', `${url.host} closed the connection before the end of its response head`));
    const onTimeout = () => fail(new MuxError('TIMEOUT', `no answer from ${url.host} in ${options.readTimeoutMs} ms`));
    const onData = (chunk: Buffer) => {
      heard = true;
      let got;
      try { got = reader.push(chunk); } catch (error) { return fail(error as Error); }
      if (!got) return;
      detach();
      const plan = planBody(got.head);
      if (!plan) {
        if (unfit.size >= MAX_UNFIT) unfit.clear();
        unfit.add(url.origin);
        leanStats.fallbacks += 1;
        socket.destroy();
        return resolve({ res: undefined });
      }
      const onBodyAbort = () => res.destroy(abortError(options.signal));
      const res = new LeanResponse(socket, got.head, plan, got.rest, (done, reusable) => {
        options.signal.removeEventListener('abort', onBodyAbort);
        release(key, done, reusable);
      });
      leanStats.responses += 1;
      options.signal.addEventListener('abort', onBodyAbort, { once: true });
      res.once('close', () => options.signal.removeEventListener('abort', onBodyAbort));
      resolve({ res });
    };
    const detach = () => {
      socket.off('data', onData); socket.off('error', onError); socket.off('close', onClose); socket.off('timeout', onTimeout);
      options.signal.removeEventListener('abort', onAbort);
    };
    if (options.signal.aborted) return onAbort();
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('timeout', onTimeout);
    options.signal.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(options.readTimeoutMs);
    socket.write(text, 'latin1');
  });
}
