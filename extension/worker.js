// The service worker: wires webRequest events to the wasm engine, keeps each
// tab's findings in storage.session, and serves them to DevTools panels.
// No CORS logic lives here: the engine decides, this file only carries.

import init, { Engine, reinstantiate } from './engine.js';
import { api } from './compat.js';
import { DEVTOOLS_PORT, Msg, PRESERVE_LOG, isOwnPage, message } from './messages.js';
import { observe } from './observe.js';
import { fullBucket, takeRestart } from './restarts.js';
import { aheadKey, merge, recoverAhead } from './store.js';

/** Most distinct findings kept per tab; the oldest go first, counted. */
const MAX_FINDINGS_PER_TAB = 500;
/** Most distinct findings kept across tabs (storage.session holds 10 MB). */
const MAX_FINDINGS = 2000;

let engine = null;
/** Events that arrived before wasm was ready, in order. */
const queue = [];
/** More than this many events before wasm is ready means it is not coming. */
const MAX_QUEUED = 50000;
let dropped = 0;
/**
 * Engine restarts after a crash are rationed (restarts.js: 10 in a row, 10 a
 * minute sustained). A bug that fires on every event empties the bucket;
 * observation then pauses (events are dropped, not queued) and resumes by
 * itself with a fresh engine. The bucket lives in memory: a worker stopped
 * during a pause starts again with a full one, which is no worse.
 */
let restartBucket = fullBucket(Date.now());
let paused = false;
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
  const { bucket, restart, resumeAt } = takeRestart(restartBucket, Date.now());
  restartBucket = bucket;
  if (restart) {
    startFresh();
    return;
  }
  paused = true;
  queue.length = 0;
  problem('problem_paused', ''); // the message says how long: RESTART_PAUSE_MS
  setTimeout(() => {
    paused = false;
    startFresh();
    if (engine) problem('problem_resumed', '');
  }, resumeAt - Date.now());
}

/** A fresh wasm instance and engine (the old instance is unusable after a trap). */
function startFresh() {
  try {
    reinstantiate();
    engine = new Engine();
  } catch (e) {
    problem('problem_engine', e);
  }
}

/**
 * Unfinished requests the engine forgot to stay within its caps (a count
 * of requests and a byte budget): their verdicts are missing, never wrong.
 * Said in the panel when the count grows, at most every 10 s.
 */
let forgotten = 0;
let forgottenAt = 0;
function noteForgotten() {
  const n = engine?.dropped ?? 0;
  if (n < forgotten) forgotten = 0; // a fresh engine after a restart
  if (n > forgotten && Date.now() - forgottenAt > 10000) {
    forgotten = n;
    forgottenAt = Date.now();
    problem('problem_engine_dropped', n);
  }
}

function feed(listener, details) {
  try {
    const record = engine.ingest(listener, details);
    if (record) enqueueFinding(record);
    noteForgotten();
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) restartEngine(listener, err);
    else problem('problem_event', `${listener}: ${err?.message ?? err}`);
  }
}

/**
 * A worker woken by a request gets that request's events after some of the
 * requests that followed it (measured in Chromium with the lifecycle
 * test: about 10 ms later), and the engine needs each request's events in
 * order: an `onErrorOccurred` before its `onSendHeaders` loses the finding.
 * So for this long after the worker starts, events wait in `queue`, and are
 * fed sorted by the browser's `timeStamp`, even once wasm is ready.
 */
const START_HOLD_MS = 250;
let holding = true;

/** Feeds the queued events, oldest first (the sort is stable). */
function drain() {
  if (!engine || holding) return;
  const at = ([, details]) => (Number.isFinite(details?.timeStamp) ? details.timeStamp : 0);
  for (const [listener, details] of queue.splice(0).sort((a, b) => at(a) - at(b))) {
    if (engine) feed(listener, details);
  }
}

// What is observed, and when: extension/observe.js. It registers the
// listeners synchronously at the top level whenever the permission is held
// (the event that wakes a stopped worker reaches only those), and hands over
// the events of watched tabs. wasm is not ready yet then, so events wait in
// `queue`.
observe((listener, details) => {
  if (paused) return;
  if (engine && !holding) feed(listener, details);
  else if (queue.length < MAX_QUEUED) queue.push([listener, details]);
  else if (dropped++ === 0) problem('problem_queue_full', MAX_QUEUED);
});

setTimeout(() => {
  holding = false;
  drain();
}, START_HOLD_MS);

