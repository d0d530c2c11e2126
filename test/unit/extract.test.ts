import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildFormatSelector, buildYtdlpArgs, cookieHeaderFromField, MuxError, requestHeadersFor, safeFilename } from '../../lib/internal.js';
import { mapYtdlpFailure } from '../../lib/extract/map-error.js';
import { parseSelection, parseVideoInfo } from '../../lib/extract/parse-info.js';
import { unquoteCookieValue } from '../../lib/extract/cookies.js';
import type { MediaInput } from '../../lib/types.js';

/** The cookies an input carries, as one header would list them. */
const header = (input: MediaInput) => input.cookies?.map((c) => `${c.name}=${c.value}`).join('; ');
const recorded = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

describe('yt-dlp argv', () => {
  it('puts -- right before the URL and never reads user config', () => {
    for (const args of [buildYtdlpArgs('https://x.com/v', { mode: 'info' }), buildYtdlpArgs('https://x.com/v', { mode: 'select' })]) {
      assert.deepEqual(args.slice(-2), ['--', 'https://x.com/v']);
      for (const flag of ['--ignore-config', '--no-playlist', '-J']) assert.ok(args.includes(flag), flag);
    }
    // A playlist is listed, never extracted entry by entry, in both modes.
    for (const mode of ['info', 'select'] as const) assert.ok(buildYtdlpArgs('https://x.com/v', { mode }).includes('--flat-playlist'), mode);
  });

  it('selects formats by the caller choice', () => {
    assert.equal(buildFormatSelector(), 'bestvideo*+bestaudio/best');
    assert.equal(buildFormatSelector({ audioOnly: true }), 'bestaudio/best');
    assert.match(buildFormatSelector({ maxHeight: 720.7 }), /^bestvideo\*\[height<=720\]\+bestaudio\/best\[height<=720\]/);
    const args = buildYtdlpArgs('https://x.com/v', { mode: 'select', maxHeight: 480 });
    assert.equal(args[args.indexOf('-f') + 1], buildFormatSelector({ maxHeight: 480 }));
  });
});

describe('cookies', () => {
  it('turns the current `cookies` field into a Cookie header, dropping attributes', () => {
    assert.equal(cookieHeaderFromField('session=abc; Domain=127.0.0.1; Path=/'), 'session=abc');
    assert.equal(cookieHeaderFromField('a=1; Domain=.x.com; Path=/; Secure; Expires=1798761600; b=2; Domain=.x.com; Path=/'), 'a=1; b=2');
    assert.equal(cookieHeaderFromField(''), undefined);
    assert.equal(cookieHeaderFromField(null), undefined);
  });

  it('undoes Python cookie quoting', () => {
    assert.equal(unquoteCookieValue('"a b\\054c\\"d"'), 'a b,c"d');
    assert.equal(unquoteCookieValue('plain'), 'plain');
  });

  it('keeps the format headers but never a Cookie header: cookies go in the jar, scoped', () => {
    assert.deepEqual(requestHeadersFor({ http_headers: { 'User-Agent': 'UA', Referer: 'https://x/', Cookie: 'old=1' } }), { 'User-Agent': 'UA', Referer: 'https://x/' });
    assert.deepEqual(requestHeadersFor({ http_headers: { cookie: 'old=1' } }), {});
  });
});

