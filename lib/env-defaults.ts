// The library's documented defaults that come from the environment, read by
// its public entry points only (createMuxStream, measureSelection, extractInfo,
// extractPage, extractSelection), once per call; the server never reads them.
import { parseAllowedPorts, type EgressPolicy, type PolicyOptions } from './egress/guard.js';

export interface EnvDefaultable extends PolicyOptions {
  /** ffmpeg executable. @default process.env.PASSMUX_FFMPEG || 'ffmpeg' */
  ffmpeg?: string;
  /** yt-dlp executable. @default process.env.PASSMUX_YTDLP || 'yt-dlp' */
  ytdlp?: string;
}

/**
 * `options` with what it leaves open taken from the environment:
 * PASSMUX_ALLOW_PRIVATE_NETWORKS=1, PASSMUX_ALLOWED_PORTS ("80,443" or "*"),
 * PASSMUX_FFMPEG, PASSMUX_YTDLP. Explicit options always win.
 */
export function withEnvDefaults<T extends EnvDefaultable>(options: T, env: NodeJS.ProcessEnv = process.env): T & { policy: Partial<EgressPolicy>; ffmpeg: string; ytdlp: string } {
  const given = options.policy ?? {};
  const policy: Partial<EgressPolicy> = {
    allowPrivateNetworks: given.allowPrivateNetworks ?? options.allowPrivateNetworks ?? env.PASSMUX_ALLOW_PRIVATE_NETWORKS === '1',
    ...given,
  };
  const ports = env.PASSMUX_ALLOWED_PORTS?.trim();
  if (ports && !('allowedPorts' in given)) policy.allowedPorts = parseAllowedPorts(ports);
  return { ...options, policy, ffmpeg: options.ffmpeg || env.PASSMUX_FFMPEG || 'ffmpeg', ytdlp: options.ytdlp || env.PASSMUX_YTDLP || 'yt-dlp' };
}
