// yt-dlp's way out: the guarded forward proxy, for plain HTTP and for HTTPS (CONNECT).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { extractInfo, MuxError } from '../../lib/internal.js';
import { getForwardProxy } from '../../lib/egress/forward-proxy.js';
import { egressPolicy } from '../../lib/egress/guard.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';

const insecureYtdlp = fileURLToPath(new URL('../helpers/ytdlp-insecure.mjs', import.meta.url));
const siteTest = async (name: string) => {
  if (name !== 'site.test') throw new Error(`ENOTFOUND ${name}`);
  return [{ address: '127.0.0.1', family: 4 }];
};

/** Sends a CONNECT through the proxy URL and resolves with the status line. */
function connectThrough(proxyUrl: string, target: string): Promise<string> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(proxy.port), proxy.hostname, () => {
      const auth = proxy.username ? `Proxy-Authorization: Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}\r\n` : '';
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
    });
    socket.once('data', (data) => { resolve(data.toString().split('\r\n')[0]!); socket.destroy(); });
    socket.once('error', reject);
  });
}

describe('forward proxy', () => {
  let https: FixtureSite;
  let http: FixtureSite;
  before(async () => { [https, http] = await Promise.all([startFixtureSite({ tls: true }), startFixtureSite()]); });
  after(() => Promise.all([https.close(), http.close()]));

  it('carries real yt-dlp to an HTTPS site over CONNECT (the name resolves only inside our proxy)', async () => {
    const port = new URL(https.origin).port;
    const info = await extractInfo(`https://site.test:${port}/watch/h264`, {
      ytdlp: insecureYtdlp, policy: { resolver: siteTest, exempt: ['127.0.0.1'], allowedPorts: undefined },
    });
    assert.equal(info.title, 'H264 clip');
    assert.equal(info.webpageUrl, `https://site.test:${port}/watch/h264`);
  });

  it('refuses CONNECT and plain requests into the private network, and records why', async () => {
    const session = (await getForwardProxy()).open(egressPolicy({ policy: { allowPrivateNetworks: false, allowedPorts: undefined } }));
    try {
      assert.equal(await connectThrough(session.env.http_proxy!, `127.0.0.1:${new URL(https.origin).port}`), 'HTTP/1.1 403 Forbidden');
      const proxy = new URL(session.env.http_proxy!);
      const status = await new Promise<number>((resolve, reject) => request({
        host: proxy.hostname, port: proxy.port, path: `${http.origin}/watch/h264`,
        headers: { 'proxy-authorization': `Basic ${Buffer.from(`${proxy.username}:x`).toString('base64')}` },
      }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject).end());
      assert.equal(status, 403);
      assert.equal(session.refusals().length, 2);
      assert.match(session.refusals()[0]!, /private/);
    } finally {
      session.close();
    }
  });

  it('answers 407 without the run credentials, and after the run closed', async () => {
    const session = (await getForwardProxy()).open(egressPolicy({ allowPrivateNetworks: true }));
    const target = `127.0.0.1:${new URL(https.origin).port}`;
    assert.equal(await connectThrough(session.env.http_proxy!, target), 'HTTP/1.1 200 Connection Established');
    const bare = new URL(session.env.http_proxy!);
    assert.match(await connectThrough(`http://${bare.host}`, target), /^HTTP\/1\.1 407/);
    session.close();
    assert.match(await connectThrough(session.env.http_proxy!, target), /^HTTP\/1\.1 407/);
  });

  it('reports a refused port as INVALID_URL before yt-dlp starts', async () => {
    await assert.rejects(extractInfo(`${http.origin}/watch/h264`, { policy: { allowPrivateNetworks: true, allowedPorts: [80, 443] } }),
      (error: unknown) => error instanceof MuxError && error.code === 'INVALID_URL' && /port \d+ is not allowed/.test(error.message));
  });
});
