import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MuxError, type MuxErrorCode } from '../../lib/errors.js';
import { ivFromSequence, parseAttributes, parseIv, parseMediaPlaylist as parseWithSeconds } from '../../lib/media/hls-playlist.js';

const playlist = (name: string): string => readFileSync(new URL(`../fixtures/hls/${name}`, import.meta.url), 'utf8');
const BASE = 'https://media.example.com/vod/title-42/720p/index.m3u8';
const at = (path: string, base = BASE): string => new URL(path, base).href;
const iv = (hex: string): Buffer => Buffer.from(hex.padStart(32, '0'), 'hex');

/** These tests are about addresses, ranges and keys: each segment's EXTINF (what clips pick by) is checked on its own below. */
const parseMediaPlaylist = (text: string, base: string) => {
  const parsed = parseWithSeconds(text, base);
  return { ...parsed, fragments: parsed.fragments.map(({ seconds: _seconds, ...fragment }) => fragment) };
};

/** A media playlist around `body`, for the cases no real service would write down for us. */
const wrap = (body: string): string => `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n${body}\n#EXT-X-ENDLIST\n`;

function rejects(run: () => unknown, code: MuxErrorCode, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof MuxError, `not a MuxError: ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('parseMediaPlaylist: what ffmpeg writes', () => {
  it('gives each media segment its EXTINF seconds, and the init section none', () => {
    const parsed = parseWithSeconds(wrap('#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.002,\na.m4s\n#EXTINF:1.5,\nb.m4s'), BASE);
    assert.deepEqual(parsed.fragments.map((f) => f.seconds), [undefined, 2.002, 1.5]);
  });

  it('turns a TS VOD playlist into its segments, resolved against the playlist URL, with nothing extra set', () => {
    const parsed = parseMediaPlaylist(playlist('ffmpeg-ts.m3u8'), BASE);
    assert.deepEqual(parsed, {
      fragments: [{ url: at('index0.ts') }, { url: at('index1.ts') }, { url: at('index2.ts') }],
      ended: true,
      duration: 6,
      fmp4: false,
    });
    for (const fragment of parsed.fragments) assert.deepEqual(Object.keys(fragment), ['url'], 'no range or key set to undefined');
  });

  it('puts the fMP4 init section (EXT-X-MAP) first and flags fmp4', () => {
    const parsed = parseMediaPlaylist(playlist('ffmpeg-fmp4.m3u8'), BASE);
    assert.equal(parsed.fmp4, true);
    assert.deepEqual(parsed.fragments.map((f) => f.url), ['init.mp4', 'index0.m4s', 'index1.m4s', 'index2.m4s'].map((p) => at(p)));
    assert.equal(parsed.duration, 6);
  });

  it('reads single-file TS byte ranges with explicit offsets as inclusive ranges', () => {
    const parsed = parseMediaPlaylist(playlist('ffmpeg-single-file.m3u8'), BASE);
    assert.deepEqual(parsed.fragments, [
      { url: at('index.ts'), range: [0, 96443] },
      { url: at('index.ts'), range: [96444, 205295] },
      { url: at('index.ts'), range: [205296, 307003] },
    ]);
    assert.equal(parsed.fmp4, false);
  });

  it('reads a single-file fMP4 playlist: the EXT-X-MAP BYTERANGE becomes the init range', () => {
    const parsed = parseMediaPlaylist(playlist('ffmpeg-fmp4-single-file.m3u8'), BASE);
    assert.deepEqual(parsed.fragments, [
      { url: at('index.m4s'), range: [0, 807] },
      { url: at('index.m4s'), range: [808, 88205] },
      { url: at('index.m4s'), range: [88206, 186908] },
      { url: at('index.m4s'), range: [186909, 279377] },
    ]);
    assert.equal(parsed.fmp4, true);
  });

  it('parses the same playlist with CRLF line endings, a BOM and leading whitespace identically', () => {
    const text = playlist('ffmpeg-fmp4-single-file.m3u8');
    const crlf = `\uFEFF \r\n${text.replaceAll('\n', '\r\n')}`;
    assert.ok(crlf.includes('\r\n'));
    assert.deepEqual(parseMediaPlaylist(crlf, BASE), parseMediaPlaylist(text, BASE));
  });

  it('reports a live playlist (no EXT-X-ENDLIST) as not ended, ignoring the tags it does not need', () => {
    const parsed = parseMediaPlaylist(playlist('ffmpeg-live.m3u8'), BASE);
    assert.equal(parsed.ended, false);
    assert.equal(parsed.duration, 6);
    assert.deepEqual(parsed.fragments, [{ url: at('index4.ts') }, { url: at('index5.ts') }, { url: at('index6.ts') }]);
  });
});

describe('parseMediaPlaylist: URL resolution', () => {
  it('resolves absolute-path URIs (Twitter) against the playlist host, query of the playlist dropped', () => {
    const base = 'https://video.twimg.com/ext_tw_video/1790000000000000000/pu/pl/avc1/480x270/ZyXw.m3u8?container=fmp4';
    const parsed = parseMediaPlaylist(playlist('twitter-fmp4.m3u8'), base);
    assert.equal(parsed.fragments[0]?.url, 'https://video.twimg.com/ext_tw_video/1790000000000000000/pu/vid/avc1/0/0/480x270/Ab3dEfGhIjKlMnOp.mp4');
    assert.equal(parsed.fragments[3]?.url, 'https://video.twimg.com/ext_tw_video/1790000000000000000/pu/vid/avc1/6000/7466/480x270/MnOpQrStUvWxYz01.m4s');
    assert.equal(parsed.fragments.length, 4);
    assert.ok(Math.abs(parsed.duration - 7.466) < 1e-9);
  });

  it('keeps absolute URLs on another host, with their signed query strings intact', () => {
    const parsed = parseMediaPlaylist(playlist('cdn-signed-urls.m3u8'), 'https://player.example.org/play/4f1c/playlist.m3u8?token=t0k');
    const first = new URL(parsed.fragments[0]?.url ?? '');
    assert.equal(first.host, 'd1abcdefghijk.cloudfront.net');
    assert.equal(first.pathname, '/hls/4f1c/720p/seg-1-v1-a1.ts');
    assert.equal(first.searchParams.get('Signature'), 'Zm9vYmFy~YmF6');
    assert.equal(first.searchParams.get('Key-Pair-Id'), 'K2ABCDEF123456');
    assert.equal(parsed.fragments.length, 3);
  });

  it('resolves ../ URIs (Vimeo) and keeps their query strings, percent-escapes and all', () => {
    const base = 'https://vod-adaptive-ak.vimeocdn.com/exp=1700000000~acl=%2F8c1e2f3a%2F%2A~hmac=ab/8c1e2f3a-0000/sep/video/f00d/playlist.m3u8';
    const parsed = parseMediaPlaylist(playlist('vimeo-relative.m3u8'), base);
    const host = 'https://vod-adaptive-ak.vimeocdn.com/exp=1700000000~acl=%2F8c1e2f3a%2F%2A~hmac=ab';
    assert.equal(parsed.fragments[0]?.url, `${host}/range/prot/aHR0cHM6Ly9leGFtcGxl/avf/8c1e2f3a-0000/video.mp4?pathsig=8c953e4f~abc&r=dXM%3D&range=0-1106`);
    assert.equal(parsed.fragments[3]?.url, `${host}/range/prot/aHR0cHM6Ly9leGFtcGxl/avf/8c1e2f3a-0000/video.mp4?pathsig=8c953e4f~abc&r=dXM%3D&range=811871-870001`);
    assert.equal(parsed.fmp4, true);
  });

  it('rejects a URI that cannot be resolved', () => {
    rejects(() => parseMediaPlaylist(wrap('#EXTINF:2,\nhttp://[bad/seg.ts'), BASE), 'EXTRACT_FAILED', /cannot be resolved/);
  });
});

describe('parseMediaPlaylist: byte ranges', () => {
  it('starts a BYTERANGE without an offset right after the previous sub-range of the same URI', () => {
    const parsed = parseMediaPlaylist(playlist('byterange-implicit-offset.m3u8'), BASE);
    assert.deepEqual(parsed.fragments.map((f) => f.range), [[0, 75231], [75232, 157343], [157344, 227207]]);
    assert.equal(parsed.duration, 30);
  });

  it('rejects a BYTERANGE without an offset when there is no previous sub-range, or it was of another URI', () => {
    rejects(() => parseMediaPlaylist(wrap('#EXTINF:2,\n#EXT-X-BYTERANGE:100\na.ts'), BASE), 'EXTRACT_FAILED', /BYTERANGE without an offset/);
    rejects(() => parseMediaPlaylist(wrap('#EXTINF:2,\na.ts\n#EXTINF:2,\n#EXT-X-BYTERANGE:100\na.ts'), BASE), 'EXTRACT_FAILED', /BYTERANGE without an offset/);
    rejects(() => parseMediaPlaylist(wrap('#EXTINF:2,\n#EXT-X-BYTERANGE:100@0\na.ts\n#EXTINF:2,\n#EXT-X-BYTERANGE:100\nb.ts'), BASE), 'EXTRACT_FAILED', /BYTERANGE without an offset/);
  });

  it('rejects a malformed or empty byte range', () => {
    for (const range of ['abc', '0@10', '-5@0', '10@']) {
      rejects(() => parseMediaPlaylist(wrap(`#EXTINF:2,\n#EXT-X-BYTERANGE:${range}\na.ts`), BASE), 'EXTRACT_FAILED', /malformed byte range/);
    }
  });
});

