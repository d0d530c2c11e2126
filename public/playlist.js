// A playlist on the page: its entries (thumbnail, title, duration, a checkbox
// each, all ticked), one quality for all, and Save all into a folder the
// person picks, with a line per entry and an overall count. Without a folder
// picker (Firefox, Safari) each entry gets a plain download link instead.
import { describeProgress, downloadPath, formatBytes, formatDuration } from './format.js';
import { describeTally } from './playlist-format.js';
import { saveAllTo } from './save-folder.js';

const $ = (id) => document.getElementById(id);
const ui = {
  section: $('playlist'), title: $('playlist-title'), uploader: $('playlist-uploader'), count: $('playlist-count'),
  entries: $('entries'), all: $('select-all'), quality: $('playlist-quality'), codec: $('playlist-codec'), saveAll: $('save-all'),
  cancel: $('cancel-all'), status: $('playlist-status'),
};
const canPickFolder = typeof window.showDirectoryPicker === 'function';
let rows = []; // { entry, li, check, bar, status, link, painted }
let running = null; // AbortController of the Save all in progress

/** An element with a class and text (text from the server only ever goes in as textContent). */
function el(tag, className = '', text = '') {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function renderRow(entry) {
  const li = el('li', 'entry');
  li.dataset.index = String(entry.index);
  const check = el('input', 'entry-check');
  check.type = 'checkbox';
  check.checked = true;
  check.setAttribute('aria-label', `Save ${entry.title ?? entry.url}`);
  const thumb = el('img', 'entry-thumb');
  thumb.alt = '';
  thumb.referrerPolicy = 'no-referrer';
  thumb.loading = 'lazy';
  if (entry.thumbnail) thumb.src = entry.thumbnail;
  const body = el('div', 'entry-body');
  const head = el('div', 'entry-head');
  head.append(el('span', 'entry-title', entry.title ?? entry.url), el('span', 'entry-duration', formatDuration(entry.duration)));
  const bar = el('progress', 'entry-bar');
  bar.max = 100;
  bar.hidden = true;
  const status = el('p', 'entry-status');
  const link = el('a', 'entry-link', 'Save');
  link.hidden = canPickFolder;
  link.download = '';
  body.append(head, bar, status);
  li.append(check, thumb, body, link);
  return { entry, li, check, bar, status, link, painted: 0 };
}

function updateLinks() {
  // No folder picker: the browser's download manager takes each file, named by the server.
  for (const row of rows) row.link.href = downloadPath(row.entry.url, ui.quality.value, ui.codec.value);
}

function setStatus(text, tone = '') {
  ui.status.textContent = text;
  ui.status.className = `tally ${tone}`;
}

/** Whether a Save all is running (the page then keeps this list until it ends or is cancelled). */
export const isSavingPlaylist = () => running !== null;

export function hidePlaylist() {
  ui.section.hidden = true;
}

export function showPlaylist(playlist) {
  rows = playlist.entries.map(renderRow);
  ui.entries.replaceChildren(...rows.map((row) => row.li));
  ui.title.textContent = playlist.title ?? 'Playlist';
  ui.uploader.textContent = playlist.uploader ?? '';
  const n = playlist.entries.length;
  ui.count.textContent = `${n} ${n === 1 ? 'entry' : 'entries'}${playlist.truncated ? ' (the list is longer; only these are shown)' : ''}`;
  ui.all.checked = true;
  ui.saveAll.hidden = !canPickFolder;
  // Links save one file each: nothing to tick.
  ui.section.classList.toggle('links', !canPickFolder);
  ui.saveAll.disabled = n === 0;
  setStatus(canPickFolder ? '' : 'Your browser saves each file with its own link.');
  ui.section.hidden = false;
  updateLinks();
}

/** One entry's line: what it is doing, or how it ended. */
function paintEntry(row, update) {
  const { state } = update;
  row.li.dataset.state = state;
  row.bar.hidden = !['saving', 'resuming', 'restarting'].includes(state);
  // Progress would paint over this at once: hold it a few seconds.
  if (state === 'restarting') row.painted = performance.now() + 3000;
  if (state === 'saving') {
    const now = performance.now();
    if (update.bytes > 0 && now - row.painted < 100) return;
    row.painted = now;
    const { percent, text } = describeProgress({ bytes: update.bytes, total: update.total, elapsedMs: update.elapsedMs });
    if (percent === null) row.bar.removeAttribute('value');
    else row.bar.value = percent;
    row.status.textContent = update.bytes > 0 ? `${update.name} · ${text}` : `${update.name} · starting…`;
    return;
  }
  row.status.textContent = {
    waiting: 'Waiting…',
    starting: 'Preparing…',
    busy: `The server is busy — retrying in ${update.left} s`,
    resuming: `${update.name} · Connection lost — resuming…`,
    restarting: `${update.name} · The video changed on the server — starting over.`,
    done: `Saved as ${update.name} — ${formatBytes(update.bytes ?? 0)}`,
    failed: update.message,
    cancelled: 'Cancelled — nothing was kept.',
    skipped: 'Not saved.',
  }[state] ?? '';
}

function setBusy(busy) {
  ui.saveAll.disabled = busy;
  ui.cancel.hidden = !busy;
  ui.quality.disabled = busy;
  ui.codec.disabled = busy;
  ui.all.disabled = busy;
  for (const row of rows) row.check.disabled = busy;
}

async function saveAll() {
  if (running) return;
  const picked = rows.filter((row) => row.check.checked);
  if (picked.length === 0) return setStatus('Tick at least one entry to save.', 'failed');
  let dir;
  try {
    // Must run first, straight from the click: the picker needs the user gesture.
    dir = await window.showDirectoryPicker({ id: 'passmux', mode: 'readwrite' });
  } catch (error) {
    if (error?.name !== 'AbortError') setStatus('Could not open that folder for writing.', 'failed');
    return;
  }
  const run = new AbortController();
  running = run;
  setBusy(true);
  for (const row of rows) { row.status.textContent = ''; row.bar.hidden = true; delete row.li.dataset.state; }
  for (const row of picked) paintEntry(row, { state: 'waiting' });
  const byIndex = new Map(picked.map((row) => [row.entry.index, row]));
  const counts = { saved: 0, failed: 0, total: picked.length };
  setStatus(describeTally({ ...counts, state: 'running' }));
  try {
    await saveAllTo(dir, picked.map((row) => row.entry), {
      quality: ui.quality.value, codec: ui.codec.value, signal: run.signal,
      onEntry: (entry, update) => {
        paintEntry(byIndex.get(entry.index), update);
        if (update.state === 'done') counts.saved += 1;
        if (update.state === 'failed') counts.failed += 1;
        setStatus(describeTally({ ...counts, state: 'running' }));
      },
    });
  } finally {
    const cancelled = run.signal.aborted;
    for (const row of picked) if (row.li.dataset.state === 'waiting') paintEntry(row, { state: 'skipped' });
    setStatus(describeTally({ ...counts, state: cancelled ? 'cancelled' : 'done' }), cancelled ? '' : counts.failed > 0 ? 'failed' : 'done');
    running = null;
    setBusy(false);
  }
}

ui.saveAll.addEventListener('click', saveAll);
ui.cancel.addEventListener('click', () => running?.abort());
ui.quality.addEventListener('change', updateLinks);
ui.codec.addEventListener('change', updateLinks);
ui.all.addEventListener('change', () => { for (const row of rows) row.check.checked = ui.all.checked; });
