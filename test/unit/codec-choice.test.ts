// The codec choice, without processes: yt-dlp's argv, the query, the codec
// names, the X-Codecs header, the ETag and the extraction cache's key.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildFormatSelector, buildFormatSort, buildYtdlpArgs, MuxError, type Selection } from '../../lib/internal.js';
import { codecFamily, codecToken, listOffers } from '../../lib/extract/codecs.js';
import { describeCodecs } from '../../lib/http/describe-output.js';
import { outputEtag, type EtagParts } from '../../lib/http/etag.js';
import { ExtractionCache } from '../../lib/http/extraction-cache.js';
import { parseDownloadQuery } from '../../lib/http/query.js';
import { OUTPUT_VERSION } from '../../lib/output-format.js';

const isInvalidRequest = (e: unknown) => e instanceof MuxError && e.code === 'INVALID_REQUEST' && /codec must be one of h264, vp9, av1/.test(e.message);
const flag = (args: string[], name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

describe('codec choice: yt-dlp argv', () => {
  it('sorts by the codec first (h264 with AAC, SDR), the URL still last after --', () => {
    const args = buildYtdlpArgs('https://x.com/v', { mode: 'select', codec: 'h264' });
    assert.equal(flag(args, '-S'), 'vcodec:h264,hdr:sdr,acodec:aac');
    assert.equal(flag(args, '-f'), 'bestvideo*+bestaudio/best');
    assert.deepEqual(args.slice(-2), ['--', 'https://x.com/v']);
    assert.ok(args.indexOf('-S') < args.indexOf('--'));
    assert.ok(args.includes('--ignore-config'));
  });

  it('names vp9 and av1 as yt-dlp does (av01), and adds no -S without a codec or in info mode', () => {
    assert.equal(buildFormatSort({ codec: 'vp9' }), 'vcodec:vp9');
    assert.equal(buildFormatSort({ codec: 'av1' }), 'vcodec:av01');
    assert.equal(buildFormatSort({}), undefined);
    assert.ok(!buildYtdlpArgs('https://x.com/v', { mode: 'select' }).includes('-S'));
    assert.ok(!buildYtdlpArgs('https://x.com/v', { mode: 'info', codec: 'h264' }).includes('-S'));
  });

  it('with a height cap, falls back to the smallest of the codec, not the least preferred codec', () => {
    // Under a codec sort `worstvideo*` would pick the least preferred codec (VP9 on the two-codec page).
    assert.equal(buildFormatSelector({ maxHeight: 480, codec: 'h264' }), 'bestvideo*[height<=480]+bestaudio/best[height<=480]/bestvideo*+bestaudio/best');
    assert.equal(buildFormatSort({ maxHeight: 480, codec: 'h264' }), 'vcodec:h264,hdr:sdr,acodec:aac,res:480');
    // Without a codec, as before.
    assert.equal(buildFormatSelector({ maxHeight: 480 }), 'bestvideo*[height<=480]+bestaudio/best[height<=480]/worstvideo*+bestaudio/worst');
    assert.equal(buildFormatSort({ audioOnly: true, maxHeight: 480, codec: 'h264' }), 'vcodec:h264,hdr:sdr,acodec:aac');
  });

  it('refuses a codec outside the closed set, also from a library caller', () => {
    assert.throws(() => buildYtdlpArgs('https://x.com/v', { mode: 'select', codec: 'h265' as never }), isInvalidRequest);
    assert.throws(() => buildFormatSort({ codec: 'vcodec:h264,res:1' as never }), isInvalidRequest);
  });
});

describe('codec choice: query', () => {
  const parse = (qs: string) => parseDownloadQuery(new URLSearchParams(qs), false);

  it('reads codec=h264, vp9 and av1; absent is the best', () => {
    for (const codec of ['h264', 'vp9', 'av1']) assert.deepEqual(parse(`url=https://x.com/v&codec=${codec}`), { url: 'https://x.com/v', codec });
    assert.equal(parse('url=https://x.com/v').codec, undefined);
  });

  it('refuses anything else with INVALID_REQUEST (a 400)', () => {
    for (const qs of ['codec=H264', 'codec=', 'codec=hevc', 'codec=h264%0d%0aX:1', 'codec=h264&codec=vp9']) {
      assert.throws(() => parse(`url=https://x.com/v&${qs}`), isInvalidRequest, qs);
    }
  });
});

describe('codec names', () => {
  it('puts yt-dlp codec strings into families', () => {
    const cases: Array<[string, string]> = [['avc1.64001f', 'h264'], ['avc1.42c01f', 'h264'], ['h264', 'h264'], ['vp9', 'vp9'], ['vp09.00.40.08', 'vp9'],
      ['vp9.2', 'vp9'], ['av01.0.05M.08', 'av1'], ['hev1.1.6.L93.B0', 'other'], ['vp8', 'other'], ['avc', 'other']];
    for (const [vcodec, family] of cases) assert.equal(codecFamily(vcodec), family, vcodec);
  });

  it('lists the families and heights a page offers, audio-only formats left out', () => {
    const formats = [
      { vcodec: 'none', acodec: 'opus' }, { vcodec: 'vp9', height: 720 }, { vcodec: 'avc1.4d401e', height: 480 },
      { vcodec: 'avc1.64001f', height: 720 }, { vcodec: 'av01.0.08M.08', height: 1080 }, { height: 240 }, 'junk', { vcodec: 'vp9', height: -1 },
    ];
    assert.deepEqual(listOffers(formats), { codecs: ['av1', 'vp9', 'h264', 'other'], heights: [1080, 720, 480, 240] });
    assert.deepEqual(listOffers(undefined), { codecs: [], heights: [] });
  });

  it('keeps only token characters in a header value: no CR/LF from a manifest', () => {
    assert.equal(codecToken('avc1.64001f\r\nSet-Cookie: a=b'), 'avc1.64001fSet-Cookieab');
    assert.equal(codecToken('x'.repeat(500)).length, 64);
  });

  it('X-Codecs names the kept tracks: both for video+audio, audio only drops the video', () => {
    const selection = (inputs: Selection['inputs']): Selection => ({ info: {} as Selection['info'], inputs });
    const pair = selection([
      { url: 'u', headers: {}, kind: 'video', protocol: 'http', vcodec: 'avc1.64001f' },
      { url: 'u', headers: {}, kind: 'audio', protocol: 'http', acodec: 'mp4a.40.2' },
    ]);
    assert.equal(describeCodecs(pair, false), 'avc1.64001f, mp4a.40.2');
    assert.equal(describeCodecs(pair, true), 'mp4a.40.2');
    const combined = selection([{ url: 'u', headers: {}, kind: 'av', protocol: 'http', vcodec: 'vp9', acodec: 'opus\n' }]);
    assert.equal(describeCodecs(combined, false), 'vp9, opus');
    assert.equal(describeCodecs(selection([{ url: 'u', headers: {}, kind: 'av', protocol: 'http' }]), false), undefined);
  });
});

describe('codec choice: ETag and cache', () => {
  const parts: EtagParts = { inputs: [{ formatId: 'r0', size: 1000 }, { formatId: 'r1', size: 200 }], choice: {}, ffmpeg: 'ffmpeg version 5.1.9', length: 1300 };

  it('gives each codec its own ETag, and the default the one it had before the codec choice existed', () => {
    const tags = (['h264', 'vp9', 'av1', undefined] as const).map((codec) => outputEtag({ ...parts, choice: codec ? { codec } : {} }));
    assert.equal(new Set(tags).size, 4);
    // The key outputEtag hashed before `codec` existed: resumes started before the upgrade still match.
    const before = JSON.stringify([OUTPUT_VERSION, parts.ffmpeg, parts.length, false, null, [['r0', 1000], ['r1', 200]]]);
    assert.equal(tags[3], `"pm${OUTPUT_VERSION}-${createHash('sha256').update(before).digest('base64url').slice(0, 32)}"`);
    assert.equal(tags[3], outputEtag({ ...parts, choice: { codec: undefined } }));
  });

  it('extracts once per codec: another codec is another yt-dlp run', async () => {
    const seen: Array<string | undefined> = [];
    const cache = new ExtractionCache({
      extract: async (url, choice) => {
        seen.push(choice.codec);
        return { info: { id: url } as Selection['info'], inputs: [{ url, headers: {}, kind: 'av', protocol: 'http' }] };
      },
    });
    const [best, h264, h264Again, vp9] = await Promise.all([cache.get('u', {}), cache.get('u', { codec: 'h264' }), cache.get('u', { codec: 'h264' }), cache.get('u', { codec: 'vp9' })]);
    assert.deepEqual(seen, [undefined, 'h264', 'vp9']);
    assert.equal(h264, h264Again);
    assert.notEqual(best, h264);
    assert.notEqual(h264, vp9);
  });
});
