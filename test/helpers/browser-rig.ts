// What the browser tests share: Debian's Chromium (with the flags this closed
// network needs), two fixture sites (one throttled), a passmux, a temp dir.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startFixtureSite, type FixtureSite } from './fixture-site.js';
import { startPassmux, type TestServer } from './passmux-server.js';

export const executablePath = process.env.PASSMUX_CHROMIUM ?? '/usr/bin/chromium';
// In CI the browser tests must run: a missing chromium there is a failure, not a skip.
export const skip = !existsSync(executablePath) && !process.env.CI ? `chromium not found at ${executablePath} (apt-get install chromium)` : false;
/** Screenshots land here. */
export const ARTIFACTS = join(tmpdir(), 'passmux-artifacts');

export interface BrowserRig {
  browser: Browser;
  site: FixtureSite;
  /** A site whose every connection is throttled to `throttle` bytes/s. */
  slowSite: FixtureSite;
  passmux: TestServer;
  dir: string;
  close(): Promise<void>;
}

export async function startBrowserRig(throttle: number, dirPrefix: string): Promise<BrowserRig> {
  const browser = await chromium.launch({
    executablePath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const [site, slowSite, passmux, dir] = await Promise.all([
    startFixtureSite(), startFixtureSite({ throttle }), startPassmux(), mkdtemp(join(tmpdir(), dirPrefix)),
  ]);
  await mkdir(ARTIFACTS, { recursive: true });
  return {
    browser, site, slowSite, passmux, dir,
    close: async () => {
      await browser.close();
      await Promise.all([site.close(), slowSite.close(), passmux.close(), rm(dir, { recursive: true, force: true })]);
    },
  };
}

/** Init script standing in for the native file dialog: hands out files in the origin-private file system. */
export const fakeSavePicker = () => {
  (window as any).showSaveFilePicker = async (options: { suggestedName: string }) => {
    const root = await navigator.storage.getDirectory();
    (window as any).__picked = options.suggestedName;
    return root.getFileHandle(options.suggestedName, { create: true });
  };
};

/** The bytes of `name` in the page's origin-private file system; null when there is no such file. */
export async function readSavedFile(page: Page, name: string): Promise<Buffer | null> {
  const base64 = await page.evaluate(async (file) => {
    const root = await navigator.storage.getDirectory();
    let handle;
    try { handle = await root.getFileHandle(file); } catch { return null; }
    const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }, name);
  return base64 === null ? null : Buffer.from(base64, 'base64');
}
