import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatVersionReport } from '../../bin/version-report.js';
import { describeToolchain } from '../../lib/process/toolchain.js';
import { ageInDays, ffmpegVersionNumber, ytdlpReleaseDate, type ToolchainProbe } from '../../lib/process/versions.js';

const FFMPEG = 'ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers';
const probe = (ytdlp: string | null, deno = true): ToolchainProbe => ({
  ffmpeg: { command: 'ffmpeg', version: FFMPEG },
  ytdlp: { command: 'yt-dlp', version: ytdlp },
  deno: deno ? { command: '/usr/local/bin/deno', version: 'deno 2.5.6 (stable, release, x86_64-unknown-linux-gnu)' } : null,
  probedAt: new Date('2026-11-27T04:00:00Z'),
});

describe('program versions', () => {
  it('yt-dlp versions are release dates, nightlies included', () => {
    assert.equal(ytdlpReleaseDate('2023.03.04')?.toISOString(), '2023-03-04T00:00:00.000Z');
    assert.equal(ytdlpReleaseDate('2025.10.22.232815')?.toISOString(), '2025-10-22T00:00:00.000Z');
    for (const odd of ['2023.02.31', 'git-abc', '', '2023.3.4']) assert.equal(ytdlpReleaseDate(odd), null, odd);
  });

  it('ages in whole days, never negative', () => {
    const released = new Date('2026-09-27T00:00:00Z');
    assert.equal(ageInDays(released, new Date('2026-11-26T23:59:59Z')), 60);
    assert.equal(ageInDays(released, new Date('2026-11-27T00:00:00Z')), 61);
    assert.equal(ageInDays(released, new Date('2026-01-01T00:00:00Z')), 0);
    assert.equal(ffmpegVersionNumber(FFMPEG), '5.1.9-0+deb12u1');
    assert.equal(ffmpegVersionNumber('something else'), 'something else');
  });

  it('warns past 60 days, once, naming yt-dlp and its age; at 60 it is fine', () => {
    const now = new Date('2026-11-27T04:00:00Z');
    const stale = describeToolchain(probe('2023.03.04'), now);
    assert.deepEqual(stale.warnings.map((w) => w.program), ['yt-dlp']);
    assert.match(stale.warnings[0]!.message, /^yt-dlp 2023\.03\.04 is 1364 days old \(more than 60\)/);
    assert.deepEqual(stale.programs['yt-dlp'], { command: 'yt-dlp', version: '2023.03.04', released: '2023-03-04', ageDays: 1364 });
    assert.deepEqual(stale.labels, { ffmpeg: '5.1.9-0+deb12u1', ytdlp: '2023.03.04' });
    assert.deepEqual(describeToolchain(probe('2026.09.28'), now).warnings, []);
    assert.equal(describeToolchain(probe('2026.09.28'), now).programs['yt-dlp'].ageDays, 60);
  });

  it('a missing yt-dlp or deno is a warning too; labels are empty for what is unknown', () => {
    const report = describeToolchain(probe(null, false), new Date('2026-11-27T04:00:00Z'));
    assert.deepEqual(report.warnings.map((w) => w.program), ['yt-dlp', 'deno']);
    assert.match(report.warnings[0]!.message, /yt-dlp could not be started .*PASSMUX_YTDLP/);
    assert.deepEqual(report.programs.deno, { found: false, command: null, version: null });
    assert.equal(report.labels.ytdlp, '');
  });

  it('passmux --version: one line per program, then the warnings', () => {
    const lines = formatVersionReport('1.2.3', describeToolchain(probe('2023.03.04', false), new Date('2026-11-27T04:00:00Z')));
    assert.deepEqual(lines.slice(0, 4), [
      'passmux 1.2.3',
      `ffmpeg: ${FFMPEG}`,
      'yt-dlp: 2023.03.04 (released 2023-03-04, 1364 days old)',
      'deno:   not on PATH',
    ]);
    assert.deepEqual(lines.slice(4).map((line) => line.split(' ').slice(0, 2).join(' ')), ['warning: yt-dlp', 'warning: deno']);
  });
});
