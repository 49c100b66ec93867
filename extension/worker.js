// The service worker: wires webRequest events to the wasm engine, keeps each
// tab's findings in storage.session, and serves them to DevTools panels.
// No CORS logic lives here: the engine decides, this file only carries.

import init, { Engine } from '../www/pkg/cors_lens.js';
import { api, extraInfoSpec } from './compat.js';
import { Msg, isOwnPage, message } from './messages.js';

/** Most distinct findings kept per tab; the oldest go first. */
const MAX_FINDINGS_PER_TAB = 500;

/**
 * Only subresources can fail CORS; navigations cannot. Registering fewer
 * types and events keeps the cost of observing low (DESIGN.md).
 */
const FILTER = {
  urls: ['<all_urls>'],
  types: ['xmlhttprequest', 'image', 'script', 'stylesheet', 'font', 'media', 'other'],
};

/** The listeners the verdict needs, with the details each must carry. */
const LISTENERS = [
  ['onSendHeaders', ['requestHeaders']],
  ['onHeadersReceived', ['responseHeaders']],
  ['onBeforeRedirect', []],
  ['onCompleted', []],
  ['onErrorOccurred', []],
];

let engine = null;
/** Events that arrived before wasm was ready, in order. */
const queue = [];
/** More than this many events before wasm is ready means it is not coming. */
const MAX_QUEUED = 50000;
let dropped = 0;
/**
 * Problems of the extension itself, shown in the panel (never swallowed):
 * `{key, detail, time}`, where `key` names a localised message.
 */
const problems = [];

function problem(key, err) {
  const detail = String(err?.message ?? err);
  problems.push({ key, detail, time: Date.now() });
  if (problems.length > 20) problems.shift();
  console.error('CORS Lens:', key, detail);
}

function feed(listener, details) {
  try {
    const record = engine.ingest(listener, details);
    if (record) enqueueFinding(record);
  } catch (err) {
    problem('problem_event', `${listener}: ${err?.message ?? err}`);
  }
}

// Listeners are registered synchronously, at the top level, on every start:
// the event that wakes a stopped worker is delivered only to listeners that
// exist when this script's first run ends. wasm is not ready yet then, so
// events wait in `queue`.
for (const [listener, wanted] of LISTENERS) {
  const handler = (details) => {
    if (engine) feed(listener, details);
    else if (queue.length < MAX_QUEUED) queue.push([listener, details]);
    else if (dropped++ === 0) problem('problem_queue_full', MAX_QUEUED);
  };
  const spec = extraInfoSpec(listener, wanted);
  if (spec) api.webRequest[listener].addListener(handler, FILTER, spec);
  else api.webRequest[listener].addListener(handler, FILTER);
}

init()
  .then(() => {
    engine = new Engine();
    for (const [listener, details] of queue.splice(0)) feed(listener, details);
  })
  .catch((err) => problem('problem_engine', err));

// --- Findings per tab, in storage.session (survives worker restarts). ---

const storageKey = (tabId) => `findings:${tabId}`;
/** Findings not yet written, grouped by tab. */
const pending = new Map();
/** Writes run one after another: a concurrent get-then-set loses entries. */
let writes = Promise.resolve();
let flushScheduled = false;

function enqueueFinding(record) {
  if (record.tabId < 0) return; // not from a tab: no panel can show it
  if (!pending.has(record.tabId)) pending.set(record.tabId, []);
  pending.get(record.tabId).push(record);
  if (!flushScheduled) {
    flushScheduled = true;
    writes = writes.then(flush);
  }
}

async function flush() {
  flushScheduled = false;
  const batch = [...pending];
  pending.clear();
  for (const [tabId, records] of batch) {
    try {
      const key = storageKey(tabId);
      const list = (await api.storage.session.get(key))[key] ?? [];
      for (const record of records) {
        const same = list.findIndex((r) => r.key === record.key);
        if (same >= 0) {
          const [old] = list.splice(same, 1);
          record.count = old.count + record.count;
        }
        list.push(record);
      }
      list.splice(0, Math.max(0, list.length - MAX_FINDINGS_PER_TAB));
      await api.storage.session.set({ [key]: list });
      publish(tabId, list);
    } catch (err) {
      problem('problem_store', err);
    }
  }
}

async function findingsOf(tabId) {
  const key = storageKey(tabId);
  return (await api.storage.session.get(key))[key] ?? [];
}

api.tabs.onRemoved.addListener((tabId) => {
  writes = writes.then(() => api.storage.session.remove(storageKey(tabId)));
});

// --- Panels ---

/** Open panel ports, by the tab they inspect. */
const subscribers = new Map();

function publish(tabId, findings) {
  for (const port of subscribers.get(tabId) ?? []) {
    port.postMessage(message(Msg.FINDINGS, { tabId, findings, problems }));
  }
}

api.runtime.onConnect.addListener((port) => {
  if (!isOwnPage(port)) {
    port.disconnect();
    return;
  }
  let tabId = null;
  port.onMessage.addListener((msg) => {
    if (!Number.isInteger(msg?.tabId)) return;
    if (msg.type === Msg.SUBSCRIBE) {
      tabId = msg.tabId;
      if (!subscribers.has(tabId)) subscribers.set(tabId, new Set());
      subscribers.get(tabId).add(port);
      // Read after pending writes so the panel never sees an older list.
      writes = writes.then(async () => {
        port.postMessage(message(Msg.FINDINGS, { tabId, findings: await findingsOf(tabId), problems }));
      }).catch((err) => problem('problem_read', err));
    } else if (msg.type === Msg.CLEAR) {
      const cleared = msg.tabId;
      writes = writes.then(async () => {
        await api.storage.session.remove(storageKey(cleared));
        publish(cleared, []);
      }).catch((err) => problem('problem_clear', err));
    }
  });
  port.onDisconnect.addListener(() => {
    subscribers.get(tabId)?.delete(port);
  });
});
