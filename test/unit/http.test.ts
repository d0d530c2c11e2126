import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentDisposition, DEFAULT_CONFIG, MUX_ERROR_CODES, STATUS_BY_CODE } from '../../lib/internal.js';
import { ConfigError, readServerConfig } from '../../server-config.js';
import { asciiFallback } from '../../lib/http/content-disposition.js';
import { redactUrls } from '../../lib/http/status.js';
import { parseDownloadQuery } from '../../lib/http/query.js';
import { MuxError } from '../../lib/errors.js';

describe('Content-Disposition', () => {
  it('gives an ASCII fallback and a UTF-8 filename* that round-trips', () => {
    const name = 'He said hi Grüße – 日本語 🎬.mp4';
    const header = contentDisposition(name);
    assert.match(header, /^attachment; filename="He said hi Grusse - _ _\.mp4"; filename\*=UTF-8''/);
    assert.equal(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(header)![1]!), name);
    assert.ok(/^[\x20-\x7e]*$/.test(header), 'the header is pure ASCII, so Node accepts it');
  });

  it('percent-encodes the characters RFC 5987 does not allow raw', () => {
    assert.match(contentDisposition("it's (a) *test*!.mp4"), /filename\*=UTF-8''it%27s%20%28a%29%20%2Atest%2A%21\.mp4$/);
  });

  it('never lets quotes, backslashes or line breaks through', () => {
    assert.equal(asciiFallback('a"b\\c.mp4'), 'a_b_c.mp4');
    assert.ok(!/[\r\n]/.test(contentDisposition('a\r\nSet-Cookie: x.mp4')));
    assert.equal(asciiFallback('日本語'), '_');
  });
});

describe('redactUrls', () => {
  it('keeps only the origin of every URL in a message', () => {
    assert.equal(redactUrls('http://cdn.example.com/v.mp4?sig=SECRET&expire=1: Invalid data'), 'http://cdn.example.com/…: Invalid data');
    assert.equal(redactUrls("page 'https://x.com/watch?v=1' and http://127.0.0.1:4000/AbCdTokEn"), "page 'https://x.com/…' and http://127.0.0.1:4000/…");
    assert.equal(redactUrls('see https://example.com'), 'see https://example.com');
  });
});

describe('error → status table', () => {
  it('has a status for every code, as documented', () => {
    for (const code of MUX_ERROR_CODES) assert.ok(STATUS_BY_CODE[code] >= 400, code);
    assert.deepEqual(
      ['INVALID_URL', 'UNSUPPORTED_URL', 'NOT_FOUND', 'UPSTREAM_FORBIDDEN', 'EXTRACT_FAILED', 'MUX_FAILED', 'BUSY', 'TIMEOUT'].map((c) => STATUS_BY_CODE[c as keyof typeof STATUS_BY_CODE]),
      [400, 400, 404, 502, 502, 502, 503, 504],
    );
  });
});

describe('download query', () => {
  const parse = (qs: string) => parseDownloadQuery(new URLSearchParams(qs), false);
  const rejects = (qs: string, code: string, message: RegExp) =>
    assert.throws(() => parse(qs), (e: unknown) => e instanceof MuxError && e.code === code && message.test(e.message), qs);

  it('reads url, maxHeight and audioOnly', () => {
    assert.deepEqual(parse('url=https%3A%2F%2Fx.com%2Fv&maxHeight=720&audioOnly=1'), { url: 'https://x.com/v', maxHeight: 720, audioOnly: true });
    assert.deepEqual(parse('url=https://x.com/v&audioOnly=0'), { url: 'https://x.com/v' });
  });

  it('names the bad parameter', () => {
    rejects('', 'INVALID_URL', /url parameter is missing/);
    rejects('url=https://a.com&url=https://b.com', 'INVALID_URL', /exactly one/);
    rejects('url=https://x.com&maxHeight=-1', 'INVALID_REQUEST', /maxHeight/);
    rejects('url=https://x.com&maxHeight=99999', 'INVALID_REQUEST', /maxHeight/);
    rejects('url=https://x.com&audioOnly=maybe', 'INVALID_REQUEST', /audioOnly/);
    rejects('url=http://10.0.0.1/', 'INVALID_URL', /private/);
  });
});

describe('readServerConfig', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(readServerConfig({}), DEFAULT_CONFIG);
    assert.equal(DEFAULT_CONFIG.port, 8080);
    assert.equal(DEFAULT_CONFIG.maxConnections, 50);
    assert.equal(DEFAULT_CONFIG.maxWorkers, 25);
    assert.equal(DEFAULT_CONFIG.maxExtractions, 4);
    assert.equal(DEFAULT_CONFIG.shutdownGraceMs, 30_000);
  });

  it('reads every variable', () => {
    const config = readServerConfig({
      PORT: '9000', HOST: '127.0.0.1', PASSMUX_MAX_CONNECTIONS: '10', PASSMUX_MAX_WORKERS: '5', PASSMUX_MAX_EXTRACTIONS: '2',
      PASSMUX_FFMPEG: '/opt/ffmpeg', PASSMUX_YTDLP: '/opt/yt-dlp', PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_SHUTDOWN_GRACE_MS: '0',
    });
    assert.deepEqual({ ...config }, {
      ...DEFAULT_CONFIG, port: 9000, host: '127.0.0.1', maxConnections: 10, maxWorkers: 5, maxExtractions: 2,
      ffmpeg: '/opt/ffmpeg', ytdlp: '/opt/yt-dlp', allowPrivateNetworks: true, shutdownGraceMs: 0,
    });
  });

  it('names the variable of a bad value', () => {
    for (const [name, value] of [['PASSMUX_ALLOWED_PORTS', '80;443'], ['PASSMUX_ALLOWED_PORTS', '70000'], ['PORT', '80a'], ['PASSMUX_MAX_WORKERS', '0'], ['PASSMUX_MAX_CONNECTIONS', '-1'], ['PASSMUX_ALLOW_PRIVATE_NETWORKS', 'yes']]) {
      assert.throws(() => readServerConfig({ [name]: value }), (e: unknown) => e instanceof ConfigError && e.variable === name && e.message.includes(value!));
    }
  });
});
