// One answer to "what will this download be?" for HEAD and GET alike: type,
// file name, length, ETag and ranges come from here and nowhere else, so both
// send the same, before ffmpeg starts.
import { contentDisposition } from './content-disposition.js';
import { outputFormat } from '../output-format.js';
import type { FormatChoice } from '../extract/ytdlp-args.js';
import { measureOutput, type InputProber, type OutputMeasure } from '../length/measure-output.js';
import type { Selection } from '../types.js';
import { codecToken } from '../extract/codecs.js';
import { outputEtag } from './etag.js';
import { clipFilename, type Clip } from '../section.js';

export interface OutputDescription {
  mimeType: string;
  /** The exact body length (sent as Content-Length), when known. */
  length: number | undefined;
  /** Strong ETag, with an exact length only. */
  etag: string | undefined;
  /** Per input, ffmpeg copies it blind (see measureOutput). */
  blind: boolean[];
  /** Per input, the probe's digest of its index (see measureOutput). */
  indexes: OutputMeasure['indexes'];
  /** The sum of the inputs' exact sizes when every one is known, else yt-dlp's guess; a hint for progress bars. */
  estimatedSize: number | null;
  /** The headers of a 200 with the whole body (a 206 changes the length and adds Content-Range). */
  headers: Record<string, string>;
}

/** Measured per extraction result, choice and span: a HEAD then a GET of the same page ask the media servers once. */
const measured = new WeakMap<Selection, Map<string, Promise<OutputMeasure>>>();
/** Measures kept per extraction (the whole video and its clips, with and without video). */
const MAX_SPANS = 32;

/** What a measure is kept under, per extraction. */
const measureKey = (audioOnly: boolean, clip: Clip | undefined) => JSON.stringify([audioOnly, clip?.start ?? null, clip?.end ?? null]);

function measureOnce(selection: Selection, audioOnly: boolean, probe: InputProber, clip: Clip | undefined): Promise<OutputMeasure> {
  const bySelection = measured.get(selection) ?? new Map<string, Promise<OutputMeasure>>();
  measured.set(selection, bySelection);
  const key = measureKey(audioOnly, clip);
  let measure = bySelection.get(key);
  if (!measure) {
    // Spans are the client's to choose: keep the latest few, not one per request ever made.
    if (bySelection.size >= MAX_SPANS) bySelection.delete(bySelection.keys().next().value!);
    bySelection.set(key, measure = measureOutput(selection, audioOnly, probe, clip));
  }
  return measure;
}

/**
 * A clip whose output missed its measured length (its plan and ffmpeg
 * disagreed): its later downloads go chunked rather than fail the same way.
 */
export function forgetClipLength(selection: Selection, audioOnly: boolean, clip: Clip): void {
  const key = measureKey(audioOnly, clip);
  const chunked = (measure: OutputMeasure): OutputMeasure => ({ ...measure, length: undefined, blind: measure.blind.map(() => false), indexes: measure.indexes.map(() => undefined) });
  const measure = measured.get(selection)?.get(key);
  if (measure) measured.get(selection)!.set(key, measure.then(chunked));
}

/**
 * What the output carries, in yt-dlp's codec names (`avc1.64001f, mp4a.40.2`): the codecs of the
 * tracks ffmpeg keeps (audio only keeps no video). Undefined when yt-dlp named none.
 */
export function describeCodecs(selection: Selection, audioOnly: boolean): string | undefined {
  const codecs: string[] = [];
  for (const input of selection.inputs) {
    if (input.vcodec && input.kind !== 'audio' && !audioOnly) codecs.push(codecToken(input.vcodec));
    if (input.acodec && input.kind !== 'video') codecs.push(codecToken(input.acodec));
  }
  const named = codecs.filter(Boolean);
  return named.length > 0 ? named.join(', ') : undefined;
}

/** A clip's share of the whole video's guessed size, when its duration is known. */
function clipEstimate(selection: Selection, clip: Clip): number | null {
  const { duration, estimatedSize } = selection.info;
  if (!duration || estimatedSize === null) return null;
  return Math.round(estimatedSize * (Math.min(clip.end ?? duration, duration) - clip.start) / duration);
}

/**
 * `ffmpeg` is the ffmpeg version line, part of the ETag. A clip of whole MP4
 * files has its exact length too (lib/length/clip-plan.ts); of anything else
 * it is sent chunked (docs/clips.md).
 */
export async function describeOutput(selection: Selection, choice: FormatChoice, probe: InputProber, ffmpeg: string, clip?: Clip): Promise<OutputDescription> {
  const { length, inputSizes, blind, indexes } = await measureOnce(selection, Boolean(choice.audioOnly), probe, clip);
  const known = !clip && inputSizes.every((size) => size !== undefined) ? inputSizes.reduce<number>((sum, size) => sum + size!, 0) : null;
  const estimatedSize = clip ? clipEstimate(selection, clip) : known ?? selection.info.estimatedSize;
  const { mimeType } = outputFormat(choice.audioOnly);
  const headers: Record<string, string> = {
    'content-type': mimeType,
    'content-disposition': contentDisposition(clip ? clipFilename(selection.info.filename, clip) : selection.info.filename),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  const codecs = describeCodecs(selection, Boolean(choice.audioOnly));
  if (codecs) headers['x-codecs'] = codecs;
  if (length === undefined) {
    headers['accept-ranges'] = 'none';
    // A guess for progress bars only: a Content-Length from it would cut the file.
    if (estimatedSize !== null) headers['x-estimated-content-length'] = String(estimatedSize);
    return { mimeType, length, etag: undefined, estimatedSize, headers, blind, indexes };
  }
  const etag = outputEtag({
    inputs: selection.inputs.map((input, i) => ({ formatId: input.formatId, size: inputSizes[i] })), choice, ffmpeg, length,
    ...(clip ? { span: [clip.start, clip.end ?? null] as const } : {}),
  });
  Object.assign(headers, { 'content-length': String(length), 'accept-ranges': 'bytes', etag });
  return { mimeType, length, etag, estimatedSize, headers, blind, indexes };
}
