// One answer to "what will this download be?" for HEAD and GET alike: type,
// file name and size headers come from here and nowhere else, so both send
// the same ones, before ffmpeg starts.
import { contentDisposition } from './content-disposition.js';
import { outputFormat } from '../output-format.js';
import type { FormatChoice } from '../extract/ytdlp-args.js';
import type { MediaInput, Selection } from '../types.js';

/** The exact size of one input, or undefined (see lib/relay/probe-size.ts). */
export type SizeProbe = (input: MediaInput) => Promise<number | undefined>;

export interface OutputDescription {
  mimeType: string;
  /** The sum of the inputs' exact sizes when every one is known, else yt-dlp's guess; a hint for progress bars. */
  estimatedSize: number | null;
  headers: Record<string, string>;
}

/** Probed sizes per extraction result: a HEAD then a GET of the same page ask the media servers once. */
const probed = new WeakMap<Selection, Promise<Array<number | undefined>>>();

export async function describeOutput(selection: Selection, choice: FormatChoice, probe: SizeProbe): Promise<OutputDescription> {
  let sizes = probed.get(selection);
  if (!sizes) {
    sizes = Promise.all(selection.inputs.map(probe));
    probed.set(selection, sizes);
  }
  const known = await sizes;
  const exact = known.every((size) => size !== undefined) ? known.reduce<number>((sum, size) => sum + size!, 0) : null;
  const estimatedSize = exact ?? selection.info.estimatedSize;
  const { mimeType } = outputFormat(choice.audioOnly);
  const headers: Record<string, string> = {
    'content-type': mimeType,
    'content-disposition': contentDisposition(selection.info.filename),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  // A guess for progress bars only: a Content-Length from it would cut the file.
  if (estimatedSize !== null) headers['x-estimated-content-length'] = String(estimatedSize);
  return { mimeType, estimatedSize, headers };
}