describe('parsing recorded yt-dlp JSON', () => {
  const expectedInputs = (cookie: string) => [
    { url: 'https://media.example.com/media/h264-video.mp4', kind: 'video', size: 1024000, cookie },
    { url: 'https://media.example.com/media/aac-audio.m4a', kind: 'audio', size: 122880, cookie },
  ];
  const simplify = (json: unknown) => parseSelection(json).inputs.map((i) => ({ url: i.url, kind: i.kind, size: i.size, cookie: header(i) }));

  it('reads the 2023 shape (Cookie inside http_headers) as host-only cookies of the format URL\'s host', () => {
    assert.deepEqual(simplify(recorded('ytdlp-2023-dash.json')), expectedInputs('session=0123abcd'));
    const [input] = parseSelection(recorded('ytdlp-2023-dash.json')).inputs;
    assert.deepEqual(input!.cookies, [{ name: 'session', value: '0123abcd', domain: 'media.example.com', hostOnly: true, path: '/', secure: false }]);
    assert.equal(input!.headers.Cookie, undefined);
  });

  it('reads the current shape (cookies field, no Cookie header)', () => {
    assert.deepEqual(simplify(recorded('ytdlp-current-dash.json')), expectedInputs('session=0123abcd; pref=a b,c'));
    const { headers } = parseSelection(recorded('ytdlp-current-dash.json')).inputs[0]!;
    assert.match(headers['User-Agent']!, /^Mozilla/);
  });

  it('fills VideoInfo with nulls where yt-dlp has nothing', () => {
    assert.deepEqual(parseVideoInfo(recorded('ytdlp-2023-dash.json')), {
      id: 'h264', title: 'H264 clip', duration: 10, thumbnail: 'https://media.example.com/thumb/h264.jpg',
      uploader: 'Fixture Uploader', webpageUrl: 'https://media.example.com/watch/h264', filename: 'H264 clip.mp4',
      estimatedSize: 1146880, codecs: [], heights: [],
    });
    assert.deepEqual(parseVideoInfo({ id: 'x' }), {
      id: 'x', title: null, duration: null, thumbnail: null, uploader: null, webpageUrl: null, filename: 'x.mp4', estimatedSize: null,
      codecs: [], heights: [],
    });
  });

  it('uses a single combined format when nothing was merged', () => {
    const selection = parseSelection({ id: 'a', title: 't', url: 'https://cdn.x/a.mp4#__youtubedl_smuggle=1', vcodec: 'h264', acodec: 'aac', http_headers: { 'User-Agent': 'UA' } });
    assert.deepEqual(selection.inputs, [{ url: 'https://cdn.x/a.mp4#__youtubedl_smuggle=1', kind: 'av', protocol: 'http', vcodec: 'h264', acodec: 'aac', headers: { 'User-Agent': 'UA' } }]);
  });

  it('gives no estimate when one format has no size', () => {
    const json = { id: 'a', requested_formats: [{ url: 'https://a', filesize: 10 }, { url: 'https://b' }] };
    assert.equal(parseVideoInfo(json).estimatedSize, null);
  });

  it('takes one video and one audio input at most; more is an error, not trimmed', () => {
    const format = (vcodec: string, acodec: string, n: number) => ({ url: `https://cdn.x/${n}`, protocol: 'https', vcodec, acodec });
    const kinds = (formats: object[]) => parseSelection({ id: 'a', requested_formats: formats }).inputs.map((input) => input.kind);
    assert.deepEqual(kinds([format('h264', 'none', 1), format('none', 'aac', 2)]), ['video', 'audio']);
    // A combined format merged with an audio one gives only its video: never two audio tracks.
    assert.deepEqual(kinds([format('h264', 'aac', 1), format('none', 'opus', 2)]), ['video', 'audio']);
    const many = Array.from({ length: 200 }, (_, n) => format(n % 2 ? 'none' : 'h264', n % 2 ? 'aac' : 'none', n));
    for (const formats of [many, many.slice(0, 3), [format('none', 'aac', 1), format('h264', 'none', 2)], [format('h264', 'none', 1), format('h264', 'none', 2)]]) {
      assert.throws(() => parseSelection({ id: 'a', requested_formats: formats }), (e: unknown) => e instanceof MuxError && e.code === 'EXTRACT_FAILED'
        && new RegExp(`chose ${formats.length} formats`).test(e.message));
    }
  });

  it('takes files, HLS and DASH (the relay reads those); refuses every other protocol in words', () => {
    const protocolOf = (protocol: string) => parseSelection({ id: 'a', url: 'https://cdn.x/a', protocol, vcodec: 'h264', acodec: 'aac',
      fragments: [{ path: 'init.mp4' }, { path: 's1.m4s' }], fragment_base_url: 'https://cdn.x/dash/' }).inputs[0]!.protocol;
    assert.equal(protocolOf('https'), 'http');
    assert.equal(protocolOf('m3u8_native'), 'hls');
    assert.equal(protocolOf('m3u8'), 'hls');
    assert.equal(protocolOf('http_dash_segments'), 'dash');
    for (const protocol of ['f4m', 'ism', 'rtmp', 'ftp', 'websocket_frag', 'mhtml']) {
      assert.throws(() => protocolOf(protocol), (e: unknown) => e instanceof MuxError && e.code === 'UNSUPPORTED_URL' && e.message.includes(protocol), protocol);
    }
    // Without a protocol field the URL's scheme decides.
    assert.throws(() => parseSelection({ id: 'a', url: 'ftp://cdn.x/a' }), (e: unknown) => e instanceof MuxError && e.code === 'UNSUPPORTED_URL');
  });

  it('builds DASH fragments from url, or path under fragment_base_url, with byte ranges made inclusive', () => {
    const [input] = parseSelection({ id: 'a', url: 'https://cdn.x/m.mpd', protocol: 'http_dash_segments', vcodec: 'h264', acodec: 'none',
      fragment_base_url: 'https://cdn.x/dash/v/', fragments: [
        { path: 'init.mp4' }, { path: '../segs/1.m4s?t=1' }, { url: 'https://other.cdn/2.m4s' }, { path: 'all.mp4', byte_range: { start: 100, end: 200 } },
      ] }).inputs;
    assert.deepEqual(input!.fragments, [
      { url: 'https://cdn.x/dash/v/init.mp4' }, { url: 'https://cdn.x/dash/segs/1.m4s?t=1' }, { url: 'https://other.cdn/2.m4s' },
      { url: 'https://cdn.x/dash/v/all.mp4', range: [100, 199] },
    ]);
    assert.throws(() => parseSelection({ id: 'a', url: 'https://x/m.mpd', protocol: 'http_dash_segments', fragments: [] }),
      (e: unknown) => e instanceof MuxError && e.code === 'EXTRACT_FAILED');
    // A one-line SegmentTemplate can make yt-dlp list half a million fragments: refused, not cached.
    const huge = Array.from({ length: 100_001 }, (_, n) => ({ path: `${n}` }));
    assert.throws(() => parseSelection({ id: 'a', url: 'https://x/m.mpd', protocol: 'http_dash_segments', fragment_base_url: 'https://x/', fragments: huge }),
      (e: unknown) => e instanceof MuxError && e.code === 'EXTRACT_FAILED' && /more than 100000 fragments/.test(e.message));
  });

  it('refuses DRM and live streams in words, before anything is fetched', () => {
    const code = (json: object) => {
      try { parseSelection({ id: 'a', url: 'https://cdn.x/a', protocol: 'm3u8_native', ...json }); } catch (error) { return (error as MuxError).code; }
      return 'accepted';
    };
    assert.equal(code({ has_drm: true }), 'DRM_PROTECTED');
    assert.equal(code({ is_live: true }), 'LIVE_NOT_SUPPORTED');
    assert.equal(code({ live_status: 'is_live' }), 'LIVE_NOT_SUPPORTED');
    assert.equal(code({ live_status: 'was_live' }), 'accepted');
  });

  it('estimates fragmented formats from bitrate × duration when yt-dlp has no size', () => {
    assert.equal(parseVideoInfo({ id: 'a', duration: 10, requested_formats: [{ url: 'https://a', tbr: 800 }, { url: 'https://b', filesize: 1000 }] }).estimatedSize,
      800 * 125 * 10 + 1000);
  });

  it('refuses playlists and garbage', () => {
    assert.throws(() => parseSelection({ _type: 'playlist', entries: [] }), (e: unknown) => e instanceof MuxError && e.code === 'IS_PLAYLIST');
    assert.throws(() => parseSelection('nope'), (e: unknown) => e instanceof MuxError && e.code === 'EXTRACT_FAILED');
    assert.throws(() => parseSelection({ id: 'a' }), (e: unknown) => e instanceof MuxError && e.code === 'EXTRACT_FAILED');
  });
});

