// Playlists without processes: yt-dlp's flat listing → PlaylistInfo, the URL
// checks on entries, argv, the query flag, the cache's two answers, and the
// pure helpers the page and the CLI share.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { egressPolicy, type Resolver } from '../../lib/egress/guard.js';
import { MuxError } from '../../lib/errors.js';
import { isPlaylist, parsePlaylist, requireVideo } from '../../lib/extract/parse-playlist.js';
import { screenEntries, screenThumbnails } from '../../lib/extract/screen-playlist.js';
import { ExtractionCache } from '../../lib/http/extraction-cache.js';
import { parseDownloadQuery } from '../../lib/http/query.js';
import { buildYtdlpArgs, safeBasename, type PlaylistInfo, type Selection } from '../../lib/internal.js';
import { ConfigError, readServerConfig } from '../../server-config.js';
import { parseItems } from '../../bin/playlist-items.js';
import { describeHttpError } from '../../shared/format.js';
import { describeTally, filenameFromDisposition, numberedName } from '../../shared/playlist-format.js';

const SMUGGLED = 'http://feeds.example.com/watch/h264#__youtubedl_smuggle=%7B%22force_videoid%22%3A+%22clip-h264%22%7D';

/** The shape yt-dlp (2023.03.04 and current) prints for an RSS feed with `--flat-playlist -J`. */
const feedJson = (entries: unknown[], extra: Record<string, unknown> = {}) => ({
  _type: 'playlist', id: 'http://feeds.example.com/feed.rss', title: 'Fixture clips', entries,
  webpage_url: 'http://feeds.example.com/feed.rss', original_url: 'http://feeds.example.com/feed.rss', playlist_count: entries.length, ...extra,
});
const item = (url: string, title = 'An item', more: Record<string, unknown> = {}) => ({
  _type: 'url_transparent', url, title, duration: 10.0, thumbnail: 'http://feeds.example.com/thumb/x.jpg', ...more,
});
const isCode = (code: string) => (e: unknown) => e instanceof MuxError && e.code === code;

describe('parsePlaylist', () => {
  it('lists entries with the URL yt-dlp gave, smuggled fragment and all', () => {
    const list = parsePlaylist(feedJson([item(SMUGGLED, 'First'), item('http://feeds.example.com/watch/vp9', 'Second', { thumbnail: null })]), { maxEntries: 500 });
    assert.deepEqual(list, {
      type: 'playlist', id: 'http://feeds.example.com/feed.rss', title: 'Fixture clips', uploader: null,
      webpageUrl: 'http://feeds.example.com/feed.rss', truncated: false,
      entries: [
        { index: 1, id: null, title: 'First', url: SMUGGLED, duration: 10, thumbnail: 'http://feeds.example.com/thumb/x.jpg' },
        { index: 2, id: null, title: 'Second', url: 'http://feeds.example.com/watch/vp9', duration: 10, thumbnail: null },
      ],
    });
  });

  it('leaves out entries a url parameter could not carry, keeping every index in place', () => {
    const entries = [
      item('ftp://feeds.example.com/a'), item('http://127.0.0.1/watch/1'), item('javascript:alert(1)'), item(`http://x.com/${'a'.repeat(2100)}`),
      item('http://user:pw@x.com/v'), 'garbage', null, { _type: 'url' }, item('https://x.com/ok', 'Ok', { thumbnail: 'file:///etc/passwd' }),
    ];
    const list = parsePlaylist(feedJson(entries), { maxEntries: 500 });
    assert.deepEqual(list.entries.map((e) => [e.index, e.url, e.thumbnail]), [[9, 'https://x.com/ok', null]]);
    const intranet = parsePlaylist(feedJson(entries), { maxEntries: 500, allowPrivateNetworks: true });
    assert.deepEqual(intranet.entries.map((e) => e.index), [2, 9]);
  });

  it('takes the page of a full multi_video entry, never its media URL, and drops parts without a page of their own', () => {
    const list = parsePlaylist({
      _type: 'multi_video', title: 'Parts', webpage_url: 'https://x.com/parts', entries: [
        { id: 'p1', title: 'Part 1', url: 'https://cdn.x.com/p1.mp4', webpage_url: 'https://x.com/parts?p=1', thumbnails: [{ url: 'https://x.com/a.jpg' }, { url: 'https://x.com/b.jpg' }] },
        { id: 'p2', title: 'Part 2', url: 'https://cdn.x.com/p2.mp4', webpage_url: 'https://x.com/parts' },
      ],
    }, { maxEntries: 500 });
    assert.deepEqual(list.entries, [{ index: 1, id: 'p1', title: 'Part 1', url: 'https://x.com/parts?p=1', duration: null, thumbnail: 'https://x.com/b.jpg' }]);
  });

  it('caps the list and says so, from the extra entry asked for or from the count', () => {
    const four = [1, 2, 3, 4].map((n) => item(`https://x.com/${n}`));
    assert.deepEqual(parsePlaylist(feedJson(four), { maxEntries: 3 }).entries.map((e) => e.index), [1, 2, 3]);
    assert.equal(parsePlaylist(feedJson(four), { maxEntries: 3 }).truncated, true);
    assert.equal(parsePlaylist(feedJson(four.slice(0, 3), { playlist_count: 40 }), { maxEntries: 3 }).truncated, true);
    assert.equal(parsePlaylist(feedJson(four), { maxEntries: 4 }).truncated, false);
  });

  it('cuts titles from strangers', () => {
    const list = parsePlaylist(feedJson([item('https://x.com/1', 't'.repeat(5000))], { title: 'p'.repeat(5000) }), { maxEntries: 5 });
    assert.equal(list.title!.length, 2048);
    assert.equal(list.entries[0]!.title!.length, 2048);
  });

  it('tells a playlist from a selection, and refuses a list where one video is wanted', () => {
    const list = parsePlaylist(feedJson([item('https://x.com/1')]), { maxEntries: 5 });
    const selection: Selection = { info: { id: 'a', title: 'a', duration: 1, thumbnail: null, uploader: null, webpageUrl: null, filename: 'a.mp4', estimatedSize: null, codecs: [], heights: [] }, inputs: [] };
    assert.equal(isPlaylist(list), true);
    assert.equal(isPlaylist(selection), false);
    assert.equal(requireVideo(selection), selection);
    assert.throws(() => requireVideo(list), (e: unknown) => isCode('IS_PLAYLIST')(e) && /playlist of 1 entry: pick its entries/.test((e as Error).message));
    assert.throws(() => parsePlaylist({ id: 'x' }, { maxEntries: 5 }), isCode('EXTRACT_FAILED'));
  });
});

