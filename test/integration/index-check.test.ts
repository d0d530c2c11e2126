// A site that serves one moov to the size probe and another to ffmpeg: the
// relay checks every index block it serves ffmpeg against the probe's digest,
// so the download is cut (a JSON error before the first byte, a cut socket
// after), counted in /metrics, never padded into a "complete" file. The same
// site serving the same bytes to both completes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startHostileSite, type HostileSite } from '../helpers/hostile-site.js';
import { ensureMedia } from '../helpers/media.js';
import { get, readBody, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { childrenNamed } from '../helpers/processes.js';

/** The file with one byte of its moov changed (the mvhd's creation time: ffmpeg would not even notice). */
function otherMoov(file: Buffer): Buffer {
  const copy = Buffer.from(file);
  for (let at = 0; at + 8 <= copy.length; at += copy.readUInt32BE(at)) {
    if (copy.toString('latin1', at + 4, at + 8) === 'moov') {
      assert.equal(copy.toString('latin1', at + 12, at + 16), 'mvhd');
      copy[at + 8 + 12] ^= 0xff;
      return copy;
    }
  }
  throw new Error('no moov');
}

const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);

describe('the index ffmpeg reads is the one measured', () => {
  let site: HostileSite;
  let passmux: TestServer;
  before(async () => {
    const file = await readFile(await ensureMedia('moov-end.mp4'));
    site = await startHostileSite({
      'two-moovs': { title: 'Two moovs', media: '/media/two.mp4' },
      'one-moov': { title: 'One moov', media: '/media/one.mp4' },
    }, {
      '/media/two.mp4': { kind: 'two-faced', probe: file, ffmpeg: otherMoov(file) },
      '/media/one.mp4': { kind: 'two-faced', probe: file, ffmpeg: file },
    });
    passmux = await startPassmux();
  });
  after(async () => {
    await Promise.all([site.close(), passmux.close()]);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
  });
  const url = (page: string) => `${passmux.origin}/download?url=${encodeURIComponent(site.pageUrl(page))}`;

  it('another moov for ffmpeg than for the probe: cut and counted, never a complete file', async () => {
    const res = await get(url('two-moovs'));
    const announced = res.headers['content-length'];
    const body = await readBody(res).catch(() => undefined);
    if (res.statusCode === 200) assert.ok(body === undefined || body.length < Number(announced), 'a cut body, never the announced length');
    else {
      assert.equal(res.statusCode, 502);
      assert.equal(JSON.parse(body!.toString()).error.code, 'INDEX_CHANGED');
    }
    await whenIdle(passmux.admission);
    const metrics = (await readBody(await get(`${passmux.origin}/metrics`))).toString();
    assert.equal(metric(metrics, 'passmux_index_changes_total'), 1);
    assert.equal(metric(metrics, 'passmux_downloads_total\\{outcome="completed"\\}'), 0);
  });

  it('the same moov to both: the exact length, complete', async () => {
    const res = await get(url('one-moov'));
    assert.equal(res.statusCode, 200);
    const body = await readBody(res);
    assert.equal(body.length, Number(res.headers['content-length']));
    await whenIdle(passmux.admission);
  });
});
