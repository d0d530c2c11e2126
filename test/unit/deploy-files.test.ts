// The deploy files say what passmux does: the documented environment parses,
// its defaults are passmux's defaults, and no variable is left out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readServerConfig } from '../../server-config.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('deploy files', () => {
  const envFile = read('deploy/passmux.env');
  const entries = [...envFile.matchAll(/^(#?)([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, hash, name, value]) => ({ set: hash === '', name: name!, value: value! }));

  it('deploy/passmux.env: the set lines parse; every commented value is the default', () => {
    const set = Object.fromEntries(entries.filter((e) => e.set).map((e) => [e.name, e.value]));
    assert.deepEqual(set, { HOST: '127.0.0.1', PASSMUX_TRUST_PROXY: '127.0.0.1' });
    const config = readServerConfig(set);
    assert.deepEqual([config.host, config.trustProxy], ['127.0.0.1', ['127.0.0.1']]);
    // Program paths and the cookies file are examples, not defaults.
    const examples = new Set(['PASSMUX_FFMPEG', 'PASSMUX_YTDLP', 'PASSMUX_YTDLP_COOKIES']);
    const defaults = Object.fromEntries(entries.filter((e) => !e.set && !examples.has(e.name)).map((e) => [e.name, e.value]));
    // The config keeps a port list as given; unset means "80,443, or any with private networks allowed".
    assert.deepEqual(readServerConfig(defaults), { ...readServerConfig({}), allowedPorts: [80, 443] });
    assert.equal(defaults.PASSMUX_ALLOWED_PORTS, '80,443');
  });

  it("deploy/nginx.conf waits longer than passmux's own bounds: extraction, queue and first byte together", () => {
    const seconds = Number(/proxy_read_timeout (\d+)s;/.exec(read('deploy/nginx.conf'))?.[1]);
    const config = readServerConfig({});
    assert.ok(seconds * 1000 > config.extractionTimeoutMs + config.queueTimeoutMs + config.firstByteTimeoutMs, `proxy_read_timeout ${seconds}s`);
  });

  it('deploy/passmux.env documents every variable server-config.ts reads', () => {
    const source = read('server-config.ts');
    const named = new Set([...source.matchAll(/\b(PASSMUX_[A-Z0-9_]+|PORT|HOST)\b/g)].map((m) => m[1]!));
    named.delete('PASSMUX_UPSTREAM'); // refused at start: nothing to document but "unset it"
    const documented = new Set(entries.map((e) => e.name));
    assert.deepEqual([...named].filter((name) => !documented.has(name)), []);
  });

  it('deploy/passmux.service runs dist/server.js sandboxed, bounded, restarted, drained on stop', () => {
    const unit = read('deploy/passmux.service');
    for (const line of ['DynamicUser=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'Restart=on-failure',
      'KillMode=mixed', 'EnvironmentFile=-/etc/passmux/passmux.env', 'Environment=PORT=%i']) {
      assert.match(unit, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), line);
    }
    assert.match(unit, /^MemoryMax=\d+[MG]$/m);
    // The same Node flags as `npm start` (a 1 MB young generation: docs/performance.md).
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    const flags = /^node ((?:--\S+ )*)dist\/server\.js$/.exec(start)![1]!;
    assert.ok(flags.includes('--max-semi-space-size='), start);
    assert.match(unit, new RegExp(`^ExecStart=\\S*node ${flags.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\S*/dist/server\\.js$`, 'm'));
    // Longer than passmux's own grace (30 s), so a drain is never cut by systemd.
    assert.ok(Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)![1]) > readServerConfig({}).shutdownGraceMs / 1000);
  });
});
