// The page on a flaky network, in a real Chromium: a proxy between the page
// and passmux cuts the download once, mid-body. The page must resume with a
// Range request into the same file (or start over when the video changed),
// and the file must end byte-identical to a download that was never cut.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { downloadPath, formatBytes } from '../../shared/format.js';
import { ARTIFACTS, fakeSavePicker, readSavedFile, skip, startBrowserRig, type BrowserRig } from '../helpers/browser-rig.js';
import { startCutProxy, type CutProxy, type CutProxyOptions, type Head } from '../helpers/cut-proxy.js';
import { get, readBody, whenIdle } from '../helpers/passmux-server.js';
import { childrenNamed } from '../helpers/processes.js';

const RESUMING = 'Connection lost — resuming…';
const STARTING_OVER = 'The video changed on the server — starting over.';

/** Init script: every text the progress line shows, in order (a notice may last less than a poll). */
const recordProgressText = () => {
  const seen: string[] = [];
  (window as any).__progressTexts = seen;
  document.addEventListener('DOMContentLoaded', () => {
    const node = document.getElementById('progress-text')!;
    new MutationObserver(() => seen.push(node.textContent ?? '')).observe(node, { childList: true, characterData: true, subtree: true });
  });
};

const progressTexts = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).__progressTexts);

const isDownload = (head: Head) => head.line.startsWith('GET /download?');

/** Offset of the first byte where `a` and `b` differ; -1 when they are equal. */
function firstDifference(a: Buffer, b: Buffer): number {
  if (a.equals(b)) return -1;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i += 1;
  return i;
}

