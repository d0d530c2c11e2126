// @ts-check
// Pure helpers for saving a playlist, shared by the page and the CLI: file
// names in a folder, and how far a run has got, in words.

/**
 * The `n`th name for a file: "clip.mp4", then "clip (2).mp4", "clip (3).mp4"…
 * @param {string} name
 * @param {number} n
 * @returns {string}
 */
export function numberedName(name, n) {
  if (n <= 1) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/**
 * The file name a download response suggests (RFC 6266: `filename*` in UTF-8,
 * else `filename`), or null when there is none or it is not a plain name.
 * @param {string | null} header the Content-Disposition value
 * @returns {string | null}
 */
export function filenameFromDisposition(header) {
  if (!header) return null;
  let name = null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended) {
    try { name = decodeURIComponent(extended[1].trim()); } catch { name = null; }
  }
  name ??= /filename\s*=\s*"([^"]*)"/i.exec(header)?.[1] ?? null;
  // A name only: a folder handle refuses anything with a path in it, and so do we.
  if (!name || name === '.' || name === '..' || /[/\\\u0000-\u001f]/.test(name)) return null;
  return name;
}

/**
 * The overall line of a playlist run: "3 of 12 saved", with failures, and how it ended.
 * @param {{ saved: number, failed: number, total: number, state: 'running' | 'done' | 'cancelled' }} tally
 * @returns {string}
 */
export function describeTally({ saved, failed, total, state }) {
  const counts = `${saved} of ${total} saved${failed > 0 ? `, ${failed} failed` : ''}`;
  if (state === 'cancelled') return `Cancelled — ${counts}`;
  if (state === 'done') return `${failed > 0 ? 'Finished' : 'Done'} — ${counts}`;
  return counts;
}