init()
  .then(() => {
    engine = new Engine();
    drain();
  })
  .catch((err) => problem('problem_engine', err));

// --- Findings per tab, in storage.session (survives worker restarts). ---

const storageKey = (tabId) => `findings:${tabId}`;
/** How many older findings of a tab were dropped to keep within the caps. */
const droppedKey = (tabId) => `dropped:${tabId}`;
/**
 * Findings not yet merged into their tab's list, grouped by tab: entries
 * `{record, key, written}`, where `key` is the record's write-ahead key and
 * `written` the promise of that write.
 */
const pending = new Map();
/**
 * Everything that reads or writes the lists and counts runs on this one
 * promise chain: a concurrent get-then-set loses entries. The one write off
 * the chain is the write-ahead (`writeAhead`): a key of its own per finding,
 * added only there and removed only on the chain, so no read-modify-write
 * can race it.
 */
let writes = Promise.resolve();

/**
 * This run of the worker, in write-ahead keys: a later run recovers the keys
 * of earlier runs only (its own are in `pending`).
 */
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let aheadSeq = 0;
/** Whether the last write-ahead failed (reported once until one succeeds). */
let aheadFailing = false;

/**
 * Writes a finding ahead of its merge, at once: one small key
 * (`pending:<tabId>:<run>:<seq>`, about 1.5 KB), so a worker stopped before
 * the next list write (up to MAX_WRITE_GAP_MS under a flood) loses nothing
 * the engine handed over. The list write that merges the finding replaces
 * the key with `null` in the same call, so a recovery never counts it twice.
 */
function writeAhead(record) {
  const key = aheadKey(record.tabId, RUN, aheadSeq++);
  const written = api.storage.session.set({ [key]: record }).then(
    () => {
      aheadFailing = false;
    },
    (err) => {
      // The finding is still in memory and written with its list.
      if (!aheadFailing) problem('problem_store', err);
      aheadFailing = true;
    },
  );
  return { record, key, written };
}

/**
 * Runs `task` on the chain, after everything queued before it; `onError`
 * gets its failure. Lists beyond the LISTS_KEPT used last leave memory only
 * between tasks (a task may hold several tabs' lists).
 */
function onChain(task, onError) {
  writes = writes.then(task).catch(onError).finally(trimLists);
}

let flushScheduled = false;
/**
 * A flush waits after the previous one for WRITE_GAP times what that one
 * took (Date.now() time of the earliest next start). Writing a small list
 * takes a millisecond or two, so findings are written at once, as a stopped
 * worker loses what is not written yet; a tab's full list (500 findings,
 * about 700 KB) takes 50-100 ms, and under a flood writing it back to back
 * halved the requests a page could make. With the gap, a flood's findings are
 * written within a few tenths of a second, in fewer, larger writes.
 */
const WRITE_GAP = 3;
/** The gap's upper bound (ms), whatever a slow write took. */
const MAX_WRITE_GAP_MS = 1000;
let nextFlushAt = 0;

/**
 * What storage holds, per tab: `{size, dropped, list}`, read once per worker
 * start. Only this worker writes these keys, so it stays equal to storage and
 * a flush writes without reading first: under a flood, reading a full list
 * (500 findings, about 700 KB) cost as much as writing it. `list` is kept in
 * memory for the few tabs used last only (null: read it from storage); the
 * Map is in order of use, least recent first.
 */
let tabs = null;
const LISTS_KEPT = 4;

function enqueueFinding(record) {
  if (record.tabId < 0) return; // not from a tab: no panel can show it
  if (!pending.has(record.tabId)) pending.set(record.tabId, []);
  pending.get(record.tabId).push(writeAhead(record));
  scheduleFlush();
}

/** Runs a flush on the chain, after the write gap; one at a time. */
function scheduleFlush() {
  if (!flushScheduled) {
    flushScheduled = true;
    // Findings arriving while a write runs or waits are written together by
    // the next one.
    const wait = nextFlushAt - Date.now();
    const run = () => onChain(flush, (err) => problem('problem_store', err));
    if (wait <= 0) run();
    else setTimeout(run, wait);
  }
}

// What an earlier run wrote ahead and never merged is merged as soon as this
// one starts, new findings or not.
onChain(loadTabs, (err) => problem('problem_read', err));

