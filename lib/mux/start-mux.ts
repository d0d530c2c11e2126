// Gate 2, then ffmpeg: the step from a Selection to bytes.
import type { Ticket } from '../admission/admission-controller.js';
import { abortError, MuxError } from '../errors.js';
import { missingBinaryMessage, resolveBinary } from '../process/binaries.js';
import { spawnGroup } from '../process/child.js';
import type { Selection } from '../types.js';
import { buildFfmpegArgs } from './ffmpeg-args.js';
import { MuxStream } from './mux-stream.js';

export interface StartMuxOptions {
  /** ffmpeg executable. @default process.env.PASSMUX_FFMPEG || 'ffmpeg' */
  ffmpeg?: string;
  /** Admission ticket: its active slot is acquired before ffmpeg starts, and the ticket is released when the stream ends or on any failure. */
  admission?: Ticket;
  /** Abort to stop waiting for a slot or to stop ffmpeg. */
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL. @default 2000 */
  killGraceMs?: number;
  /** Leave video out of the output. @default false */
  audioOnly?: boolean;
}

export async function startMux(selection: Selection, options: StartMuxOptions = {}): Promise<MuxStream> {
  const { admission: ticket, signal, killGraceMs = 2000, audioOnly = false } = options;
  try {
    if (signal?.aborted) throw abortError(signal);
    await ticket?.acquire(signal);
    const command = resolveBinary('ffmpeg', options.ffmpeg);
    const proc = spawnGroup(command, buildFfmpegArgs(selection.inputs, { audioOnly }));
    await new Promise<void>((resolve) => {
      proc.child.once('spawn', resolve);
      proc.child.once('error', () => resolve());
    });
    if (proc.spawnError) throw new MuxError('MUX_FAILED', missingBinaryMessage('ffmpeg', command), { cause: proc.spawnError });
    const mimeType = audioOnly ? 'audio/mp4' : 'video/mp4';
    return new MuxStream(proc, { ...selection.info, mimeType }, { ticket, signal, killGraceMs });
  } catch (error) {
    ticket?.release();
    throw error;
  }
}
