// The page on a playlist, in a real Chromium: Save all into a folder. The
// folder picker is stubbed to hand out the origin-private file system's root
// (a folder the issue allows), and the saved files are read back through the page.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { feedUrl } from '../helpers/fixture-feed.js';
import type { FixtureSite } from '../helpers/fixture-site.js';
import { startBrowserRig, ARTIFACTS, skip, type BrowserRig } from '../helpers/browser-rig.js';
import { whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';


/** Stands in for the native folder dialog: the origin-private file system's root. */
const fakeFolderPicker = () => {
  (window as any).showDirectoryPicker = async () => navigator.storage.getDirectory();
};

/** Every entry of the picked folder: name → kind and, for files, the bytes (base64). */
async function readFolder(page: Page): Promise<Map<string, Buffer | 'directory'>> {
  const listed = await page.evaluate(async () => {
    const out: Array<[string, string | null]> = [];
    for await (const [name, handle] of (await navigator.storage.getDirectory() as any).entries()) {
      if (handle.kind !== 'file') { out.push([name, null]); continue; }
      const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      out.push([name, btoa(text)]);
    }
    return out;
  });
  return new Map(listed.map(([name, data]) => [name, data === null ? 'directory' : Buffer.from(data, 'base64')]));
}

const rowTexts = (page: Page, selector: string) => page.$$eval(`#entries li ${selector}`, (nodes) => nodes.map((n) => n.textContent));

describe('web page on a playlist, in Chromium', { skip }, () => {
  let browser: Browser;
  let site: FixtureSite;
  let slowSite: FixtureSite;
  let passmux: TestServer;
  let dir: string;
  let rig: BrowserRig | undefined;
  before(async () => {
    // Slow enough that neither running download can finish (the VP9 pair is under 0.5 MB) before Cancel.
    rig = await startBrowserRig(20_000, 'passmux-browser-list-');
    ({ browser, site, slowSite, passmux, dir } = rig);
  });
  after(async () => {
    await rig?.close();
  });

  async function openList(url: string, picker = true): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    if (picker) await context.addInitScript(fakeFolderPicker);
    else await context.addInitScript(() => { delete (window as any).showDirectoryPicker; });
    const page = await context.newPage();
    await page.goto(`${passmux.origin}/`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.fill('#url', url);
    await page.click('#get-info');
    await page.waitForSelector('#playlist:not([hidden])');
    return page;
  }

  it('lists the entries, and Save all puts one complete file per entry into the folder, two at a time', async (t) => {
    const page = await openList(feedUrl(site, 'clips'));
    assert.equal(await page.isHidden('#info'), true);
    assert.equal(await page.textContent('#playlist-title'), 'Fixture clips');
    assert.equal(await page.textContent('#playlist-count'), '3 entries');
    assert.deepEqual(await rowTexts(page, '.entry-title'), ['First: the H264 clip', 'Second: the VP9 clip', 'Third: the H264 clip again']);
    assert.deepEqual(await rowTexts(page, '.entry-duration'), ['0:10', '0:10', '0:10']);
    assert.deepEqual(await page.$$eval('#entries .entry-check', (boxes) => boxes.map((b) => (b as HTMLInputElement).checked)), [true, true, true]);
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('#entries .entry-thumb')).every((img) => img.naturalWidth > 0));
    const shot = join(ARTIFACTS, 'page-playlist.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);

    // Nothing ticked: nothing to save, and it says so.
    await page.click('#select-all');
    await page.click('#save-all');
    assert.equal(await page.textContent('#playlist-status'), 'Tick at least one entry to save.');
    await page.click('#select-all');

    let peak = 0;
    const off = passmux.admission.onChange(() => { peak = Math.max(peak, passmux.admission.open); });
    const logged = passmux.nextLogs(3);
    await page.click('#save-all');
    await page.waitForFunction(() => document.getElementById('playlist-status')!.textContent === 'Done — 3 of 3 saved');
    off();
    await page.screenshot({ path: join(ARTIFACTS, 'page-playlist-saved.png'), fullPage: true });
    const logs = await logged;
    assert.deepEqual(logs.map((entry) => entry.outcome), ['completed', 'completed', 'completed']);
    assert.ok(peak >= 1 && peak <= 2, `at most two downloads at once (saw ${peak})`);
    assert.deepEqual((await rowTexts(page, '.entry-status')).map((text) => text!.replace(/ — .*/, '')),
      ['Saved as H264 clip.mp4', 'Saved as VP9 clip.mp4', 'Saved as H264 clip (2).mp4']);

    const folder = await readFolder(page);
    assert.deepEqual([...folder.keys()].sort(), ['H264 clip (2).mp4', 'H264 clip.mp4', 'VP9 clip.mp4'], 'no subfolder, nothing but the files');
    const sizes = [...folder.values()].map((bytes) => (bytes as Buffer).length).sort();
    assert.deepEqual(sizes, logs.map((entry) => entry.bytes as number).sort(), 'each file holds exactly the bytes the server sent');
    for (const [name, bytes] of folder) {
      await writeFile(join(dir, name), bytes as Buffer);
      assert.deepEqual((await probeFile(join(dir, name))).streams.map((s) => s.type), ['video', 'audio'], name);
    }
    await page.context().close();
  });

  it('marks a failed entry with its error in words and saves the rest, keeping a file that was already there', async () => {
    const page = await openList(feedUrl(site, 'mixed'));
    await page.evaluate(async () => {
      const file = await (await navigator.storage.getDirectory()).getFileHandle('H264 clip.mp4', { create: true });
      const writable = await file.createWritable();
      await writable.write('keep me');
      await writable.close();
    });
    await page.click('#save-all');
    await page.waitForFunction(() => /^Finished/.test(document.getElementById('playlist-status')!.textContent ?? ''));
    assert.equal(await page.textContent('#playlist-status'), 'Finished — 2 of 3 saved, 1 failed');
    const statuses = await rowTexts(page, '.entry-status');
    assert.equal(statuses[1], 'passmux could not turn this video into an MP4 file.');
    assert.equal(await page.getAttribute('#entries li:nth-child(2)', 'data-state'), 'failed');
    const folder = await readFolder(page);
    assert.deepEqual([...folder.keys()].sort(), ['H264 clip (2).mp4', 'H264 clip.mp4', 'Single file clip.mp4']);
    assert.equal((folder.get('H264 clip.mp4') as Buffer).toString(), 'keep me');
    await page.context().close();
  });

  it('Cancel stops the running downloads and the rest, and leaves no file', async () => {
    const page = await openList(feedUrl(slowSite, 'clips'));
    const logged = passmux.nextLogs(2);
    await page.click('#save-all');
    // Both running downloads have bytes on the way: the server has both, the third waits.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#entries .entry-status')).filter((n) => /kB|MB/.test(n.textContent ?? '')).length === 2);
    assert.equal(await page.textContent('#entries li:nth-child(3) .entry-status'), 'Waiting…');
    await page.click('#cancel-all');
    await page.waitForFunction(() => document.getElementById('playlist-status')!.textContent === 'Cancelled — 0 of 3 saved');
    assert.deepEqual(await rowTexts(page, '.entry-status'), ['Cancelled — nothing was kept.', 'Cancelled — nothing was kept.', 'Not saved.']);
    assert.deepEqual((await logged).map((entry) => entry.outcome), ['client_aborted', 'client_aborted']);
    await whenIdle(passmux.admission);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
    assert.deepEqual([...(await readFolder(page)).keys()], []);
    assert.equal(await page.isEnabled('#save-all'), true);
    await page.context().close();
  });

  it('without a folder picker, gives each entry a plain download link', async () => {
    const page = await openList(feedUrl(site, 'clips'), false);
    assert.equal(await page.isHidden('#save-all'), true);
    const hrefs = await page.$$eval('#entries .entry-link', (links) => links.map((a) => a.getAttribute('href')));
    assert.equal(hrefs.length, 3);
    assert.equal(hrefs[1], `/download?${new URLSearchParams({ url: site.pageUrl('vp9') })}`);
    assert.match(hrefs[0]!, /__youtubedl_smuggle/);
    await page.selectOption('#playlist-quality', 'audio');
    assert.match(await page.getAttribute('#entries li:nth-child(2) .entry-link', 'href') ?? '', /&audioOnly=1$/);
    // Entries are listed, not extracted: "Most compatible" is offered for all, each falling back where it has no H.264.
    await page.selectOption('#playlist-codec', 'h264');
    assert.match(await page.getAttribute('#entries li:nth-child(2) .entry-link', 'href') ?? '', /&audioOnly=1&codec=h264$/);
    // A phone-width screen: no sideways scrolling.
    await page.setViewportSize({ width: 360, height: 740 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await page.screenshot({ path: join(ARTIFACTS, 'page-playlist-phone.png'), fullPage: true });
    await page.context().close();
  });
});