async function loadTabs() {
  if (tabs) return tabs;
  const all = await api.storage.session.get(null);
  tabs = new Map();
  const entry = (tabId) => {
    if (!tabs.has(tabId)) tabs.set(tabId, { size: 0, dropped: 0, bytes: 0, list: null, merged: [] });
    return tabs.get(tabId);
  };
  // Findings an earlier run wrote ahead and did not merge: merged first.
  const { byTab, spent } = recoverAhead(all, RUN);
  for (const [tabId, entries] of byTab) {
    const found = entries.map(({ key, record }) => ({ key, record, written: Promise.resolve() }));
    pending.set(tabId, [...found, ...(pending.get(tabId) ?? [])]);
  }
  if (byTab.size) scheduleFlush();
  if (spent.length) await api.storage.session.remove(spent);
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith('findings:') && Array.isArray(value)) entry(Number(key.slice(9))).size = value.length;
    else if (key.startsWith('dropped:') && Number.isInteger(value)) entry(Number(key.slice(8))).dropped = value;
  }
  if (BYTE_BUDGET) for (const [tabId, t] of tabs) t.bytes = await api.storage.session.getBytesInUse(storageKey(tabId));
  return tabs;
}

/** A tab's stored state, with its list (read from storage when not in memory). */
async function tabState(tabId) {
  const all = await loadTabs();
  const tab = all.get(tabId) ?? { size: 0, dropped: 0, bytes: 0, list: [], merged: [] };
  if (!tab.list) {
    const key = storageKey(tabId);
    tab.list = (await api.storage.session.get(key))[key] ?? [];
  }
  all.delete(tabId);
  all.set(tabId, tab);
  return tab;
}

/** Forgets the lists of all but the LISTS_KEPT tabs used last (storage has them; a list with merges not yet written stays). */
function trimLists() {
  if (!tabs) return;
  const kept = [...tabs.values()].filter((t) => t.list && !t.merged.length);
  for (const t of kept.slice(0, -LISTS_KEPT)) t.list = null;
}

/** Drops the `n` oldest findings of a tab, counting them. */
function dropOldest(tab, n) {
  if (n <= 0) return;
  tab.list.splice(0, n);
  tab.dropped += n;
}

async function flush() {
  flushScheduled = false;
  const started = Date.now();
  await loadTabs(); // first, so that what an earlier run wrote ahead is in the batch
  const batch = [...pending];
  pending.clear();
  for (const [tabId, entries] of batch) {
    try {
      // The `null`s that mark these entries merged must land after them.
      await Promise.all(entries.map((e) => e.written));
      const tab = await tabState(tabId);
      tab.list = merge(
        tab.list,
        entries.map((e) => e.record),
      );
      tab.merged.push(...entries.map((e) => e.key));
      dropOldest(tab, tab.list.length - MAX_FINDINGS_PER_TAB);
      await makeRoom(tabId, tab);
      await save(tabId, tab);
      schedulePublish(tabId);
    } catch (err) {
      problem('problem_store', err);
    }
  }
  const ended = Date.now();
  nextFlushAt = ended + Math.min(MAX_WRITE_GAP_MS, WRITE_GAP * (ended - started));
}

/**
 * Writes a tab's list and its dropped count, in one call, which also marks
 * the findings written ahead and merged into the list since its last write
 * (`null`: a recovery skips them); those keys are removed afterwards.
 */
async function write(tabId, tab) {
  const items = { [storageKey(tabId)]: tab.list };
  if (tab.dropped) items[droppedKey(tabId)] = tab.dropped;
  const merged = tab.merged.splice(0);
  for (const key of merged) items[key] = null;
  try {
    await api.storage.session.set(items);
  } catch (err) {
    tab.merged.unshift(...merged);
    throw err;
  }
  tab.size = tab.list.length;
  if (merged.length) await api.storage.session.remove(merged);
  showBadge(tabId, tab.list);
  if (BYTE_BUDGET) tab.bytes = await api.storage.session.getBytesInUse(storageKey(tabId));
}

// --- The toolbar badge: the tab's CORS failures (notices not counted). ---

let badgeColored = false;

/**
 * Shows on the toolbar button how many CORS failures (rows of the panel,
 * warnings and other notices left out) the tab's stored list holds: set
 * wherever the list is written, so it follows what is stored — cleared with
 * it on navigation unless Preserve log is on. A closed tab rejects the call:
 * nothing to show then.
 */
function showBadge(tabId, list) {
  if (!api.action?.setBadgeText) return;
  const failures = list.filter((r) => r && r.kind !== 'notice').length;
  if (!badgeColored) {
    badgeColored = true;
    api.action.setBadgeBackgroundColor({ color: '#d93025' }).catch(() => {});
  }
  api.action.setBadgeText({ tabId, text: failures ? String(failures) : '' }).catch(() => {});
}

