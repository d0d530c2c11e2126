// The relay's read-ahead without sockets: consume() on a stand-in response,
// deliverInOrder() over chunks that finish out of order.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { MuxError } from '../../lib/errors.js';
import { ByteBudget } from '../../lib/relay/budget.js';
import { Chunk, consume } from '../../lib/relay/chunk.js';
import { deliverInOrder } from '../../lib/relay/in-order.js';

/** A response stand-in: a stream with a socket that has timeouts, and `complete` set when it ends properly. */
type FakeResponse = IncomingMessage & { finish(): void; write(data: Buffer): boolean };

function fakeResponse(): FakeResponse {
  const res = new PassThrough() as unknown as FakeResponse & { complete: boolean };
  const socket = Object.assign(new EventEmitter(), { setTimeout: () => socket });
  Object.assign(res, { socket, complete: false, statusCode: 200, headers: {} });
  res.finish = () => { res.complete = true; (res as unknown as PassThrough).end(); };
  return res;
}

/** A writable that keeps what it gets. */
function collector(): Writable & { bytes(): Buffer } {
  const parts: Buffer[] = [];
  const out = new Writable({ highWaterMark: 1 << 20, write(chunk: Buffer, _enc, done) { parts.push(chunk); done(); } });
  return Object.assign(out, { bytes: () => Buffer.concat(parts) });
}

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('consume', () => {
  it('writes a head chunk straight to the output and stops at its length', async () => {
    const chunk = new Chunk(0, 9);
    chunk.head = true;
    const res = fakeResponse();
    const out = collector();
    const done = consume(chunk, res, out, new ByteBudget(1024), 1000);
    res.write(bytes(6, 1));
    res.write(bytes(6, 2)); // two bytes past the end: not ours
    await done;
    assert.deepEqual(out.bytes(), Buffer.concat([bytes(6, 1), bytes(4, 2)]));
    assert.equal(chunk.received, 10);
  });

  it('keeps a chunk ahead in the heap on the budget, and pauses it when the budget is full', async () => {
    const budget = new ByteBudget(8);
    const chunk = new Chunk(0, 15);
    const res = fakeResponse();
    const done = consume(chunk, res, collector(), budget, 1000);
    res.write(bytes(8, 3));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(budget.used, 8);
    assert.ok(res.isPaused(), 'paused once the budget is full');
    budget.give(8);
    assert.ok(!res.isPaused(), 'resumed once half the budget is free');
    res.write(bytes(8, 4));
    await done;
    assert.deepEqual(Buffer.concat(chunk.buffers), Buffer.concat([bytes(8, 3), bytes(8, 4)]));
  });

  it('rejects a response that ends before the chunk is complete (a cut)', async () => {
    const chunk = new Chunk(0, 99);
    chunk.head = true;
    const res = fakeResponse();
    const done = consume(chunk, res, collector(), new ByteBudget(1024), 1000);
    res.write(bytes(10, 1));
    res.finish();
    await assert.rejects(done, (e: unknown) => e instanceof MuxError && e.code === 'MUX_FAILED' && /cut after 10 bytes/.test(e.message));
  });

  it('takes a fragment of unknown length as complete when its response ends properly, and not when it is cut', async () => {
    const whole = new Chunk(0, Infinity);
    whole.head = true;
    const ok = fakeResponse();
    const out = collector();
    const done = consume(whole, ok, out, new ByteBudget(1024), 1000);
    ok.write(bytes(5, 7));
    ok.finish();
    await done;
    assert.equal(out.bytes().length, 5);

    const cut = new Chunk(0, Infinity);
    cut.head = true;
    const broken = fakeResponse();
    const failed = consume(cut, broken, collector(), new ByteBudget(1024), 1000);
    broken.write(bytes(5, 7));
    (broken as unknown as PassThrough).destroy();
    await assert.rejects(failed);
  });

  it('skips the bytes a server sent that were not asked for (Range ignored on a resume)', async () => {
    const chunk = new Chunk(0, 3);
    chunk.head = true;
    chunk.skip = 4;
    const res = fakeResponse();
    const out = collector();
    const done = consume(chunk, res, out, new ByteBudget(1024), 1000);
    res.write(Buffer.from('skipME'));
    res.write(Buffer.from('!!'));
    await done;
    assert.equal(out.bytes().toString(), 'ME!!');
  });
});

describe('deliverInOrder', () => {
  it('delivers chunks in order however they finish, with at most `parallel` in flight', async () => {
    const out = collector();
    const finishers: Array<() => void> = [];
    let inFlight = 0;
    let peak = 0;
    const delivered = deliverInOrder(out, {
      count: 5, parallel: 2, budget: new ByteBudget(1024),
      start: (index) => {
        const chunk = new Chunk(0, 0);
        chunk.buffers.push(Buffer.from(String(index)));
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        chunk.settled = new Promise<void>((resolve) => { finishers[index] = () => { inFlight -= 1; resolve(); }; });
        return chunk;
      },
    }, new AbortController().signal);
    // Of those in flight, the newest always finishes first.
    const finished = new Set<number>();
    while (finished.size < 5) {
      await new Promise((resolve) => setImmediate(resolve));
      const newest = finishers.findLastIndex((finish, index) => finish !== undefined && !finished.has(index));
      if (newest === -1) continue;
      finished.add(newest);
      finishers[newest]!();
    }
    await delivered.catch(() => {});
    assert.equal(out.bytes().toString(), '01234');
    assert.ok(peak <= 2, `peak ${peak}`);
  });

  it('fails when a chunk fails, and frees what chunks ahead held', async () => {
    const budget = new ByteBudget(1024);
    const delivered = deliverInOrder(collector(), {
      count: 3, parallel: 3, budget,
      start: (index) => {
        const chunk = new Chunk(0, 0);
        chunk.buffers.push(bytes(10, index));
        budget.take(10);
        chunk.settled = index === 0 ? Promise.reject(new MuxError('MUX_FAILED', 'gone')) : Promise.resolve();
        return chunk;
      },
    }, new AbortController().signal);
    await assert.rejects(delivered, /gone/);
    assert.equal(budget.used, 0);
  });
});

describe('deliverInOrder ramp-up', () => {
  it('with rampUpBytes, fetches one chunk alone until that many of its bytes arrived (or it is done), then `parallel`', async () => {
    const started: number[] = [];
    const finishers: Array<() => void> = [];
    const chunks: Chunk[] = [];
    const delivered = deliverInOrder(collector(), {
      count: 6, parallel: 4, rampUpBytes: 100, budget: new ByteBudget(1024),
      start: (index) => {
        started.push(index);
        const chunk = new Chunk(0, 0);
        chunks[index] = chunk;
        chunk.settled = new Promise<void>((resolve) => { finishers[index] = resolve; });
        return chunk;
      },
    }, new AbortController().signal);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0], 'one alone at first');
    const first = chunks[0]!;
    first.onReceived?.(50);
    assert.deepEqual(started, [0], 'still alone below the threshold');
    first.onReceived?.(100);
    assert.deepEqual(started, [0, 1, 2, 3], 'then four in flight, before the first is done');
    finishers[0]!();
    for (let i = 1; i < 6; i += 1) {
      while (!finishers[i]) await new Promise((resolve) => setImmediate(resolve));
      finishers[i]!();
    }
    await delivered;
  });
});
