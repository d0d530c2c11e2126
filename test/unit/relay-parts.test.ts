import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteBudget } from '../../lib/relay/budget.js';
import { parseContentRange, parseRangeHeader, splitRanges } from '../../lib/relay/byte-range.js';
import { cleanHeaders } from '../../lib/headers.js';
import { findSocketInode } from '../../lib/relay/peer-process.js';
import { headersForHop } from '../../lib/relay/upstream.js';

describe('byte ranges', () => {
  it('reads the Range forms ffmpeg sends and refuses the rest', () => {
    assert.deepEqual(parseRangeHeader('bytes=0-'), { start: 0 });
    assert.deepEqual(parseRangeHeader('bytes=100-199'), { start: 100, end: 199 });
    for (const bad of [undefined, '', 'bytes=-500', 'bytes=5-1', 'bytes=0-1,5-6', 'items=0-1']) assert.equal(parseRangeHeader(bad), undefined, String(bad));
  });

  it('reads Content-Range with and without a total', () => {
    assert.deepEqual(parseContentRange('bytes 0-99/1000'), { start: 0, end: 99, total: 1000 });
    assert.deepEqual(parseContentRange('bytes 5-9/*'), { start: 5, end: 9, total: undefined });
    assert.equal(parseContentRange('bytes */1000'), undefined);
  });

  it('cuts a span into ranges, the last one shorter', () => {
    assert.deepEqual(splitRanges(0, 24, 10), [[0, 9], [10, 19], [20, 24]]);
    assert.deepEqual(splitRanges(5, 5, 10), [[5, 5]]);
  });
});

describe('ByteBudget', () => {
  it('wakes waiters once usage falls to half the limit, not for every buffer given back', () => {
    const budget = new ByteBudget(100);
    budget.take(120);
    assert.equal(budget.full, true);
    let woken = 0;
    budget.onFree(() => { woken += 1; });
    const cancelled = budget.onFree(() => { woken += 100; });
    cancelled();
    budget.give(10);
    assert.equal(woken, 0, 'still full');
    budget.give(50);
    assert.equal(woken, 0, 'below the limit but above half: no churn');
    assert.equal(budget.full, false);
    budget.give(10);
    assert.equal(woken, 1);
    budget.give(500);
    assert.equal(budget.used, 0, 'never negative');
    assert.equal(woken, 1, 'each waiter wakes once');
  });
});

describe('ByteBudget with a process-wide parent', () => {
  it('is full when the parent is, and wakes its waiters when the parent frees up', () => {
    const total = new ByteBudget(100);
    const a = new ByteBudget(80, total);
    const b = new ByteBudget(80, total);
    a.take(30);
    b.take(75);
    assert.equal(a.full, true, 'a is under its own limit but the total is spent');
    assert.equal(total.used, 105);
    let woken = 0;
    a.onFree(() => { woken += 1; });
    b.give(40);
    assert.equal(woken, 0, 'the total (65) is still above half');
    b.give(35);
    assert.equal(woken, 1, 'the total fell to half: a may read again');
    assert.equal(a.full, false);
    a.give(30);
    assert.equal(woken, 1, 'woken once only');
    assert.deepEqual([a.used, b.used, total.used], [0, 0, 0]);
  });
});

describe('cleanHeaders', () => {
  it('drops bad names, strips line breaks, and leaves out what we set ourselves', () => {
    assert.deepEqual(cleanHeaders({ 'User-Agent': 'UA\r\nX: 1', 'Bad Name': 'v', Range: 'bytes=0-', Cookie: 'a=1' }, ['range']),
      { 'User-Agent': 'UAX: 1', BadName: 'v', Cookie: 'a=1' });
  });
});

describe('headersForHop', () => {
  const headers = { 'User-Agent': 'UA', authorization: 'Bearer x', Referer: 'https://site/' };
  const jar = [{ name: 'session', value: '1', domain: 'cdn.example', hostOnly: true, path: '/', secure: false }];
  const credentials = { origin: 'https://cdn.example', jar };
  it('keeps every header on the format\'s own origin, with the cookies that match', () => {
    assert.deepEqual(headersForHop(headers, credentials, new URL('https://cdn.example/a?b')), { ...headers, Cookie: 'session=1' });
  });
  it('sends the format headers everywhere, Authorization to its origin only, cookies by their scope (ports ignored)', () => {
    assert.deepEqual(headersForHop(headers, credentials, new URL('https://cdn.example:8443/a')), { 'User-Agent': 'UA', Referer: 'https://site/', Cookie: 'session=1' });
    assert.deepEqual(headersForHop(headers, credentials, new URL('http://cdn.example/a')), { 'User-Agent': 'UA', Referer: 'https://site/', Cookie: 'session=1' });
    assert.deepEqual(headersForHop(headers, credentials, new URL('https://evil.example/a')), { 'User-Agent': 'UA', Referer: 'https://site/' });
  });
  it('takes cookies from the jar only, never from a Cookie header left among the headers', () => {
    assert.deepEqual(headersForHop({ Cookie: 'stale=1', 'User-Agent': 'UA' }, { origin: 'https://cdn.example', jar: [] }, new URL('https://cdn.example/')), { 'User-Agent': 'UA' });
  });
  it('never sends a line break inside a cookie value', () => {
    const cookie = headersForHop({}, { origin: 'https://cdn.example', jar: [{ ...jar[0]!, value: 'a\r\nX-Evil: 1' }] }, new URL('https://cdn.example/')).Cookie;
    assert.equal(cookie, 'session=aX-Evil: 1');
  });
});

describe('findSocketInode', () => {
  const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:A1B2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000 20 4 30 10 -1
   1: 0100007F:1F90 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000 20 4 30 10 -1
   2: 0100007F:C000 0100007F:1F90 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000
`;
  it('finds the connection from one port to another, in that direction only', () => {
    assert.equal(findSocketInode(table, 0xa1b2, 8080), '4242');
    assert.equal(findSocketInode(table, 8080, 0xa1b2), '4343');
  });
  it('ignores sockets without an inode (TIME_WAIT) and absent ones', () => {
    assert.equal(findSocketInode(table, 0xc000, 8080), undefined);
    assert.equal(findSocketInode(table, 1, 2), undefined);
  });
});