describe('parseMediaPlaylist: AES-128', () => {
  it('applies an explicit IV and resolves a relative key URI with its query', () => {
    const parsed = parseMediaPlaylist(playlist('ffmpeg-aes128-iv.m3u8'), BASE);
    const key = { url: 'https://media.example.com/vod/title-42/keys/enc.key?token=abc', iv: iv('00112233445566778899aabbccddeeff') };
    assert.deepEqual(parsed.fragments, ['index7.ts', 'index8.ts', 'index9.ts'].map((p) => ({ url: at(p), key })));
  });

  it('follows a key tag per segment (ffmpeg periodic_rekey)', () => {
    const parsed = parseMediaPlaylist(playlist('ffmpeg-aes128-rekey.m3u8'), BASE);
    assert.deepEqual(parsed.fragments.map((f) => f.key?.iv), [iv('0'), iv('1'), iv('2')]);
    assert.deepEqual(new Set(parsed.fragments.map((f) => f.key?.url)), new Set(['https://keys.example.com/k/enc.key']));
  });

  it('derives the IV from the media sequence number when the key has none, and switches keys (NONE, then AES-128, then another key)', () => {
    const parsed = parseMediaPlaylist(playlist('aes128-sequence-iv.m3u8'), BASE);
    const first = 'https://keys.example.net/v1/key?asset=42&rendition=720p';
    assert.deepEqual(parsed.fragments, [
      { url: at('slate/segment_00000.ts') },
      { url: at('media/segment_00001.ts'), key: { url: first, iv: ivFromSequence(5_000_000_001) } },
      { url: at('media/segment_00002.ts'), key: { url: first, iv: ivFromSequence(5_000_000_002) } },
      { url: at('media/segment_00003.ts'), key: { url: at('keys/rotation-2.bin'), iv: ivFromSequence(5_000_000_003) } },
    ]);
    assert.deepEqual(parsed.fragments[1]?.key?.iv, iv('012a05f201'), '5000000001 in big-endian hex');
    assert.ok(Math.abs(parsed.duration - 19.019) < 1e-9);
  });

  it('drops the key again after METHOD=NONE', () => {
    const parsed = parseMediaPlaylist(wrap('#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:2,\na.ts\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:2,\nb.ts'), BASE);
    assert.deepEqual(parsed.fragments, [{ url: at('a.ts'), key: { url: at('k'), iv: ivFromSequence(0) } }, { url: at('b.ts') }]);
  });

  it('encrypts the init section with the key in effect at the map, its IV from the next segment’s sequence number', () => {
    const parsed = parseMediaPlaylist(wrap('#EXT-X-MEDIA-SEQUENCE:9\n#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\na.m4s'), BASE);
    assert.deepEqual(parsed.fragments, [
      { url: at('init.mp4'), key: { url: at('k'), iv: ivFromSequence(9) } },
      { url: at('a.m4s'), key: { url: at('k'), iv: ivFromSequence(9) } },
    ]);
  });

  it('gives the init section the key tag’s IV when there is one, and no key when the map precedes the key', () => {
    const explicit = parseMediaPlaylist(wrap('#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x000000000000000000000000000000ff\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\na.m4s'), BASE);
    assert.deepEqual(explicit.fragments[0], { url: at('init.mp4'), key: { url: at('k'), iv: iv('ff') } });
    const clear = parseMediaPlaylist(wrap('#EXT-X-MAP:URI="init.mp4"\n#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:2,\na.m4s'), BASE);
    assert.deepEqual(clear.fragments[0], { url: at('init.mp4') });
  });

  it('rejects an AES-128 key without a URI, an unknown method and a malformed IV', () => {
    rejects(() => parseMediaPlaylist(wrap('#EXT-X-KEY:METHOD=AES-128\n#EXTINF:2,\na.ts'), BASE), 'EXTRACT_FAILED', /without a URI/);
    rejects(() => parseMediaPlaylist(wrap('#EXT-X-KEY:METHOD=AES-256,URI="k"\n#EXTINF:2,\na.ts'), BASE), 'EXTRACT_FAILED', /unknown encryption method \(AES-256\)/);
    rejects(() => parseMediaPlaylist(wrap('#EXT-X-KEY:URI="k"\n#EXTINF:2,\na.ts'), BASE), 'EXTRACT_FAILED', /unknown encryption method/);
    rejects(() => parseMediaPlaylist(wrap('#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x1234\n#EXTINF:2,\na.ts'), BASE), 'EXTRACT_FAILED', /malformed encryption IV/);
  });

  it('rejects a malformed media sequence number, which would give wrong IVs', () => {
    for (const value of ['-1', '1.5', 'abc', '99999999999999999999']) {
      rejects(() => parseMediaPlaylist(wrap(`#EXT-X-MEDIA-SEQUENCE:${value}\n#EXTINF:2,\na.ts`), BASE), 'EXTRACT_FAILED', /malformed EXT-X-MEDIA-SEQUENCE/);
    }
  });
});

