// How a MuxStream settles, without ffmpeg: a stand-in process whose exit and
// output the test controls. Clean end only with exit 0, the output read to its
// end and no input failure; every other ending is an error, and 'close' comes
// after the process is gone and the relay session is closed.
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { MuxError } from '../../lib/errors.js';
import { MuxStream, paddingAllowance, type MuxStreamOptions } from '../../lib/mux/mux-stream.js';
import type { GroupChild } from '../../lib/process/child.js';
import type { MuxInfo } from '../../lib/types.js';

const info: MuxInfo = {
  id: 'x', title: 'x', duration: 1, thumbnail: null, uploader: null, webpageUrl: null, filename: 'x.mp4', estimatedSize: null, codecs: [], heights: [], mimeType: 'video/mp4',
};

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A process stand-in: `exit()` ends it; terminate() ends it with SIGTERM unless it already exited. */
function fakeProcess(stderr = '') {
  const stdout = new PassThrough();
  let exit!: (value: Exit) => void;
  const exited = new Promise<Exit>((resolve) => { exit = resolve; });
  const events: string[] = [];
  const proc = {
    child: Object.assign(new EventEmitter(), { stdout, pid: 4242 }),
    exited,
    stderrTail: () => stderr,
    spawnError: undefined,
    terminate: async () => { events.push('terminate'); exit({ code: null, signal: 'SIGTERM' }); await exited; },
  } as unknown as GroupChild;
  return { proc, stdout, exit, events };
}

function start(stderr = '', options: Partial<MuxStreamOptions> = {}) {
  const fake = fakeProcess(stderr);
  const stream = new MuxStream(fake.proc, { ...info }, { killGraceMs: 50, onClose: () => fake.events.push('onClose'), ...options });
  return { ...fake, stream };
}

/** Reads the stream to its end; resolves with the bytes, or rejects with its error. */
async function drain(stream: MuxStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('MuxStream settling', () => {
  it('ends cleanly when ffmpeg exits 0 and its output was read to the end', async () => {
    const { stream, stdout, exit } = start();
    stdout.end(Buffer.from('mp4'));
    exit({ code: 0, signal: null });
    assert.equal((await drain(stream)).toString(), 'mp4');
  });

  it('fails, never ends cleanly, when an input was cut even though ffmpeg exited 0', async () => {
    const { stream, stdout, exit } = start('', { inputFailure: () => new Error('socket hang up') });
    stdout.end(Buffer.from('short'));
    exit({ code: 0, signal: null });
    await assert.rejects(drain(stream), (e: unknown) => e instanceof MuxError && e.code === 'MUX_FAILED' && e.detail === 'socket hang up');
  });

  it('reports the relay\'s verdict on a failed input rather than ffmpeg\'s stderr', async () => {
    const refused = new MuxError('UPSTREAM_FORBIDDEN', 'the media server (cdn) answered 403');
    const { stream, stdout, exit } = start('Server returned 5XX Server Error reply', { inputFailure: () => refused });
    stdout.end();
    exit({ code: 1, signal: null });
    await assert.rejects(drain(stream), (e: unknown) => e === refused);
  });

  it('turns ffmpeg\'s own failure into words, keeping its stderr for the log only', async () => {
    const { stream, stdout, exit } = start('[mov,mp4,m4a @ 0x55d0c0ffee00] moov atom not found\nrelay: Invalid data found when processing input');
    stdout.end();
    exit({ code: 1, signal: null });
    await assert.rejects(drain(stream), (e: unknown) => e instanceof MuxError && e.code === 'MUX_FAILED'
      && !e.message.includes('0x55') && /not in a container/.test(e.message) && /moov atom/.test(e.detail ?? ''));
  });

  it('fails when ffmpeg closes its output but does not exit within the grace', async () => {
    const { stream, stdout } = start();
    stdout.end();
    await assert.rejects(drain(stream), /closed its output but did not exit/);
  });

  it('on destroy: stops the process, closes the relay session, and only then emits close', async () => {
    const { stream, events } = start();
    stream.on('error', () => {});
    stream.destroy();
    await once(stream, 'close');
    events.push('close');
    assert.deepEqual(events, ['terminate', 'onClose', 'close']);
  });

  it('stops when the caller\'s signal aborts, with the signal\'s reason', async () => {
    const controller = new AbortController();
    const { stream, events } = start('', { signal: controller.signal });
    const reason = new MuxError('ABORTED', 'client left');
    controller.abort(reason);
    await assert.rejects(drain(stream), (e: unknown) => e === reason);
    assert.ok(events.includes('terminate'));
  });

  it('pads an announced length with one free box, exactly', async () => {
    const { stream, stdout, exit } = start('', { length: 4 + 40 });
    stdout.end(Buffer.from('mp4!'));
    exit({ code: 0, signal: null });
    const body = await drain(stream);
    assert.equal(body.length, 44);
    assert.equal(body.readUInt32BE(4), 40);
    assert.equal(body.toString('latin1', 8, 12), 'free');
    assert.equal(stream.length, 44);
  });

  it('fails, and says it overran, when ffmpeg writes past the announced length', async () => {
    const { stream, stdout } = start('', { length: 16 });
    stdout.write(Buffer.alloc(9));
    await assert.rejects(drain(stream), (e: unknown) => e instanceof MuxError && e.code === 'MUX_FAILED' && /larger than its announced length/.test(e.message));
    assert.equal(stream.overran, true);
    assert.equal(stream.missedLength, true);
  });

  it('fails rather than pad an output far shorter than announced', async () => {
    const { stream, stdout, exit } = start('', { length: 10 * 1024 * 1024 });
    stdout.end(Buffer.alloc(1000));
    exit({ code: 0, signal: null });
    await assert.rejects(drain(stream), (e: unknown) => e instanceof MuxError && /much shorter/.test(e.message));
    assert.equal(stream.overran, false);
    assert.equal(stream.missedLength, true, 'a clip measured so goes chunked next time');
  });

  it('pads up to 1 % + 256 KiB short, and no further: the 2 GB output ending in a 199 MB free box is cut', async () => {
    for (const [length, produced, ok] of [[100_000_000, 100_000_000 - paddingAllowance(100_000_000), true], [100_000_000, 98_700_000, false],
      [51_003, 47_519, true]] as const) {
      const { stream, stdout, exit } = start('', { length });
      stdout.end(Buffer.alloc(produced));
      exit({ code: 0, signal: null });
      if (ok) assert.equal((await drain(stream)).length, length);
      else await assert.rejects(drain(stream), (e: unknown) => e instanceof MuxError && /much shorter/.test(e.message), `${produced} of ${length}`);
    }
    assert.ok(paddingAllowance(2_097_403_153) < 199_000_000 / 8);
  });
});
