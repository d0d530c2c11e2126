// Playlists through the server and the library, with real yt-dlp and ffmpeg:
// the fixture site's RSS feeds are listed flat by yt-dlp's generic extractor.
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { extractInfo, extractSelection, MuxError, type PlaylistInfo } from '../../lib/internal.js';
import { feedUrl } from '../helpers/fixture-feed.js';
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { get, readJson, startPassmux, whenIdle, type TestServer } from '../helpers/passmux-server.js';
import { probeFile, type ProbeResult } from '../helpers/probe.js';
import { childrenNamed } from '../helpers/processes.js';

const q = encodeURIComponent;

describe('playlists', () => {
  let site: FixtureSite;
  let passmux: TestServer;
  let dir: string;
  before(async () => {
    [site, passmux, dir] = await Promise.all([startFixtureSite(), startPassmux(), mkdtemp(join(tmpdir(), 'passmux-playlists-'))]);
  });
  after(() => Promise.all([site.close(), passmux.close(), rm(dir, { recursive: true, force: true })]));

  const info = async (url: string, server = passmux) => {
    const res = await get(`${server.origin}/info?url=${q(url)}`);
    return { status: res.statusCode, body: await readJson(res) };
  };

  it('GET /info lists a feed: its title and entries, each with the URL yt-dlp gave (smuggled fragment kept)', async () => {
    const { status, body } = await info(feedUrl(site, 'clips'));
    assert.equal(status, 200);
    assert.deepEqual({ ...body, entries: undefined }, {
      type: 'playlist', id: feedUrl(site, 'clips'), title: 'Fixture clips', uploader: null, webpageUrl: feedUrl(site, 'clips'), entries: undefined, truncated: false,
    });
    assert.deepEqual(body.entries.map((e: any) => [e.index, e.title, e.duration, e.thumbnail]), [
      [1, 'First: the H264 clip', 10, `${site.origin}/thumb/h264.jpg`],
      [2, 'Second: the VP9 clip', 10, `${site.origin}/thumb/vp9.jpg`],
      [3, 'Third: the H264 clip again', 10, `${site.origin}/thumb/h264.jpg`],
    ]);
    assert.match(body.entries[0].url, new RegExp(`^${site.pageUrl('h264')}#__youtubedl_smuggle=`));
    assert.equal(body.entries[1].url, site.pageUrl('vp9'));
    const video = await info(site.pageUrl('h264'));
    assert.equal(video.body.type, 'video');
  });

  it('every entry URL is an ordinary download: an MP4 with both tracks, named for its video', async () => {
    const { body } = await info(feedUrl(site, 'clips'));
    const logged = passmux.nextLogs(3);
    const saved: Array<{ name: string | undefined; probe: ProbeResult }> = await Promise.all(body.entries.map(async (entry: PlaylistInfo['entries'][number]) => {
      const res = await get(`${passmux.origin}/download?url=${q(entry.url)}`);
      assert.equal(res.statusCode, 200, entry.title ?? '');
      const file = join(dir, `entry-${entry.index}.mp4`);
      await pipeline(res, createWriteStream(file));
      return { name: /filename\*=UTF-8''(.+)$/.exec(res.headers['content-disposition']!)![1], probe: await probeFile(file) };
    }));
    assert.deepEqual(saved.map((s) => decodeURIComponent(s.name!)), ['H264 clip.mp4', 'VP9 clip.mp4', 'H264 clip.mp4']);
    for (const { probe } of saved) assert.deepEqual(probe.streams.map((s) => s.type), ['video', 'audio']);
    assert.deepEqual((await logged).map((entry) => entry.outcome), ['completed', 'completed', 'completed']);
    await whenIdle(passmux.admission);
  });

  it('GET and HEAD /download on the feed itself answer 400 IS_PLAYLIST in words, and start no ffmpeg', async () => {
    const logged = passmux.nextLogs();
    const res = await get(`${passmux.origin}/download?url=${q(feedUrl(site, 'clips'))}`);
    assert.equal(res.statusCode, 400);
    const body = await readJson(res);
    assert.equal(body.error.code, 'IS_PLAYLIST');
    assert.match(body.error.message, /playlist of 3 entries: pick its entries/);
    assert.equal((await logged)[0]!.error, 'IS_PLAYLIST');
    const head = await get(`${passmux.origin}/download?url=${q(feedUrl(site, 'clips'))}`, 'HEAD');
    assert.equal(head.statusCode, 400);
    head.resume();
    assert.equal(childrenNamed(process.pid, 'ffmpeg').length, 0);
    await whenIdle(passmux.admission);
  });

  it('leaves out an entry that is not on the web, and a broken entry fails alone', async () => {
    const { body } = await info(feedUrl(site, 'mixed'));
    assert.deepEqual(body.entries.map((e: any) => [e.index, e.title]), [[1, 'Good H264'], [3, 'Broken file'], [4, 'Good single file']]);
    const broken = await get(`${passmux.origin}/download?url=${q(body.entries[1].url)}`);
    assert.equal(broken.statusCode, 502);
    assert.equal((await readJson(broken)).error.code, 'MUX_FAILED');
    const good = await get(`${passmux.origin}/download?url=${q(body.entries[2].url)}`, 'HEAD');
    assert.equal(good.statusCode, 200);
    good.resume();
  });

  it('lists at most PASSMUX_MAX_PLAYLIST_ENTRIES and says the list was cut', async () => {
    const capped = await startPassmux({ maxPlaylistEntries: 3 });
    try {
      const { status, body } = await info(feedUrl(site, 'many'), capped);
      assert.equal(status, 200);
      assert.deepEqual(body.entries.map((e: any) => e.title), ['Clip 1', 'Clip 2', 'Clip 3']);
      assert.equal(body.truncated, true);
    } finally {
      await capped.close();
    }
  });

  it('&playlist=1 asks for the list: a feed is still listed, a lone video is still the video', async () => {
    const list = await info(`${feedUrl(site, 'clips')}`);
    const asked = await get(`${passmux.origin}/info?url=${q(feedUrl(site, 'clips'))}&playlist=1`);
    assert.deepEqual((await readJson(asked)).entries, list.body.entries);
    const video = await readJson(await get(`${passmux.origin}/info?url=${q(site.pageUrl('vp9'))}&playlist=1`));
    assert.deepEqual([video.type, video.title], ['video', 'VP9 clip']);
  });

  it('the library: extractInfo returns the playlist, extractSelection refuses it with IS_PLAYLIST', async () => {
    const page = await extractInfo(feedUrl(site, 'clips'), { allowPrivateNetworks: true });
    assert.ok(page.type === 'playlist');
    assert.deepEqual(page.entries.map((e) => e.index), [1, 2, 3]);
    await assert.rejects(extractSelection(feedUrl(site, 'clips'), { allowPrivateNetworks: true }),
      (e: unknown) => e instanceof MuxError && e.code === 'IS_PLAYLIST');
  });
});
