import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { test } from 'node:test';
import { SocketPool } from '../../lib/relay/socket-pool.js';

/** A stand-in socket: destroy() closes it. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

test('takes the warmest idle socket of its own key only', () => {
  const pool = new SocketPool<FakeSocket>({ maxIdlePerKey: 4, idleMs: 60_000 });
  const [a, b, c] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
  pool.give('http://cdn|1.2.3.4', a);
  pool.give('http://cdn|1.2.3.4', b);
  pool.give('http://cdn|5.6.7.8', c);
  assert.equal(pool.take('http://cdn|9.9.9.9'), undefined, 'another checked address gets no socket');
  assert.equal(pool.take('http://cdn|1.2.3.4'), b);
  assert.equal(pool.take('http://cdn|1.2.3.4'), a);
  assert.equal(pool.take('http://cdn|1.2.3.4'), undefined);
  assert.equal(pool.idle(), 1);
  pool.clear();
  assert.ok(c.destroyed);
  assert.equal(pool.idle(), 0);
});

test('closes a socket given past the cap of its key', () => {
  const pool = new SocketPool<FakeSocket>({ maxIdlePerKey: 2, idleMs: 60_000 });
  const sockets = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
  for (const socket of sockets) pool.give('k', socket);
  assert.deepEqual(sockets.map((socket) => socket.destroyed), [false, false, true]);
  assert.equal(pool.idle('k'), 2);
  pool.clear();
});

test('forgets a socket the far end closed, and a taken socket is no longer watched', () => {
  const pool = new SocketPool<FakeSocket>({ maxIdlePerKey: 4, idleMs: 60_000 });
  const [gone, kept] = [new FakeSocket(), new FakeSocket()];
  pool.give('k', kept);
  pool.give('k', gone);
  gone.destroy();
  assert.equal(pool.idle('k'), 1);
  assert.equal(pool.take('k'), kept);
  assert.equal(kept.listenerCount('close'), 0);
});

test('closes a socket idle for longer than idleMs', async () => {
  const pool = new SocketPool<FakeSocket>({ maxIdlePerKey: 4, idleMs: 1 });
  const socket = new FakeSocket();
  pool.give('k', socket);
  await once(socket, 'close');
  assert.equal(pool.idle(), 0);
});
