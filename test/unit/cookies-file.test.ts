import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyCookiesFile, inspectCookiesFile, parseCookiesText } from '../../lib/extract/cookies-file.js';
import { buildYtdlpArgs } from '../../lib/extract/ytdlp-args.js';
import { readServerConfig } from '../../server-config.js';

const LINE = '.example.com\tTRUE\t/\tTRUE\t2147483647\tSID\tvalue-1';

describe('cookies file', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'passmux-cookies-unit-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads Netscape lines (HttpOnly ones, CRLF, comments) and names domains, never values', () => {
    const parsed = parseCookiesText(`# Netscape HTTP Cookie File\r\n\r\n${LINE}\r\n#HttpOnly_www.Example.org\tFALSE\t/\tFALSE\t\tid\tvalue-2\r\n`);
    assert.deepEqual([parsed.cookies, parsed.domains], [2, ['example.com', 'www.example.org']]);
    assert.equal(parsed.lines[0], LINE);
  });

  it('refuses JSON, wrong lines and empty files in words that carry no value', () => {
    assert.throws(() => parseCookiesText('[{"name":"SID","value":"value-1"}]'), /JSON/);
    assert.throws(() => parseCookiesText(`${LINE}\nexample.com SID value-9\nx\ty\n`), (error: Error) =>
      /line 2, 3 is not a Netscape cookie line/.test(error.message) && !error.message.includes('value-9'));
    assert.throws(() => parseCookiesText(LINE.replace('2147483647', 'soon')), /line 1/);
    assert.throws(() => parseCookiesText('# Netscape HTTP Cookie File\n'), /no cookies/);
  });

  it('inspects at start: warns when others may read the file', async () => {
    const path = join(dir, 'open.txt');
    await writeFile(path, `${LINE}\n`, { mode: 0o644 });
    const { summary, warnings } = inspectCookiesFile(path);
    assert.equal(summary.cookies, 1);
    assert.match(warnings[0]!, /accessible to other users \(mode 0644\): chmod 600/);
    assert.throws(() => inspectCookiesFile(join(dir, 'missing.txt')), { code: 'ENOENT' });
    assert.throws(() => inspectCookiesFile(dir), /not a regular file/);
  });

  it('copies privately for one run, with the header, and removes the copy', async () => {
    const source = join(dir, 'cookies.txt');
    await writeFile(source, `${LINE}\n`, { mode: 0o600 });
    const copy = await copyCookiesFile(source);
    assert.notEqual(copy.path, source);
    assert.equal((await stat(copy.path)).mode & 0o777, 0o600);
    assert.equal((await stat(dirname(copy.path))).mode & 0o777, 0o700);
    assert.equal(await readFile(copy.path, 'utf8'), `# Netscape HTTP Cookie File\n${LINE}\n`);
    await copy.remove();
    assert.equal(existsSync(dirname(copy.path)), false);
    await assert.rejects(copyCookiesFile(join(dir, 'missing.txt')), (error: { code: string; message: string; detail: string }) =>
      error.code === 'EXTRACT_FAILED' && !error.message.includes(dir) && error.detail.includes('missing.txt'));
  });

  it('yt-dlp gets --cookies PATH before the URL; the path only, resolved at the edge', () => {
    const args = buildYtdlpArgs('https://example.com/v', { mode: 'select', cookiesFile: '/tmp/x/cookies.txt' });
    assert.deepEqual(args.slice(args.indexOf('--cookies'), args.indexOf('--cookies') + 2), ['--cookies', '/tmp/x/cookies.txt']);
    assert.ok(args.indexOf('--cookies') < args.indexOf('--'));
    assert.ok(!buildYtdlpArgs('https://example.com/v', { mode: 'info' }).includes('--cookies'));
    assert.equal(readServerConfig({ PASSMUX_YTDLP_COOKIES: 'rel/cookies.txt' }).ytdlpCookies, join(process.cwd(), 'rel/cookies.txt'));
    assert.equal(readServerConfig({}).ytdlpCookies, undefined);
  });
});
