// The service worker: wires webRequest events to the wasm engine, keeps each
// tab's findings in storage.session, and serves them to DevTools panels.
// No CORS logic lives here: the engine decides, this file only carries.

import init, { Engine, reinstantiate } from '../www/pkg/cors_lens.js';
import { api, extraInfoSpec } from './compat.js';
import { Msg, PRESERVE_LOG, isOwnPage, message } from './messages.js';

/** Most distinct findings kept per tab; the oldest go first, counted. */
const MAX_FINDINGS_PER_TAB = 500;
/** Most distinct findings kept across tabs (storage.session holds 10 MB). */
const MAX_FINDINGS = 5000;

/**
 * Only subresources can fail CORS; navigations cannot. Registering fewer
 * types and events keeps the cost of observing low (DESIGN.md).
 */
const FILTER = {
  urls: ['<all_urls>'],
  types: ['xmlhttprequest', 'image', 'script', 'stylesheet', 'font', 'media', 'other'],
};

/**
 * Errors are heard for WebSocket requests too: a fetch redirected to a `ws:`
 * URL ends there (`ERR_UNKNOWN_URL_SCHEME`, type `websocket`), and without
 * this its last event would never arrive. Errors of real WebSockets have
 * request ids the engine never saw, and it ignores them.
 */
const ERROR_FILTER = { ...FILTER, types: [...FILTER.types, 'websocket'] };

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
/** Engine restarts after a crash; past this many, observing stops (a bug that fires on every event). */
const MAX_RESTARTS = 50;
let restarts = 0;
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
  announceProblems();
}

/**
 * A panic in the core traps (`RuntimeError: unreachable`: wasm32 aborts) and
 * leaves the instance unusable. The event is lost, the requests in flight are
 * forgotten; everything else goes on with a fresh instance and a fresh engine.
 */
function restartEngine(listener, err) {
  const old = engine;
  engine = null;
  // Forget the old handle without freeing it: its pointer belongs to the dead
  // instance, and a finaliser running later must not free it in the new one.
  try {
    old?.__destroy_into_raw?.();
  } catch {
    // the handle is gone either way
  }
  problem('problem_panic', `${listener}: ${err?.message ?? err}`);
  if (++restarts > MAX_RESTARTS) {
    problem('problem_engine', `crashed ${restarts} times`);
    return;
  }
  try {
    reinstantiate();
    engine = new Engine();
  } catch (e) {
    problem('problem_engine', e);
  }
}

function feed(listener, details) {
  try {
    const record = engine.ingest(listener, details);
    if (record) enqueueFinding(record);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) restartEngine(listener, err);
    else problem('problem_event', `${listener}: ${err?.message ?? err}`);
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
  const filter = listener === 'onErrorOccurred' ? ERROR_FILTER : FILTER;
  if (spec) api.webRequest[listener].addListener(handler, filter, spec);
  else api.webRequest[listener].addListener(handler, filter);
}

init()
  .then(() => {
    engine = new Engine();
    for (const [listener, details] of queue.splice(0)) {
      if (engine) feed(listener, details);
    }
  })
  .catch((err) => problem('problem_engine', err));

// --- Findings per tab, in storage.session (survives worker restarts). ---

const storageKey = (tabId) => `findings:${tabId}`;
/** How many older findings of a tab were dropped to keep within the caps. */
const droppedKey = (tabId) => `dropped:${tabId}`;
/** Findings not yet written, grouped by tab. */
const pending = new Map();
/** Writes run one after another: a concurrent get-then-set loses entries. */
let writes = Promise.resolve();
let flushScheduled = false;
/** Stored findings per tab, read from storage once per worker start. */
let sizes = null;

function enqueueFinding(record) {
  if (record.tabId < 0) return; // not from a tab: no panel can show it
  if (!pending.has(record.tabId)) pending.set(record.tabId, []);
  pending.get(record.tabId).push(record);
  if (!flushScheduled) {
    flushScheduled = true;
    // At once (a stopped worker loses what is not written yet); findings
    // arriving while a write runs are written together by the next one.
    writes = writes.then(flush);
  }
}

async function loadSizes() {
  if (sizes) return sizes;
  const all = await api.storage.session.get(null);
  sizes = new Map();
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith('findings:') && Array.isArray(value)) sizes.set(Number(key.slice(9)), value.length);
  }
  return sizes;
}

async function droppedOf(tabId) {
  const key = droppedKey(tabId);
  return (await api.storage.session.get(key))[key] ?? 0;
}

/** Drops the `n` oldest findings of a tab's list, counting them. */
async function dropOldest(tabId, list, n) {
  if (n <= 0) return;
  list.splice(0, n);
  await api.storage.session.set({ [droppedKey(tabId)]: (await droppedOf(tabId)) + n });
}

