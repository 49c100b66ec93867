// @ts-check
// The pure parts of the worker's store: the storage keys, how records the
// engine hands over land in a tab's list, and how findings written ahead (one
// small storage key each, written the moment the engine hands them over) are
// named and found again after the worker was stopped before merging them.
// Counting repeats and keeping the first time seen is the core's job
// (crate/core/src/record.rs): a record arrives with its group's count. No
// browser API: the unit tests (tests/unit/) run this under Node, and the
// panel applies the worker's updates with the same `merge`.

/** A record as stored and sent to the panel: one shape, in messages.js. @typedef {import('./messages.js').StoredRecord} StoredRecord */

/** @typedef {{key: string, record: StoredRecord}} AheadEntry */

/** Prefix of a tab's list: `findings:<tabId>`. */
export const LIST_PREFIX = 'findings:';
/** Prefix of how many older findings of a tab were dropped (the caps): `dropped:<tabId>`. */
export const DROPPED_PREFIX = 'dropped:';
/** Prefix of a finding written ahead of its merge: `pending:<tabId>:<run>:<seq>`. */
export const AHEAD_PREFIX = 'pending:';

/**
 * The key of a tab's list.
 * @param {number} tabId
 */
export const listKey = (tabId) => `${LIST_PREFIX}${tabId}`;

/**
 * The key of a tab's dropped count.
 * @param {number} tabId
 */
export const droppedKey = (tabId) => `${DROPPED_PREFIX}${tabId}`;

/**
 * The key of the `seq`-th finding written ahead by the worker run `run` (unique per start).
 * @param {number} tabId
 * @param {string} run
 * @param {number} seq
 */
export function aheadKey(tabId, run, seq) {
  return `${AHEAD_PREFIX}${tabId}:${run}:${seq}`;
}

/**
 * The lists and dropped counts in a `storage.session.get(null)` result, by tab.
 * @param {Record<string, unknown>} all
 * @returns {Map<number, {list: StoredRecord[] | null, size: number, dropped: number}>}
 */
export function storedTabs(all) {
  /** @type {Map<number, {list: StoredRecord[] | null, size: number, dropped: number}>} */
  const tabs = new Map();
  /** @param {number} tabId */
  const entry = (tabId) => {
    let t = tabs.get(tabId);
    if (!t) tabs.set(tabId, (t = { list: null, size: 0, dropped: 0 }));
    return t;
  };
  for (const [key, value] of Object.entries(all ?? {})) {
    if (key.startsWith(LIST_PREFIX) && Array.isArray(value)) {
      const t = entry(Number(key.slice(LIST_PREFIX.length)));
      t.list = value;
      t.size = value.length;
    } else if (key.startsWith(DROPPED_PREFIX) && Number.isInteger(value)) {
      entry(Number(key.slice(DROPPED_PREFIX.length))).dropped = /** @type {number} */ (value);
    }
  }
  return tabs;
}

/**
 * What a previous run of the worker wrote ahead and never merged, from a
 * `storage.session.get(null)` result. Returns `{byTab, spent}`: `byTab`
 * maps a tab id to its `{key, record}` entries, oldest first (by the
 * record's time, then its order of writing); `spent` lists the keys to
 * remove: entries already merged (the list write replaced them with `null`
 * in the same call) and malformed ones. Keys of the current run (`run`) are
 * left alone: they are in the worker's memory already.
 * @param {Record<string, unknown>} all
 * @param {string} run
 * @returns {{byTab: Map<number, AheadEntry[]>, spent: string[]}}
 */
