// The two questions we ask yt-dlp: "what is this page?" and "which streams,
// with which headers, should we mux?". A page may turn out to be a playlist:
// then the answer is its entries, listed flat.
import { MuxError } from '../errors.js';
import { getForwardProxy } from '../egress/forward-proxy.js';
import { checkTarget, egressPolicy, type PolicyOptions } from '../egress/guard.js';
import { withEnvDefaults } from '../env-defaults.js';
import { outputFormat } from '../output-format.js';
import { checkUrl } from '../url.js';
import type { Extraction, PageInfo, PlaylistInfo, Selection } from '../types.js';
import { copyCookiesFile, type CookiesCopy } from './cookies-file.js';
import { parseSelection, parseVideoInfo } from './parse-info.js';
import { isPlaylistJson, parsePlaylist } from './parse-playlist.js';
import { runYtdlp, type RunYtdlpOptions } from './run-ytdlp.js';
import { screenEntries } from './screen-playlist.js';
import { DEFAULT_MAX_PLAYLIST_ENTRIES } from '../defaults.js';
import { buildYtdlpArgs, type FormatChoice, type PageChoice, type YtdlpArgsOptions } from './ytdlp-args.js';

/**
 * `allowPrivateNetworks`, the port list and `ytdlp` default to the environment
 * (lib/env-defaults.ts) in extractInfo/extractPage/extractSelection; the lookUp*
 * functions (the server's) take explicit values only.
 */
export interface ExtractOptions extends RunYtdlpOptions, PolicyOptions {
  /** Entries a playlist lists at most; more set `truncated`. @default 500 */
  maxEntries?: number;
}

/**
 * Checks the page URL (syntax, then its host's addresses and port), then runs
 * yt-dlp with every request it makes going through our guarded proxy. A hop
 * the guard refused (a redirect into the private network) is reported as such.
 */
async function runGuarded(url: string, options: ExtractOptions, ytdlp: Omit<YtdlpArgsOptions, 'noPluginDirs'>): Promise<unknown> {
  const policy = egressPolicy(options);
  const page = await checkTarget(url, policy, { label: 'page URL' });
  const session = (await getForwardProxy()).open(policy);
  let cookies: CookiesCopy | undefined;
  try {
    if (options.cookiesFile) cookies = await copyCookiesFile(options.cookiesFile);
    const cookiesFile = cookies?.path;
    return await runYtdlp((features) => buildYtdlpArgs(page.href, { ...ytdlp, ...features, cookiesFile }), options, { env: session.env });
  } catch (error) {
    const [refusal] = session.refusals();
    if (refusal) throw new MuxError('INVALID_URL', `the page leads to an address passmux does not fetch: ${refusal}`, { cause: error });
    throw options.cookiesFile ? error : withLoginHint(error);
  } finally {
    session.close();
    // runYtdlp returns only once yt-dlp has exited: nobody writes the copy any more.
    await cookies?.remove();
  }
}

/** A refusal without site cookies may just mean "log in first": say so, and how. */
function withLoginHint(error: unknown): unknown {
  if (!(error instanceof MuxError) || error.code !== 'UPSTREAM_FORBIDDEN') return error;
  return new MuxError(error.code, `${error.message} (if the video needs a login, give passmux a cookies file: PASSMUX_YTDLP_COOKIES or --cookies)`,
    { cause: error, ...(error.detail ? { detail: error.detail } : {}) });
}

/** A playlist's entries, each URL passing the same checks as a page URL (syntax, then the guard). */
async function listEntries(json: unknown, options: ExtractOptions): Promise<PlaylistInfo> {
  const policy = egressPolicy(options);
  const listed = parsePlaylist(json, { maxEntries: options.maxEntries ?? DEFAULT_MAX_PLAYLIST_ENTRIES, allowPrivateNetworks: policy.allowPrivateNetworks });
  return screenEntries(listed, policy);
}

function selectionOf(json: unknown, choice: FormatChoice): Selection {
  const selection = parseSelection(json, outputFormat(choice.audioOnly).extension);
  for (const input of selection.inputs) checkUrl(input.url, { allowPrivateNetworks: true, label: 'format URL', maxLength: 16_384 });
  return selection;
}

/** Light metadata for a page URL (flat extraction): one video, or a playlist's entries. Explicit values only. */
export async function lookUpInfo(url: string, options: ExtractOptions & Pick<PageChoice, 'playlist'> = {}): Promise<PageInfo> {
  const json = await runGuarded(url, options, { mode: 'info', playlist: options.playlist, maxEntries: options.maxEntries });
  return isPlaylistJson(json) ? listEntries(json, options) : { type: 'video', ...parseVideoInfo(json) };
}

/**
 * One run for everything /info and /download need: a video's chosen formats
 * (URL-checked), or, when the page is a list, its entries (no entry extracted).
 */
export async function lookUpPage(url: string, options: ExtractOptions & PageChoice = {}): Promise<Extraction> {
  const json = await runGuarded(url, options, { ...options, mode: 'select' });
  return isPlaylistJson(json) ? listEntries(json, options) : selectionOf(json, options);
}

/** Full extraction: the formats to mux, each with its URL and request headers, all URL-checked. IS_PLAYLIST for a list. */
export async function lookUpSelection(url: string, options: ExtractOptions & PageChoice = {}): Promise<Selection> {
  return selectionOf(await runGuarded(url, options, { ...options, mode: 'select' }), options);
}

// The library's entry points: the environment's defaults (lib/env-defaults.ts) applied once, here.
export const extractInfo = (url: string, options: ExtractOptions & Pick<PageChoice, 'playlist'> = {}): Promise<PageInfo> => lookUpInfo(url, withEnvDefaults(options));
export const extractPage = (url: string, options: ExtractOptions & PageChoice = {}): Promise<Extraction> => lookUpPage(url, withEnvDefaults(options));
export const extractSelection = (url: string, options: ExtractOptions & PageChoice = {}): Promise<Selection> => lookUpSelection(url, withEnvDefaults(options));
