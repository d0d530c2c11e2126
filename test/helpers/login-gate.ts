// A members-only front for the fixture site: every request without the login
// cookie gets 403 (pages, manifests and media alike, as a site behind a login
// does); the rest is passed through unchanged, under the gate's own host name,
// so the links in the pages point back at the gate.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FixtureSite } from './fixture-site.js';

export interface LoginGate {
  origin: string;
  pageUrl(id: string): string;
  /** Each request's path, and whether it carried the login. */
  seen: Array<{ path: string; loggedIn: boolean }>;
  close(): Promise<void>;
}

export async function startLoginGate(site: FixtureSite, login: { name: string; value: string }): Promise<LoginGate> {
  const target = new URL(site.origin);
  const seen: LoginGate['seen'] = [];
  const server = createServer((req, res) => {
    const loggedIn = (req.headers.cookie ?? '').split(';').some((part) => part.trim() === `${login.name}=${login.value}`);
    seen.push({ path: req.url ?? '/', loggedIn });
    if (!loggedIn) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('Sign in to watch this video');
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl: (id) => `${origin}/watch/${id}`,
    seen,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
