// What the browser tests share: Debian's Chromium (with the flags this closed
// network needs), two fixture sites (one throttled), a passmux, a temp dir.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
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
