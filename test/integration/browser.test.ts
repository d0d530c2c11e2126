// The web page, driven in a real Chromium (Debian's, via playwright-core).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { FixtureSite } from '../helpers/fixture-site.js';
import { startBrowserRig, ARTIFACTS, fakeSavePicker, readSavedFile, skip, type BrowserRig } from '../helpers/browser-rig.js';
import { startPassmux, type TestServer } from '../helpers/passmux-server.js';
import { probeFile } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';


describe('web page in Chromium', { skip }, () => {
  let browser: Browser;
  let site: FixtureSite;
  let slowSite: FixtureSite;
  let passmux: TestServer;
  let dir: string;
  let rig: BrowserRig | undefined;
  before(async () => {
    rig = await startBrowserRig(150_000, 'passmux-browser-');
    ({ browser, site, slowSite, passmux, dir } = rig);
  });
  after(async () => {
    await rig?.close();
  });

  async function openPage(origin = passmux.origin, picker = true): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 900, height: 720 } });
    if (picker) await context.addInitScript(fakeSavePicker);
    else await context.addInitScript(() => { delete (window as any).showSaveFilePicker; });
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForSelector('html[data-ready="true"]');
    return page;
  }

  async function lookUp(page: Page, url: string) {
    await page.fill('#url', url);
    await page.click('#get-info');
  }

  /** Opens the page, looks `url` up, clicks Save and resolves once bytes are arriving. */
  async function saveUntilBytesFlow(url: string) {
    const page = await openPage();
    await lookUp(page, url);
    await page.waitForSelector('#info:not([hidden])');
    const logged = passmux.nextLogs();
    await page.click('#save');
    await page.waitForFunction(() => /kB|MB/.test(document.getElementById('progress-text')!.textContent ?? ''));
    return { page, logged };
  }

  it('shows the preview, saves the file with progress, and the file is the MP4 the server sent', async (t) => {
    const page = await openPage();
    await lookUp(page, site.pageUrl('fancy'));
    await page.waitForSelector('#info:not([hidden])');
    assert.equal(await page.textContent('#title'), 'He said "hi" / Grüße – 日本語 🎬');
    assert.equal(await page.textContent('#uploader'), 'Fixture Uploader');
    assert.equal(await page.textContent('#duration'), '0:10');
    assert.match(await page.textContent('#size') ?? '', /MB/);
    await page.waitForFunction(() => (document.getElementById('thumb') as HTMLImageElement).naturalWidth > 0);
    const shot = join(ARTIFACTS, 'page-info.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);

    const logged = passmux.nextLogs();
    await page.click('#save');
    await page.waitForSelector('#progress.done');
    assert.match(await page.textContent('#progress-text') ?? '', /^Done — saved .* MB to He said hi Grüße – 日本語 🎬\.mp4$/);
    const [entry] = await logged;
    assert.equal(entry!.outcome, 'completed');
    const saved = await readSavedFile(page, 'He said hi Grüße – 日本語 🎬.mp4');
    assert.ok(saved);
    assert.equal(saved.length, entry!.bytes, 'the file holds exactly the bytes the server sent');
    await writeFile(join(dir, 'saved.mp4'), saved);
    assert.deepEqual((await probeFile(join(dir, 'saved.mp4'))).streams.map((s) => s.type), ['video', 'audio']);
    await page.context().close();
  });

  it('cancels a download midway: the server kills its ffmpeg and no file is left', async () => {
    const { page, logged } = await saveUntilBytesFlow(slowSite.pageUrl('h264'));
    await page.screenshot({ path: join(ARTIFACTS, 'page-progress.png'), fullPage: true });
    await page.click('#cancel');
    await page.waitForFunction(() => document.getElementById('progress-text')!.textContent === 'Download cancelled.');
    const [entry] = await logged;
    assert.equal(entry!.outcome, 'client_aborted');
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
    assert.equal(await readSavedFile(page, 'H264 clip.mp4'), null, 'the partial file was removed');
    await page.context().close();
  });

  it('resumes by itself when the server cuts the transfer mid-way, and the file is whole', async () => {
    const { page } = await saveUntilBytesFlow(slowSite.pageUrl('vp9'));
    const logged = passmux.nextLogs(2);
    // ffmpeg dying mid-stream makes the server cut the connection: the page asks for the rest.
    process.kill(childrenNamed(process.pid, 'ffmpeg')[0]!.pid, 'SIGKILL');
    await page.waitForFunction(() => document.getElementById('progress-text')!.textContent === 'Connection lost — resuming…');
    await page.waitForSelector('#progress.done');
    const [cut, rest] = await logged;
    assert.equal(cut!.outcome, 'failed');
    assert.equal(rest!.outcome, 'completed');
    const saved = await readSavedFile(page, 'VP9 clip.mp4');
    assert.ok(saved);
    await writeFile(join(dir, 'resumed.mp4'), saved);
    assert.deepEqual((await probeFile(join(dir, 'resumed.mp4'))).streams.map((s) => s.type), ['video', 'audio']);
    await page.context().close();
  });

  it('says the server is busy and counts down to a retry', async () => {
    const busy = await startPassmux({ retryAfterSeconds: 3 }, { maxConnections: 0, maxActive: 1 });
    try {
      const page = await openPage(busy.origin);
      await lookUp(page, site.pageUrl('h264'));
      await page.waitForSelector('#info:not([hidden])');
      await page.click('#save');
      await page.waitForFunction(() => /^The server is busy — retrying in [1-3] s$/.test(document.getElementById('progress-text')!.textContent ?? ''));
      await page.click('#cancel');
      await page.waitForFunction(() => document.getElementById('progress-text')!.textContent === 'Download cancelled.');
      assert.ok(busy.handler.metrics.downloads('rejected_busy') >= 1);
      await page.context().close();
    } finally {
      await busy.close();
    }
  });

  it('explains a bad link and a removed video in plain words', async () => {
    const page = await openPage();
    await lookUp(page, 'ftp://example.com/video');
    await page.waitForSelector('#message.error');
    assert.match(await page.textContent('#message') ?? '', /does not look right/);
    await lookUp(page, site.pageUrl('gone'));
    await page.waitForFunction(() => /removed or is private/.test(document.getElementById('message')!.textContent ?? ''));
    assert.equal(await page.isHidden('#info'), true);
    await page.context().close();
  });

  it('falls back to a plain download link where there is no file picker', async () => {
    const page = await openPage(passmux.origin, false);
    await lookUp(page, site.pageUrl('h264'));
    await page.waitForSelector('#save-link:not([hidden])');
    assert.equal(await page.isHidden('#save'), true);
    const href = await page.getAttribute('#save-link', 'href');
    assert.equal(href, `/download?${new URLSearchParams({ url: site.pageUrl('h264') })}`);
    await page.selectOption('#quality', 'audio');
    assert.match(await page.getAttribute('#save-link', 'href') ?? '', /&audioOnly=1$/);
    assert.equal(await page.getAttribute('#save-link', 'download'), 'H264 clip.m4a');
    await page.context().close();
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${passmux.origin}/`);
    await lookUp(page, site.pageUrl('fancy'));
    await page.waitForSelector('#info:not([hidden])');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await page.screenshot({ path: join(ARTIFACTS, 'page-phone.png'), fullPage: true });
    await context.close();
  });
});
