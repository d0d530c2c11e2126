// A TCP proxy in front of passmux that cuts downloads mid-body, as a flaky
// network would (both sockets destroyed; once, unless told more), and notes
// the head of every request it forwards and of every /download response.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface Head {
  /** Which client connection it travelled on (1, 2, …). */
  connection: number;
  /** Request: "GET /download?…"; response: "HTTP/1.1 206 Partial Content". */
  line: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

export interface CutProxyOptions {
  /** Cut a (200 or 206) response to a /download request once this many of its body bytes went through. */
  cutAfterBodyBytes: number;
  /** How many such responses to cut, one after the other (1 unless told). */
  times?: number;
  /** Sent instead of every If-Range the page sends after a cut: as if the video changed on the server. */
  replaceIfRange?: string;
}

export interface CutProxy {
  origin: string;
  /** Every request head forwarded, in order (after any If-Range replacement). */
  requests: Head[];
  /** The head of every response to a GET /download request, in order. */
  downloadResponses: Head[];
  /** Of each response cut, the body bytes that went through before the cut. */
  cutsAt: number[];
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');

function parseHead(connection: number, raw: string): Head {
  const [line = '', ...fields] = raw.split('\r\n');
  const headers: Record<string, string> = {};
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    const value = field.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { connection, line, headers };
}

// GET only: the page also asks HEAD /download for the size line, and a HEAD has no body to cut.
const isDownload = (head: Head) => /^GET \/download\?/.test(head.line);

export async function startCutProxy(target: string, options: CutProxyOptions): Promise<CutProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let connections = 0;
  const proxy: CutProxy = { origin: '', requests: [], downloadResponses: [], cutsAt: [], close: async () => {} };

  const server = createServer((client) => {
    const id = (connections += 1);
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => { sockets.delete(socket); client.destroy(); upstream.destroy(); });
    }
    let cut = false;
    let pending = Buffer.alloc(0); // request bytes of a head not yet complete
    let bodyLeft = 0; // request body bytes to pass through untouched
    // The /download response on its way back: its head bytes so far, then its body count.
    let watch: { head: Buffer; parsed: Head | null; body: number } | null = null;

    /** Forwards the request side head by head, so each is seen (and may be rewritten) whole. */
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (bodyLeft > 0) {
          const part = pending.subarray(0, bodyLeft);
          upstream.write(part);
          bodyLeft -= part.length;
          pending = pending.subarray(part.length);
          if (bodyLeft > 0) return;
        }
        const end = pending.indexOf(HEAD_END);
        if (end < 0) return;
        const lines = pending.subarray(0, end).toString('latin1').split('\r\n');
        pending = pending.subarray(end + HEAD_END.length);
        const rewrite = options.replaceIfRange !== undefined && proxy.cutsAt.length > 0;
        const sent = rewrite ? lines.map((l) => (/^if-range:/i.test(l) ? `If-Range: ${options.replaceIfRange}` : l)) : lines;
        const head = parseHead(id, sent.join('\r\n'));
        proxy.requests.push(head);
        bodyLeft = Number(head.headers['content-length'] ?? 0);
        // Browsers do not pipeline: what comes back next answers this request.
        watch = isDownload(head) ? { head: Buffer.alloc(0), parsed: null, body: 0 } : null;
        upstream.write(`${sent.join('\r\n')}\r\n\r\n`, 'latin1');
      }
    });

    /** How many bytes of `chunk` to forward, and whether to cut the connection after them. */
    const allowed = (chunk: Buffer): { keep: number; cutAfter: boolean } => {
      if (!watch) return { keep: chunk.length, cutAfter: false };
      let bodyStart = 0;
      if (!watch.parsed) {
        watch.head = Buffer.concat([watch.head, chunk]);
        const end = watch.head.indexOf(HEAD_END);
        if (end < 0) return { keep: chunk.length, cutAfter: false };
        watch.parsed = parseHead(id, watch.head.subarray(0, end).toString('latin1'));
        proxy.downloadResponses.push(watch.parsed);
        bodyStart = chunk.length - (watch.head.length - end - HEAD_END.length);
      }
      const body = chunk.length - bodyStart;
      const room = options.cutAfterBodyBytes - watch.body;
      const due = proxy.cutsAt.length < (options.times ?? 1) && /^HTTP\/1\.[01] 20[06]\b/.test(watch.parsed.line);
      if (due && body >= room) {
        watch.body += room;
        return { keep: bodyStart + room, cutAfter: true };
      }
      watch.body += body;
      return { keep: chunk.length, cutAfter: false };
    };

    upstream.on('data', (chunk: Buffer) => {
      if (cut) return;
      const { keep, cutAfter } = allowed(chunk);
      if (cutAfter) {
        cut = true;
        proxy.cutsAt.push(watch!.body);
        client.write(chunk.subarray(0, keep), () => { client.destroy(); upstream.destroy(); });
        return;
      }
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
  return proxy;
}