// Chromium resets a tab's badge when the tab navigates: a preserved list
// shows its count again once the new page is there.
api.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status !== 'complete') return;
  onChain(async () => {
    if (!(await loadTabs()).get(tabId)?.size) return;
    showBadge(tabId, (await tabState(tabId)).list);
  }, (err) => problem('problem_read', err));
});

/** Failed writes that free space and try again, at most. */
const MAX_RETRIES = 8;

/**
 * Writes a tab's list and dropped count. storage.session holds 10 MB as the
 * browser counts it (its estimate of memory: about 4 KB per finding of the
 * flood tests, whose JSON is 1.4 KB), so larger findings can fill it before
 * MAX_FINDINGS (it fills at about 2 600 of those). Then, as for the count cap, the other tab
 * with the most findings loses its oldest quarter and the write is tried
 * again; with no other tab, this tab loses its oldest half.
 */
async function save(tabId, tab) {
  for (let attempt = 0; ; attempt++) {
    try {
      await write(tabId, tab);
      return;
    } catch (err) {
      if (attempt >= MAX_RETRIES) throw err;
      const victimId = largestOther(tabId);
      if (victimId !== undefined) {
        const victim = await tabState(victimId);
        dropOldest(victim, Math.ceil(victim.list.length / 4));
        await write(victimId, victim);
        schedulePublish(victimId);
      } else if (tab.list.length >= 2) {
        dropOldest(tab, Math.ceil(tab.list.length / 2));
      } else {
        throw err;
      }
    }
  }
}

/** The tab other than `tabId` with the most stored findings (of equals, the one used least recently), if any. */
function largestOther(tabId) {
  let best;
  for (const [id, t] of tabs) if (id !== tabId && t.size > 0 && (best === undefined || t.size > tabs.get(best).size)) best = id;
  return best;
}

/**
 * How much of storage.session the lists may fill, as the browser counts it
 * (`getBytesInUse`), leaving room for the other keys and for a list that
 * grows more than estimated; 0 where the browser cannot say (then only a
 * failed write frees space: `save`).
 */
const BYTE_BUDGET =
  typeof api.storage.session.getBytesInUse === 'function' && Number.isFinite(api.storage.session.QUOTA_BYTES) ? 0.9 * api.storage.session.QUOTA_BYTES : 0;

/** Bytes a tab's findings take each, by its last write (0: not known). */
const bytesEach = (t) => (t.size > 0 ? t.bytes / t.size : 0);

/**
 * Across tabs, before a tab's list is written: while the total would go over
 * MAX_FINDINGS or BYTE_BUDGET, the other tab with the most findings (of
 * equals, the one used least recently) loses its oldest and is written first,
 * so that storage never holds more than MAX_FINDINGS and a write seldom
 * fails for want of space. With no other tab, the tab itself loses the
 * findings over MAX_FINDINGS.
 */
async function makeRoom(tabId, tab) {
  const all = await loadTabs();
  const others = () => [...all].filter(([id]) => id !== tabId).map(([, t]) => t);
  // A tab written for the first time: as large as the others' findings.
  const known = others().filter((t) => t.size > 0);
  const each = bytesEach(tab) || known.reduce((n, t) => n + t.bytes, 0) / Math.max(1, known.reduce((n, t) => n + t.size, 0));
  for (;;) {
    const count = tab.list.length + others().reduce((n, t) => n + t.size, 0);
    const bytes = each * tab.list.length + others().reduce((n, t) => n + t.bytes, 0);
    const overCount = count - MAX_FINDINGS;
    const overBytes = BYTE_BUDGET ? bytes - BYTE_BUDGET : 0;
    if (overCount <= 0 && overBytes <= 0) return;
    const victimId = largestOther(tabId);
    if (victimId === undefined) {
      dropOldest(tab, overCount);
      return;
    }
    const victim = await tabState(victimId);
    const fromBytes = overBytes > 0 && bytesEach(victim) > 0 ? Math.ceil(overBytes / bytesEach(victim)) : 0;
    const over = Math.min(victim.list.length, Math.max(overCount, fromBytes, 1));
    dropOldest(victim, over);
    await write(victimId, victim);
    schedulePublish(victimId);
  }
}

