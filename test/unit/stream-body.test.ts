// pumpBody's two clocks, without sockets: the media must keep coming while the
// client waits for it (stallMs), and the client must keep reading while we
// have bytes for it (idleMs). Neither runs while the other side is the one waiting.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { MuxError } from '../../lib/errors.js';
import { ByteWindow } from '../../lib/http/byte-window.js';
import { pumpBody } from '../../lib/http/stream-body.js';

/** A response stand-in: a writable that takes everything, or (slow) nothing past its buffer. */
function fakeResponse(reads: boolean): ServerResponse {
  return new Writable({
    highWaterMark: 16,
    write(_chunk, _enc, done) { if (reads) done(); },
  }) as unknown as ServerResponse;
}

describe('pumpBody', () => {
  it('fails with TIMEOUT when the media stops coming while the client waits (a dripping upstream)', async () => {
    const media = new PassThrough();
    const pumped = pumpBody(media, fakeResponse(true), { idleMs: 10_000, stallMs: 50 }, () => {}, { first: Buffer.alloc(0) });
    media.write(Buffer.from('first fragment'));
    await assert.rejects(pumped, (e: unknown) => e instanceof MuxError && e.code === 'TIMEOUT' && /no media arrived/.test(e.message));
  });

  it('keeps going while media keeps coming, and ends with it', async () => {
    const media = new PassThrough();
    let bytes = 0;
    const pumped = pumpBody(media, fakeResponse(true), { idleMs: 10_000, stallMs: 200 }, (n) => { bytes += n; }, { first: Buffer.alloc(0) });
    for (let i = 0; i < 5; i += 1) {
      media.write(Buffer.alloc(10));
      await new Promise((resolve) => setImmediate(resolve));
    }
    media.end();
    await pumped;
    assert.equal(bytes, 50);
  });

  it('blames the client, not the media, when the client stops reading', async () => {
    const media = new PassThrough();
    const pumped = pumpBody(media, fakeResponse(false), { idleMs: 50, stallMs: 10 }, () => {}, { first: Buffer.alloc(0) });
    media.write(Buffer.alloc(64));
    await assert.rejects(pumped, (e: unknown) => e instanceof MuxError && e.code === 'TIMEOUT' && /client read nothing/.test(e.message));
  });

  it('sends only a window of the body (a 206) and leaves the rest of the stream unread', async () => {
    const media = new PassThrough();
    const sent: Buffer[] = [];
    const res = new Writable({ write(chunk, _enc, done) { sent.push(chunk); done(); } }) as unknown as ServerResponse;
    const body = Buffer.from('0123456789abcdefghij');
    const window = new ByteWindow(5, 12);
    const pumped = pumpBody(media, res, { idleMs: 10_000, stallMs: 10_000 }, () => {}, { first: body.subarray(0, 4), window });
    media.write(body.subarray(4, 9));
    media.write(body.subarray(9, 16));
    await pumped;
    assert.equal(Buffer.concat(sent).toString(), '56789abc');
    assert.ok(window.done);
    assert.ok(media.isPaused(), 'the rest is not read');
  });
});
