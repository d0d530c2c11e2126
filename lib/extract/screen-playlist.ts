// A listed entry must lead somewhere passmux may fetch: the guard's address and
// port check, as for any page URL. The check depends only on scheme, host and
// port, so a list of 500 entries on one host costs one lookup, not 500.
import { isFetchable, type EgressPolicy } from '../egress/guard.js';
import type { PlaylistInfo } from '../types.js';

/** isFetchable, asked once per origin. Syntax (length, characters) is checked per URL before this. */
export function fetchableByOrigin(policy: EgressPolicy): (url: string) => Promise<boolean> {
  const answers = new Map<string, Promise<boolean>>();
  return (url) => {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      return Promise.resolve(false);
    }
    let answer = answers.get(origin);
    if (!answer) {
      answer = isFetchable(`${origin}/`, policy);
      answers.set(origin, answer);
    }
    return answer;
  };
}

/** The playlist without the entries whose page the guard refuses (their `index` still says where they were). */
export async function screenEntries(playlist: PlaylistInfo, policy: EgressPolicy): Promise<PlaylistInfo> {
  const fetchable = fetchableByOrigin(policy);
  const verdicts = await Promise.all(playlist.entries.map((entry) => fetchable(entry.url)));
  return { ...playlist, entries: playlist.entries.filter((_, i) => verdicts[i]) };
}

/** Entry thumbnails only where they pass the same check (the visitor's browser loads them). */
export async function screenThumbnails(playlist: PlaylistInfo, policy: EgressPolicy): Promise<PlaylistInfo> {
  const fetchable = fetchableByOrigin(policy);
  const entries = await Promise.all(playlist.entries.map(async (entry) => ({
    ...entry, thumbnail: entry.thumbnail !== null && await fetchable(entry.thumbnail) ? entry.thumbnail : null,
  })));
  return { ...playlist, entries };
}