describe('parseMediaPlaylist: init sections', () => {
  it('accepts the identical EXT-X-MAP repeated after segments (e.g. after a discontinuity) and keeps one init', () => {
    const parsed = parseMediaPlaylist(wrap('#EXT-X-MAP:URI="init.mp4",BYTERANGE="700@0"\n#EXTINF:2,\na.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init.mp4",BYTERANGE="700@0"\n#EXTINF:2,\nb.m4s'), BASE);
    assert.deepEqual(parsed.fragments, [{ url: at('init.mp4'), range: [0, 699] }, { url: at('a.m4s') }, { url: at('b.m4s') }]);
  });

  it('takes a map BYTERANGE without an offset as starting at 0', () => {
    const parsed = parseMediaPlaylist(wrap('#EXT-X-MAP:URI="v.mp4",BYTERANGE="720"\n#EXTINF:2,\n#EXT-X-BYTERANGE:1000@720\nv.mp4'), BASE);
    assert.deepEqual(parsed.fragments, [{ url: at('v.mp4'), range: [0, 719] }, { url: at('v.mp4'), range: [720, 1719] }]);
  });

  it('rejects an init section that changes URI or range mid-way, or first appears after segments', () => {
    const changed = /changes its fMP4 init section mid-way/;
    rejects(() => parseMediaPlaylist(wrap('#EXT-X-MAP:URI="init-a.mp4"\n#EXTINF:2,\na.m4s\n#EXT-X-MAP:URI="init-b.mp4"\n#EXTINF:2,\nb.m4s'), BASE), 'UNSUPPORTED_URL', changed);
    rejects(() => parseMediaPlaylist(wrap('#EXT-X-MAP:URI="v.mp4",BYTERANGE="700@0"\n#EXTINF:2,\na.m4s\n#EXT-X-MAP:URI="v.mp4",BYTERANGE="800@0"\n#EXTINF:2,\nb.m4s'), BASE), 'UNSUPPORTED_URL', changed);
    rejects(() => parseMediaPlaylist(wrap('#EXTINF:2,\na.ts\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\nb.m4s'), BASE), 'UNSUPPORTED_URL', changed);
  });

  it('lets a later EXT-X-MAP replace an earlier one while no segment has used it', () => {
    const parsed = parseMediaPlaylist(wrap('#EXT-X-MAP:URI="old.mp4"\n#EXT-X-MAP:URI="new.mp4"\n#EXTINF:2,\na.m4s'), BASE);
    assert.deepEqual(parsed.fragments.map((f) => f.url), [at('new.mp4'), at('a.m4s')]);
  });

  it('rejects an EXT-X-MAP without a URI', () => {
    rejects(() => parseMediaPlaylist(wrap('#EXT-X-MAP:BYTERANGE="700@0"\n#EXTINF:2,\na.m4s'), BASE), 'EXTRACT_FAILED', /EXT-X-MAP without a URI/);
  });
});

