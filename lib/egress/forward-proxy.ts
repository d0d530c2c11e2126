// yt-dlp's way out: a forward proxy of ours on 127.0.0.1 (plain HTTP and
// CONNECT), started on first use. Every connection yt-dlp makes, redirects
// included, passes the same guard as the relay's. Each yt-dlp run gets its own
// credentials, so refusals can be told back to that run.
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { MuxError } from '../errors.js';
import { lazily } from '../lazily.js';
import { proxyEnv } from '../process/child-env.js';
import { checkPort, resolveChecked, type EgressPolicy } from './guard.js';

interface Session { policy: EgressPolicy; refusals: string[] }

export interface ProxySession {
  /** yt-dlp's proxy variables for every scheme (http://<token>:x@127.0.0.1:<port>); environment only, never argv. */
  env: Record<string, string>;
  /** What the guard refused during this run. */
  refusals(): string[];
  close(): void;
}

const HOP_HEADERS = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

export class ForwardProxy {
  readonly #port: number;
  readonly #sessions = new Map<string, Session>();

  private constructor(server: Server) {
    this.#port = (server.address() as AddressInfo).port;
    server.on('request', (req, res) => void this.#forward(req, res));
    server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => void this.#tunnel(req, socket, head));
  }

  static async start(): Promise<ForwardProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    server.unref();
    return new ForwardProxy(server);
  }

  /** Where it listens on 127.0.0.1 (tests check it never reaches a client). */
  get port(): number { return this.#port; }

  open(policy: EgressPolicy): ProxySession {
    const token = randomBytes(18).toString('hex');
    const session: Session = { policy, refusals: [] };
    this.#sessions.set(token, session);
    return {
      env: proxyEnv(`http://${token}:x@127.0.0.1:${this.#port}`),
      refusals: () => [...session.refusals],
      close: () => this.#sessions.delete(token),
    };
  }

  #session(req: IncomingMessage): Session | undefined {
    const auth = /^Basic (.+)$/i.exec(req.headers['proxy-authorization'] ?? '');
    const token = auth ? Buffer.from(auth[1]!, 'base64').toString().split(':')[0] : undefined;
    return token ? this.#sessions.get(token) : undefined;
  }

  /** Checks host and port; records and rethrows a refusal. */
  async #check(session: Session, host: string, port: number) {
    try {
      checkPort(port, session.policy);
      return await resolveChecked(host, session.policy);
    } catch (error) {
      throw refusedIn(session, error);
    }
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const session = this.#session(req);
    if (!session) return void res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
    try {
      const target = parseProxiedUrl(req.url);
      const port = Number(target.port || 80);
      const address = await this.#check(session, target.hostname, port);
      const headers = { ...req.headers };
      for (const name of HOP_HEADERS) delete headers[name];
      // A page is small; a compressed one can inflate to gigabytes inside yt-dlp. Ask for it plain.
      headers['accept-encoding'] = 'identity';
      const upstream = request({ host: address.address, family: address.family, port, method: req.method, path: `${target.pathname}${target.search}`, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      // yt-dlp gave up (timeout, killed): stop the upstream request too.
      res.once('close', () => upstream.destroy());
      req.pipe(upstream);
    } catch (error) {
      // Also a scheme refused here (ftp:, gopher:… sent to us through ftp_proxy/all_proxy): told back as a refusal.
      refusedIn(session, error);
      res.writeHead(403, { 'content-type': 'text/plain' }).end('passmux refused this address');
    }
  }

  async #tunnel(req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy());
    const session = this.#session(req);
    if (!session) return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    if (!match) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    try {
      const address = await this.#check(session, match[1]!, Number(match[2]));
      const upstream = connect({ host: address.address, family: address.family, port: Number(match[2]) }, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    } catch (error) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\npassmux refused this address');
    }
  }
}

const recorded = new WeakSet<object>();

/** Records a refusal once in the session (for the run's error message) and returns it. */
function refusedIn(session: Session, error: unknown): unknown {
  if (error instanceof MuxError && !recorded.has(error)) {
    recorded.add(error);
    session.refusals.push(error.message);
  }
  return error;
}

/** The absolute http: URL of a proxied request; any other scheme or form is refused (INVALID_URL). */
function parseProxiedUrl(raw: string | undefined): URL {
  let target: URL;
  try {
    target = new URL(raw ?? '');
  } catch {
    throw new MuxError('INVALID_URL', 'yt-dlp sent a request passmux cannot read');
  }
  if (target.protocol !== 'http:') throw new MuxError('INVALID_URL', `the ${target.protocol.replace(/:$/, '')} scheme is not fetched`);
  return target;
}

/** The process's forward proxy, started on first use. */
export const getForwardProxy = lazily(() => ForwardProxy.start());
