// passmux's handler on a real port, in this process (so its ffmpeg children are ours to count).
import { EventEmitter } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdmissionController, createHandler, type Handler, type HandlerDeps } from '../../lib/internal.js';

export interface TestServer {
  origin: string;
  admission: AdmissionController;
  handler: Handler;
  logs: Array<Record<string, unknown>>;
  /** Resolves with the next `count` download log entries written after this call. */
  nextLogs(count?: number): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export async function startPassmux(config: HandlerDeps['config'] = {}, limits = { maxConnections: 50, maxActive: 25 },
  deps: Pick<HandlerDeps, 'policy'> = {}): Promise<TestServer> {
  const admission = new AdmissionController(limits);
  const logs: Array<Record<string, unknown>> = [];
  const events = new EventEmitter();
  const log = (entry: Record<string, unknown>) => { logs.push(entry); events.emit('log', entry); };
  const handler = createHandler({ admission, config: { allowPrivateNetworks: true, ...config }, log, ...deps });
  const server = createServer(handler);
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    admission,
    handler,
    logs,
    nextLogs(count = 1) {
      const from = logs.length;
      return new Promise((resolve) => {
        const check = () => {
          if (logs.length - from < count) return;
          events.off('log', check);
          resolve(logs.slice(from, from + count));
        };
        events.on('log', check);
      });
    },
    async close() {
      await handler.close(0);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves when the admission counts are all zero (now or after the next change). */
export function whenIdle(admission: AdmissionController): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (admission.open + admission.active + admission.waiting > 0) return false;
      off();
      resolve();
      return true;
    };
    const off = admission.onChange(check);
    check();
  });
}

/** GET that resolves with the response once headers arrived (body not read). */
export function get(url: string, method = 'GET'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    request(url, { method, agent: false }, resolve).on('error', reject).end();
  });
}

export async function readBody(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readJson(res: IncomingMessage): Promise<any> {
  return JSON.parse((await readBody(res)).toString('utf8'));
}

/** The counter passmux_extractions_total{result="ok"} from the /metrics of the server at `origin`: yt-dlp runs that succeeded. */
export async function okExtractions(origin: string): Promise<number> {
  const text = (await readBody(await get(`${origin}/metrics`))).toString('utf8');
  return Number(/^passmux_extractions_total\{result="ok"\} (\d+)$/m.exec(text)![1]);
}
