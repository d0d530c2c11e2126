// The environment children get: nothing of the parent's but the few names
// programs need, a private HOME that goes away with us, even after a SIGKILL.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildChildEnv, proxyEnv } from '../../lib/process/child-env.js';

describe('child environment', () => {
  it('passes PATH, locale and CA paths only; never proxies, NO_PROXY, LD_PRELOAD or PYTHONPATH', () => {
    const env = buildChildEnv({}, {
      PATH: '/bin', LANG: 'de_DE.UTF-8', SSL_CERT_FILE: '/ca.pem', NO_PROXY: '127.0.0.1', no_proxy: 'localhost',
      http_proxy: 'http://evil:1', LD_PRELOAD: '/x.so', PYTHONPATH: '/p', SECRET_TOKEN: 's',
    });
    assert.deepEqual(Object.keys(env).sort(), ['HOME', 'LANG', 'PATH', 'PYTHONIOENCODING', 'SSL_CERT_FILE']);
    assert.equal(env.PATH, '/bin');
    assert.ok(existsSync(env.HOME!), 'HOME exists');
  });

  it('gives a proxy for every scheme, upper and lower case', () => {
    const env = proxyEnv('http://t:x@127.0.0.1:9');
    for (const name of ['http_proxy', 'https_proxy', 'ftp_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'ALL_PROXY']) {
      assert.equal(env[name], 'http://t:x@127.0.0.1:9', name);
    }
  });

  it('removes its HOME on exit, and the HOMEs of processes that died without exiting', () => {
    // A pid that is certainly gone: a process that has already ended.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = join(tmpdir(), `passmux-home-${dead}-test`);
    mkdirSync(stale, { recursive: true });
    const module = new URL('../../lib/process/child-env.ts', import.meta.url).href;
    const home = execFileSync(process.execPath, ['--import', 'tsx', '-e',
      `import(${JSON.stringify(module)}).then((m) => console.log(m.buildChildEnv().HOME))`], { encoding: 'utf8' }).trim();
    assert.match(home, /passmux-home-\d+-/);
    assert.ok(!existsSync(home), 'its own HOME is gone after it exited');
    assert.ok(!existsSync(stale), 'the dead process\'s HOME was swept');
  });
});
