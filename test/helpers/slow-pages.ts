// A local site whose pages take their time: `/slow/<n>` answers only after
// `delayMs`, so every yt-dlp run against it holds its slot. Counts what it was
// asked for, and stops waiting when the asker hangs up (as a real server would).
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowPagesOptions {
  /** How long each page is held before its HTML is sent. @default 10000 */
  delayMs?: number;
}

export interface SlowPages {
  origin: string;
  /** The URL of slow page `n`. */
  pageUrl(n: number | string): string;
  /** Page requests received, repeats included. */
  readonly requests: number;
  /** Distinct pages asked for. */
  readonly distinctPages: number;
  /** Requests being held right now (neither answered nor hung up). */
  readonly held: number;
  /** Emits 'request' (page name) as each arrives, 'released' when a held one ends either way. */
  events: EventEmitter;
  close(): Promise<void>;
}

const PAGE = '<!doctype html><html><head><title>Slow page</title></head><body><p>Nothing to see here.</p></body></html>';

export async function startSlowPages(options: SlowPagesOptions = {}): Promise<SlowPages> {
  const delayMs = options.delayMs ?? 10_000;
  const pages = new Set<string>();
  const events = new EventEmitter();
  let requests = 0;
  let held = 0;

  const server = createServer((req, res) => {
    const match = /^\/slow\/([^/?]+)/.exec(req.url ?? '');
    if (!match) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    requests += 1;
    pages.add(match[1]!);
    held += 1;
    events.emit('request', match[1]);
    const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE), delayMs);
    // 'close' comes both after the answer and when the client hangs up first: either way the wait is over.
    res.once('close', () => {
      clearTimeout(timer);
      held -= 1;
      events.emit('released', match[1]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl: (n) => `${origin}/slow/${n}`,
    get requests() { return requests; },
    get distinctPages() { return pages.size; },
    get held() { return held; },
    events,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
