// The library's front door: page URL in, MP4 stream out. The one owner of a
// library download's admission ticket: it is given back in the finally below,
// at once on failure, else when the stream has closed (ffmpeg gone).
import { withEnvDefaults } from './env-defaults.js';
import { MuxError } from './errors.js';
import { lookUpSelection, type ExtractOptions } from './extract/extract.js';
import type { FormatChoice } from './extract/ytdlp-args.js';
import type { Ticket } from './admission/admission-controller.js';
import type { MuxStream } from './mux/mux-stream.js';
import { startMux, type StartMuxOptions } from './mux/start-mux.js';
import type { MediaInput, Selection } from './types.js';
import { DEFAULT_AVAILABILITY_WAIT_MS, waitUntilAvailable } from './wait-available.js';
import { parseSection, resolveClip } from './section.js';

export interface MuxOptions extends ExtractOptions, FormatChoice, Omit<StartMuxOptions, 'clip'> {
  /** A clip from here: seconds, or `[[h:]m:]s` (docs/clips.md). @default the start */
  start?: number | string;
  /** A clip to here (past the video's end: to its end). @default the end */
  end?: number | string;
  /** Formats already extracted (e.g. cached from a recent `/info`): skips yt-dlp. */
  selection?: Selection;
  /** Admission ticket: its active slot is acquired before ffmpeg starts; it is released when the stream closes or on any failure. */
  admission?: Ticket;
  /**
   * How long to wait, at most, for a format yt-dlp says is available only
   * later (`available_at`); later than that fails at once (TIMEOUT).
   * @default DEFAULT_AVAILABILITY_WAIT_MS
   */
  availabilityWaitMs?: number;
}

/** Input `index` of a selection, or an error when a fresh look at the page has fewer inputs. */
export function inputAt(selection: Selection, index: number): MediaInput {
  const input = selection.inputs[index];
  if (!input) throw new MuxError('EXTRACT_FAILED', 'the fresh extraction has fewer formats than the first');
  return input;
}

/**
 * Extracts the best streams of `url` and remuxes them with ffmpeg into
 * fragmented MP4. Resolves once ffmpeg has started. The environment's defaults
 * (PASSMUX_ALLOW_PRIVATE_NETWORKS, PASSMUX_ALLOWED_PORTS, PASSMUX_FFMPEG,
 * PASSMUX_YTDLP) are read once, here.
 */
export function createMuxStream(url: string, options: MuxOptions = {}): Promise<MuxStream> {
  return muxPage(url, withEnvDefaults(options));
}

/** createMuxStream with explicit values only (the server's path: its configuration was read at the edge). */
export async function muxPage(url: string, options: MuxOptions): Promise<MuxStream> {
  const ticket = options.admission;
  let stream: MuxStream | undefined;
  try {
    // A bad section is refused before yt-dlp runs; one past the video's end, once its duration is known.
    const section = parseSection(options.start, options.end);
    const selection = options.selection ?? await lookUpSelection(url, options);
    const clip = resolveClip(section, selection.info.duration);
    // Blanks follow from the output's exact length (a clip's: planSkip with the clip).
    if (clip && options.blanks && options.length === undefined) throw new MuxError('INVALID_SECTION', 'a clip is given blanks only with its exact length');
    // Before the slot: waiting for the site's moment holds no ffmpeg slot.
    await waitUntilAvailable(selection.inputs, options.availabilityWaitMs ?? DEFAULT_AVAILABILITY_WAIT_MS, options.signal);
    await ticket?.acquire(options.signal);
    // A URL refused mid-way (expired signature) gets one fresh extraction of the same choice.
    let fresh: Promise<Selection> | undefined;
    const refresh = options.refresh ?? ((index: number) => (fresh ??= lookUpSelection(url, options)).then((s) => inputAt(s, index)));
    stream = await startMux(selection, { ...options, refresh, ...(clip ? { clip } : {}) });
    return stream;
  } finally {
    if (stream) stream.once('close', () => ticket?.release());
    else ticket?.release();
  }
}
