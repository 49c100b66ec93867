// @ts-check
// The panel's glue: picks the inspected tab, the language and the theme,
// subscribes to the worker, and wires browser APIs (the port, storage,
// downloads, the clipboard) to the findings view. The view (wasm,
// `FindingsView`) owns the whole findings DOM — table, detail pane, their
// buttons and events — and calls back through `host` for what needs a
// browser API.

import init, {
  localizePage, t, tf, FindingsView,
  exportJson, exportMarkdown, importFile as importRecords, maxImportBytes, tooLargeMessage,
} from '../www/pkg/cors_lens.js';
import { api, browserId } from './compat.js';
import { download } from '../www/save.js';
import { Msg, PANEL_PORT, PRESERVE_LOG, message } from './messages.js';
import { applyUpdate } from './store.js';
import { startWatchBar } from './watch-ui.js';

const params = new URLSearchParams(location.search);
/** The tab whose findings to show: the inspected tab in DevTools, `?tabId=` as a page. */
const tabId = params.has('tabId') ? Number(params.get('tabId')) : api.devtools?.inspectedWindow?.tabId;

let lang = 'en';
/** The server stack whose fixes to show; "" is the default (Nginx and Apache). */
let stack = '';
/** @type {import('./messages.js').StoredRecord[]} */
let findings = [];
/** @type {FindingsView | null} */
let view = null;
const select = /** @type {HTMLSelectElement} */ (document.getElementById('lang'));
const status = document.getElementById('status');

function showStatus(key, text) {
  status.hidden = !text;
  status.dataset.kind = key;
  status.textContent = text ?? '';
}

/**
 * The DevTools theme, not the operating system's: `themeName` is `default`
 * or `dark` in Chromium, `light` or `dark` in Firefox, which also says when
 * it changes. Opened as a page (tests, screenshots), `?theme=` decides, and
 * without it the stylesheet follows the OS.
 */
