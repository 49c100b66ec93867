// @ts-check
// The service worker: wires webRequest events to the wasm engine, keeps each
// tab's findings in storage.session, and serves them to DevTools panels.
// No CORS logic lives here: the engine decides and groups, this file only
// carries. The decisions that need no browser are pure modules with their
// unit tests (tests/unit/): intake.js (event order, problems), store.js
// (keys, merge, recovery), eviction.js (the caps and what goes),
// schedule.js (write gap, publish throttle), badge.js (the badge count).

import init, { Engine, reinstantiate } from './engine.js';
import { api } from './compat.js';
import { DEVTOOLS_PORT, Msg, PRESERVE_LOG, isOwnPage, message } from './messages.js';
import { observe } from './observe.js';
import { fullBucket, takeRestart } from './restarts.js';
import { aheadKey, droppedKey, emptyUpdate, listKey, merge, noteChanged, noteRemoved, recoverAhead, seedsOf, storedTabs } from './store.js';
import { MAX_RETRIES, afterFailedWrite, byteBudget, nextRoomStep, overTabCap } from './eviction.js';
import { nextWriteAt, publishDelay } from './schedule.js';
import { BADGE_COLOR, badgeText } from './badge.js';
import { MAX_QUEUED, START_HOLD_MS, addProblem, byTimeStamp, noteForgotten } from './intake.js';

/** @typedef {import('./store.js').StoredRecord} StoredRecord */
/** @typedef {import('./intake.js').QueuedEvent} QueuedEvent */
/** @typedef {import('./intake.js').Problem} Problem */
/**
 * A finding handed over by the engine and not merged into its tab's list
 * yet: `key` is its write-ahead key, `written` the promise of that write.
 * @typedef {{record: StoredRecord, key: string, written: Promise<void>}} Pending
 */
/**
 * What storage holds for a tab: `size` findings taking `bytes` (as the
 * browser counts them), `dropped` older ones dropped, `list` the list
 * itself when in memory (null: read it from storage), `merged` the
 * write-ahead keys merged into `list` since its last write.
 * @typedef {{size: number, dropped: number, bytes: number, list: StoredRecord[] | null, merged: string[]}} TabState
 * @typedef {TabState & {list: StoredRecord[]}} LoadedTab
 */

/**
 * How much of storage.session the lists may fill, as the browser counts it
 * (eviction.js); 0 where the browser cannot say.
 */
const BYTE_BUDGET = byteBudget(api.storage.session.QUOTA_BYTES, typeof api.storage.session.getBytesInUse === 'function');

// --- Intake: events to the engine ---

/** @type {Engine | null} */
let engine = null;
/** Whether the engine knows the groups storage holds (seeded after each start). */
let seeded = false;
/** Events that arrived before the engine was ready, in order. */
/** @type {QueuedEvent[]} */
const queue = [];
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
 * Problems of the extension itself, shown in the panel (never swallowed).
 * @type {Problem[]}
 */
const problems = [];

/**
 * @param {string} key a message key
 * @param {unknown} err
 */
function problem(key, err) {
  const detail = String(/** @type {{message?: unknown}} */ (err)?.message ?? err);
  addProblem(problems, { key, detail, time: Date.now() });
  console.error('CORS Lens:', key, detail);
  announceProblems();
}