async function flush() {
  flushScheduled = false;
  const batch = [...pending];
  pending.clear();
  for (const [tabId, records] of batch) {
    try {
      const key = storageKey(tabId);
      const list = (await api.storage.session.get(key))[key] ?? [];
      const index = new Map(list.map((r, i) => [r.key, i]));
      let moved = false;
      for (const record of records) {
        const same = index.get(record.key);
        if (same !== undefined && list[same]) {
          record.count = list[same].count + record.count;
          // First and last seen: `time` is the latest; keep the first one (exports).
          record.firstSeen = list[same].firstSeen ?? list[same].time;
          list[same] = null; // removed below, keeps the other indexes valid
          moved = true;
        }
        index.set(record.key, list.length);
        list.push(record);
      }
      const kept = moved ? list.filter(Boolean) : list;
      await dropOldest(tabId, kept, kept.length - MAX_FINDINGS_PER_TAB);
      await setFindings(tabId, kept);
      await keepTotalUnderCap(tabId);
      publish(tabId, kept);
    } catch (err) {
      problem('problem_store', err);
    }
  }
}

/**
 * Writes a tab's list. Should storage be full (a hostile server's large
 * headers), the oldest half goes, counted as dropped, and the write is tried
 * once more.
 */
async function setFindings(tabId, list) {
  const key = storageKey(tabId);
  try {
    await api.storage.session.set({ [key]: list });
  } catch (err) {
    if (list.length < 2) throw err;
    await dropOldest(tabId, list, Math.ceil(list.length / 2));
    await api.storage.session.set({ [key]: list });
  }
  (await loadSizes()).set(tabId, list.length);
}

/** Across tabs: the tab with the most findings loses its oldest. */
async function keepTotalUnderCap(except) {
  const all = await loadSizes();
  let total = [...all.values()].reduce((a, b) => a + b, 0);
  while (total > MAX_FINDINGS) {
    const [tabId, size] = [...all].filter(([t]) => t !== except).sort((a, b) => b[1] - a[1])[0] ?? [except, all.get(except)];
    const over = Math.min(size, total - MAX_FINDINGS);
    const list = await findingsOf(tabId);
    await dropOldest(tabId, list, over);
    await setFindings(tabId, list);
    total -= over;
    if (tabId !== except) publish(tabId, list);
  }
}

async function findingsOf(tabId) {
  const key = storageKey(tabId);
  return (await api.storage.session.get(key))[key] ?? [];
}

async function forget(tabId) {
  pending.delete(tabId);
  await api.storage.session.remove([storageKey(tabId), droppedKey(tabId)]);
  (await loadSizes()).delete(tabId);
}

api.tabs.onRemoved.addListener((tabId) => {
  writes = writes.then(() => forget(tabId)).catch((err) => problem('problem_clear', err));
});

// A navigation of the tab starts a new log, unless the panel's "Preserve log"
// is on (as in the Network panel). Findings stamped after the navigation
// started belong to the new page and stay.
api.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status !== 'loading') return;
  const since = Date.now();
  writes = writes
    .then(async () => {
      if ((await api.storage.local.get(PRESERVE_LOG))[PRESERVE_LOG]) return;
      const stored = await findingsOf(tabId);
      const keep = (r) => typeof r.time === 'number' && r.time >= since;
      const waiting = pending.get(tabId);
      if (waiting) pending.set(tabId, waiting.filter(keep));
      if (stored.length === 0 && !(await droppedOf(tabId))) return;
      const kept = stored.filter(keep);
      await api.storage.session.remove(droppedKey(tabId));
      await setFindings(tabId, kept);
      publish(tabId, kept);
    })
    .catch((err) => problem('problem_clear', err));
});

// --- Panels ---

/** Open panel ports, by the tab they inspect. */
const subscribers = new Map();

async function publish(tabId, findings) {
  const ports = subscribers.get(tabId);
  if (!ports?.size) return;
  try {
    const msg = message(Msg.FINDINGS, { tabId, findings, problems, dropped: await droppedOf(tabId) });
    for (const port of ports) port.postMessage(msg);
  } catch (err) {
    console.error('CORS Lens: publish', err);
  }
}

let problemsScheduled = false;

/** Sends the problems to every open panel, at once (a panel must not wait for a finding to learn the engine broke). */
function announceProblems() {
  if (problemsScheduled) return;
  problemsScheduled = true;
  writes = writes
    .then(async () => {
      problemsScheduled = false;
      for (const tabId of subscribers.keys()) await publish(tabId, await findingsOf(tabId));
    })
    .catch((err) => console.error('CORS Lens:', err));
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
      writes = writes
        .then(async () => {
          port.postMessage(message(Msg.FINDINGS, { tabId, findings: await findingsOf(tabId), problems, dropped: await droppedOf(tabId) }));
        })
        .catch((err) => problem('problem_read', err));
    } else if (msg.type === Msg.CLEAR) {
      const cleared = msg.tabId;
      writes = writes
        .then(async () => {
          await forget(cleared);
          await publish(cleared, []);
        })
        .catch((err) => problem('problem_clear', err));
    }
  });
  port.onDisconnect.addListener(() => {
    subscribers.get(tabId)?.delete(port);
  });
});