describe('parseMediaPlaylist: refusals', () => {
  it('refuses FairPlay (skd:// key URI) as DRM', () => {
    rejects(() => parseMediaPlaylist(playlist('fairplay-skd.m3u8'), BASE), 'DRM_PROTECTED', /^this video is DRM-protected \(Apple FairPlay\)$/);
  });

  it('refuses an skd:// key URI as DRM whatever METHOD says', () => {
    rejects(() => parseMediaPlaylist(wrap('#EXT-X-KEY:METHOD=AES-128,URI="SKD://fps.example.com/x"\n#EXTINF:2,\na.ts'), BASE), 'DRM_PROTECTED', /Apple FairPlay/);
  });

  it('refuses METHOD=SAMPLE-AES as DRM', () => {
    rejects(() => parseMediaPlaylist(playlist('sample-aes.m3u8'), BASE), 'DRM_PROTECTED', /^this video is DRM-protected \(sample-level AES encryption, SAMPLE-AES\)$/);
  });

  it('refuses METHOD=SAMPLE-AES-CTR (Widevine/PlayReady CENC) as DRM', () => {
    const widevine = '#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="data:text/plain;base64,AAAAW3Bzc2g=",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",KEYFORMATVERSIONS="1"';
    rejects(() => parseMediaPlaylist(wrap(`${widevine}\n#EXTINF:2,\na.m4s`), BASE), 'DRM_PROTECTED', /sample-level AES-CTR encryption, SAMPLE-AES-CTR/);
  });

  it('refuses a KEYFORMAT other than identity as DRM, naming it', () => {
    const playready = '#EXT-X-KEY:METHOD=AES-128,URI="https://license.example.com/k",KEYFORMAT="com.microsoft.playready"';
    rejects(() => parseMediaPlaylist(wrap(`${playready}\n#EXTINF:2,\na.ts`), BASE), 'DRM_PROTECTED', /com\.microsoft\.playready/);
  });

  it('refuses a segment marked missing (EXT-X-GAP) instead of leaving a silent hole', () => {
    rejects(() => parseMediaPlaylist(wrap('#EXTINF:2,\na.ts\n#EXTINF:2,\n#EXT-X-GAP\nb.ts\n#EXTINF:2,\nc.ts'), BASE), 'MUX_FAILED', /^the playlist marks a segment as missing \(EXT-X-GAP\)$/);
  });

  it('refuses a master playlist, also one listing only I-frame streams', () => {
    const master = /a master playlist where a media playlist was expected/;
    rejects(() => parseMediaPlaylist(playlist('master.m3u8'), BASE), 'EXTRACT_FAILED', master);
    rejects(() => parseMediaPlaylist('#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="i.m3u8"\n', BASE), 'EXTRACT_FAILED', master);
  });

  it('refuses text that is not an HLS playlist', () => {
    for (const text of ['', '<!DOCTYPE html><html><body>Not found</body></html>', '{"error":"forbidden"}', 'index0.ts\n#EXTM3U\n']) {
      rejects(() => parseMediaPlaylist(text, BASE), 'EXTRACT_FAILED', /^the media playlist is not an HLS playlist$/);
    }
  });

  it('refuses a playlist with no segments', () => {
    rejects(() => parseMediaPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-ENDLIST\n', BASE), 'EXTRACT_FAILED', /^the media playlist lists no segments$/);
    rejects(() => parseMediaPlaylist(wrap('#EXT-X-MAP:URI="init.mp4"'), BASE), 'EXTRACT_FAILED', /lists no segments/);
  });
});

describe('parseMediaPlaylist: tolerance', () => {
  it('ignores comments, blank lines, unknown tags and discontinuities, and counts a malformed EXTINF as 0 seconds', () => {
    const parsed = parseMediaPlaylist(wrap('# made by hand\n\n#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00Z\n#EXT-X-CUE-OUT:30\n#EXTINF:2.5,title, with comma\na.ts\n\n#EXT-X-DISCONTINUITY\n#EXTINF:bogus,\nb.ts'), BASE);
    assert.deepEqual(parsed.fragments, [{ url: at('a.ts') }, { url: at('b.ts') }]);
    assert.equal(parsed.duration, 2.5);
  });
});

describe('ivFromSequence', () => {
  it('writes the sequence number as a 16-byte big-endian integer', () => {
    assert.deepEqual(ivFromSequence(0), Buffer.alloc(16));
    assert.deepEqual(ivFromSequence(1), Buffer.from([...Array<number>(15).fill(0), 1]));
    assert.equal(ivFromSequence(2 ** 32).toString('hex'), '00000000000000000000000100000000');
    assert.equal(ivFromSequence(Number.MAX_SAFE_INTEGER).toString('hex'), '0000000000000000001fffffffffffff');
  });
});

describe('parseIv', () => {
  it('reads 0x or 0X and 32 hex digits of either case into 16 bytes', () => {
    assert.deepEqual(parseIv('0x00112233445566778899aabbccddeeff'), iv('00112233445566778899aabbccddeeff'));
    assert.deepEqual(parseIv('0X00112233445566778899AABBCCDDEEFF'), iv('00112233445566778899aabbccddeeff'));
    assert.equal(parseIv('0x00000000000000000000000000000001').length, 16);
  });

  it('throws EXTRACT_FAILED for anything else', () => {
    for (const bad of ['', '0x', '00112233445566778899aabbccddeeff', '0x0011', '0x00112233445566778899aabbccddeeff00', '0x00112233445566778899aabbccddeefg']) {
      rejects(() => parseIv(bad), 'EXTRACT_FAILED', /malformed encryption IV/);
    }
  });
});

describe('parseAttributes', () => {
  it('unquotes quoted values, keeps commas inside quotes and reads unquoted ones as they are', () => {
    assert.deepEqual(parseAttributes('BANDWIDTH=2177116,CODECS="avc1.640020,mp4a.40.2",RESOLUTION=960x540,FRAME-RATE=60.000'), {
      BANDWIDTH: '2177116', CODECS: 'avc1.640020,mp4a.40.2', RESOLUTION: '960x540', 'FRAME-RATE': '60.000',
    });
  });

  it('accepts the whole tag line, and keeps = and : inside quoted values', () => {
    assert.deepEqual(parseAttributes('#EXT-X-KEY:METHOD=AES-128,URI="https://k.example/key?a=1&b=2",IV=0x00000000000000000000000000000001'), {
      METHOD: 'AES-128', URI: 'https://k.example/key?a=1&b=2', IV: '0x00000000000000000000000000000001',
    });
  });

  it('gives an empty record for an empty list', () => {
    assert.deepEqual(parseAttributes(''), {});
  });
});

describe('parseMediaPlaylist limits', () => {
  it('refuses a playlist of more segments than MAX_FRAGMENTS before building them all (a hostile playlist fills the heap)', async () => {
    const { MAX_FRAGMENTS } = await import('../../lib/types.js');
    const text = `#EXTM3U\n#EXT-X-TARGETDURATION:2\n${'#EXTINF:2,\na\n'.repeat(MAX_FRAGMENTS + 1)}#EXT-X-ENDLIST\n`;
    assert.throws(() => parseMediaPlaylist(text, 'https://cdn.example/p.m3u8'),
      (e: unknown) => e instanceof MuxError && e.code === 'EXTRACT_FAILED' && /more than 100000 segments/.test(e.message));
    const fits = `#EXTM3U\n#EXT-X-TARGETDURATION:2\n${'#EXTINF:2,\na\n'.repeat(1000)}#EXT-X-ENDLIST\n`;
    assert.equal(parseMediaPlaylist(fits, 'https://cdn.example/p.m3u8').fragments.length, 1000);
  });
});
