// Hostile input: each is refused with the documented 4xx JSON, and nothing is spawned where the request is refused up front.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { contentDisposition, safeFilename } from '../../lib/internal.js';
import { NASTY_TITLE, startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readBody, readJson, startPassmux, type TestServer } from '../helpers/passmux-server.js';
import { childrenNamed } from '../helpers/processes.js';

const spawnedAny = () => childrenNamed(process.pid, 'ffmpeg').length + childrenNamed(process.pid, 'yt-dlp').length;

async function expectRefused(server: TestServer, path: string, status: number, code: string, message?: RegExp) {
  const res = await get(`${server.origin}${path}`);
  const body = await readJson(res);
  assert.equal(res.statusCode, status, `${path} → ${JSON.stringify(body)}`);
  assert.equal(body.error.code, code, path);
  if (message) assert.match(body.error.message, message, path);
}

describe('bad inputs', () => {
  let site: FixtureSite;
  let strict: TestServer;
  let open: TestServer;
  before(async () => {
    site = await startFixtureSite();
    const port = Number(new URL(site.origin).port);
    const resolver = async (name: string) => {
      const table: Record<string, string> = { 'sneaky.example.com': '10.1.2.3', 'site.test': '127.0.0.1' };
      if (!table[name]) throw new Error(`ENOTFOUND ${name}`);
      return [{ address: table[name]!, family: 4 }];
    };
    strict = await startPassmux({ allowPrivateNetworks: false }, undefined, {
      // The fixture plays a public site: its address is exempt, every other private one is not.
      policy: { resolver, exempt: ['127.0.0.1'], allowedPorts: [80, 443, port] },
    });
    open = await startPassmux();
  });
  after(() => Promise.all([site.close(), strict.close(), open.close()]));

  it('refuses other schemes and private, loopback, link-local and odd-spelled addresses', async () => {
    const urls = ['file:///etc/passwd', 'ftp://example.com/v.mp4', 'data:text/html,hi', 'javascript:alert(1)', 'gopher://example.com/',
      'http://localhost/', 'http://127.0.0.2/', 'http://0.0.0.0/', 'http://10.0.0.1/', 'http://172.16.0.1/', 'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data/', 'http://100.64.0.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/',
      'http://2130706433/', 'http://0x7f000001/'];
    for (const url of urls) {
      for (const route of ['download', 'info']) await expectRefused(strict, `/${route}?url=${encodeURIComponent(url)}`, 400, 'INVALID_URL');
    }
    assert.equal(spawnedAny(), 0);
  });

  it('refuses a public-looking name that resolves to a private address, before yt-dlp starts', async () => {
    await expectRefused(strict, `/info?url=${encodeURIComponent('https://sneaky.example.com/watch/1')}`, 400, 'INVALID_URL', /has no public address/);
    assert.equal(spawnedAny(), 0);
  });

  it('refuses a page that redirects into the private network (the redirect hop goes through our guard)', async () => {
    const port = new URL(site.origin).port;
    const target = `http://127.0.0.2:${port}/watch/h264`;
    await expectRefused(strict, `/info?url=${encodeURIComponent(`http://site.test:${port}/redirect?to=${encodeURIComponent(target)}`)}`,
      400, 'INVALID_URL', /127\.0\.0\.2.*private/);
  });

  it('still serves the exempt fixture through the guarded proxy (the strict setup is not just refusing everything)', async () => {
    const port = new URL(site.origin).port;
    const res = await get(`${strict.origin}/info?url=${encodeURIComponent(`http://site.test:${port}/watch/h264`)}`);
    assert.equal(res.statusCode, 200);
    assert.equal((await readJson(res)).title, 'H264 clip');
    // The relay dials site.test through the same guard (resolver hook, exempt address).
    const download = await get(`${strict.origin}/download?url=${encodeURIComponent(`http://site.test:${port}/watch/h264`)}`);
    assert.equal(download.statusCode, 200);
    assert.ok((await readBody(download)).length > 1_000_000);
  });

  it('refuses control characters, option-looking and oversized URLs, and malformed queries', async () => {
    for (const url of ['http://example.com/\r\nX-Injected: 1', 'http://example.com/\u0000', '-f', '--exec=touch x', `https://example.com/${'a'.repeat(10_000)}`]) {
      await expectRefused(strict, `/download?url=${encodeURIComponent(url)}`, 400, 'INVALID_URL');
    }
    for (const query of ['url', 'url=%E0%A4%A', '&&&=', 'url=%', 'url=http%3A%2F%2F', 'url=a&url=b', 'url=https://example.com&maxHeight=1e3']) {
      const res = await get(`${strict.origin}/download?${query}`);
      assert.equal(res.statusCode, 400, query);
      assert.match((await readJson(res)).error.code, /^INVALID_(URL|REQUEST)$/, query);
    }
    assert.equal(spawnedAny(), 0);
  });

  it('survives a request with a great many headers', async () => {
    const headers = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`x-h${i}`, 'v'.repeat(40)]));
    const status = await new Promise<number>((resolve) => {
      const req = request(`${strict.origin}/healthz`, { headers, agent: false }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', () => resolve(0));
      req.end();
    });
    assert.ok(status === 431 || status === 0, `refused (${status})`);
    assert.equal((await get(`${strict.origin}/healthz`)).statusCode, 200, 'the server is still fine');
  });

  it('keeps the file name safe for a title with ../, NUL, 300 characters and a right-to-left override', async () => {
    const res = await get(`${open.origin}/info?url=${encodeURIComponent(site.pageUrl('nasty'))}`);
    const { filename } = await readJson(res);
    assert.equal(filename, safeFilename(NASTY_TITLE));
    assert.ok(!/[/\\\u0000\u202e]/.test(filename), filename);
    assert.ok(!filename.startsWith('.'));
    assert.ok(Buffer.byteLength(filename) <= 204);
    assert.match(filename, /\.mp4$/);
    const head = await get(`${open.origin}/download?url=${encodeURIComponent(site.pageUrl('nasty'))}`, 'HEAD');
    assert.equal(head.headers['content-disposition'], contentDisposition(filename));
    await readBody(head);
  });
});
