// The panel's glue: picks the inspected tab and the language, subscribes to
// the worker, and hands each list of findings to the wasm renderer.

import init, { localizePage, renderFindings, t } from '../www/pkg/cors_lens.js';
import { api } from './compat.js';
import { Msg, PANEL_PORT, message } from './messages.js';

const params = new URLSearchParams(location.search);
/** The tab whose findings to show: the inspected tab in DevTools, `?tabId=` as a page. */
const tabId = params.has('tabId') ? Number(params.get('tabId')) : api.devtools?.inspectedWindow?.tabId;

let lang = 'en';
let findings = [];
const select = document.getElementById('lang');
const status = document.getElementById('status');

function showStatus(key, text) {
  status.hidden = !text;
  status.dataset.kind = key;
  status.textContent = text ?? '';
}

/** `auto` follows the browser's UI language; a saved choice overrides it. */
async function chooseLanguage() {
  const saved = (await api.storage.local.get('lang')).lang ?? 'auto';
  select.value = saved;
  lang = localizePage(saved === 'auto' ? api.i18n.getUILanguage() : saved);
}

function render(problems = []) {
  renderFindings(findings, lang);
  showStatus('problems', problems.length ? problems.join('\n') : '');
}

function connect() {
  const port = api.runtime.connect({ name: PANEL_PORT });
  port.onMessage.addListener((msg) => {
    if (msg?.type === Msg.FINDINGS && msg.tabId === tabId) {
      findings = msg.findings;
      render(msg.problems);
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
  await chooseLanguage();
  select.addEventListener('change', async () => {
    await api.storage.local.set({ lang: select.value });
    await chooseLanguage();
    render();
  });
  if (!Number.isInteger(tabId)) {
    renderFindings([], lang);
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
