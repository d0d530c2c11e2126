// The two questions we ask yt-dlp: "what is this page?" and "which streams,
// with which headers, should we mux?".
import { checkUrl } from '../url.js';
import type { Selection, VideoInfo } from '../types.js';
import { parseSelection, parseVideoInfo } from './parse-info.js';
import { runYtdlp, type RunYtdlpOptions } from './run-ytdlp.js';
import { buildYtdlpArgs, type FormatChoice } from './ytdlp-args.js';

export interface ExtractOptions extends RunYtdlpOptions {
  /** Allow page URLs on loopback/private networks. @default process.env.PASSMUX_ALLOW_PRIVATE_NETWORKS === '1' */
  allowPrivateNetworks?: boolean;
}

export function allowPrivateFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PASSMUX_ALLOW_PRIVATE_NETWORKS === '1';
}

/** Light metadata for a page URL (flat extraction). */
export async function extractInfo(url: string, options: ExtractOptions = {}): Promise<VideoInfo> {
  const allowPrivateNetworks = options.allowPrivateNetworks ?? allowPrivateFromEnv();
  const page = checkUrl(url, { allowPrivateNetworks, label: 'page URL' });
  return parseVideoInfo(await runYtdlp(buildYtdlpArgs(page.href, { mode: 'info' }), options));
}

/** Full extraction: the formats to mux, each with its URL and request headers, all URL-checked. */
export async function extractSelection(url: string, options: ExtractOptions & FormatChoice = {}): Promise<Selection> {
  const allowPrivateNetworks = options.allowPrivateNetworks ?? allowPrivateFromEnv();
  const page = checkUrl(url, { allowPrivateNetworks, label: 'page URL' });
  const json = await runYtdlp(buildYtdlpArgs(page.href, { ...options, mode: 'select' }), options);
  const selection = parseSelection(json, options.audioOnly ? 'm4a' : 'mp4');
  for (const input of selection.inputs) checkUrl(input.url, { allowPrivateNetworks, label: 'format URL', maxLength: 16_384 });
  return selection;
}
