// The two questions we ask yt-dlp: "what is this page?" and "which streams,
// with which headers, should we mux?".
import { MuxError } from '../errors.js';
import { getForwardProxy } from '../egress/forward-proxy.js';
import { checkTarget, egressPolicy, type PolicyOptions } from '../egress/guard.js';
import { checkUrl } from '../url.js';
import type { Selection, VideoInfo } from '../types.js';
import { parseSelection, parseVideoInfo } from './parse-info.js';
import { runYtdlp, type RunYtdlpOptions } from './run-ytdlp.js';
import { buildYtdlpArgs, type FormatChoice, type YtdlpArgsOptions } from './ytdlp-args.js';

/**
 * `allowPrivateNetworks` defaults to PASSMUX_ALLOW_PRIVATE_NETWORKS=1; `policy`
 * (addresses, ports, resolver) to the environment as well.
 */
export interface ExtractOptions extends RunYtdlpOptions, PolicyOptions {}

/**
 * Checks the page URL (syntax, then its host's addresses and port), then runs
 * yt-dlp with every request it makes going through our guarded proxy. A hop
 * the guard refused (a redirect into the private network) is reported as such.
 */
async function runGuarded(url: string, options: ExtractOptions, ytdlp: Omit<YtdlpArgsOptions, 'noPluginDirs'>): Promise<unknown> {
  const policy = egressPolicy(options);
  const page = await checkTarget(url, policy, { label: 'page URL' });
  const session = (await getForwardProxy()).open(policy);
  try {
    return await runYtdlp((features) => buildYtdlpArgs(page.href, { ...ytdlp, ...features }), options, { env: session.env });
  } catch (error) {
    const [refusal] = session.refusals();
    if (refusal) throw new MuxError('INVALID_URL', `the page leads to an address passmux does not fetch: ${refusal}`, { cause: error });
    throw error;
  } finally {
    session.close();
  }
}

/** Light metadata for a page URL (flat extraction). */
export async function extractInfo(url: string, options: ExtractOptions = {}): Promise<VideoInfo> {
  return parseVideoInfo(await runGuarded(url, options, { mode: 'info' }));
}

/** Full extraction: the formats to mux, each with its URL and request headers, all URL-checked. */
export async function extractSelection(url: string, options: ExtractOptions & FormatChoice = {}): Promise<Selection> {
  const json = await runGuarded(url, options, { ...options, mode: 'select' });
  const selection = parseSelection(json, options.audioOnly ? 'm4a' : 'mp4');
  for (const input of selection.inputs) checkUrl(input.url, { allowPrivateNetworks: true, label: 'format URL', maxLength: 16_384 });
  return selection;
}
