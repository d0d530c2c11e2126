// Per-client limits without sockets: the counter, and which addresses count as one client.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientLimit } from '../../lib/admission/client-limit.js';
import { MuxError } from '../../lib/errors.js';
import { clientGroup } from '../../lib/http/client-address.js';
import { STATUS_BY_CODE } from '../../lib/http/status.js';

describe('ClientLimit', () => {
  it('lets one client open max requests, refuses the next with 429 in words, and counts releases once', () => {
    const limit = new ClientLimit(2);
    const first = limit.enter('a');
    limit.enter('a');
    assert.throws(() => limit.enter('a'), (error: unknown) => error instanceof MuxError && error.code === 'TOO_MANY_REQUESTS'
      && /already has 2 downloads and lookups open/.test(error.message));
    assert.equal(STATUS_BY_CODE.TOO_MANY_REQUESTS, 429);
    // Another client is not affected.
    limit.enter('b');
    first();
    first();
    assert.equal(limit.openFor('a'), 1, 'a second release of the same request changes nothing');
    limit.enter('a');
    assert.equal(limit.openFor('a'), 2);
  });

  it('forgets a client with nothing open, and with 0 counts nothing', () => {
    const limit = new ClientLimit(1);
    limit.enter('a')();
    assert.equal(limit.openFor('a'), 0);
    const off = new ClientLimit(0);
    for (let i = 0; i < 100; i++) off.enter('a');
    assert.equal(off.openFor('a'), 0);
    assert.throws(() => new ClientLimit(-1), RangeError);
  });
});

describe('clientGroup', () => {
  it('keeps an IPv4 address as it is (also when mapped into IPv6)', () => {
    assert.equal(clientGroup('203.0.113.9'), '203.0.113.9');
    assert.equal(clientGroup('::ffff:203.0.113.9'), '203.0.113.9');
  });

  it('groups IPv6 addresses by their /64, however they are written', () => {
    const group = clientGroup('2001:db8:aa:bb::1');
    assert.equal(group, '2001:db8:aa:bb::/64');
    assert.equal(clientGroup('2001:0DB8:00aa:00bb:ffff:1:2:3'), group);
    assert.equal(clientGroup('[2001:db8:aa:bb:1::]'), group);
    assert.notEqual(clientGroup('2001:db8:aa:bc::1'), group);
    assert.equal(clientGroup('::1'), '0:0:0:0::/64');
    assert.equal(clientGroup('2001:db8::'), '2001:db8:0:0::/64');
  });
});
