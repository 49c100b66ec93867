// The panel's glue: picks the inspected tab and the language, subscribes to
// the worker, and hands each list of findings to the wasm renderer.

import init, {
  localizePage, renderFindings, stackChoices, t, tf,
  exportJson, exportMarkdown, curlFor, importJson, findingOrder, maxImportBytes, tooLargeMessage,
  filterRecords,
} from '../www/pkg/cors_lens.js';
import { api } from './compat.js';
import { Msg, PANEL_PORT, PRESERVE_LOG, message } from './messages.js';
import { startWatchBar } from './watch-ui.js';

const params = new URLSearchParams(location.search);
/** The tab whose findings to show: the inspected tab in DevTools, `?tabId=` as a page. */
const tabId = params.has('tabId') ? Number(params.get('tabId')) : api.devtools?.inspectedWindow?.tabId;

let lang = 'en';
/** The server stack whose fixes to show; "" is the default (Nginx and Apache). */
let stack = '';
let findings = [];
const select = document.getElementById('lang');
const stackSelect = document.getElementById('stack');
const status = document.getElementById('status');

function showStatus(key, text) {
  status.hidden = !text;
  status.dataset.kind = key;
  status.textContent = text ?? '';
}

/**
 * Language: `auto` follows the browser's UI language; a saved choice
 * overrides it. Stack: remembered across sessions in storage.local.
 */
async function loadChoices() {
  const saved = await api.storage.local.get(['lang', 'stack']);
  select.value = saved.lang ?? 'auto';
  lang = localizePage(select.value === 'auto' ? api.i18n.getUILanguage() : select.value);
  stack = saved.stack ?? '';
  stackSelect.replaceChildren(...stackChoices(lang).map(({ id, label }) => new Option(label, id)));
  stackSelect.value = stack;
}

/** The worker's own problems, as last reported. */
let problems = [];
/** How many older findings of this tab the worker dropped (its caps). */
let dropped = 0;
/**
 * Live updates render the latest list, never a backlog, with a gap after
 * each render of at least RENDER_GAP_MS and at least three times what the render
 * cost. Style and layout are most of that cost: 500 findings are about
 * 60 000 elements, about 1 s of layout on a small machine, so a flood of
 * updates would otherwise keep the panel (and a CPU) busy all the time.
 */
const RENDER_GAP_MS = 250;
/** The pending live render, if any: updates arriving meanwhile are folded into it. */
let renderTimer = null;
/** When the next live render may start (performance.now() time). */
let nextRenderAt = 0;
/**
 * The worker's latest message, not shown yet. It replaces what is shown only
 * when rendered, so the per-finding buttons always match the list on screen.
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
    // Lay out now, to count it in (it would run before the next paint anyway);
    // a hidden panel lays out only once shown.
    if (document.visibilityState === 'visible') void document.body.offsetHeight;
    const end = performance.now();
    nextRenderAt = end + Math.max(RENDER_GAP_MS, 3 * (end - start));
  }, Math.max(0, nextRenderAt - performance.now()));
}

/** The notice of dropped findings, hidden when none were. */
function showDropped() {
  const el = document.getElementById('dropped');
  el.hidden = !dropped;
  el.textContent = dropped ? tf(lang, 'ui_dropped', { count: dropped.toLocaleString(lang) }) : '';
}

function render() {
  const all = sourceRecords();
  // The core decides what the filter keeps: the list and the export of
  // "shown findings" are the same records.
  // Unfiltered, nothing to ask. filterRecords gives a Uint32Array: Array.from,
  // not .map (which would stay a typed array).
  visible = filtering() ? Array.from(filterRecords(all, filter.query, filter.kind, lang), (i) => all[i]) : all;
  renderFindings(visible, lang, stack);
  addFindingActions(visible);
  showFilterState(all.length);
  showImportBanner();
  showDropped();
  const lines = problems.map((p) => `${new Date(p.time).toLocaleTimeString(lang)} ${tf(lang, p.key, { detail: p.detail })}`);
  showStatus('problems', lines.join('\n'));
}

// --- The filter: words and a kind, as in the Network panel's filter bar. ---

const filter = { query: '', kind: 'all' };
/** The records on screen, in stored order: the source filtered. */
let visible = [];
const filterInput = document.getElementById('filter');
const kindSelect = document.getElementById('filter-kind');
const scopeSelect = document.getElementById('export-scope');

function filtering() {
  return filter.query.trim() !== '' || filter.kind !== 'all';
}

/** "3 of 12 shown", the nothing-matches line, and the export scope's counts. */
function showFilterState(total) {
  const count = document.getElementById('filter-count');
  count.hidden = !filtering();
  count.textContent = filtering()
    ? tf(lang, 'ui_filter_count', { shown: visible.length.toLocaleString(lang), total: total.toLocaleString(lang) })
    : '';
  const nothing = total > 0 && visible.length === 0;
  document.getElementById('filter-nothing').hidden = !nothing;
  if (nothing) document.getElementById('empty').hidden = true;
  const [shownOption, allOption] = scopeSelect.options;
  shownOption.textContent = tf(lang, 'ui_export_scope_shown', { count: visible.length.toLocaleString(lang) });
  allOption.textContent = tf(lang, 'ui_export_scope_all', { count: total.toLocaleString(lang) });
}

function setUpFilter() {
  // Through the render schedule: keystrokes on a long list fold into one render.
  filterInput.addEventListener('input', () => {
    filter.query = filterInput.value;
    scheduleRender();
  });
  kindSelect.addEventListener('change', () => {
    filter.kind = kindSelect.value;
    scheduleRender();
  });
}

