// RSS feeds of the fixture site's watch pages: real yt-dlp's generic extractor
// lists a feed's items as a playlist (`_type: playlist`, each entry a
// `url_transparent` to the item's link; an item with a <guid> gets yt-dlp's
// smuggled `#__youtubedl_smuggle=…` fragment). Both yt-dlp versions do.

interface FeedItem {
  title: string;
  /** A watch page id on this site, or a whole URL. */
  link: string;
  guid?: string;
}

/** name → the feed's title and items. */
export const FEEDS: Record<string, { title: string; items: FeedItem[] }> = {
  // Two items lead to the same video: saved as "H264 clip.mp4" and "H264 clip (2).mp4".
  clips: {
    title: 'Fixture clips',
    items: [
      { title: 'First: the H264 clip', link: 'h264', guid: 'clip-h264' },
      { title: 'Second: the VP9 clip', link: 'vp9' },
      { title: 'Third: the H264 clip again', link: 'h264', guid: 'clip-h264-again' },
    ],
  },
  // An item passmux must not list (not http) and one whose download fails (not a video).
  mixed: {
    title: 'Mixed bag',
    items: [
      { title: 'Good H264', link: 'h264' },
      { title: 'Not on the web', link: 'ftp://example.invalid/clip' },
      { title: 'Broken file', link: 'garbage' },
      { title: 'Good single file', link: 'single' },
    ],
  },
  // Longer than a small PASSMUX_MAX_PLAYLIST_ENTRIES.
  many: {
    title: 'Many clips',
    items: Array.from({ length: 7 }, (_, i) => ({ title: `Clip ${i + 1}`, link: `h264?n=${i + 1}` })),
  },
};

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The RSS document for feed `name` (links on `base`), or null when there is no such feed. */
export function renderFeed(base: string, name: string): string | null {
  const feed = Object.hasOwn(FEEDS, name) ? FEEDS[name] : undefined;
  if (!feed) return null;
  const items = feed.items.map((item) => {
    const link = /^[a-z]+:/.test(item.link) ? item.link : `${base}/watch/${item.link}`;
    const id = item.link.replace(/\?.*$/, '');
    return `<item><title>${escapeXml(item.title)}</title><link>${escapeXml(link)}</link>
${item.guid ? `<guid isPermaLink="false">${escapeXml(item.guid)}</guid>` : ''}<itunes:duration>10</itunes:duration>
<itunes:image href="${escapeXml(`${base}/thumb/${id}.jpg`)}"/></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>${escapeXml(feed.title)}</title><link>${base}/</link><description>Clips of the fixture site</description>
${items.join('\n')}
</channel></rss>`;
}

/** The URL of feed `name` on a fixture site. */
export const feedUrl = (site: { origin: string }, name: keyof typeof FEEDS & string): string => `${site.origin}/feed/${name}.rss`;
