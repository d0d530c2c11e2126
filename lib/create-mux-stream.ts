// The library's front door: page URL in, MP4 stream out.
import { MuxError } from './errors.js';
import { extractSelection, type ExtractOptions } from './extract/extract.js';
import type { FormatChoice } from './extract/ytdlp-args.js';
import type { MuxStream } from './mux/mux-stream.js';
import { startMux, type StartMuxOptions } from './mux/start-mux.js';
import type { Selection } from './types.js';

export interface MuxOptions extends ExtractOptions, FormatChoice, StartMuxOptions {
  /** Formats already extracted (e.g. cached from a recent `/info`): skips yt-dlp. */
  selection?: Selection;
}

/**
 * Extracts the best streams of `url` and remuxes them with ffmpeg into
 * fragmented MP4. Resolves once ffmpeg has started. If `admission` is given,
 * the ticket is owned from here on: released when the stream ends or on any failure.
 */
export async function createMuxStream(url: string, options: MuxOptions = {}): Promise<MuxStream> {
  let selection = options.selection;
  if (!selection) {
    try {
      selection = await extractSelection(url, options);
    } catch (error) {
      options.admission?.release();
      throw error;
    }
  }
  // A URL refused mid-way (expired signature) gets one fresh extraction of the same choice.
  let fresh: Promise<Selection> | undefined;
  const refresh = async (index: number) => {
    fresh ??= extractSelection(url, options);
    const input = (await fresh).inputs[index];
    if (!input) throw new MuxError('EXTRACT_FAILED', 'the fresh extraction has fewer formats than the first');
    return input;
  };
  return startMux(selection, { refresh, ...options });
}
