// The page's From/To fields, in a real Chromium: the clip's length shown,
// a wrong span said in words, and the clip saved under its own name.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBrowserRig, fakeSavePicker, readSavedFile, skip, type BrowserRig } from '../helpers/browser-rig.js';
import { probeFile } from '../helpers/probe.js';

describe('a clip from the web page in Chromium', { skip }, () => {
  let rig: BrowserRig | undefined;
  before(async () => {
    rig = await startBrowserRig(150_000, 'passmux-browser-clip-');
  });
  after(async () => {
    await rig?.close();
  });

  it('shows the clip\'s length, refuses "To" before "From" in words, saves "H264 clip (3.5s-7s).mp4"', async () => {
    const { browser, site, passmux, dir } = rig!;
    const context = await browser.newContext({ viewport: { width: 900, height: 720 } });
    await context.addInitScript(fakeSavePicker);
    const page = await context.newPage();
    await page.goto(`${passmux.origin}/`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.fill('#url', site.pageUrl('h264'));
    await page.click('#get-info');
    await page.waitForSelector('#info:not([hidden])');
    assert.equal(await page.textContent('#clip-length'), '');
    await page.fill('#clip-from', '3.5');
    await page.fill('#clip-to', '2');
    assert.match(await page.textContent('#clip-length') ?? '', /“To” must come after “From”/);
    await page.click('#save');
    assert.match(await page.textContent('#message') ?? '', /after/);
    await page.fill('#clip-to', '0:07');
    assert.equal(await page.textContent('#clip-length'), 'clip of 0:04');
    const logged = passmux.nextLogs();
    await page.click('#save');
    await page.waitForSelector('#progress.done');
    const [entry] = await logged;
    assert.equal(entry!.outcome, 'completed');
    assert.equal(await page.evaluate(() => (window as any).__picked), 'H264 clip (3.5s-7s).mp4');
    const saved = await readSavedFile(page, 'H264 clip (3.5s-7s).mp4');
    assert.ok(saved);
    assert.equal(saved.length, entry!.bytes);
    await writeFile(join(dir, 'clip.mp4'), saved);
    const probe = await probeFile(join(dir, 'clip.mp4'));
    assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.ok(probe.duration >= 3.45 && probe.duration <= 3.5 + 2 + 0.5, `duration ${probe.duration}`);
    await context.close();
  });
});
