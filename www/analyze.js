// The standalone HAR page (www/analyze.html): works offline, from the
// extension or as a static page on any web server (relative paths only).
// A dropped or opened HAR is read and judged in a worker (analyze-worker.js)
// with a progress bar; the findings are shown by the same wasm
// `FindingsView` as the DevTools panel (table, detail pane, filter), and
// exported with the same core exports. No CORS logic here.
import init, { localizePage, t, tf, FindingsView, exportJson, exportMarkdown, analyzeText } from './pkg/cors_lens.js';
import { download } from './save.js';

const LANG_KEY = 'cors-lens-analyze-lang';
const STACK_KEY = 'cors-lens-analyze-stack';
let lang = 'en';
let view = null;
let current = null; // { file, records }
const io = document.getElementById('io-status');
const progress = document.getElementById('progress');
const drop = document.getElementById('drop');

function say(kind, text) {
  io.hidden = !text;
  io.dataset.kind = kind;
  io.textContent = text ?? '';
}

function stored(key, fallback) {
  try {
    return localStorage.getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // a page without storage keeps the choice for this visit only
  }
}

function meta() {
  return {
    extension: { name: t(lang, 'extName'), version: '' },
    browser: '',
    exportedAt: new Date().toISOString(),
    page: { url: '', origin: current?.records.find((r) => r.pageOrigin)?.pageOrigin ?? '' },
  };
}

function exportRecords(records, format) {
  try {
    const m = meta();
    const stamp = m.exportedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const base = `cors-lens-har-${stamp}`;
    if (format === 'json') download(exportJson(records, m, lang), `${base}.json`, 'application/json');
    else download(exportMarkdown(records, m, lang), `${base}.md`, 'text/markdown');
  } catch (err) {
    say('export-error', tf(lang, 'ui_export_failed', { detail: err?.message ?? String(err) }));
  }
}

async function copy(text, what) {
  const done = what === 'curl' ? 'ui_curl_copied' : 'ui_snippet_copied';
  try {
    await navigator.clipboard.writeText(text);
    say('copied', t(lang, done));
  } catch {
    say('copy-fallback', t(lang, 'ui_copy_fallback'));
  }
}

/** What the view asks of the page. */
const host = {
  exportRecord: (record, format) => exportRecords([record], format),
  copy,
  stack: (id) => store(STACK_KEY, id),
  error: (err) => say('error', tf(lang, 'ui_error', { message: err?.message ?? String(err) })),
};

let worker = null;

function analyze(file) {
  worker?.terminate();
  worker = new Worker(new URL('analyze-worker.js', import.meta.url), { type: 'module' });
  progress.hidden = false;
  progress.removeAttribute('value');
  say('reading', tf(lang, 'ui_analyze_reading', { file: file.name, percent: '0' }));
  worker.onmessage = ({ data }) => {
    if (data.type === 'progress') {
      const percent = data.size ? Math.floor((100 * data.got) / data.size) : 100;
      progress.value = percent;
      say('reading', tf(lang, 'ui_analyze_reading', { file: file.name, percent: String(percent) }));
    } else if (data.type === 'judging') {
      progress.removeAttribute('value');
      say('judging', tf(lang, 'ui_analyze_judging', { file: file.name }));
    } else {
      progress.hidden = true;
      worker.terminate();
      worker = null;
      if (data.type === 'done') {
        current = { file: file.name, records: data.result.records, summary: data.result.message };
        view.setRecords(current.records, true);
        say('done', tf(lang, 'ui_analyze_done', { file: file.name, summary: current.summary ?? '' }));
        document.getElementById('export-json').disabled = false;
        document.getElementById('export-md').disabled = false;
      } else {
        say('error', tf(lang, 'ui_analyze_failed', { file: file.name, message: data.message }));
      }
    }
  };
  worker.onerror = (e) => {
    progress.hidden = true;
    say('error', tf(lang, 'ui_analyze_failed', { file: file.name, message: e.message || 'worker' }));
  };
  worker.postMessage({ file, lang });
}

async function main() {
  await init();
  const select = document.getElementById('lang');
  const pick = (navigator.language || 'en').toLowerCase().startsWith('fr') ? 'fr' : 'en';
  select.value = stored(LANG_KEY, pick);
  lang = localizePage(select.value);
  document.title = t(lang, 'ui_analyze_title');
  view = new FindingsView(document.getElementById('findings'), host, lang, stored(STACK_KEY, ''));
  view.setRecords([], true);
  select.addEventListener('change', () => {
    store(LANG_KEY, select.value);
    lang = localizePage(select.value);
    document.title = t(lang, 'ui_analyze_title');
    view.setLang(lang);
    if (current?.file) say('done', tf(lang, 'ui_analyze_done', { file: current.file, summary: current.summary ?? '' }));
  });
  const filter = document.getElementById('filter');
  const kind = document.getElementById('filter-kind');
  const apply = () => view.setFilter(filter.value, kind.value);
  filter.addEventListener('input', apply);
  kind.addEventListener('change', apply);
  document.getElementById('export-json').onclick = () => exportRecords(view.shownRecords(), 'json');
  document.getElementById('export-md').onclick = () => exportRecords(view.shownRecords(), 'md');
  const input = document.getElementById('file');
  document.getElementById('open').onclick = () => input.click();
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) analyze(file);
  });
  document.getElementById('paste-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = document.getElementById('paste').value;
    try {
      const result = analyzeText(text, lang);
      current = { file: '', records: result.records, summary: result.message };
      view.setRecords(current.records, true);
      say('pasted', result.message ?? '');
      document.getElementById('export-json').disabled = !result.records.length;
      document.getElementById('export-md').disabled = !result.records.length;
    } catch (err) {
      say('error', String(err?.message ?? err));
    }
  });
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.dataset.over = 'yes';
  });
  document.addEventListener('dragleave', () => {
    drop.dataset.over = 'no';
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.dataset.over = 'no';
    const file = e.dataTransfer?.files?.[0];
    if (file) analyze(file);
  });
}

main().catch((err) => say('error', String(err?.message ?? err)));
