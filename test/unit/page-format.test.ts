import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codecChoices, describeHttpError, describeProgress, describeSize, downloadPath, formatBytes, formatDuration, isRealLimit, suggestedName } from '../../shared/format.js';

describe('page formatting', () => {
  it('formats durations as m:ss or h:mm:ss', () => {
    assert.equal(formatDuration(10), '0:10');
    assert.equal(formatDuration(75), '1:15');
    assert.equal(formatDuration(3675), '1:01:15');
    assert.equal(formatDuration(null), '');
  });

  it('formats sizes in decimal units', () => {
    assert.deepEqual([999, 1500, 1_146_880, 2_500_000_000].map(formatBytes), ['999 B', '1.5 kB', '1.1 MB', '2.5 GB']);
  });

  it('shows percent, speed and time left against an estimate', () => {
    assert.deepEqual(describeProgress({ bytes: 5_000_000, total: 10_000_000, elapsedMs: 2000 }), {
      percent: 50, text: '50 % · 5.0 MB of 10 MB · 2.5 MB/s · 0:02 left',
    });
  });

  it('falls back to bytes and speed when the estimate is missing or exceeded, never past 100 %', () => {
    assert.deepEqual(describeProgress({ bytes: 12_000_000, total: 10_000_000, elapsedMs: 4000 }), { percent: null, text: '12 MB · 3.0 MB/s' });
    assert.deepEqual(describeProgress({ bytes: 2000, total: null, elapsedMs: 100 }), { percent: null, text: '2.0 kB' });
  });

  it('puts each status in words', () => {
    assert.match(describeHttpError(400, 'INVALID_URL'), /does not look right/);
    assert.match(describeHttpError(400, 'UNSUPPORTED_URL'), /not supported/);
    assert.match(describeHttpError(422, 'DRM_PROTECTED'), /copy-protected \(DRM\)/);
    assert.match(describeHttpError(422, 'LIVE_NOT_SUPPORTED'), /live stream/);
    assert.match(describeHttpError(404), /removed or is private/);
    assert.match(describeHttpError(502), /refused/);
    assert.match(describeHttpError(504), /too long/);
  });

  it('builds the download path and name for each quality', () => {
    assert.equal(downloadPath('https://x.com/v?a=1', ''), '/download?url=https%3A%2F%2Fx.com%2Fv%3Fa%3D1');
    assert.equal(downloadPath('https://x.com/v', '720'), '/download?url=https%3A%2F%2Fx.com%2Fv&maxHeight=720');
    assert.equal(downloadPath('https://x.com/v', 'audio'), '/download?url=https%3A%2F%2Fx.com%2Fv&audioOnly=1');
    assert.equal(suggestedName('a.mp4', 'audio'), 'a.m4a');
    assert.equal(suggestedName('a.mp4', '720'), 'a.mp4');
  });

  it('passes the codec choice to the download, none for the best', () => {
    assert.equal(downloadPath('https://x.com/v', '720', 'h264'), '/download?url=https%3A%2F%2Fx.com%2Fv&maxHeight=720&codec=h264');
    assert.equal(downloadPath('https://x.com/v', '', ''), '/download?url=https%3A%2F%2Fx.com%2Fv');
  });

  it('offers only the codecs the page has, and no list when there is one kind of video', () => {
    assert.deepEqual(codecChoices(['vp9', 'h264']), [
      { value: '', label: 'Best quality' }, { value: 'h264', label: 'Most compatible (H.264 + AAC)' }, { value: 'vp9', label: 'VP9' },
    ]);
    assert.deepEqual(codecChoices(['av1', 'vp9', 'h264']).map((c) => c.value), ['', 'h264', 'vp9', 'av1']);
    assert.deepEqual(codecChoices(['vp9', 'other']).map((c) => c.value), ['', 'vp9']);
    assert.deepEqual(codecChoices(['h264']), []);
    assert.deepEqual(codecChoices(undefined), []);
  });

  it('shows a height limit only where it picks something else than the best', () => {
    assert.deepEqual([1080, 720, 480].filter((limit) => isRealLimit(limit, [1080, 720, 360])), [720, 480]);
    assert.deepEqual([1080, 720, 480].filter((limit) => isRealLimit(limit, [720])), []);
    assert.deepEqual([1080, 720, 480].filter((limit) => isRealLimit(limit, [])), [1080, 720, 480]);
  });

  it('writes the size line exact once known, else as a guess', () => {
    assert.equal(describeSize(9_553_749, 6_560_000), '9.6 MB');
    assert.equal(describeSize(null, 6_560_000), '≈ 6.6 MB');
    assert.equal(describeSize(null, null), '');
  });
});
