// A clip's description (lib/http/describe-output.ts), without processes: an
// exact length from the inputs' tables, an ETag naming the span, one measure
// per span, and chunked from the moment a download missed the length.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOutput, forgetClipLength } from '../../lib/http/describe-output.js';
import type { InputProber } from '../../lib/length/measure-output.js';
import type { MediaInput, Selection } from '../../lib/types.js';
import { audio, budget, video } from '../helpers/sample-tables.js';

const info = { id: 'x', title: 'X', duration: 10, thumbnail: null, uploader: null, webpageUrl: null, filename: 'X.mp4', estimatedSize: 1_000_000, codecs: [], heights: [] };

function page(): { selection: Selection; probe: InputProber; probes: () => number } {
  const input = (kind: 'video' | 'audio'): MediaInput => ({ url: `http://media.test/${kind}`, headers: {}, kind, protocol: 'http', formatId: kind });
  const tables = { video: video(10), audio: audio(10) };
  let probes = 0;
  const probe: InputProber = async (input) => {
    probes++;
    const table = tables[input.kind as 'video' | 'audio'];
    return { size: 2_000_000, tracks: [budget(table)], tables: [table] };
  };
  return { selection: { info, inputs: [input('video'), input('audio')] }, probe, probes: () => probes };
}

describe('describeOutput of a clip', () => {
  it('an exact length and a span-named ETag; the whole video and another span differ', async () => {
    const { selection, probe, probes } = page();
    const clip = await describeOutput(selection, {}, probe, 'ffmpeg 5.1', { start: 3.5, end: 7 });
    assert.ok(clip.length! > 150_000 && clip.length! < 250_000, `length ${clip.length}`);
    assert.equal(clip.headers['content-length'], String(clip.length));
    assert.equal(clip.headers['accept-ranges'], 'bytes');
    assert.match(clip.headers['content-disposition']!, /X \(3\.5s-7s\)\.mp4/);
    const again = await describeOutput(selection, {}, probe, 'ffmpeg 5.1', { start: 3.5, end: 7 });
    assert.equal(again.etag, clip.etag);
    assert.equal(probes(), 2, 'one measure per span: each input probed once');
    const whole = await describeOutput(selection, {}, probe, 'ffmpeg 5.1');
    const other = await describeOutput(selection, {}, probe, 'ffmpeg 5.1', { start: 3.5, end: 8 });
    assert.ok(whole.length! > clip.length!);
    assert.notEqual(whole.etag, clip.etag);
    assert.notEqual(other.etag, clip.etag);
  });

  it('after a download missed the length: that span goes chunked, the others keep theirs', async () => {
    const { selection, probe } = page();
    const span = { start: 2, end: 5 };
    assert.ok((await describeOutput(selection, {}, probe, '', span)).length);
    forgetClipLength(selection, false, span);
    const chunked = await describeOutput(selection, {}, probe, '', span);
    assert.equal(chunked.length, undefined);
    assert.equal(chunked.headers['accept-ranges'], 'none');
    assert.deepEqual(chunked.blind, [false, false]);
    assert.ok((await describeOutput(selection, {}, probe, '', { start: 2, end: 6 })).length);
  });
});