// --- Export, copy as curl, import (issue 4). Secrets are redacted by the core. ---

/** The imported file being reviewed (`{file, records}`), or null: live findings. */
let imported = null;
const ioStatus = document.getElementById('io-status');
const curlOut = document.getElementById('curl-out');

/** The records the panel works from: the tab's live findings, or an imported file's. */
function sourceRecords() {
  return imported ? imported.records : findings;
}

/** What the export buttons export: the shown (filtered) records, or all of them. */
function exportScope() {
  return scopeSelect.value === 'all' ? sourceRecords() : visible;
}

function showIo(kind, text) {
  ioStatus.hidden = !text;
  ioStatus.dataset.kind = kind;
  ioStatus.textContent = text ?? '';
}

/** Each `article.finding` gets its record index and its own buttons. */
function addFindingActions(records) {
  const order = findingOrder(records);
  document.querySelectorAll('#findings article.finding').forEach((article, i) => {
    if (order[i] === undefined) return;
    article.dataset.record = String(order[i]);
    const bar = document.createElement('div');
    bar.className = 'f-actions';
    for (const [action, key] of [['json', 'ui_export_one_json'], ['md', 'ui_export_one_md'], ['curl', 'ui_copy_curl']]) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.action = action;
      button.textContent = t(lang, key);
      bar.append(button);
    }
    article.append(bar);
  });
}

function showImportBanner() {
  const banner = document.getElementById('import-banner');
  banner.hidden = !imported;
  document.getElementById('import-text').textContent = imported ? tf(lang, 'ui_import_banner', { file: imported.file }) : '';
  document.getElementById('clear').disabled = !!imported;
}

/** Brand and major version only, never the whole user agent. */
function browserName() {
  const brands = navigator.userAgentData?.brands?.filter((b) => !/not.?a.?brand/i.test(b.brand)) ?? [];
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
    return new Promise((resolve) => inspected.eval('location.href', (url) => resolve(typeof url === 'string' ? url : '')));
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

/** Saves through the browser's download flow: no permission needed. */
function download(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
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

async function copyCurl(record) {
  let script;
  try {
    script = curlFor(record, lang).script;
  } catch (err) {
    showIo('export-error', tf(lang, 'ui_export_failed', { detail: err?.message ?? String(err) }));
    return;
  }
  // Shown either way, so what was copied can be read; the clipboard may be
  // refused (DevTools panels without focus, no user activation).
  curlOut.hidden = false;
  curlOut.textContent = script;
  try {
    await navigator.clipboard.writeText(script);
    showIo('curl-copied', t(lang, 'ui_curl_copied'));
  } catch {
    showIo('curl-fallback', t(lang, 'ui_curl_fallback'));
  }
}

async function importFile(file) {
  const fail = (message) => showIo('import-error', tf(lang, 'ui_import_failed', { file: file.name, message }));
  if (file.size > maxImportBytes()) return fail(tooLargeMessage(file.size, lang));
  let result;
  try {
    result = importJson(await file.text(), lang);
  } catch (err) {
    return fail(err?.message ?? String(err));
  }
  imported = { file: file.name, records: result.records };
  curlOut.hidden = true;
  // What was left out or cut, said plainly; nothing when the file was whole.
  showIo('imported', result.message ?? '');
  render();
}

function setUpExports() {
  document.getElementById('export-json').onclick = () => exportRecords(exportScope(), 'json');
  document.getElementById('export-md').onclick = () => exportRecords(exportScope(), 'md');
  const input = document.getElementById('import-file');
  document.getElementById('import').onclick = () => input.click();
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) await importFile(file);
  });
  document.getElementById('import-back').onclick = () => {
    imported = null;
    curlOut.hidden = true;
    showIo('live', '');
    render();
  };
  document.getElementById('findings').addEventListener('click', (e) => {
    const button = e.target.closest?.('button[data-action]');
    const article = button?.closest('article.finding');
    if (!article) return;
    const record = visible[Number(article.dataset.record)];
    if (!record) return;
    if (button.dataset.action === 'curl') copyCurl(record);
    else exportRecords([record], button.dataset.action);
  });
}

function connect() {
  const port = api.runtime.connect({ name: PANEL_PORT });
  port.onMessage.addListener((msg) => {
    if (msg?.type === Msg.FINDINGS && msg.tabId === tabId) {
      latest = msg;
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

async function main() {
  await init();
  await loadChoices();
  select.addEventListener('change', async () => {
    await api.storage.local.set({ lang: select.value });
    await loadChoices();
    render();
  });
  stackSelect.addEventListener('change', async () => {
    await api.storage.local.set({ stack: stackSelect.value });
    stack = stackSelect.value;
    render();
  });
  const preserve = document.getElementById('preserve');
  preserve.checked = (await api.storage.local.get(PRESERVE_LOG))[PRESERVE_LOG] === true;
  preserve.addEventListener('change', () => api.storage.local.set({ [PRESERVE_LOG]: preserve.checked }));
  setUpExports();
  setUpFilter();
  if (!Number.isInteger(tabId)) {
    renderFindings([], lang, stack);
    showStatus('no-tab', t(lang, 'ui_no_tab'));
    return;
  }
  render();
  connect();
  startWatchBar(tabId, () => lang);
}

main().catch((err) => {
  // Shown to the user: the panel has no other way to say it is broken. wasm
  // may be what failed, so the message comes from the browser's own i18n
  // (one placeholder, filled by a function so that `$&` in it stays as is).
  const text = api.i18n.getMessage('ui_error').replace('{message}', () => err?.message ?? String(err));
  showStatus('error', text);
  console.error(err);
});
