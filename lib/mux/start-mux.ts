// From a Selection to bytes: the relay session, then ffmpeg.
import { DEFAULT_RELAY } from '../defaults.js';
import { egressPolicy } from '../egress/guard.js';
import type { EnvDefaultable } from '../env-defaults.js';
import { abortError, MuxError } from '../errors.js';
import { missingBinaryMessage, resolveBinary } from '../process/binaries.js';
import { spawnGroup } from '../process/child.js';
import { prepareTarget } from '../relay/prepare-target.js';
import { getRelay, type RelayOptions, type RelaySession } from '../relay/relay-server.js';
import type { MediaInput, Selection } from '../types.js';
import { buildFfmpegArgs } from './ffmpeg-args.js';
import { MuxStream } from './mux-stream.js';
import { outputFormat } from '../output-format.js';
import type { Blanks } from '../length/skip-plan.js';
import type { IndexDigest } from '../relay/index-check.js';
import type { Clip } from '../section.js';
import { clipRelay, clipTarget, type InputClip } from './clip-inputs.js';
import { clipOrigin, planWholeClip } from './clip-keyframe.js';
import type { SourceTarget } from '../relay/upstream-source.js';
import { probeInput, type InputProbe } from '../length/probe-input.js';

/** Explicit values only: the library's entry point (createMuxStream) has applied the environment's defaults. */
export interface StartMuxOptions extends EnvDefaultable {
  /** Abort to stop waiting for a slot or to stop ffmpeg. */
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL. @default 2000 */
  killGraceMs?: number;
  /** Leave video out of the output. @default false */
  audioOnly?: boolean;
  /** Tuning of the relay. @default DEFAULT_RELAY (lib/defaults.ts) */
  relay?: Partial<Omit<RelayOptions, 'policy'>>;
  /** A fresh copy of input `index` (re-extraction), used once when its URL is refused mid-way. */
  refresh?: (index: number) => Promise<MediaInput>;
  /**
   * The exact length to deliver (from `measureOutput`): the output is padded
   * to it, and fails rather than pass it. @default none: ffmpeg's bytes as they come
   */
  length?: number;
  /** Per input, byte ranges the relay serves as zeros instead of fetching (a resume: lib/length/skip-plan.ts). @default none */
  blanks?: ReadonlyArray<Blanks>;
  /** Per input, copy it without ffmpeg's parsers (from `measureOutput`; needed for `blanks`). @default none */
  blind?: readonly boolean[];
  /** Per input, the probe's digest of its index (from `measureOutput`): ffmpeg must be served the same bytes. @default none */
  indexes?: ReadonlyArray<IndexDigest | undefined>;
  /** Only this span of the video (lib/section.ts: resolved against its duration). @default the whole video */
  clip?: Clip;
  /** How a clip reads the video's index for its keyframe (the server passes its probe cache). @default probeInput, with tables */
  probe?: (input: MediaInput) => Promise<InputProbe>;
}

/**
 * Registers the inputs with the relay (HLS playlists read first: DRM and live
 * are refused here); ffmpeg then reads loopback URLs that carry no secret.
 * With a clip, each input is cut once here (its segments picked, its seek),
 * and a fresh copy (refresh) is cut the same way.
 */
async function viaRelay(selection: Selection, options: StartMuxOptions, signal: AbortSignal): Promise<{ session: RelaySession; cuts: Array<InputClip | undefined> }> {
  const relay = await getRelay();
  const relayOptions = clipRelay({ ...DEFAULT_RELAY, ...options.relay, policy: egressPolicy(options) }, options.clip);
  const prepare = (input: MediaInput) => prepareTarget(input, { policy: relayOptions.policy, readTimeoutMs: relayOptions.readTimeoutMs, signal });
  const prepared = await Promise.all(selection.inputs.map(prepare));
  let cut = (target: SourceTarget, _index: number): { target: SourceTarget; cut?: InputClip } => ({ target });
  const { clip } = options;
  if (clip) {
    const audioOnly = options.audioOnly ?? false;
    const read = options.probe ?? ((input: MediaInput) => probeInput(input, { policy: relayOptions.policy, readTimeoutMs: relayOptions.readTimeoutMs, signal, tables: true }));
    // The plan and (without one) the origin ask for the same indexes: each read once.
    const probed = new Map<MediaInput, Promise<InputProbe>>();
    const probe = (input: MediaInput) => probed.get(input) ?? probed.set(input, read(input)).get(input)!;
    // Whole MP4 files: the cuts their exact length was measured by; else each input cut by its own index.
    const plan = await planWholeClip(selection, prepared, clip, audioOnly, probe);
    const origin = plan?.origin ?? await clipOrigin(selection, prepared, clip, audioOnly, probe);
    cut = plan ? (target, index) => ({ target, cut: plan.cuts[index]! })
      : (target, index) => clipTarget(target, clip, origin, audioOnly || selection.inputs[index]!.kind === 'audio');
  }
  const clipped = prepared.map(cut);
  const { refresh } = options;
  const session = relay.register(clipped.map(({ target }, index) => ({
    ...target,
    ...(refresh ? { refresh: () => refresh(index).then(prepare).then((fresh) => cut(fresh, index).target) } : {}),
    ...(options.blanks?.[index]?.length ? { blanks: options.blanks[index] } : {}),
    ...(options.indexes?.[index] ? { index: options.indexes[index] } : {}),
  })), relayOptions);
  return { session, cuts: clipped.map((c) => c.cut) };
}

/** Audio that may come as ADTS (AAC in MPEG-TS, as HLS serves it) needs turning into MP4's form. */
function mayBeAdts(input: MediaInput): boolean {
  return input.protocol === 'hls' && (input.acodec === undefined || /^(mp4a|aac)/i.test(input.acodec));
}

/**
 * ffmpeg never dials the media servers itself: it reads each input from our
 * relay, which fetches under the egress guard (every hop, every redirect).
 */
export async function startMux(selection: Selection, options: StartMuxOptions = {}): Promise<MuxStream> {
  const { signal, killGraceMs = 2000, audioOnly = false } = options;
  let session: RelaySession | undefined;
  try {
    if (signal?.aborted) throw abortError(signal);
    const { session: relayed, cuts } = await viaRelay(selection, options, signal ?? new AbortController().signal);
    session = relayed;
    const command = resolveBinary('ffmpeg', options.ffmpeg);
    const args = buildFfmpegArgs(selection.inputs.map((input, i) => ({ kind: input.kind, url: relayed.urls[i]!, adts: mayBeAdts(input), blind: options.blind?.[i] === true,
      ...(cuts[i] ? { cut: cuts[i] } : {}) })), { audioOnly });
    const proc = spawnGroup(command, args);
    // Bound before ffmpeg can connect (same tick as the spawn): only this process may read the tokens.
    if (proc.child.pid !== undefined) relayed.bind(proc.child.pid);
    await new Promise<void>((resolve) => {
      proc.child.once('spawn', resolve);
      proc.child.once('error', () => resolve());
    });
    if (proc.spawnError) throw new MuxError('MUX_FAILED', missingBinaryMessage('ffmpeg', command), { cause: proc.spawnError });
    return new MuxStream(proc, { ...selection.info, mimeType: outputFormat(audioOnly).mimeType }, {
      signal, killGraceMs,
      ...(options.length !== undefined ? { length: options.length } : {}),
      onClose: () => relayed.close(),
      inputFailure: () => relayed.failure(),
    });
  } catch (error) {
    session?.close();
    throw error;
  }
}