// The other two cases are the page's logic; the fragmented file (ftyp, moov+mvex, sidx, moof/mdat) checks the resume's bytes.
for (const { pageId, every } of [{ pageId: 'big', every: true }, { pageId: 'frag-big', every: false }]) describe(`web page resuming a cut download of ${pageId}, in Chromium`, { skip }, () => {
  let rig: BrowserRig | undefined;
  let pageUrl: string;
  /** The same download, straight from passmux with nothing in between. */
  let reference: { body: Buffer; headers: IncomingHttpHeaders };

  before(async () => {
    rig = await startBrowserRig(150_000, 'passmux-browser-resume-');
    // ~12 MB: room to cut well inside the body.
    pageUrl = rig.site.pageUrl(pageId);
    const res = await get(`${rig.passmux.origin}${downloadPath(pageUrl, '')}`);
    reference = { body: await readBody(res), headers: res.headers };
    assert.equal(res.statusCode, 200);
    assert.equal(Number(reference.headers['content-length']), reference.body.length, 'passmux knows the exact length of this page');
    assert.match(reference.headers.etag ?? '', /^"[^"]+"$/, 'a strong ETag');
    assert.equal(reference.headers['accept-ranges'], 'bytes');
  });
  after(async () => {
    await rig?.close();
  });

  /** Saves the page through a proxy that cuts it (at ~40 % unless told); resolves once the page says how it ended. */
  async function saveThroughCut(t: TestContext, options: Partial<CutProxyOptions> = {}) {
    const proxy: CutProxy = await startCutProxy(rig!.passmux.origin, { cutAfterBodyBytes: Math.floor(reference.body.length * 0.4), ...options });
    t.after(() => proxy.close());
    const context = await rig!.browser.newContext({ viewport: { width: 900, height: 720 } });
    t.after(() => context.close());
    await context.addInitScript(fakeSavePicker);
    await context.addInitScript(recordProgressText);
    const page = await context.newPage();
    await page.goto(`${proxy.origin}/`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.fill('#url', pageUrl);
    await page.click('#get-info');
    await page.waitForSelector('#info:not([hidden])', { timeout: 60_000 });
    await page.click('#save');
    await page.waitForFunction((text) => (window as any).__progressTexts.includes(text), RESUMING, { timeout: 60_000 });
    await page.waitForSelector('#progress.done, #progress.failed', { timeout: 90_000 });
    const downloads = proxy.requests.filter(isDownload);
    t.diagnostic(`cut after ${proxy.cutsAt.join(', ')} of ${reference.body.length} body bytes; /download requests: ${JSON.stringify(downloads.map((h) => ({ range: h.headers.range, ifRange: h.headers['if-range'] })))}; responses: ${JSON.stringify(proxy.downloadResponses.map((h) => h.line))}`);
    return { page, proxy, downloads };
  }

  /** The saved file is the reference, byte for byte, and the page says so. */
  async function assertSavedWhole(t: TestContext, page: Page) {
    assert.match(await page.textContent('#progress-text') ?? '', /^Done — saved .* MB to /);
    const saved = await readSavedFile(page, await page.evaluate(() => (window as any).__picked));
    assert.ok(saved, 'the file is there');
    assert.equal(saved.length, reference.body.length);
    if (!saved.equals(reference.body)) {
      const stem = join(ARTIFACTS, `resume-${Date.now()}`);
      await Promise.all([writeFile(`${stem}-saved.mp4`, saved), writeFile(`${stem}-reference.mp4`, reference.body)]);
      t.diagnostic(`kept for a look: ${stem}-saved.mp4, ${stem}-reference.mp4`);
    }
    assert.equal(firstDifference(saved, reference.body), -1, 'byte-identical to a download that was never cut');
  }

  /** Nothing of the two transfers is left running on the server. */
  async function assertServerIdle() {
    await whenIdle(rig!.passmux.admission);
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0, 'no ffmpeg left');
  }

  it('resumes a cut transfer with Range and If-Range into the same file', { timeout: 180_000 }, async (t) => {
    const { page, proxy, downloads } = await saveThroughCut(t);
    await assertSavedWhole(t, page);
    const texts = await progressTexts(page);
    assert.ok(texts.some((text) => text.includes(`of ${formatBytes(reference.body.length)}`)), 'progress is measured against the exact length');

    assert.equal(downloads.length, 2, 'one cut request, one resume');
    const [first, second] = downloads as [Head, Head];
    assert.equal(first.headers.range, undefined);
    assert.notEqual(second.connection, first.connection);
    const range = /^bytes=(\d+)-$/.exec(second.headers.range ?? '');
    assert.ok(range, `the resume asks for the rest (Range: ${second.headers.range})`);
    const from = Number(range[1]);
    assert.ok(from > 0 && from <= proxy.cutsAt[0]!, `it starts after the first byte and at or before the last one received (${from}, cut at ${proxy.cutsAt[0]})`);
    assert.equal(second.headers['if-range'], reference.headers.etag);
    const [, resumed] = proxy.downloadResponses as [Head, Head];
    assert.match(resumed.line, /^HTTP\/1\.1 206 /);
    assert.equal(resumed.headers['content-range'], `bytes ${from}-${reference.body.length - 1}/${reference.body.length}`);
    await assertServerIdle();
  });

  if (every) it('starts over when the video changed on the server (If-Range does not match)', { timeout: 180_000 }, async (t) => {
    // The proxy makes the resume's If-Range stale: passmux answers 200 with the whole file.
    const { page, downloads, proxy } = await saveThroughCut(t, { replaceIfRange: '"an-older-version"' });
    await assertSavedWhole(t, page);
    assert.ok((await progressTexts(page)).includes(STARTING_OVER), 'the page says it starts over');
    assert.equal(downloads.length, 2);
    assert.match(downloads[1]!.headers.range ?? '', /^bytes=[1-9]\d*-$/);
    assert.match(proxy.downloadResponses[1]!.line, /^HTTP\/1\.1 200 /);
    await assertServerIdle();
  });

  if (every) it('gives up after three resume tries: the partial file is discarded', { timeout: 180_000 }, async (t) => {
    const { page, downloads, proxy } = await saveThroughCut(t, { cutAfterBodyBytes: 1_000_000, times: 4 });
    assert.equal(await page.textContent('#progress-text'), 'Download interrupted — the partial file was discarded.');
    assert.equal(await page.getAttribute('#progress', 'class'), 'card progress failed');
    assert.equal(proxy.cutsAt.length, 4);
    const starts = downloads.map((head) => Number(/^bytes=(\d+)-$/.exec(head.headers.range ?? 'bytes=0-')![1]));
    assert.equal(starts.length, 4, 'the first request and three tries');
    // A try may get no byte written before its cut: then the next one asks from the same place.
    assert.ok(starts.every((from, i) => i === 0 || from >= starts[i - 1]!), `each try goes on from where the last one stopped (${starts.join(', ')})`);
    assert.equal(await readSavedFile(page, await page.evaluate(() => (window as any).__picked)), null, 'the partial file was removed');
    await assertServerIdle();
  });
});
