// Where yt-dlp's cookies may go (RFC 6265 domain, path and secure matching,
// ports ignored) and how both yt-dlp shapes become jar cookies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cookieHeaderFor, domainMatches, jarFromHeader, pathMatches } from '../../lib/cookie-jar.js';
import { cookiesFor, jarFromField } from '../../lib/extract/cookies.js';
import type { JarCookie } from '../../lib/types.js';

const cookie = (fields: Partial<JarCookie>): JarCookie => ({ name: 'c', value: 'v', domain: 'example.com', hostOnly: false, path: '/', secure: false, ...fields });
const sentTo = (jar: JarCookie[], url: string) => cookieHeaderFor(jar, new URL(url));

describe('domainMatches (RFC 6265 5.1.3)', () => {
  it('matches the domain itself and its subdomains, case and trailing dot aside', () => {
    assert.ok(domainMatches('example.com', 'example.com'));
    assert.ok(domainMatches('cdn.example.com', 'example.com'));
    assert.ok(domainMatches('a.b.EXAMPLE.com', '.example.com'));
    assert.ok(domainMatches('cdn.example.com.', 'example.com'));
  });
  it('never matches a parent, a sibling, or a name that merely ends the same', () => {
    assert.ok(!domainMatches('example.com', 'cdn.example.com'));
    assert.ok(!domainMatches('other.com', 'example.com'));
    assert.ok(!domainMatches('badexample.com', 'example.com'));
    assert.ok(!domainMatches('example.com.evil.net', 'example.com'));
  });
  it('matches IP addresses only exactly, and a one-label domain only itself', () => {
    assert.ok(domainMatches('127.0.0.1', '127.0.0.1'));
    assert.ok(!domainMatches('127.0.0.1', '0.0.1'));
    assert.ok(!domainMatches('127.0.0.2', '127.0.0.1'));
    assert.ok(domainMatches('[::1]', '::1'));
    assert.ok(!domainMatches('example.com', 'com'));
    assert.ok(domainMatches('localhost', 'localhost'));
    assert.ok(!domainMatches('a.localhost', 'localhost'));
    assert.ok(!domainMatches('example.com', ''));
  });
});

describe('pathMatches (RFC 6265 5.1.4)', () => {
  it('matches the path, and paths below it at a / boundary', () => {
    assert.ok(pathMatches('/', '/'));
    assert.ok(pathMatches('/media/a.ts', '/'));
    assert.ok(pathMatches('/private', '/private'));
    assert.ok(pathMatches('/private/a.ts', '/private'));
    assert.ok(pathMatches('/private/a.ts', '/private/'));
  });
  it('refuses other paths and mere prefixes', () => {
    assert.ok(!pathMatches('/media/a.ts', '/private'));
    assert.ok(!pathMatches('/privateer', '/private'));
    assert.ok(!pathMatches('/', '/private'));
  });
});

describe('cookieHeaderFor', () => {
  it('ignores ports: a cookie of 127.0.0.1 goes to every port of it, and to no other address', () => {
    const jar = [cookie({ name: 'session', value: 's1', domain: '127.0.0.1', hostOnly: true })];
    assert.equal(sentTo(jar, 'http://127.0.0.1:8001/hls/a.m3u8'), 'session=s1');
    assert.equal(sentTo(jar, 'http://127.0.0.1:9002/seg/1.m4s?token=t'), 'session=s1');
    assert.equal(sentTo(jar, 'http://127.0.0.2:8001/x'), undefined);
    assert.equal(sentTo(jar, 'http://localhost:8001/x'), undefined);
  });
  it('sends a Domain cookie to subdomains (a CDN under the site), a host-only one to its host alone', () => {
    const jar = [cookie({ name: 'site', value: '1' }), cookie({ name: 'host', value: '2', domain: 'www.example.com', hostOnly: true })];
    assert.equal(sentTo(jar, 'https://cdn.example.com/v.mp4'), 'site=1');
    assert.equal(sentTo(jar, 'https://www.example.com/v.mp4'), 'site=1; host=2');
    assert.equal(sentTo(jar, 'https://sub.www.example.com/v.mp4'), 'site=1');
    assert.equal(sentTo(jar, 'https://example.net/v.mp4'), undefined);
  });
  it('keeps a Secure cookie off http and a Path=/private cookie off /media', () => {
    const jar = [cookie({ name: 'sec', secure: true }), cookie({ name: 'priv', path: '/private' }), cookie({ name: 'all' })];
    assert.equal(sentTo(jar, 'http://example.com/media/a.ts'), 'all=v');
    assert.equal(sentTo(jar, 'https://example.com/media/a.ts'), 'sec=v; all=v');
    // Longer paths first (RFC 6265 5.4).
    assert.equal(sentTo(jar, 'https://example.com/private/a.ts'), 'priv=v; sec=v; all=v');
  });
});

describe('yt-dlp cookies into the jar', () => {
  const formatUrl = new URL('https://www.example.com/hls/v.m3u8');
  it('reads the current field: Domain, Path and Secure per cookie, quoting undone', () => {
    assert.deepEqual(jarFromField('a=1; Domain=.example.com; Path=/; Secure; Expires=1798761600; b="x\\054y"; Domain=www.example.com; Path=/hls; c=3', formatUrl), [
      { name: 'a', value: '1', domain: 'example.com', hostOnly: false, path: '/', secure: true },
      { name: 'b', value: 'x,y', domain: 'www.example.com', hostOnly: false, path: '/hls', secure: false },
      // No Domain: the format URL's host alone.
      { name: 'c', value: '3', domain: 'www.example.com', hostOnly: true, path: '/', secure: false },
    ]);
  });
  it('drops a cookie scoped to another site than the format URL\'s, and a top-level Domain', () => {
    assert.deepEqual(jarFromField('evil=1; Domain=evil.net; Path=/; tld=2; Domain=com; ok=3; Domain=example.com', formatUrl).map((c) => c.name), ['ok']);
  });
  it('reads the 2023 header as host-only cookies of the format URL\'s host, every path, any scheme', () => {
    assert.deepEqual(jarFromHeader('session=abc; pref=x=y', '127.0.0.1'), [
      { name: 'session', value: 'abc', domain: '127.0.0.1', hostOnly: true, path: '/', secure: false },
      { name: 'pref', value: 'x=y', domain: '127.0.0.1', hostOnly: true, path: '/', secure: false },
    ]);
    assert.deepEqual(cookiesFor({ http_headers: { Cookie: 'session=abc' } }, 'http://127.0.0.1:8001/a.m3u8').map((c) => c.domain), ['127.0.0.1']);
  });
  it('prefers the field when a format has both shapes', () => {
    assert.deepEqual(cookiesFor({ http_headers: { cookie: 'old=1' }, cookies: 'new=2; Path=/' }, formatUrl.href).map((c) => c.name), ['new']);
    assert.deepEqual(cookiesFor({}, formatUrl.href), []);
  });
});
