import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkUrl, isPrivateAddress, MuxError } from '../../lib/internal.js';

const invalid = (input: unknown, options = {}) =>
  assert.throws(() => checkUrl(input, options), (e: unknown) => e instanceof MuxError && e.code === 'INVALID_URL', String(input));

describe('checkUrl', () => {
  it('accepts public http and https URLs', () => {
    assert.equal(checkUrl('https://www.example.com/watch?v=1').hostname, 'www.example.com');
    assert.equal(checkUrl('http://93.184.216.34/v').protocol, 'http:');
  });

  it('refuses other schemes, garbage and option-looking input', () => {
    for (const bad of ['ftp://x.com/a', 'file:///etc/passwd', 'data:text/plain,hi', 'javascript:alert(1)', 'gopher://x.com',
      '', '   ', 'not a url', '-f', '--exec=touch x', undefined, 42]) invalid(bad);
  });

  it('refuses control characters, credentials and overlong URLs', () => {
    invalid('https://example.com/a\r\nX-Evil: 1');
    invalid('https://example.com/\u0000');
    invalid('https://user:pass@example.com/');
    invalid(`https://example.com/${'a'.repeat(2100)}`);
    assert.doesNotThrow(() => checkUrl(`https://example.com/${'a'.repeat(3000)}`, { maxLength: 16_384 }));
  });

  it('refuses private, loopback and link-local targets, in every spelling', () => {
    for (const host of ['localhost', 'foo.localhost', '127.0.0.1', '127.0.0.2', '0.0.0.0', '10.1.2.3', '172.16.0.1',
      '192.168.1.1', '169.254.169.254', '100.64.0.1', '[::1]', '[::ffff:127.0.0.1]', '[fe80::1]', '[fd00::1]',
      '2130706433', '0x7f000001', '0177.0.0.1']) invalid(`http://${host}/`);
  });

  it('allows private targets when told to', () => {
    assert.equal(checkUrl('http://127.0.0.1:8080/watch', { allowPrivateNetworks: true }).port, '8080');
  });

  it('names the problem and the label in the message', () => {
    assert.throws(() => checkUrl('ftp://x', { label: 'page URL' }), /page URL must use http or https, not ftp/);
  });
});

describe('isPrivateAddress', () => {
  it('knows public from private', () => {
    assert.equal(isPrivateAddress('8.8.8.8'), false);
    assert.equal(isPrivateAddress('2606:4700::1111'), false);
    assert.equal(isPrivateAddress('172.32.0.1'), false);
    assert.equal(isPrivateAddress('172.31.255.255'), true);
    assert.equal(isPrivateAddress('::ffff:7f00:1'), true);
    assert.equal(isPrivateAddress('not-an-ip'), false);
    // TEST-NET addresses are public as far as the guard knows: a page may well sit there.
    assert.equal(isPrivateAddress('192.0.2.10'), false);
    assert.equal(isPrivateAddress('198.51.100.7'), false);
  });

  it('refuses every IPv6 range that embeds an IPv4 address a gateway could make private', () => {
    const cases: Array<[string, string]> = [
      ['::ffff:0:0/96 (IPv4-mapped), even of a public address', '::ffff:8.8.8.8'],
      ['::ffff:0:0/96, hex spelling', '::ffff:a00:1'],
      ['::/96 (IPv4-compatible)', '::127.0.0.1'],
      ['::/96, hex spelling', '::a00:1'],
      ['::ffff:0:0:0/96 (IPv4-translated)', '::ffff:0:7f00:1'],
      ['2002::/16 (6to4)', '2002:7f00:1::1'],
      ['2002::/16, public inside', '2002:808:808::1'],
      ['64:ff9b::/96 (NAT64)', '64:ff9b::7f00:1'],
      ['64:ff9b:1::/48 (local-use NAT64)', '64:ff9b:1::a00:1'],
      ['100::/64 (discard)', '100::1'],
      ['fec0::/10 (site-local)', 'fec0::1'],
    ];
    for (const [range, address] of cases) assert.equal(isPrivateAddress(address), true, `${range}: ${address}`);
    assert.equal(isPrivateAddress('64:ff9b:2::1'), false, 'just outside 64:ff9b:1::/48');
  });
});
