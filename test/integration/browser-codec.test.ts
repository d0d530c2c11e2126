// The page's codec choice and size line in a real Chromium, on the two-codec
// fixture page: only real choices shown, the exact size once a HEAD knows it,
// and "Most compatible" saving an H.264+AAC file.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatBytes } from '../../shared/format.js';
import { startBrowserRig, ARTIFACTS, fakeSavePicker, readSavedFile, skip, type BrowserRig } from '../helpers/browser-rig.js';
import { get } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';

describe('web page codec choice in Chromium', { skip }, () => {
  let rig: BrowserRig;
  before(async () => {
    rig = await startBrowserRig(150_000, 'passmux-browser-codec-');
  });
  after(async () => {
    await rig?.close();
  });

  /** The exact length passmux announces for a download (HEAD, as the page asks). */
  async function exactLength(query: string): Promise<number> {
    const res = await get(`${rig.passmux.origin}/download?url=${encodeURIComponent(rig.site.pageUrl('two-codecs'))}${query}`, 'HEAD');
    res.resume();
    assert.equal(res.statusCode, 200);
    return Number(res.headers['content-length']);
  }

  it('offers only real choices, shows the exact size, and "Most compatible" saves H.264+AAC', async (t) => {
    const context = await rig.browser.newContext({ viewport: { width: 900, height: 720 } });
    await context.addInitScript(fakeSavePicker);
    const page = await context.newPage();
    await page.goto(`${rig.passmux.origin}/`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.fill('#url', rig.site.pageUrl('two-codecs'));
    await page.click('#get-info');
    await page.waitForSelector('#info:not([hidden])');

    const options = (id: string) => page.$$eval(`#${id} option`, (list) => list.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
    assert.deepEqual(await options('codec'), [['', 'Best quality'], ['h264', 'Most compatible (H.264 + AAC)'], ['vp9', 'VP9']]);
    // 720p only: every "Up to" would give the same file as the best.
    assert.deepEqual((await options('quality')).map(([value]) => value), ['', 'audio']);
    assert.equal(await page.isVisible('#codec'), true);

    await page.waitForSelector('#size[data-exact="true"]');
    assert.equal(await page.textContent('#size'), formatBytes(await exactLength('')));
    await page.selectOption('#codec', 'h264');
    const h264Length = await exactLength('&codec=h264');
    await page.waitForFunction((text) => {
      const size = document.getElementById('size')!;
      return size.dataset.exact === 'true' && size.textContent === text;
    }, formatBytes(h264Length));
    const shot = join(ARTIFACTS, 'page-codec.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);

    await page.click('#save');
    await page.waitForSelector('#progress.done');
    const saved = await readSavedFile(page, 'Two codecs clip.mp4');
    assert.ok(saved);
    assert.equal(saved.length, h264Length, 'the file is exactly the size the line showed');
    const file = join(rig.dir, 'page-h264.mp4');
    await writeFile(file, saved);
    assert.deepEqual((await probeFile(file)).streams, [{ type: 'video', codec: 'h264' }, { type: 'audio', codec: 'aac' }]);
    await context.close();
  });
});
