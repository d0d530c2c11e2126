// Gate 2, then ffmpeg: the step from a Selection to bytes.
import type { Ticket } from '../admission/admission-controller.js';
import { DEFAULT_RELAY } from '../config.js';
import { checkTarget, egressPolicy, type EgressPolicy } from '../egress/guard.js';
import { abortError, MuxError } from '../errors.js';
import { missingBinaryMessage, resolveBinary } from '../process/binaries.js';
import { spawnGroup } from '../process/child.js';
import { getRelay, type RelayOptions, type RelaySession } from '../relay/relay-server.js';
import type { MediaInput, Selection } from '../types.js';
import { buildFfmpegArgs, DIRECT_PROTOCOLS } from './ffmpeg-args.js';
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
  /**
   * 'relay': ffmpeg reads from our loopback relay (ranged, parallel, retried
   * fetches; no secrets in argv). 'direct': ffmpeg reads the URLs itself with
   * `-headers`. @default 'relay'
   */
  upstream?: 'relay' | 'direct';
  /** Tuning of the relay. @default DEFAULT_RELAY (lib/config.ts) */
  relay?: Partial<Omit<RelayOptions, 'policy'>>;
  /** Allow media URLs on private networks. @default process.env.PASSMUX_ALLOW_PRIVATE_NETWORKS === '1' */
  allowPrivateNetworks?: boolean;
  /** Where the relay may connect (addresses, ports, resolver). @default egressPolicy() from the environment */
  policy?: Partial<EgressPolicy>;
  /** A fresh copy of input `index` (re-extraction), used once when its URL is refused mid-way. */
  refresh?: (index: number) => Promise<MediaInput>;
}

/** Registers the inputs with the relay; ffmpeg then reads loopback URLs that carry no secret. */
async function viaRelay(selection: Selection, options: StartMuxOptions): Promise<{ inputs: MediaInput[]; session: RelaySession }> {
  const relay = await getRelay();
  const { refresh } = options;
  const session = relay.register(selection.inputs.map((input, index) => ({
    url: input.url,
    headers: input.headers,
    ...(refresh ? { refresh: () => refresh(index).then(({ url, headers }) => ({ url, headers })) } : {}),
  })), {
    ...DEFAULT_RELAY,
    ...options.relay,
    policy: egressPolicy(options),
  });
  return { inputs: selection.inputs.map((input, i) => ({ ...input, url: session.urls[i]!, headers: {} })), session };
}

export async function startMux(selection: Selection, options: StartMuxOptions = {}): Promise<MuxStream> {
  const { admission: ticket, signal, killGraceMs = 2000, audioOnly = false } = options;
  let session: RelaySession | undefined;
  try {
    if (signal?.aborted) throw abortError(signal);
    await ticket?.acquire(signal);
    if (options.upstream === 'direct') await checkDirectInputs(selection.inputs, egressPolicy(options));
    const relayed = options.upstream === 'direct' ? undefined : await viaRelay(selection, options);
    session = relayed?.session;
    const command = resolveBinary('ffmpeg', options.ffmpeg);
    // Relayed inputs are loopback http only; direct ones may need TLS.
    const args = buildFfmpegArgs(relayed?.inputs ?? selection.inputs, { audioOnly, protocols: relayed ? 'http,tcp' : DIRECT_PROTOCOLS });
    const proc = spawnGroup(command, args);
    await new Promise<void>((resolve) => {
      proc.child.once('spawn', resolve);
      proc.child.once('error', () => resolve());
    });
    if (proc.spawnError) throw new MuxError('MUX_FAILED', missingBinaryMessage('ffmpeg', command), { cause: proc.spawnError });
    const mimeType = audioOnly ? 'audio/mp4' : 'video/mp4';
    return new MuxStream(proc, { ...selection.info, mimeType }, {
      ticket, signal, killGraceMs,
      onClose: () => session?.close(),
      // By the first output byte ffmpeg has opened every input, so the relay knows their exact sizes.
      exactSize: session ? () => sumIfKnown(session!.sizes()) : undefined,
      inputFailure: session ? () => session!.failure() : undefined,
    });
  } catch (error) {
    session?.close();
    ticket?.release();
    throw error;
  }
}

/**
 * ffmpeg dials direct inputs itself, so the guard can only look first (it
 * resolves again; prefer the relay where DNS rebinding matters).
 */
async function checkDirectInputs(inputs: readonly MediaInput[], policy: EgressPolicy): Promise<void> {
  for (const input of inputs) await checkTarget(input.url, policy, { label: 'format URL', maxLength: 16_384 });
}

function sumIfKnown(sizes: Array<number | undefined>): number | undefined {
  return sizes.every((size) => size !== undefined) ? sizes.reduce<number>((sum, size) => sum + size!, 0) : undefined;
}