describe('the guard on entries', () => {
  const resolver: Resolver = async (name) => {
    const table: Record<string, string> = { 'good.example.com': '93.184.216.34', 'inward.example.com': '10.0.0.7' };
    if (!table[name]) throw new Error(`ENOTFOUND ${name}`);
    return [{ address: table[name], family: 4 }];
  };
  const list: PlaylistInfo = {
    type: 'playlist', id: null, title: null, uploader: null, webpageUrl: null, truncated: false,
    entries: [
      { index: 1, id: null, title: 'ok', url: 'https://good.example.com/1', duration: null, thumbnail: 'https://inward.example.com/t.jpg' },
      { index: 2, id: null, title: 'inward', url: 'https://inward.example.com/2', duration: null, thumbnail: null },
      { index: 3, id: null, title: 'port', url: 'https://good.example.com:8443/3', duration: null, thumbnail: null },
      { index: 4, id: null, title: 'unknown', url: 'https://nowhere.example.com/4', duration: null, thumbnail: null },
      { index: 5, id: null, title: 'ok too', url: 'http://good.example.com/5', duration: null, thumbnail: 'https://good.example.com/t.jpg' },
    ],
  };

  it('keeps only entries whose page passes the address and port check, asking once per origin', async () => {
    const asked: string[] = [];
    const policy = egressPolicy({ policy: { resolver: async (name) => { asked.push(name); return resolver(name); } } });
    const screened = await screenEntries(list, policy);
    assert.deepEqual(screened.entries.map((e) => e.index), [1, 5]);
    assert.equal(asked.filter((name) => name === 'good.example.com').length, 2, 'https and http: one lookup each, not one per entry');
  });

  it('shows an entry thumbnail only when it passes the same check', async () => {
    const screened = await screenThumbnails(list, egressPolicy({ policy: { resolver } }));
    assert.deepEqual(screened.entries.map((e) => e.thumbnail), [null, null, null, null, 'https://good.example.com/t.jpg']);
  });
});

