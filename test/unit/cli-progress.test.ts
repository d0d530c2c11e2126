import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress } from '../../bin/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => { writes.push(text); return true; } } as unknown as NodeJS.WritableStream & { isTTY: boolean }, writes };
}

describe('CLI progress', () => {
  it('draws a bar on a terminal, at most every 100 ms, and clears it for the summary', () => {
    const { stream, writes } = fakeStream(true);
    const progress = createProgress(stream, { quiet: false, total: 1000 });
    progress.add(500);
    progress.add(100); // within 100 ms of the first draw: not redrawn
    assert.equal(writes.length, 1);
    assert.match(writes[0]!, /^\r\x1b\[2K\[#{12}-{12}\] 50 % · 500 B of 1\.0 kB/);
    progress.finish(({ bytes }) => `done ${bytes}`);
    assert.deepEqual(writes.slice(1), ['\r\x1b[2K', 'done 600\n']);
  });

  it('shows bytes only, without a bar, when there is no estimate', () => {
    const { stream, writes } = fakeStream(true);
    createProgress(stream, { quiet: false, total: null }).add(2500);
    assert.match(writes[0]!, /^\r\x1b\[2K2\.5 kB/);
  });

  it('writes only the summary, without escape codes, when not a terminal; nothing when quiet', () => {
    const plain = fakeStream(false);
    const progress = createProgress(plain.stream, { quiet: false, total: 10 });
    progress.add(5);
    progress.finish(() => 'summary');
    assert.deepEqual(plain.writes, ['summary\n']);
    const quiet = fakeStream(true);
    const silent = createProgress(quiet.stream, { quiet: true, total: 10 });
    silent.add(5);
    silent.finish(() => 'summary');
    assert.deepEqual(quiet.writes, []);
  });
});
