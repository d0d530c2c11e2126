// Before ffmpeg starts: the inputs' exact sizes, and the exact length of the
// body when every input's own index could be read (the bound of
// output-bound.ts; the stream pads to it). HEAD and GET both answer from here.
import { egressPolicy } from '../egress/guard.js';
import { DEFAULT_RELAY } from '../config.js';
import { withEnvDefaults, type EnvDefaultable } from '../env-defaults.js';
import { probeInput, type InputProbe } from '../relay/probe-index.js';
import type { MediaInput, Selection } from '../types.js';
import { boundForInputs } from './output-bound.js';

/** Asks one input's media server for its size and index. */
export type InputProber = (input: MediaInput) => Promise<InputProbe>;

export interface OutputMeasure {
  /** The body's exact length, or undefined (a fragmented input, a server without sizes or ranges, an index we cannot read). */
  length: number | undefined;
  /** Each input's exact size, as its media server said. */
  inputSizes: Array<number | undefined>;
}

export async function measureOutput(selection: Selection, audioOnly: boolean, probe: InputProber): Promise<OutputMeasure> {
  const probes = await Promise.all(selection.inputs.map(probe));
  const inputSizes = probes.map((p) => p.size);
  const sized = inputSizes.every((size) => size !== undefined);
  const length = sized ? boundForInputs(selection.inputs.map((input, i) => ({ kind: input.kind, ...(probes[i]!.tracks ? { tracks: probes[i]!.tracks } : {}) })), audioOnly) : undefined;
  return { length, inputSizes };
}

export interface MeasureOptions extends EnvDefaultable {
  audioOnly?: boolean;
  signal?: AbortSignal;
}

/** measureOutput for library callers (the CLI): the egress policy from the options and the environment. */
export function measureSelection(selection: Selection, given: MeasureOptions = {}): Promise<OutputMeasure> {
  const options = withEnvDefaults(given);
  const policy = egressPolicy(options);
  const signal = options.signal ?? AbortSignal.timeout(DEFAULT_RELAY.readTimeoutMs);
  return measureOutput(selection, options.audioOnly ?? false, (input) => probeInput(input, { policy, readTimeoutMs: DEFAULT_RELAY.readTimeoutMs, signal }));
}