function applyTheme(name) {
  const theme = name === 'dark' ? 'dark' : name ? 'light' : '';
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function setUpTheme() {
  const panels = api.devtools?.panels;
  applyTheme(params.get('theme') ?? panels?.themeName);
  // Firefox only: not in Chromium's API (nor its types).
  /** @type {any} */ (panels)?.onThemeChanged?.addListener(applyTheme);
}

/**
 * Language: `auto` follows the browser's UI language; a saved choice
 * overrides it. Stack: remembered across sessions in storage.local.
 */
async function loadChoices() {
  const saved = /** @type {{lang?: string, stack?: string}} */ (await api.storage.local.get(['lang', 'stack']));
  select.value = saved.lang ?? 'auto';
  lang = localizePage(select.value === 'auto' ? api.i18n.getUILanguage() : select.value);
  stack = saved.stack ?? '';
}

/**
 * The worker's own problems, as last reported.
 * @type {import('./messages.js').Problem[]}
 */
let problems = [];
/** How many older findings of this tab the worker dropped (its caps). */
let dropped = 0;
/**
 * Live updates render the latest list, never a backlog, with a gap after
 * each render of three times what it cost: the view draws only the visible
 * rows, so a render is short and a new failure shows at once, but a flood
 * of updates must not keep the panel (and a CPU) busy all the time.
 */
const RENDER_GAP = 3;
/** The pending live render, if any: updates arriving meanwhile are folded into it. */
let renderTimer = null;
/** When the next live render may start (performance.now() time). */
let nextRenderAt = 0;
/**
 * The worker's latest message, not shown yet.
 * @type {import('./messages.js').FindingsMessage | null}
 */
let latest = null;

function scheduleRender() {
  if (renderTimer) return;
  renderTimer = setTimeout(() => {
    renderTimer = null;
    if (latest) {
      findings = latest.findings;
      problems = latest.problems ?? [];
      dropped = latest.dropped ?? 0;
      latest = null;
    }
    const start = performance.now();
    render();
    const end = performance.now();
    nextRenderAt = end + RENDER_GAP * (end - start);
  }, Math.max(0, nextRenderAt - performance.now()));
}

/** The notice of dropped findings, hidden when none were. */
function showDropped() {
  const el = document.getElementById('dropped');
  el.hidden = !dropped;
  el.textContent = dropped ? tf(lang, 'ui_dropped', { count: dropped.toLocaleString(lang) }) : '';
}

/** The source the view showed last (an imported file's records, or null: live). */
let shownSource;

function render() {
  // From another source, rows with the same key are not the same rows (an
  // import is redacted): the view reads every record again.
  view.setRecords(sourceRecords(), shownSource !== imported);
  shownSource = imported;
  showImportBanner();
  showDropped();
  const lines = problems.map((p) => `${new Date(p.time).toLocaleTimeString(lang)} ${tf(lang, p.key, { detail: p.detail })}`);
  showStatus('problems', lines.join('\n'));
}

// --- The filter: words and a kind, as in the Network panel's filter bar. ---

const filterInput = /** @type {HTMLInputElement} */ (document.getElementById('filter'));
const kindSelect = /** @type {HTMLSelectElement} */ (document.getElementById('filter-kind'));
const scopeSelect = /** @type {HTMLSelectElement} */ (document.getElementById('export-scope'));

function setUpFilter() {
  // The view filters in wasm, on the rows it already read: each keystroke
  // redraws at once.
  const apply = () => view.setFilter(filterInput.value, kindSelect.value);
  filterInput.addEventListener('input', apply);
  kindSelect.addEventListener('change', apply);
}

// --- Export, copy, import (issue 4). Secrets are redacted by the core. ---

/**
 * The imported file being reviewed, or null: live findings.
 * @type {{file: string, records: import('./messages.js').StoredRecord[]} | null}
 */
let imported = null;
const ioStatus = document.getElementById('io-status');

/** The records the panel works from: the tab's live findings, or an imported file's. */
function sourceRecords() {
  return imported ? imported.records : findings;
}

/** What the export buttons export: the shown (filtered) records, or all of them. */
function exportScope() {
  return scopeSelect.value === 'all' ? sourceRecords() : view.shownRecords();
}

function showIo(kind, text) {
  ioStatus.hidden = !text;
  ioStatus.dataset.kind = kind;
  ioStatus.textContent = text ?? '';
}

function showImportBanner() {
  const banner = document.getElementById('import-banner');
  banner.hidden = !imported;
  document.getElementById('import-text').textContent = imported ? tf(lang, 'ui_import_banner', { file: imported.file }) : '';
  /** @type {HTMLButtonElement} */ (document.getElementById('clear')).disabled = !!imported;
}

/** Brand and major version only, never the whole user agent. */
function browserName() {
  // User-Agent Client Hints: Chromium only, not yet in TypeScript's DOM types.
  /** @type {{brands?: {brand: string, version: string}[]} | undefined} */
  const uaData = /** @type {any} */ (navigator).userAgentData;
  const brands = uaData?.brands?.filter((b) => !/not.?a.?brand/i.test(b.brand)) ?? [];
  const brand = brands.find((b) => b.brand !== 'Chromium') ?? brands[0];
  if (brand) return `${brand.brand} ${brand.version}`;
  const m = navigator.userAgent.match(/(Firefox|Edg|OPR|Chrome|Chromium|Safari)\/(\d+)/);
  return m ? `${m[1]} ${m[2]}` : '';
}

/** The inspected page's URL: from the tab (host permissions), else from DevTools. */
async function pageUrl() {
  if (imported) return imported.records.find((r) => r.pageUrl)?.pageUrl ?? '';
  try {
    const tab = await api.tabs.get(tabId);
    if (tab?.url) return tab.url;
  } catch {
    // not available in this context: ask DevTools below
  }
  const inspected = api.devtools?.inspectedWindow;
  if (inspected) {
    return new Promise((resolve) => inspected.eval('location.href', (url, _exception) => resolve(typeof url === 'string' ? url : '')));
  }
  return '';
}

async function exportMeta() {
  const url = await pageUrl();
  let origin = '';
  try {
    origin = new URL(url).origin;
  } catch {
    origin = sourceRecords().find((r) => r.pageOrigin)?.pageOrigin ?? '';
  }
  const manifest = api.runtime.getManifest();
  return {
    extension: { name: t(lang, 'extName'), version: manifest.version },
    browser: browserName(),
    exportedAt: new Date().toISOString(),
    page: { url, origin },
  };
}

/** `cors-lens-<page host>-<UTC timestamp>.<ext>` */
function fileName(meta, ext) {
  let host = 'page';
  try {
    host = new URL(meta.page.url).hostname || host;
  } catch {
    // keep "page"
  }
  host = host.replace(/[^a-zA-Z0-9.-]/g, '-');
  const stamp = meta.exportedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `cors-lens-${host}-${stamp}.${ext}`;
}

async function exportRecords(records, format) {
  try {
    const meta = await exportMeta();
    if (format === 'json') download(exportJson(records, meta, lang), fileName(meta, 'json'), 'application/json');
    else download(exportMarkdown(records, meta, lang), fileName(meta, 'md'), 'text/markdown');
  } catch (err) {
    showIo('export-error', tf(lang, 'ui_export_failed', { detail: err?.message ?? String(err) }));
  }
}

/**
 * Puts text on the clipboard. A DevTools panel may be refused the async
 * Clipboard API (no focus, no permission): then the older copy command,
 * then a message saying to copy the text shown.
 */
async function copyText(text, what) {
  const done = what === 'curl' ? ['curl-copied', 'ui_curl_copied'] : ['snippet-copied', 'ui_snippet_copied'];
  try {
    await navigator.clipboard.writeText(text);
    showIo(done[0], t(lang, done[1]));
    return;
  } catch {
    // try the copy command below
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (copied) showIo(done[0], t(lang, done[1]));
  else showIo('copy-fallback', t(lang, 'ui_copy_fallback'));
}

async function importFile(file) {
  const fail = (message) => showIo('import-error', tf(lang, 'ui_import_failed', { file: file.name, message }));
  // An export is small; a HAR may be tens of MB (the core reads it entry by entry).
  const har = file.name.toLowerCase().endsWith('.har');
  if (!har && file.size > maxImportBytes()) return fail(tooLargeMessage(file.size, lang));
  let result;
  try {
    result = importRecords(new Uint8Array(await file.arrayBuffer()), file.name, lang);
  } catch (err) {
    return fail(err?.message ?? String(err));
  }
  imported = { file: file.name, records: result.records };
  // What was left out or cut, or what a HAR held, said plainly.
  showIo('imported', result.message ?? '');
  render();
}

function setUpExports() {
  document.getElementById('export-json').onclick = () => exportRecords(exportScope(), 'json');
  document.getElementById('export-md').onclick = () => exportRecords(exportScope(), 'md');
  const input = /** @type {HTMLInputElement} */ (document.getElementById('import-file'));
  document.getElementById('import').onclick = () => input.click();
  // The standalone HAR page, in a tab of its own.
  const analyzeLink = /** @type {HTMLAnchorElement} */ (document.getElementById('analyze-link'));
  analyzeLink.href = api.runtime.getURL('/www/analyze.html');
  analyzeLink.onclick = (e) => {
    if (!api.tabs?.create) return;
    e.preventDefault();
    api.tabs.create({ url: analyzeLink.href });
  };
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) await importFile(file);
  });
  document.getElementById('import-back').onclick = () => {
    imported = null;
    showIo('live', '');
    render();
  };
}

