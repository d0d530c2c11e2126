// Before ffmpeg starts: the inputs' exact sizes, and the exact length of the
// body when every input's own index could be read (the bound of
// output-bound.ts; the stream pads to it). HEAD and GET both answer from here.
import { egressPolicy } from '../egress/guard.js';
import { DEFAULT_RELAY } from '../defaults.js';
import { withEnvDefaults, type EnvDefaultable } from '../env-defaults.js';
import { probeInput, type InputProbe } from './probe-input.js';
import type { MediaInput, Selection, TrackBudget } from '../types.js';
import { boundForInputs, mappedTracks } from './output-bound.js';
import { planBlanks, type Blanks } from './skip-plan.js';
import { planClip } from './clip-plan.js';
import { boundForClip, windowInputs } from './clip-bound.js';
import type { Clip } from '../section.js';
import type { IndexDigest } from '../relay/index-check.js';
import { DEFAULT_AVAILABILITY_WAIT_MS, waitUntilAvailable } from '../wait-available.js';

/** Asks one input's media server for its size and index (`tables`: and where each sample sits), until `signal` (if any) aborts. */
export type InputProber = (input: MediaInput, tables?: boolean, signal?: AbortSignal) => Promise<InputProbe>;

export interface OutputMeasure {
  /** The body's exact length, or undefined (a fragmented input, a server without sizes or ranges, an index we cannot read). */
  length: number | undefined;
  /** Each input's exact size, as its media server said. */
  inputSizes: Array<number | undefined>;
  /** Per input: ffmpeg copies it without its parsers (`-fflags +noparse+nofillin`), so a resume may feed it zeros. */
  blind: boolean[];
  /** Per input, with an exact length: what its probe read, for the relay to check ffmpeg gets the same. */
  indexes: Array<IndexDigest | undefined>;
}

/** Every track ffmpeg takes from an input may be copied blind. */
const isBlind = (tracks: readonly TrackBudget[] | undefined) => tracks !== undefined && tracks.length > 0 && tracks.every((track) => track.blindCopy === true);

/** A clip's bound: only with every input's sample tables, and every track copied blind (the plan was checked that way). */
function clipBound(selection: Selection, probes: readonly InputProbe[], clip: Clip, audioOnly: boolean): number | undefined {
  const inputs = selection.inputs.map((input, i) => ({ kind: input.kind, ...probes[i] }));
  if (!inputs.every((input) => isBlind(mappedTracks(input.kind, input.tracks, audioOnly)))) return undefined;
  const plan = planClip(inputs, clip, audioOnly);
  return plan && boundForClip(inputs, plan, audioOnly);
}

/** What the body will be: the whole video's, or (with `clip`) that span's. */
export async function measureOutput(selection: Selection, audioOnly: boolean, probe: InputProber, clip?: Clip): Promise<OutputMeasure> {
  const probes = await Promise.all(selection.inputs.map((input) => probe(input, clip !== undefined)));
  const inputSizes = probes.map((p) => p.size);
  const sized = inputSizes.every((size) => size !== undefined);
  const bound = !sized ? undefined : clip ? clipBound(selection, probes, clip, audioOnly)
    : boundForInputs(selection.inputs.map((input, i) => ({ kind: input.kind, ...(probes[i]!.tracks ? { tracks: probes[i]!.tracks } : {}) })), audioOnly);
  // A bound from a broken index (NaN, a negative or astronomic number) is no length at all.
  const length = bound !== undefined && Number.isSafeInteger(bound) && bound > 0 ? bound : undefined;
  // Only with an exact length: that is when a resume may come.
  const blind = selection.inputs.map((input, i) => length !== undefined && isBlind(mappedTracks(input.kind, probes[i]!.tracks, audioOnly)));
  const indexes = probes.map((p) => (length !== undefined ? p.index : undefined));
  return { length, inputSizes, blind, indexes };
}

/**
 * For a body wanted from byte `skip` on: per input, the byte ranges the relay
 * may serve as zeros (lib/length/skip-plan.ts), from the inputs' indexes with
 * their sample tables (the server's prober keeps them with the extraction).
 */
export async function planSkip(selection: Selection, audioOnly: boolean, skip: number, probe: InputProber, signal: AbortSignal, clip?: Clip): Promise<Blanks[]> {
  const probes = await Promise.all(selection.inputs.map((input) => probe(input, true, signal)));
  const inputs = selection.inputs.map((input, i) => ({ kind: input.kind, ...probes[i] }));
  if (!clip) return planBlanks(inputs, audioOnly, skip);
  // A clip's output holds only its plan's samples: the skip plan over those alone (offsets stay the input's).
  const plan = planClip(inputs, clip, audioOnly);
  const windowed = plan && windowInputs(inputs, plan, audioOnly);
  return windowed ? planBlanks(windowed, audioOnly, skip) : inputs.map(() => []);
}

export interface MeasureOptions extends EnvDefaultable {
  audioOnly?: boolean;
  signal?: AbortSignal;
}

/** measureOutput for library callers (the CLI): the egress policy from the options and the environment. */
export async function measureSelection(selection: Selection, given: MeasureOptions = {}): Promise<OutputMeasure> {
  const options = withEnvDefaults(given);
  const policy = egressPolicy(options);
  // Probing is fetching: not before the site's moment (yt-dlp's available_at).
  await waitUntilAvailable(selection.inputs, DEFAULT_AVAILABILITY_WAIT_MS, options.signal);
  const signal = options.signal ?? AbortSignal.timeout(DEFAULT_RELAY.readTimeoutMs);
  return await measureOutput(selection, options.audioOnly ?? false, (input, tables) => probeInput(input, { policy, readTimeoutMs: DEFAULT_RELAY.readTimeoutMs, signal, tables }));
}
