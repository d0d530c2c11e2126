// Run in a child process, with NODE_EXTRA_CA_CERTS=test/fixtures/tls/cert.pem or without
// (the lean reader trusts what Node's client trusts; the test certificate only so):
// fetches ranges over HTTPS the lean way from a server with the fixture certificate, by
// name (site.test, mapped to 127.0.0.1 by the resolver) and by a name the certificate
// does not carry. Prints what it saw as one JSON line.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { egressPolicy } from '../../lib/egress/guard.js';
import { leanPool } from '../../lib/relay/lean-request.js';
import { LeanResponse } from '../../lib/relay/lean-response.js';
import { readWhole } from '../../lib/relay/read-whole.js';
import { openUpstream } from '../../lib/relay/upstream.js';

const body = randomBytes(1024 * 1024);
const names: string[] = [];
const tlsFile = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url));
const server = createServer({ key: tlsFile('key.pem'), cert: tlsFile('cert.pem') }, (req, res) => {
  names.push((req.socket as TLSSocket).servername || '');
  const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')!.map(Number) as [unknown, number, number];
  res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 }).end(body.subarray(start, end + 1));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
const policy = egressPolicy({ allowPrivateNetworks: true, policy: { resolver: async () => [{ address: '127.0.0.1', family: 4 }] } });
const fetchRange = async (host: string, start: number, end: number) => {
  const { res } = await openUpstream({ url: `https://${host}:${port}/file`, headers: {} },
    { signal: new AbortController().signal, policy, readTimeoutMs: 10_000, lean: true, range: [start, end] });
  return { lean: res instanceof LeanResponse, bytes: await readWhole(res, body.length, () => new Error('too large')) };
};
const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
let connections = 0;
server.on('secureConnection', () => { connections += 1; });
const refusal = (error: NodeJS.ErrnoException) => error.code ?? error.message;
const parts = await (async () => [await fetchRange('site.test', 0, 499_999), await fetchRange('site.test', 500_000, body.length - 1)])().catch(refusal);
const wrongName = await fetchRange('wrong.test', 0, 9).then(() => 'accepted', refusal);
console.log(JSON.stringify(typeof parts === 'string' ? { refused: parts, wrongName } : {
  lean: parts.every((part) => part.lean), same: digest(Buffer.concat(parts.map((part) => part.bytes))) === digest(body),
  names, wrongName, connections,
}));
leanPool.clear();
server.closeAllConnections();
server.close();
