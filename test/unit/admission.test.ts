import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdmissionController, MuxError, Semaphore } from '../../lib/internal.js';

const isCode = (code: string) => (error: unknown) => error instanceof MuxError && error.code === code;

describe('Semaphore', () => {
  it('hands permits to waiters in FIFO order', async () => {
    const sem = new Semaphore(1);
    await sem.take();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => sem.take().then(() => order.push(n)));
    assert.equal(sem.waiting, 3);
    for (let i = 0; i < 3; i += 1) sem.give();
    await Promise.all(waiters);
    assert.deepEqual(order, [1, 2, 3]);
    assert.equal(sem.held, 1);
  });

  it('does not let a newcomer overtake a queued waiter', async () => {
    const sem = new Semaphore(1);
    await sem.take();
    const queued = sem.take();
    sem.give();
    assert.equal(sem.tryTake(), false, 'the freed permit went to the waiter');
    await queued;
    assert.equal(sem.held, 1);
  });

  it('removes an aborted waiter without disturbing the others', async () => {
    const sem = new Semaphore(1);
    await sem.take();
    const controller = new AbortController();
    const order: string[] = [];
    const a = sem.take().then(() => order.push('a'));
    const b = sem.take(controller.signal);
    const c = sem.take().then(() => order.push('c'));
    controller.abort();
    await assert.rejects(b, isCode('ABORTED'));
    assert.equal(sem.waiting, 2);
    sem.give();
    sem.give();
    await Promise.all([a, c]);
    assert.deepEqual(order, ['a', 'c']);
  });

  it('throws on give() without a permit', () => {
    assert.throws(() => new Semaphore(2).give(), /without a held permit/);
  });
});

describe('AdmissionController', () => {
  it('admits 50 and refuses the 51st with BUSY', () => {
    const admission = new AdmissionController();
    const tickets = Array.from({ length: 50 }, () => admission.tryAdmit());
    assert.equal(admission.open, 50);
    assert.throws(() => admission.tryAdmit(), isCode('BUSY'));
    tickets[0]!.release();
    assert.doesNotThrow(() => admission.tryAdmit());
  });

  it('lets 25 run, queues the 26th, and serves the queue in order', async () => {
    const admission = new AdmissionController();
    const tickets = Array.from({ length: 28 }, () => admission.tryAdmit());
    const order: number[] = [];
    const acquired = tickets.map((ticket, i) => ticket.acquire().then(() => order.push(i)));
    await Promise.all(acquired.slice(0, 25));
    assert.deepEqual(admission.counts, { open: 28, active: 25, waiting: 3 });
    tickets[3]!.release();
    tickets[0]!.release();
    tickets[7]!.release();
    await Promise.all(acquired.slice(25));
    assert.deepEqual(order.slice(25), [25, 26, 27]);
    assert.deepEqual(admission.counts, { open: 25, active: 25, waiting: 0 });
  });

  it('makes release idempotent and never lets counters go negative', async () => {
    const admission = new AdmissionController({ maxConnections: 2, maxActive: 1 });
    const a = admission.tryAdmit();
    await a.acquire();
    a.release();
    a.release();
    assert.deepEqual(admission.counts, { open: 0, active: 0, waiting: 0 });
    const b = admission.tryAdmit();
    b.release();
    b.release();
    assert.deepEqual(admission.counts, { open: 0, active: 0, waiting: 0 });
    assert.equal(b.state, 'released');
  });

  it('frees the queue place of a waiter that is released or aborted', async () => {
    const admission = new AdmissionController({ maxConnections: 5, maxActive: 1 });
    const holder = admission.tryAdmit();
    await holder.acquire();
    const released = admission.tryAdmit();
    const releasedWait = released.acquire();
    const aborted = admission.tryAdmit();
    const controller = new AbortController();
    const abortedWait = aborted.acquire(controller.signal);
    const last = admission.tryAdmit();
    const lastWait = last.acquire();
    assert.equal(admission.waiting, 3);
    released.release();
    controller.abort();
    await assert.rejects(releasedWait, isCode('ABORTED'));
    await assert.rejects(abortedWait, isCode('ABORTED'));
    assert.deepEqual(admission.counts, { open: 3, active: 1, waiting: 1 });
    holder.release();
    await lastWait;
    assert.equal(last.state, 'active');
    aborted.release();
    last.release();
    assert.deepEqual(admission.counts, { open: 0, active: 0, waiting: 0 });
  });

  it('reports every change to listeners', async () => {
    const admission = new AdmissionController({ maxConnections: 2, maxActive: 1 });
    const seen: string[] = [];
    const off = admission.onChange((c) => seen.push(`${c.open}/${c.active}/${c.waiting}`));
    const t = admission.tryAdmit();
    await t.acquire();
    t.release();
    off();
    admission.tryAdmit();
    assert.deepEqual(seen, ['1/0/0', '1/1/0', '1/1/0', '0/0/0']);
  });

  it('refuses everything when maxConnections is 0', () => {
    assert.throws(() => new AdmissionController({ maxConnections: 0 }).tryAdmit(), isCode('BUSY'));
  });
});
