// The panel's glue: picks the inspected tab and the language, subscribes to
// the worker, and hands each list of findings to the wasm renderer.

import init, { localizePage, renderFindings, stackChoices, t } from '../www/pkg/cors_lens.js';
import { api } from './compat.js';
import { Msg, PANEL_PORT, message } from './messages.js';

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

function render() {
  renderFindings(findings, lang, stack);
  const lines = problems.map((p) => `${new Date(p.time).toLocaleTimeString(lang)} ${t(lang, p.key).replace('{detail}', p.detail)}`);
  showStatus('problems', lines.join('\n'));
}

function connect() {
  const port = api.runtime.connect({ name: PANEL_PORT });
  port.onMessage.addListener((msg) => {
    if (msg?.type === Msg.FINDINGS && msg.tabId === tabId) {
      findings = msg.findings;
      problems = msg.problems ?? [];
      render();
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
  if (!Number.isInteger(tabId)) {
    renderFindings([], lang, stack);
    showStatus('no-tab', t(lang, 'ui_no_tab'));
    return;
  }
  render();
  connect();
}

main().catch((err) => {
  // Shown to the user: the panel has no other way to say it is broken. wasm
  // may be what failed, so the message comes from the browser's own i18n.
  const text = api.i18n.getMessage('ui_error').replace('{message}', err?.message ?? String(err));
  showStatus('error', text);
  console.error(err);
});
