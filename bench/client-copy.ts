// What Node's HTTP client parser's body copy costs (docs/performance.md): one
// client process reads 400 MB as keep-alive 206s of 4 MiB from a loopback server,
// either through http.get or through a raw socket with lib/relay/response-head.ts,
// and prints its CPU s/GB.   tsx bench/client-copy.ts http raw http raw …
import { fork } from 'node:child_process';
import { Agent, createServer, get } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { HeadReader } from '../lib/relay/response-head.js';

const RANGE = 4 * 1024 * 1024;
const TOTAL = 100 * RANGE;
const slice = Buffer.alloc(64 * 1024, 7);

async function client(mode: string, port: number): Promise<void> {
  const t0 = process.cpuUsage();
  let got = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let socket: Socket | undefined;
  const viaHttp = (start: number) => new Promise<void>((resolve, reject) => {
    get({ port, agent, headers: { Range: `bytes=${start}-${start + RANGE - 1}` } }, (res) => {
      res.on('data', (d: Buffer) => { got += d.length; }).on('end', resolve).on('error', reject);
    }).on('error', reject);
  });
  const viaRaw = (start: number) => new Promise<void>((resolve) => {
    const sock = socket ??= connect(port, '127.0.0.1');
    const reader = new HeadReader();
    let left = -1;
    const onData = (d: Buffer) => {
      let body = d;
      if (left < 0) {
        const done = reader.push(d);
        if (!done) return;
        left = Number(done.head.headers['content-length']);
        body = done.rest;
      }
      got += body.length;
      left -= body.length;
      if (left <= 0) { sock.off('data', onData); resolve(); }
    };
    sock.on('data', onData);
    sock.write(`GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=${start}-${start + RANGE - 1}\r\n\r\n`);
  });
  for (let start = 0; start < TOTAL; start += RANGE) await (mode === 'http' ? viaHttp(start) : viaRaw(start));
  const used = process.cpuUsage(t0);
  const gb = got / 1e9;
  console.log(`${mode}: ${((used.user + used.system) / 1e6 / gb).toFixed(2)} CPU s/GB (user ${(used.user / 1e6 / gb).toFixed(2)}, sys ${(used.system / 1e6 / gb).toFixed(2)})`);
  process.exit(0);
}

if (process.argv[2] === '--client') await client(process.argv[3]!, Number(process.argv[4]));
else {
  const server = createServer((_req, res) => {
    res.writeHead(206, { 'Content-Length': RANGE, 'Content-Range': `bytes 0-${RANGE - 1}/*` });
    let left = RANGE;
    const write = (): void => {
      while (left > 0) { left -= slice.length; if (!res.write(slice)) { res.once('drain', write); return; } }
      res.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  for (const mode of process.argv.slice(2)) {
    await new Promise((resolve) => fork(process.argv[1]!, ['--client', mode, String(port)], { execArgv: ['--import', 'tsx'] }).on('exit', resolve));
  }
  server.close();
}