/**
 * A panic in the core traps (`RuntimeError: unreachable`: wasm32 aborts) and
 * leaves the instance unusable. The event is lost, the requests in flight are
 * forgotten; everything else goes on with a fresh instance and a fresh engine.
 * @param {string} listener
 * @param {unknown} err
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
  problem('problem_panic', `${listener}: ${/** @type {{message?: unknown}} */ (err)?.message ?? err}`);
  const { bucket, restart, resumeAt } = takeRestart(restartBucket, Date.now());
  restartBucket = bucket;
  if (restart) {
    startFresh();
    return;
  }
  paused = true;
  queue.length = 0;
  problem('problem_paused', ''); // the message says how long: RESTART_PAUSE_MS
  setTimeout(
    () => {
      paused = false;
      startFresh();
      if (engine) problem('problem_resumed', '');
    },
    /** @type {number} */ (resumeAt) - Date.now(),
  );
}

/** A fresh wasm instance and engine (the old instance is unusable after a trap). */
function startFresh() {
  try {
    reinstantiate();
    useEngine(new Engine());
  } catch (e) {
    problem('problem_engine', e);
  }
}

/**
 * Takes a new engine into use: it is fed once it knows the groups storage
 * holds (`seed`), so that a problem seen again goes on counting.
 * @param {Engine} fresh
 */
function useEngine(fresh) {
  engine = fresh;
  seeded = false;
  onChain(seed, (err) => {
    // Counting starts again rather than observation stopping.
    problem('problem_read', err);
    seeded = true;
    drain();
  });
}

/**
 * Tells the engine each group the stored lists and the findings not merged
 * yet stand for (on the chain: no write runs meanwhile).
 */
async function seed() {
  const all = await loadTabs();
  // What loadTabs read, while no list was written since; else storage.
  const fresh = startRead?.writes === listWrites ? startRead.lists : null;
  startRead = null;
  const unread = [...all].filter(([tabId, t]) => !t.list && !fresh?.has(tabId)).map(([tabId]) => listKey(tabId));
  /** @type {Record<string, unknown>} */
  const stored = unread.length ? await api.storage.session.get(unread) : {};
  for (const [tabId, list] of fresh ?? []) stored[listKey(tabId)] ??= list;
  const current = engine;
  if (!current) return; // crashed meanwhile: the next engine seeds again
  const tabIds = new Set([...all.keys(), ...pending.keys()]);
  for (const tabId of tabIds) {
    const list = all.get(tabId)?.list ?? /** @type {StoredRecord[] | undefined} */ (stored[listKey(tabId)]) ?? [];
    const waiting = (pending.get(tabId) ?? []).map((e) => e.record);
    for (const r of seedsOf(list, waiting)) current.seed(tabId, r.key, r.count, r.firstSeen ?? NaN, r.time);
  }
  seeded = true;
  drain();
}

/** Unfinished requests the engine forgot to stay within its caps, as last said. */
let forgotten = { said: 0, at: 0 };

/**
 * @param {string} listener
 * @param {object} details
 */
function feed(listener, details) {
  try {
    const record = /** @type {Engine} */ (engine).ingest(listener, details);
    if (record) enqueueFinding(record);
    const note = noteForgotten(forgotten, engine?.dropped ?? 0, Date.now());
    forgotten = note.state;
    if (note.say) problem('problem_engine_dropped', note.state.said);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) restartEngine(listener, err);
    else problem('problem_event', `${listener}: ${/** @type {{message?: unknown}} */ (err)?.message ?? err}`);
  }
}

/** Whether events go to the engine now (else they wait in `queue`). */
const feeding = () => engine !== null && seeded && !holding;

let holding = true;

/**
 * Feeds the queued events, oldest first. After a crash among them, the rest
 * wait for the fresh engine's seeding, or are dropped if observation paused.
 */
function drain() {
  if (!feeding()) return;
  for (const [listener, details] of byTimeStamp(queue.splice(0))) {
    if (feeding()) feed(listener, details);
    else if (!paused) queue.push([listener, details]);
  }
}

// What is observed, and when: extension/observe.js. It registers the
// listeners synchronously at the top level whenever the permission is held
// (the event that wakes a stopped worker reaches only those), and hands over
// the events of watched tabs. wasm is not ready yet then, so events wait in
// `queue`.
observe((/** @type {string} */ listener, /** @type {object} */ details) => {
  if (paused) return;
  if (feeding()) feed(listener, details);
  else if (queue.length < MAX_QUEUED) queue.push([listener, details]);
  else if (dropped++ === 0) problem('problem_queue_full', MAX_QUEUED);
});

setTimeout(() => {
  holding = false;
  drain();
}, START_HOLD_MS);

init()
  .then(() => useEngine(new Engine()))
  .catch((err) => problem('problem_engine', err));

// --- Findings per tab, in storage.session (survives worker restarts). ---

/**
 * When each tab's current page started, for tabs whose log a navigation
 * started again: findings stamped before it belong to the page before.
 * @type {Map<number, number>}
 */
const pageSince = new Map();

/**
 * Findings not yet merged into their tab's list, by tab.
 * @type {Map<number, Pending[]>}
 */
const pending = new Map();
/**
 * Everything that reads or writes the lists and counts runs on this one
 * promise chain: a concurrent get-then-set loses entries. The one write off
 * the chain is the write-ahead (`writeAhead`): a key of its own per finding,
 * added only there and removed only on the chain, so no read-modify-write
 * can race it.
 */
/** @type {Promise<unknown>} */
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
 * @param {StoredRecord} record
 * @returns {Pending}
 */
function writeAhead(record) {
  const key = aheadKey(record.tabId, RUN, aheadSeq++);
  const written = api.storage.session.set({ [key]: record }).then(
    () => {
      aheadFailing = false;
    },
    (/** @type {unknown} */ err) => {
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
 * @param {() => Promise<unknown>} task
 * @param {(err: unknown) => void} onError
 */
function onChain(task, onError) {
  writes = writes.then(task).catch(onError).finally(trimLists);
}

let flushScheduled = false;
/** When the next flush may start (schedule.js, `nextWriteAt`). */
let nextFlushAt = 0;

/**
 * What storage holds, per tab, read once per worker start. Only this worker
 * writes these keys, so it stays equal to storage and a flush writes without
 * reading first: under a flood, reading a full list (500 findings, about
 * 700 KB) cost as much as writing it. `list` is kept in memory for the
 * LISTS_KEPT tabs used last only; the Map is in order of use, least recent
 * first.
 * @type {Map<number, TabState> | null}
 */
let tabs = null;
/** Tabs whose list stays in memory between tasks. */
const LISTS_KEPT = 4;
/** How many list writes this run made (a read before one is stale after it). */
let listWrites = 0;
/**
 * The lists loadTabs read at the start, for the engine's first seeding
 * (wasm is ready after storage is read): one read of storage, not two.
 * @type {{lists: Map<number, StoredRecord[]>, writes: number} | null}
 */
let startRead = null;

/** @param {StoredRecord} record the engine's, already grouped */
function enqueueFinding(record) {
  if (record.tabId < 0) return; // not from a tab: no panel can show it
  // A request of the page before the tab's last navigation, reported late
  // (DevTools hands its entries over after they end): the old page's log is
  // gone, and the new page's is not its place.
  if (typeof record.time === 'number' && record.time < (pageSince.get(record.tabId) ?? -Infinity)) return;
  let waiting = pending.get(record.tabId);
  if (!waiting) pending.set(record.tabId, (waiting = []));
  waiting.push(writeAhead(record));
  changed(record.tabId, record);
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

/** @returns {Promise<Map<number, TabState>>} */
async function loadTabs() {
  if (tabs) return tabs;
  const all = await api.storage.session.get(null);
  /** @type {Map<number, TabState>} */
  const loaded = new Map();
  /** @type {Map<number, StoredRecord[]>} */
  const lists = new Map();
  for (const [tabId, t] of storedTabs(all)) {
    loaded.set(tabId, { size: t.size, dropped: t.dropped, bytes: 0, list: null, merged: [] });
    if (t.list) lists.set(tabId, t.list);
  }
  startRead = { lists, writes: listWrites };
  // Findings an earlier run wrote ahead and did not merge: merged first.
  const { byTab, spent } = recoverAhead(all, RUN);
  for (const [tabId, entries] of byTab) {
    const found = entries.map(({ key, record }) => ({ key, record, written: Promise.resolve() }));
    pending.set(tabId, [...found, ...(pending.get(tabId) ?? [])]);
  }
  if (byTab.size) scheduleFlush();
  if (spent.length) await api.storage.session.remove(spent);
  if (BYTE_BUDGET) for (const [tabId, t] of loaded) t.bytes = await api.storage.session.getBytesInUse(listKey(tabId));
  tabs = loaded;
  return tabs;
}

/**
 * A tab's stored state, with its list (read from storage when not in memory).
 * @param {number} tabId
 * @returns {Promise<LoadedTab>}
 */
async function tabState(tabId) {
  const all = await loadTabs();
  const tab = all.get(tabId) ?? { size: 0, dropped: 0, bytes: 0, list: [], merged: [] };
  if (!tab.list) {
    const key = listKey(tabId);
    tab.list = /** @type {StoredRecord[] | undefined} */ ((await api.storage.session.get(key))[key]) ?? [];
  }
  all.delete(tabId);
  all.set(tabId, tab);
  return /** @type {LoadedTab} */ (tab);
}

/** Forgets the lists of all but the LISTS_KEPT tabs used last (storage has them; a list with merges not yet written stays). */
function trimLists() {
  if (!tabs) return;
  const kept = [...tabs.values()].filter((t) => t.list && !t.merged.length);
  for (const t of kept.slice(0, -LISTS_KEPT)) t.list = null;
}

/**
 * Drops the `n` oldest findings of a tab, counting them; the engine forgets
 * their groups (a problem seen again after that counts from one).
 * @param {number} tabId
 * @param {LoadedTab} tab
 * @param {number} n
 */
function dropOldest(tabId, tab, n) {
  if (n <= 0) return;
  const gone = tab.list.splice(0, n).map((r) => r.key);
  for (const key of gone) engine?.forget(tabId, key);
  tab.dropped += n;
  removed(tabId, gone);
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
      dropOldest(tabId, tab, overTabCap(tab.list.length));
      await makeRoom(tabId, tab);
      await save(tabId, tab);
    } catch (err) {
      problem('problem_store', err);
    }
  }
  nextFlushAt = nextWriteAt(started, Date.now());
}

/**
 * Writes a tab's list and its dropped count, in one call, which also marks
 * the findings written ahead and merged into the list since its last write
 * (`null`: a recovery skips them); those keys are removed afterwards.
 * @param {number} tabId
 * @param {LoadedTab} tab
 */
async function write(tabId, tab) {
  /** @type {Record<string, unknown>} */
  const items = { [listKey(tabId)]: tab.list };
  if (tab.dropped) items[droppedKey(tabId)] = tab.dropped;
  const merged = tab.merged.splice(0);
  for (const key of merged) items[key] = null;
  listWrites++;
  try {
    await api.storage.session.set(items);
  } catch (err) {
    tab.merged.unshift(...merged);
    throw err;
  }
  tab.size = tab.list.length;
  if (merged.length) await api.storage.session.remove(merged);
  showBadge(tabId, tab.list);
  if (BYTE_BUDGET) tab.bytes = await api.storage.session.getBytesInUse(listKey(tabId));
}

// --- The toolbar badge: the tab's CORS failures (notices not counted). ---

let badgeColored = false;

/**
 * Shows on the toolbar button how many CORS failures the tab's stored list
 * holds (badge.js): set wherever the list is written, so it follows what is
 * stored — cleared with it on navigation unless Preserve log is on. A closed
 * tab rejects the call: nothing to show then.
 * @param {number} tabId
 * @param {StoredRecord[]} list
 */
function showBadge(tabId, list) {
  if (!api.action?.setBadgeText) return;
  if (!badgeColored) {
    badgeColored = true;
    api.action.setBadgeBackgroundColor({ color: BADGE_COLOR }).catch(() => {});
  }
  api.action.setBadgeText({ tabId, text: badgeText(list) }).catch(() => {});
}

// The toolbar button opens the offline analyzer (www/analyze.html: a HAR, a
// console line or raw headers in, the same findings out) in a tab of its own.
// Registered at the top level, so a click wakes a stopped worker.
api.action?.onClicked.addListener(() => {
  api.tabs.create({ url: api.runtime.getURL('www/analyze.html') }).catch(() => {});
});

// Chromium resets a tab's badge when the tab navigates: a preserved list
// shows its count again once the new page is there.
api.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status !== 'complete') return;
  onChain(
    async () => {
      if (!(await loadTabs()).get(tabId)?.size) return;
      showBadge(tabId, (await tabState(tabId)).list);
    },
    (err) => problem('problem_read', err),
  );
});

/** The current tab sizes, for the eviction plans. */
const sizes = () => /** @type {Map<number, TabState>} */ (tabs);

/**
 * Carries out one eviction step on another tab: drops its oldest, writes it.
 * @param {number} victimId
 * @param {number} drop
 */
async function evict(victimId, drop) {
  const victim = await tabState(victimId);
  dropOldest(victimId, victim, drop);
  await write(victimId, victim);
}

/**
 * Writes a tab's list and dropped count. storage.session holds 10 MB as the
 * browser counts it (its estimate of memory: about 4 KB per finding of the
 * flood tests, whose JSON is 1.4 KB), so larger findings can fill it before
 * MAX_FINDINGS (it fills at about 2 600 of those). Then findings go as
 * `afterFailedWrite` plans and the write is tried again.
 * @param {number} tabId
 * @param {LoadedTab} tab
 */
async function save(tabId, tab) {
  for (let attempt = 0; ; attempt++) {
    try {
      await write(tabId, tab);
      return;
    } catch (err) {
      if (attempt >= MAX_RETRIES) throw err;
      const step = afterFailedWrite(tabId, tab.list.length, sizes());
      if (!step) throw err;
      if (step.victim === undefined) dropOldest(tabId, tab, step.drop);
      else await evict(step.victim, step.drop);
    }
  }
}

/**
 * Across tabs, before a tab's list is written: the steps `nextRoomStep`
 * plans until the total fits MAX_FINDINGS and BYTE_BUDGET, so that storage
 * never holds more than MAX_FINDINGS and a write seldom fails for want of
 * space.
 * @param {number} tabId
 * @param {LoadedTab} tab
 */
async function makeRoom(tabId, tab) {
  for (;;) {
    const step = nextRoomStep(tabId, tab.list.length, sizes(), { budget: BYTE_BUDGET });
    if (!step) return;
    if (step.victim === undefined) {
      dropOldest(tabId, tab, step.drop);
      return;
    }
    await evict(step.victim, step.drop);
  }
}

/** @param {number} tabId */
async function forget(tabId) {
  const waiting = pending.get(tabId) ?? [];
  pending.delete(tabId);
  await Promise.all(waiting.map((e) => e.written));
  const merged = (await loadTabs()).get(tabId)?.merged ?? [];
  // A recovery in loadTabs may have queued this tab's entries again.
  const recovered = pending.get(tabId) ?? [];
  pending.delete(tabId);
  const ahead = [...waiting, ...recovered].map((e) => e.key);
  listWrites++;
  await api.storage.session.remove([listKey(tabId), droppedKey(tabId), ...ahead, ...merged]);
  tabs?.delete(tabId);
  engine?.forgetTab(tabId);
  showBadge(tabId, []);
}

api.tabs.onRemoved.addListener((tabId) => {
  pageSince.delete(tabId);
  onChain(
    () => forget(tabId),
    (err) => problem('problem_clear', err),
  );
});

// A navigation of the tab starts a new log, unless the panel's "Preserve log"
// is on (as in the Network panel). Findings stamped after the navigation
// started belong to the new page and stay.
api.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status !== 'loading') return;
  const since = Date.now();
  onChain(
    async () => {
      if ((await api.storage.local.get(PRESERVE_LOG))[PRESERVE_LOG]) {
        pageSince.delete(tabId);
        return;
      }
      pageSince.set(tabId, since);
      const keep = (/** @type {StoredRecord} */ r) => typeof r.time === 'number' && r.time >= since;
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
      for (const r of tab.list) if (!keep(r)) engine?.forget(tabId, r.key);
      tab.list = tab.list.filter(keep);
      tab.dropped = 0;
      await api.storage.session.remove(droppedKey(tabId));
      await save(tabId, tab);
      wholeList(tabId);
    },
    (err) => problem('problem_clear', err),
  );
});

// --- Panels ---

/**
 * Open panel ports, by the tab they inspect, each with whether it has had
 * the whole list (updates go only to a port that has).
 * @type {Map<number, Map<chrome.runtime.Port, {ready: boolean}>>}
 */
const subscribers = new Map();
/** When each tab's panels last got a message (Date.now()). */
/** @type {Map<number, number>} */
const lastPublished = new Map();
/** @type {Map<number, ReturnType<typeof setTimeout>>} */
const publishTimers = new Map();
/**
 * What each tab's panels have not been sent yet: an update (store.js:
 * records handed over, keys dropped by the caps), or that the whole list is
 * due (`whole`: the tab was cleared or navigated).
 * @type {Map<number, import('./store.js').Update & {whole: boolean}>}
 */
const unsent = new Map();

/** @param {number} tabId */
function unsentOf(tabId) {
  let u = unsent.get(tabId);
  if (!u) unsent.set(tabId, (u = { ...emptyUpdate(), whole: false }));
  return u;
}

/**
 * A record the engine handed over, for the tab's panels.
 * @param {number} tabId
 * @param {StoredRecord} record
 */
function changed(tabId, record) {
  if (!subscribers.get(tabId)?.size) return;
  noteChanged(unsentOf(tabId), record);
  schedulePublish(tabId);
}

/**
 * Records dropped from the tab's list (the caps), for its panels.
 * @param {number} tabId
 * @param {string[]} keys
 */
function removed(tabId, keys) {
  if (!subscribers.get(tabId)?.size) return;
  noteRemoved(unsentOf(tabId), keys);
  // Sent with the changes when they wait for the throttle; else at once,
  // outside it: the caps drop at most once per write, and a new failure
  // must not wait behind the drops its own write made.
  if (!publishTimers.has(tabId)) publish(tabId);
}

/**
 * The tab's panels need the whole list (cleared, or a navigation).
 * @param {number} tabId
 */
function wholeList(tabId) {
  if (!subscribers.get(tabId)?.size) return;
  unsentOf(tabId).whole = true;
  schedulePublish(tabId);
}

/**
 * The tab's list as its panels see it: what is stored, and the findings
 * handed over and not merged into it yet (on the chain).
 * @param {number} tabId
 */
async function shownList(tabId) {
  const tab = await tabState(tabId);
  const waiting = (pending.get(tabId) ?? []).map((e) => e.record);
  return { list: waiting.length ? merge([...tab.list], waiting) : tab.list, dropped: tab.dropped };
}

/**
 * The whole list of a tab.
 * @param {number} tabId
 */
async function wholeMessage(tabId) {
  const { list, dropped: older } = await shownList(tabId);
  return message(Msg.FINDINGS, { tabId, findings: list, problems, dropped: older });
}

/**
 * Sends what a tab's panels have not had: the whole list when due (on the
 * chain: after the writes before it), else the update since the last
 * message (at once: nothing to read).
 * @param {number} tabId
 */
function publish(tabId) {
  const ports = subscribers.get(tabId);
  const u = unsent.get(tabId);
  unsent.delete(tabId);
  if (!ports?.size || !u) return;
  if (u.whole || u.changed.length) lastPublished.set(tabId, Date.now());
  if (u.whole) {
    onChain(
      async () => {
        const msg = await wholeMessage(tabId);
        for (const [port, state] of ports) if (state.ready) port.postMessage(msg);
      },
      (err) => console.error('CORS Lens: publish', err),
    );
    return;
  }
  const msg = message(Msg.FINDINGS, { tabId, changed: u.changed, removed: u.removed, problems, dropped: tabs?.get(tabId)?.dropped ?? 0 });
  for (const [port, state] of ports) if (state.ready) port.postMessage(msg);
}

/**
 * Publishes soon (schedule.js, `publishDelay`): at once when the tab's
 * panels got nothing in the last PUBLISH_MS, else when that time is up.
 * Changes meanwhile are folded into that one message.
 * @param {number} tabId
 */
function schedulePublish(tabId) {
  if (publishTimers.has(tabId)) return;
  const wait = publishDelay(lastPublished.get(tabId), Date.now());
  if (wait === 0) {
    publish(tabId);
    return;
  }
  const timer = setTimeout(() => {
    publishTimers.delete(tabId);
    publish(tabId);
  }, wait);
  publishTimers.set(tabId, timer);
}

let problemsScheduled = false;

/** Sends the problems to every open panel, at once (a panel must not wait for a finding to learn the engine broke). */
function announceProblems() {
  if (problemsScheduled) return;
  problemsScheduled = true;
  onChain(
    async () => {
      problemsScheduled = false;
      for (const [tabId, ports] of subscribers) {
        if (!ports.size) continue;
        const msg = await wholeMessage(tabId);
        for (const [port, state] of ports) if (state.ready) port.postMessage(msg);
      }
    },
    (err) => console.error('CORS Lens:', err),
  );
}

api.runtime.onConnect.addListener((port) => {
  if (port.name === DEVTOOLS_PORT) return; // observe.js
  if (!isOwnPage(port)) {
    port.disconnect();
    return;
  }
  /** @type {number | null} */
  let tabId = null;
  port.onMessage.addListener((/** @type {{type?: string, tabId?: unknown}} */ msg) => {
    if (!Number.isInteger(msg?.tabId)) return;
    const id = /** @type {number} */ (msg.tabId);
    if (msg.type === Msg.SUBSCRIBE) {
      tabId = id;
      let ports = subscribers.get(id);
      if (!ports) subscribers.set(id, (ports = new Map()));
      const state = { ready: false };
      ports.set(port, state);
      // Read after pending writes so the panel never sees an older list;
      // updates reach it from then on.
      onChain(
        async () => {
          port.postMessage(await wholeMessage(id));
          state.ready = true;
        },
        (err) => problem('problem_read', err),
      );
    } else if (msg.type === Msg.CLEAR) {
      onChain(
        async () => {
          await forget(id);
          wholeList(id);
        },
        (err) => problem('problem_clear', err),
      );
    }
  });
  port.onDisconnect.addListener(() => {
    if (tabId !== null) subscribers.get(tabId)?.delete(port);
  });
});
