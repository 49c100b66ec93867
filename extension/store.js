// The pure parts of the worker's store: how a batch of findings is merged
// into a tab's list, and how findings written ahead (one small storage key
// each, written the moment the engine hands them over) are named and found
// again after the worker was stopped before merging them. No browser API:
// the unit tests (tests/unit/) run this under Node.

/** Prefix of a finding written ahead of its merge: `pending:<tabId>:<run>:<seq>`. */
export const AHEAD_PREFIX = 'pending:';

/** The key of the `seq`-th finding written ahead by the worker run `run` (unique per start). */
export function aheadKey(tabId, run, seq) {
  return `${AHEAD_PREFIX}${tabId}:${run}:${seq}`;
}

/**
 * What a previous run of the worker wrote ahead and never merged, from a
 * `storage.session.get(null)` result. Returns `{byTab, spent}`: `byTab`
 * maps a tab id to its `{key, record}` entries, oldest first (by the
 * record's time, then its order of writing); `spent` lists the keys to
 * remove: entries already merged (the list write replaced them with `null`
 * in the same call) and malformed ones. Keys of the current run (`run`) are
 * left alone: they are in the worker's memory already.
 */
export function recoverAhead(all, run) {
  const byTab = new Map();
  const spent = [];
  for (const [key, value] of Object.entries(all ?? {})) {
    if (!key.startsWith(AHEAD_PREFIX)) continue;
    const [tab, keyRun, seq] = key.slice(AHEAD_PREFIX.length).split(':');
    if (keyRun === run) continue;
    const tabId = Number(tab);
    const ok = Number.isInteger(tabId) && tabId >= 0 && value !== null && typeof value === 'object' && typeof value.key === 'string' && Number.isFinite(value.count);
    if (!ok) {
      spent.push(key);
      continue;
    }
    if (!byTab.has(tabId)) byTab.set(tabId, []);
    byTab.get(tabId).push({ key, record: value, order: [keyRun ?? '', Number(seq) || 0] });
  }
  const time = (e) => (Number.isFinite(e.record.time) ? e.record.time : 0);
  for (const [tabId, entries] of byTab) {
    entries.sort((a, b) => time(a) - time(b) || (a.order[0] < b.order[0] ? -1 : a.order[0] > b.order[0] ? 1 : a.order[1] - b.order[1]));
    byTab.set(
      tabId,
      entries.map(({ key, record }) => ({ key, record })),
    );
  }
  return { byTab, spent };
}

/**
 * Adds records to a list: a record with the key of a listed one replaces it,
 * counts added, and moves to the end (the latest). Returns the new list. The
 * records themselves are never changed (a copy carries the sum): the same
 * objects were written ahead, and a later merge must not alter what a
 * recovery would read.
 */
export function merge(list, records) {
  const index = new Map(list.map((r, i) => [r.key, i]));
  let moved = false;
  for (const record of records) {
    const same = index.get(record.key);
    let added = record;
    if (same !== undefined && list[same]) {
      // First and last seen: `time` is the latest; keep the first one (exports).
      added = { ...record, count: list[same].count + record.count, firstSeen: list[same].firstSeen ?? list[same].time };
      list[same] = null; // removed below, keeps the other indexes valid
      moved = true;
    }
    index.set(record.key, list.length);
    list.push(added);
  }
  return moved ? list.filter(Boolean) : list;
}
