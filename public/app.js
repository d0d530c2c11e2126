// The page: look a link up, show what it is, save it where the person says.
import { showChoices, showSize } from './choices.js';
import { describeHttpError, describeProgress, downloadPath, formatBytes, formatDuration, suggestedName } from './format.js';
import { hidePlaylist, isSavingPlaylist, showPlaylist } from './playlist.js';
import { saveTo } from './save.js';
import { clipName, isClip, readSpan } from './clip-span.js';

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('lookup'), url: $('url'), getInfo: $('get-info'), message: $('message'),
  info: $('info'), thumb: $('thumb'), title: $('title'), uploader: $('uploader'), duration: $('duration'), size: $('size'),
  quality: $('quality'), codec: $('codec'), save: $('save'), saveLink: $('save-link'),
  from: $('clip-from'), to: $('clip-to'), clipLength: $('clip-length'),
  progress: $('progress'), progressName: $('progress-name'), bar: $('bar'), progressText: $('progress-text'), cancel: $('cancel'),
};
const canPickFile = typeof window.showSaveFilePicker === 'function';
let current = null; // { info, url }
let running = null; // AbortController of the download in progress

function say(text, tone = '') {
  ui.message.textContent = text;
  ui.message.className = `message ${tone}`;
  ui.message.hidden = !text;
}

function showInfo(info, url) {
  current = { info, url };
  ui.title.textContent = info.title ?? info.filename;
  ui.uploader.textContent = info.uploader ?? '';
  ui.duration.textContent = formatDuration(info.duration);
  ui.thumb.hidden = !info.thumbnail;
  if (info.thumbnail) ui.thumb.src = info.thumbnail;
  showChoices(info);
  ui.from.value = '';
  ui.to.value = '';
  ui.info.hidden = false;
  updateChoice();
}

/** The From/To span of the current video: `{ start, end }` or `{ error }`. */
const span = () => readSpan(ui.from.value, ui.to.value, current.info.duration);
const choicePath = () => downloadPath(current.url, ui.quality.value, ui.codec.value, span().error ? {} : span());
const choiceName = () => clipName(suggestedName(current.info.filename, ui.quality.value), span().error ? {} : span());

/** The clip's length beside the size, or what is wrong with From/To. */
function showSpan() {
  if (!current) return;
  const { start = 0, end = current.info.duration, error } = span();
  ui.clipLength.classList.toggle('error', Boolean(error));
  ui.clipLength.textContent = error ?? (!isClip(span()) ? '' : end ? `clip of ${formatDuration(end - start)}` : `clip from ${formatDuration(start)} to the end`);
}

function updateChoice() {
  showSpan();
  updateSaveLink();
  showSize(current.info, choicePath());
}

function updateSaveLink() {
  if (!current || canPickFile) return;
  // No file picker (Firefox, Safari): the browser's own download manager takes over.
  ui.save.hidden = true;
  ui.saveLink.hidden = false;
  ui.saveLink.href = choicePath();
  ui.saveLink.download = choiceName();
}

async function lookUp(event) {
  event.preventDefault();
  const url = ui.url.value.trim();
  if (!url) return say('Paste the link of a video page first.', 'error');
  if (isSavingPlaylist()) return say('A playlist is being saved: wait for it to finish, or cancel it first.', 'error');
  ui.getInfo.disabled = true;
  say('Looking the video up…');
  try {
    const response = await fetch(`/info?url=${encodeURIComponent(url)}`);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      ui.info.hidden = true;
      hidePlaylist();
      return say(describeHttpError(response.status, body.error?.code), 'error');
    }
    say('');
    // A playlist, channel or feed lists its entries; anything else is one video.
    if (body.type === 'playlist') {
      ui.info.hidden = true;
      showPlaylist(body);
    } else {
      hidePlaylist();
      showInfo(body, url);
    }
  } catch {
    say('Could not reach the passmux server. Check your connection.', 'error');
  } finally {
    ui.getInfo.disabled = false;
  }
}

function showProgress(text, percent, state = '') {
  ui.progress.hidden = false;
  ui.progress.className = `card progress ${state}`;
  ui.progressText.textContent = text;
  if (percent === null) ui.bar.removeAttribute('value');
  else ui.bar.value = percent;
}

async function save() {
  if (!current || running) return;
  const quality = ui.quality.value;
  if (span().error) return say(span().error, 'error');
  // Read now: the choice may change while the file dialog is open.
  const path = choicePath();
  const name = choiceName();
  let handle;
  try {
    // Must run first, straight from the click: the picker needs the user gesture.
    handle = await window.showSaveFilePicker({
      suggestedName: name,
      types: [{ description: quality === 'audio' ? 'MP4 audio' : 'MP4 video', accept: { [quality === 'audio' ? 'audio/mp4' : 'video/mp4']: [quality === 'audio' ? '.m4a' : '.mp4'] } }],
    });
  } catch (error) {
    if (error?.name !== 'AbortError') say('Could not open the file for writing.', 'error');
    return;
  }
  running = new AbortController();
  ui.save.disabled = true;
  ui.cancel.hidden = false;
  ui.progressName.textContent = handle.name;
  showProgress('Preparing the video…', null);
  let started = 0;
  let lastPaint = 0;
  // A notice that progress must not paint over at once, and until when it holds.
  let notice = { text: '', until: 0 };
  try {
    const writable = await handle.createWritable();
    const bytes = await saveTo(writable, path, {
      signal: running.signal,
      onBusy: (left) => showProgress(`The server is busy — retrying in ${left} s`, null),
      onStart: () => { started = performance.now(); showProgress('Starting…', null); },
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - lastPaint < 100) return;
        lastPaint = now;
        const { percent, text } = describeProgress({ bytes: done, total, elapsedMs: now - started });
        showProgress(now < notice.until ? notice.text : text, percent);
      },
      onResume: (state) => {
        if (state === 'restarting') {
          started = performance.now();
          notice = { text: 'The video changed on the server — starting over.', until: started + 3000 };
          showProgress(notice.text, 0);
        } else {
          // Until bytes flow again; the bar stays where the file stopped.
          ui.progressText.textContent = 'Connection lost — resuming…';
        }
      },
    });
    showProgress(`Done — saved ${formatBytes(bytes)} to ${handle.name}`, 100, 'done');
  } catch (error) {
    showProgress(error.message ?? 'Download failed.', 0, error.kind === 'cancelled' ? '' : 'failed');
    // Leave no empty or partial file behind where the browser lets us remove it.
    await handle.remove?.().catch(() => {});
  } finally {
    running = null;
    ui.save.disabled = false;
    ui.cancel.hidden = true;
  }
}

ui.form.addEventListener('submit', lookUp);
ui.save.addEventListener('click', save);
ui.quality.addEventListener('change', updateChoice);
ui.codec.addEventListener('change', updateChoice);
// The length as one types; the size (a HEAD) once the field is left.
for (const field of [ui.from, ui.to]) {
  field.addEventListener('input', showSpan);
  field.addEventListener('change', updateChoice);
}
ui.cancel.addEventListener('click', () => running?.abort());
document.documentElement.dataset.ready = 'true';