export function recoverAhead(all, run) {
  /** @type {Map<number, Array<AheadEntry & {order: [string, number]}>>} */
  const found = new Map();
  /** @type {string[]} */
  const spent = [];
  for (const [key, value] of Object.entries(all ?? {})) {
    if (!key.startsWith(AHEAD_PREFIX)) continue;
    const [tab, keyRun, seq] = key.slice(AHEAD_PREFIX.length).split(':');
    if (keyRun === run) continue;
    const tabId = Number(tab);
    const record = /** @type {StoredRecord} */ (value);
    const ok = Number.isInteger(tabId) && tabId >= 0 && value !== null && typeof value === 'object' && typeof record.key === 'string' && Number.isFinite(record.count);
    if (!ok) {
      spent.push(key);
      continue;
    }
    let entries = found.get(tabId);
    if (!entries) found.set(tabId, (entries = []));
    entries.push({ key, record, order: [keyRun ?? '', Number(seq) || 0] });
  }
  /** @param {{record: StoredRecord}} e */
  const time = (e) => (Number.isFinite(e.record.time) ? e.record.time : 0);
  /** @type {Map<number, AheadEntry[]>} */
  const byTab = new Map();
  for (const [tabId, entries] of found) {
    entries.sort((a, b) => time(a) - time(b) || (a.order[0] < b.order[0] ? -1 : a.order[0] > b.order[0] ? 1 : a.order[1] - b.order[1]));
    byTab.set(
      tabId,
      entries.map(({ key, record }) => ({ key, record })),
    );
  }
  return { byTab, spent };
}

/**
 * Adds records to a list: a record with the key of a listed one replaces it
 * (the core already counted it with the earlier ones: its count is the
 * group's) and moves to the end, the latest. Returns the new list (`list`
 * itself, changed, when nothing moved). Applying the same records twice
 * gives the same list, so a panel may get a record both in a whole list and
 * in an update.
 * @param {StoredRecord[]} list
 * @param {StoredRecord[]} records
 * @returns {StoredRecord[]}
 */
export function merge(list, records) {
  const index = new Map(list.map((r, i) => [r.key, i]));
  /** @type {Array<StoredRecord | null>} */
  const out = list;
  let moved = false;
  for (const record of records) {
    const same = index.get(record.key);
    if (same !== undefined && out[same]) {
      out[same] = null; // removed below, keeps the other indexes valid
      moved = true;
    }
    index.set(record.key, out.length);
    out.push(record);
  }
  return moved ? /** @type {StoredRecord[]} */ (out.filter(Boolean)) : list;
}

/**
 * The records a fresh engine is seeded with (the worker started again, or
 * the engine crashed): a tab's stored list, then the records not merged
 * into it yet (they are newer), the last of a key winning. The core reads
 * each one's group (`Engine.seed`).
 * @param {StoredRecord[]} list
 * @param {StoredRecord[]} pending
 * @returns {StoredRecord[]}
 */
export function seedsOf(list, pending) {
  return merge([...list], pending);
}

/**
 * What a tab's panels have not been sent yet: records handed over
 * (`changed`, in order) and keys of records dropped (`removed`). Each key is
 * in one of the two only, as its last change left it, so the panel applies
 * the removals, then the changes (`applyUpdate`), and gets the worker's list.
 * @typedef {{changed: StoredRecord[], removed: string[]}} Update
 */

/** @returns {Update} */
export const emptyUpdate = () => ({ changed: [], removed: [] });

/**
 * Notes a record handed over.
 * @param {Update} u changed in place
 * @param {StoredRecord} record
 */
export function noteChanged(u, record) {
  if (u.removed.length) u.removed = u.removed.filter((k) => k !== record.key);
  u.changed.push(record);
}

/**
 * Notes records dropped from the list.
 * @param {Update} u changed in place
 * @param {string[]} keys
 */
export function noteRemoved(u, keys) {
  const gone = new Set(keys);
  u.changed = u.changed.filter((r) => !gone.has(r.key));
  for (const k of gone) if (!u.removed.includes(k)) u.removed.push(k);
}

/**
 * A list with an update applied: the removals, then the changes (`merge`).
 * `list` is not changed.
 * @param {StoredRecord[]} list
 * @param {Partial<Update>} update
 * @returns {StoredRecord[]}
 */
export function applyUpdate(list, { changed = [], removed = [] }) {
  const gone = new Set(removed);
  return merge(gone.size ? list.filter((r) => !gone.has(r.key)) : [...list], changed);
}