async function forget(tabId) {
  const waiting = pending.get(tabId) ?? [];
  pending.delete(tabId);
  await Promise.all(waiting.map((e) => e.written));
  const merged = (await loadTabs()).get(tabId)?.merged ?? [];
  // A recovery in loadTabs may have queued this tab's entries again.
  const recovered = pending.get(tabId) ?? [];
  pending.delete(tabId);
  const ahead = [...waiting, ...recovered].map((e) => e.key);
  await api.storage.session.remove([storageKey(tabId), droppedKey(tabId), ...ahead, ...merged]);
  tabs.delete(tabId);
  showBadge(tabId, []);
}

api.tabs.onRemoved.addListener((tabId) => {
  onChain(() => forget(tabId), (err) => problem('problem_clear', err));
});

// A navigation of the tab starts a new log, unless the panel's "Preserve log"
// is on (as in the Network panel). Findings stamped after the navigation
// started belong to the new page and stay.
api.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status !== 'loading') return;
  const since = Date.now();
  onChain(async () => {
    if ((await api.storage.local.get(PRESERVE_LOG))[PRESERVE_LOG]) return;
    const keep = (r) => typeof r.time === 'number' && r.time >= since;
    const waiting = pending.get(tabId);
    if (waiting) {
      pending.set(
        tabId,
        waiting.filter((e) => keep(e.record)),
      );
      const gone = waiting.filter((e) => !keep(e.record));
      await Promise.all(gone.map((e) => e.written));
      if (gone.length) await api.storage.session.remove(gone.map((e) => e.key));
    }
    const known = (await loadTabs()).get(tabId);
    if (!known || (known.size === 0 && !known.dropped && !known.list?.length)) return;
    const tab = await tabState(tabId);
    tab.list = tab.list.filter(keep);
    tab.dropped = 0;
    await api.storage.session.remove(droppedKey(tabId));
    await save(tabId, tab);
    await publish(tabId);
  }, (err) => problem('problem_clear', err));
});

// --- Panels ---

/** Open panel ports, by the tab they inspect. */
const subscribers = new Map();
/**
 * A panel gets a tab's list at most this often (ms), the latest each time:
 * under a flood every write would otherwise post the whole list (500
 * findings, about 700 KB) and the panel would render each one.
 */
const PUBLISH_MS = 250;
const lastPublished = new Map();
const publishTimers = new Map();

function findingsMessage(tabId, tab) {
  return message(Msg.FINDINGS, { tabId, findings: tab.list, problems, dropped: tab.dropped });
}

/** Sends a tab's findings to its panels now (on the chain: after the writes before it). */
async function publish(tabId) {
  const ports = subscribers.get(tabId);
  if (!ports?.size) return;
  lastPublished.set(tabId, Date.now());
  try {
    const msg = findingsMessage(tabId, await tabState(tabId));
    for (const port of ports) port.postMessage(msg);
  } catch (err) {
    console.error('CORS Lens: publish', err);
  }
}

/**
 * Publishes soon: at once when the tab's panels got nothing in the last
 * PUBLISH_MS, else when that time is up. Changes meanwhile are folded into
 * that one message, so the last change is always sent.
 */
function schedulePublish(tabId) {
  if (!subscribers.get(tabId)?.size || publishTimers.has(tabId)) return;
  const wait = Math.max(0, (lastPublished.get(tabId) ?? 0) + PUBLISH_MS - Date.now());
  const timer = setTimeout(() => {
    publishTimers.delete(tabId);
    onChain(() => publish(tabId), (err) => console.error('CORS Lens: publish', err));
  }, wait);
  publishTimers.set(tabId, timer);
}

let problemsScheduled = false;

/** Sends the problems to every open panel, at once (a panel must not wait for a finding to learn the engine broke). */
function announceProblems() {
  if (problemsScheduled) return;
  problemsScheduled = true;
  onChain(async () => {
    problemsScheduled = false;
    for (const tabId of subscribers.keys()) await publish(tabId);
  }, (err) => console.error('CORS Lens:', err));
}

api.runtime.onConnect.addListener((port) => {
  if (port.name === DEVTOOLS_PORT) return; // observe.js
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
      onChain(async () => port.postMessage(findingsMessage(tabId, await tabState(tabId))), (err) => problem('problem_read', err));
    } else if (msg.type === Msg.CLEAR) {
      const cleared = msg.tabId;
      onChain(async () => {
        await forget(cleared);
        await publish(cleared);
      }, (err) => problem('problem_clear', err));
    }
  });
  port.onDisconnect.addListener(() => {
    subscribers.get(tabId)?.delete(port);
  });
});