function connect() {
  const port = api.runtime.connect({ name: PANEL_PORT });
  port.onMessage.addListener((msg) => {
    if (msg?.type === Msg.FINDINGS && msg.tabId === tabId) {
      // The whole list, or an update applied as the worker applies it to
      // its own (a new list: the view holds the old one).
      const base = latest?.findings ?? findings;
      const list = Array.isArray(msg.findings)
        ? msg.findings
        : applyUpdate(base, { changed: Array.isArray(msg.changed) ? msg.changed : [], removed: Array.isArray(msg.removed) ? msg.removed : [] });
      latest = { ...msg, findings: list };
      scheduleRender();
    }
  });
  // The worker stops when idle or restarts: reconnect, and say so if the
  // extension itself went away (reloaded or removed).
  port.onDisconnect.addListener(() => {
    if (api.runtime?.id) setTimeout(connect, 200);
    else showStatus('disconnected', t(lang, 'ui_disconnected'));
  });
  port.postMessage(message(Msg.SUBSCRIBE, { tabId }));
  document.getElementById('clear').onclick = () => port.postMessage(message(Msg.CLEAR, { tabId }));
}

/** What the view asks of the browser. */
const host = {
  exportRecord: (record, format) => exportRecords([record], format),
  copy: (text, what) => copyText(text, what),
  stack: (id) => {
    stack = id;
    return api.storage.local.set({ stack: id });
  },
  error: (err) => showStatus('error', tf(lang, 'ui_error', { message: err?.message ?? String(err) })),
};

/** Draws the watch bar again (its language follows the panel's). */
let watchBar = null;

async function main() {
  setUpTheme();
  await init();
  await loadChoices();
  view = new FindingsView(document.getElementById('findings'), host, lang, stack);
  view.setBrowser(browserId);
  select.addEventListener('change', async () => {
    await api.storage.local.set({ lang: select.value });
    await loadChoices();
    view.setLang(lang);
    watchBar?.();
    render();
  });
  const preserve = /** @type {HTMLInputElement} */ (document.getElementById('preserve'));
  preserve.checked = (await api.storage.local.get(PRESERVE_LOG))[PRESERVE_LOG] === true;
  preserve.addEventListener('change', () => api.storage.local.set({ [PRESERVE_LOG]: preserve.checked }));
  setUpExports();
  setUpFilter();
  if (!Number.isInteger(tabId)) {
    view.setRecords([], true);
    showStatus('no-tab', t(lang, 'ui_no_tab'));
    return;
  }
  render();
  connect();
  watchBar = startWatchBar(tabId, () => lang);
}

main().catch((err) => {
  // Shown to the user: the panel has no other way to say it is broken. wasm
  // may be what failed, so the message comes from the browser's own i18n
  // (one placeholder, filled by a function so that `$&` in it stays as is).
  const text = api.i18n.getMessage('ui_error').replace('{message}', () => err?.message ?? String(err));
  showStatus('error', text);
  console.error(err);
});
