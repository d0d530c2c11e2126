import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeadReader, parseHead, planBody } from '../../lib/relay/response-head.js';

const HEAD = 'HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-A: 1\r\nx-a: 2\r\n\r\n';

test('a head with its body in the same chunk: the body is a view of that chunk', () => {
  const chunk = Buffer.from(`${HEAD}hello`, 'latin1');
  const got = new HeadReader().push(chunk)!;
  assert.equal(got.head.status, 206);
  assert.equal(got.head.headers['content-length'], '5');
  assert.equal(got.head.headers['x-a'], '1, 2');
  assert.deepEqual(got.head.setCookies, ['a=1', 'b=2']);
  assert.equal(got.rest.toString(), 'hello');
  assert.equal(got.rest.buffer, chunk.buffer);
});

test('a head split across chunks at every byte, the blank line too', () => {
  const whole = Buffer.from(`${HEAD}hello`, 'latin1');
  for (let cut = 1; cut < whole.length; cut += 1) {
    const reader = new HeadReader();
    const first = reader.push(whole.subarray(0, cut));
    const got = first ?? reader.push(whole.subarray(cut))!;
    assert.equal(got.head.status, 206, `cut at ${cut}`);
    const body = first ? Buffer.concat([first.rest, whole.subarray(cut)]) : got.rest;
    assert.equal(body.toString(), 'hello', `cut at ${cut}`);
  }
});

test('bad heads are refused', () => {
  for (const text of ['HTTP/2 200', 'HTTP/1.1 99 Low', 'ICY 200 OK', 'HTTP/1.1 200 OK\r\nNo colon', 'HTTP/1.1 200 OK\r\n folded: x',
    'HTTP/1.1 200 OK\r\nBad Name: x', 'HTTP/1.1 200 OK\r\nA: b\0c']) {
    assert.throws(() => parseHead(text), { code: 'MUX_FAILED' }, text);
  }
  assert.throws(() => new HeadReader().push(Buffer.alloc(70_000, 'a')), { code: 'MUX_FAILED' });
});

test('the lean reader takes a plain Content-Length only, and keeps alive as the version and Connection say', () => {
  const plan = (text: string) => planBody(parseHead(text));
  assert.deepEqual(plan('HTTP/1.1 206 Partial Content\r\nContent-Length: 4194304'), { length: 4194304, keepAlive: true });
  assert.deepEqual(plan('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: Close'), { length: 0, keepAlive: false });
  assert.deepEqual(plan('HTTP/1.0 200 OK\r\nContent-Length: 3'), { length: 3, keepAlive: false });
  assert.deepEqual(plan('HTTP/1.0 302 Found\r\nContent-Length: 3\r\nConnection: keep-alive'), { length: 3, keepAlive: true });
  for (const head of [
    'HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5',
    'HTTP/1.1 200 OK',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6',
    'HTTP/1.1 200 OK\r\nContent-Length: 5, 5',
    'HTTP/1.1 200 OK\r\nContent-Length: -1',
    'HTTP/1.1 200 OK\r\nContent-Length: 1e3',
    'HTTP/1.1 304 Not Modified\r\nContent-Length: 5',
    'HTTP/1.1 204 No Content\r\nContent-Length: 5',
    'HTTP/1.1 100 Continue',
  ]) assert.equal(plan(head), undefined, head);
});
