import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeAddress, parseTrustedProxies, resolveClientAddress } from '../../lib/http/client-address.js';
import { readServerConfig } from '../../server-config.js';

describe('client address behind a proxy', () => {
  const trusted = ['127.0.0.1', '10.0.0.5'];

  it('is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    assert.equal(resolveClientAddress('203.0.113.9', '6.6.6.6', trusted), '203.0.113.9');
    assert.equal(resolveClientAddress('203.0.113.9', undefined, []), '203.0.113.9');
    assert.equal(resolveClientAddress('127.0.0.1', '6.6.6.6', []), '127.0.0.1', 'nothing trusted: the header is ignored');
  });

  it('behind a trusted proxy: the rightmost address that is not a trusted proxy', () => {
    assert.equal(resolveClientAddress('127.0.0.1', '198.51.100.7', trusted), '198.51.100.7');
    // A client that sends its own header: nginx appends what it saw; the forged part is never reached.
    assert.equal(resolveClientAddress('127.0.0.1', '6.6.6.6, 198.51.100.7', trusted), '198.51.100.7');
    // Two trusted hops (a CDN's edge in the list would be another matter: it is not trusted here).
    assert.equal(resolveClientAddress('127.0.0.1', '198.51.100.7, 10.0.0.5', trusted), '198.51.100.7');
    assert.equal(resolveClientAddress('127.0.0.1', ['6.6.6.6', '198.51.100.7'], trusted), '198.51.100.7', 'repeated headers join');
  });

  it('stops at a malformed entry, and maps IPv4-in-IPv6 peers', () => {
    assert.equal(resolveClientAddress('127.0.0.1', 'garbage, 10.0.0.5', trusted), '10.0.0.5');
    assert.equal(resolveClientAddress('::ffff:127.0.0.1', '2001:DB8::1', trusted), '2001:db8::1');
    assert.equal(normalizeAddress('[::1]'), '::1');
    assert.equal(resolveClientAddress(undefined, '1.2.3.4', trusted), null);
  });

  it('PASSMUX_TRUST_PROXY takes IP addresses only', () => {
    assert.deepEqual(parseTrustedProxies(' 127.0.0.1, ::1 ,'), ['127.0.0.1', '::1']);
    assert.deepEqual(readServerConfig({ PASSMUX_TRUST_PROXY: '127.0.0.1' }).trustProxy, ['127.0.0.1']);
    assert.deepEqual(readServerConfig({}).trustProxy, []);
    assert.throws(() => readServerConfig({ PASSMUX_TRUST_PROXY: 'nginx.local' }), /PASSMUX_TRUST_PROXY: .*"nginx\.local"/);
    assert.throws(() => readServerConfig({ PASSMUX_TRUST_PROXY: '10.0.0.0/8' }), /PASSMUX_TRUST_PROXY/);
  });
});