describe('mapping yt-dlp failures', () => {
  const code = (stderr: string) => mapYtdlpFailure(stderr, 1).code;
  it('maps the messages users meet', () => {
    assert.equal(code('WARNING: x\nERROR: [generic] Unable to download webpage: HTTP Error 404: Not Found'), 'NOT_FOUND');
    assert.equal(code('ERROR: [youtube] abc: Video unavailable'), 'NOT_FOUND');
    assert.equal(code('ERROR: [youtube] abc: Private video. Sign in if you have access'), 'NOT_FOUND');
    assert.equal(code('ERROR: Unsupported URL: https://example.com/'), 'UNSUPPORTED_URL');
    assert.equal(code('ERROR: unable to download video data: HTTP Error 403: Forbidden'), 'UPSTREAM_FORBIDDEN');
    assert.equal(code('ERROR: something odd'), 'EXTRACT_FAILED');
    // Recorded from the Debian yt-dlp on the fixture's SAMPLE-AES page.
    assert.equal(code(readFileSync(new URL('../fixtures/ytdlp-streams/2023-hls-sample-aes.error.txt', import.meta.url), 'utf8')), 'DRM_PROTECTED');
    assert.equal(code('ERROR: [youtube] abc: This live event will begin in 3 hours.'), 'LIVE_NOT_SUPPORTED');
    assert.match(mapYtdlpFailure('ERROR: something odd', 2).message, /exit 2.*something odd/);
    assert.equal(mapYtdlpFailure('ERROR: [generic] x: HTTP Error 404: Not Found; please report this issue on https://… , filling out', 1).message,
      'yt-dlp: [generic] x: HTTP Error 404: Not Found');
  });
});