describe('asking for a list', () => {
  it('keeps --no-playlist unless the list is asked for, lists flat, and asks for one entry more than the cap', () => {
    const plain = buildYtdlpArgs('https://x.com/watch?v=1&list=2', { mode: 'select' });
    assert.ok(plain.includes('--no-playlist') && !plain.includes('--yes-playlist'));
    assert.equal(plain[plain.indexOf('--playlist-items') + 1], '1-501');
    const list = buildYtdlpArgs('https://x.com/watch?v=1&list=2', { mode: 'info', playlist: true, maxEntries: 20 });
    assert.ok(list.includes('--yes-playlist') && list.includes('--flat-playlist') && !list.includes('--no-playlist'));
    assert.equal(list[list.indexOf('--playlist-items') + 1], '1-21');
    assert.deepEqual(list.slice(-2), ['--', 'https://x.com/watch?v=1&list=2']);
  });

  it('reads the cap from PASSMUX_MAX_PLAYLIST_ENTRIES, 500 by default', () => {
    assert.equal(readServerConfig({}).maxPlaylistEntries, 500);
    assert.equal(readServerConfig({ PASSMUX_MAX_PLAYLIST_ENTRIES: '20' }).maxPlaylistEntries, 20);
    assert.throws(() => readServerConfig({ PASSMUX_MAX_PLAYLIST_ENTRIES: '0' }), (e: unknown) => e instanceof ConfigError && e.variable === 'PASSMUX_MAX_PLAYLIST_ENTRIES');
  });

  it('reads &playlist=1 from the query', () => {
    assert.equal(parseDownloadQuery(new URLSearchParams({ url: 'https://x.com/v', playlist: '1' }), false).playlist, true);
    assert.equal(parseDownloadQuery(new URLSearchParams({ url: 'https://x.com/v' }), false).playlist, undefined);
    assert.throws(() => parseDownloadQuery(new URLSearchParams({ url: 'https://x.com/v', playlist: 'maybe' }), false), isCode('INVALID_REQUEST'));
  });

  it('caches the list apart from the video, and answers a list as a list to lookup() and IS_PLAYLIST to get()', async () => {
    const asked: boolean[] = [];
    const cache = new ExtractionCache({
      extract: async (_url, choice) => {
        asked.push(choice.playlist ?? false);
        return parsePlaylist(feedJson([item('https://x.com/1')]), { maxEntries: 5 });
      },
    });
    const listed = await cache.lookup('https://x.com/l', {});
    assert.ok(isPlaylist(listed) && listed.entries.length === 1);
    await assert.rejects(cache.get('https://x.com/l', {}), isCode('IS_PLAYLIST'));
    await cache.lookup('https://x.com/l', { playlist: true });
    assert.deepEqual(asked, [false, true], 'one run each: the cache answered get() from the first');
  });
});

describe('--items', () => {
  it('picks numbers, ranges and open ranges like yt-dlp', () => {
    const picker = parseItems('1-3,7, 9-');
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 50].filter(picker.has), [1, 2, 3, 7, 9, 50]);
    assert.deepEqual([1, 2, 3].filter(parseItems('2').has), [2]);
  });

  it('refuses anything else in words', () => {
    for (const bad of ['', '0', '3-1', 'a', '1,,2', '-3', '1-2-3']) assert.throws(() => parseItems(bad), /--items takes entry numbers/, bad);
  });
});

describe('names in a folder', () => {
  it('numbers a repeated name before its extension', () => {
    assert.equal(numberedName('H264 clip.mp4', 1), 'H264 clip.mp4');
    assert.equal(numberedName('H264 clip.mp4', 2), 'H264 clip (2).mp4');
    assert.equal(numberedName('notes', 3), 'notes (3)');
    assert.equal(numberedName('.hidden', 2), '.hidden (2)');
  });

  it('reads the name the server gave, preferring filename*, and refuses paths', () => {
    assert.equal(filenameFromDisposition(`attachment; filename="He said hi Grusse.mp4"; filename*=UTF-8''He%20said%20hi%20Gr%C3%BC%C3%9Fe.mp4`), 'He said hi Grüße.mp4');
    assert.equal(filenameFromDisposition('attachment; filename="plain.mp4"'), 'plain.mp4');
    for (const bad of [null, '', 'attachment', `attachment; filename*=UTF-8''..%2Fx.mp4`, 'attachment; filename=".."', `attachment; filename*=UTF-8''%E0%A4%A`]) {
      assert.equal(filenameFromDisposition(bad), null, String(bad));
    }
  });

  it('names a playlist folder safely', () => {
    assert.equal(safeBasename('../My/list: best?'), 'My list best');
    assert.equal(safeBasename('', 'playlist'), 'playlist');
  });

  it('says why an entry failed in words', () => {
    assert.match(describeHttpError(502, 'MUX_FAILED'), /could not turn this video into an MP4/);
    assert.match(describeHttpError(400, 'IS_PLAYLIST'), /is a playlist/);
  });

  it('says how far a run got', () => {
    assert.equal(describeTally({ saved: 3, failed: 0, total: 12, state: 'running' }), '3 of 12 saved');
    assert.equal(describeTally({ saved: 11, failed: 1, total: 12, state: 'done' }), 'Finished — 11 of 12 saved, 1 failed');
    assert.equal(describeTally({ saved: 12, failed: 0, total: 12, state: 'done' }), 'Done — 12 of 12 saved');
    assert.equal(describeTally({ saved: 1, failed: 0, total: 12, state: 'cancelled' }), 'Cancelled — 1 of 12 saved');
  });
});
