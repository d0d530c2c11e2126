// The video's choices and its size line: only the qualities and codecs the
// page offers (/info lists its heights and codecs), and the exact size once
// the server knows it.
import { codecChoices, describeSize, isRealLimit } from './format.js';
import { askSize } from './size-line.js';

const $ = (id) => document.getElementById(id);
const quality = $('quality');
const codec = $('codec');
const size = $('size');
// Every quality the page knows; a video shows those that pick something else than the best.
const QUALITIES = [...quality.options].map((option) => ({ value: option.value, label: option.text }));
let sizeAsked = 0; // the latest size question; older answers are dropped

/** Fills the quality and codec lists for `info`, each back on its default. */
export function showChoices(info) {
  const qualities = QUALITIES.filter(({ value }) => !/^\d+$/.test(value) || isRealLimit(Number(value), info.heights));
  quality.replaceChildren(...qualities.map(({ value, label }) => new Option(label, value)));
  const codecs = codecChoices(info.codecs);
  codec.replaceChildren(...codecs.map(({ value, label }) => new Option(label, value)));
  $('codec-choice').hidden = codecs.length === 0;
}

/** The size line for the download at `path`: yt-dlp's guess at once (for the default choice only: another has other formats), then the exact size. */
export async function showSize(info, path) {
  const asked = ++sizeAsked;
  const estimate = !quality.value && !codec.value ? info.estimatedSize : null;
  size.textContent = describeSize(null, estimate);
  delete size.dataset.exact;
  const answer = await askSize(path, estimate).catch(() => null);
  if (asked !== sizeAsked || !answer) return;
  size.textContent = answer.text;
  if (answer.exact) size.dataset.exact = 'true';
}