describe('safeFilename', () => {
  it('keeps letters of every script and drops path and control characters', () => {
    assert.equal(safeFilename('He said "hi" / Grüße – 日本語 🎬'), 'He said hi Grüße – 日本語 🎬.mp4');
    assert.equal(safeFilename('../../etc/passwd'), 'etc passwd.mp4');
    assert.equal(safeFilename('evil\u202Egpj.exe'), 'evilgpj.exe.mp4');
    assert.equal(safeFilename('a\u0000b'), 'ab.mp4');
    assert.equal(safeFilename(''), 'video.mp4');
    assert.equal(safeFilename(null, 'm4a'), 'video.m4a');
    assert.equal(safeFilename('CON'), '_CON.mp4');
  });

  it('stays within 200 bytes without splitting a character', () => {
    const name = safeFilename('日'.repeat(300));
    assert.ok(Buffer.byteLength(name) <= 204);
    assert.ok(!name.includes('\uFFFD'));
    assert.equal(name, `${'日'.repeat(66)}.mp4`);
  });
});

describe('plans from recorded yt-dlp JSON (stream fixture, both shapes)', () => {
  // Recorded with the fixture's ports replaced by placeholders; any port will do here.
  const streams = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/ytdlp-streams/${name}.json`, import.meta.url), 'utf8')
    .replaceAll(':PORT2', ':8002').replaceAll(':PORT', ':8001'));
  for (const shape of ['2023', 'current']) {
    it(`reads HLS formats as media playlists the relay fetches, with the page cookie (${shape})`, () => {
      for (const page of ['hls-master', 'hls-fmp4-cdn', 'hls-aes', 'hls-byterange']) {
        const { inputs } = parseSelection(streams(`${shape}-${page}`));
        assert.deepEqual(inputs.map((input) => [input.kind, input.protocol]), [['video', 'hls'], ['audio', 'hls']], page);
        for (const input of inputs) {
          assert.match(input.url, /\.m3u8$/, page);
          assert.match(header(input) ?? '', /^session=\w+$/, page);
          assert.equal(input.fragments, undefined, 'HLS segments come from the playlist, read later');
        }
      }
    });

    it(`reads segmented DASH as fragments (init first, ../ paths resolved), with the page cookie (${shape})`, () => {
      for (const page of ['dash-timeline', 'dash-list']) {
        const { inputs } = parseSelection(streams(`${shape}-${page}`));
        assert.deepEqual(inputs.map((input) => [input.kind, input.protocol]), [['video', 'dash'], ['audio', 'dash']], page);
        for (const input of inputs) {
          assert.ok(input.fragments!.length >= 6, `${page}: init + 5 segments of 2 s`);
          assert.match(input.fragments![0]!.url, /init/, page);
          assert.ok(input.fragments!.every((fragment) => !fragment.url.includes('..') && fragment.url.startsWith('http://127.0.0.1:8001/')), page);
          assert.match(header(input) ?? '', /^session=\w+$/, page);
        }
      }
    });
  }
});
