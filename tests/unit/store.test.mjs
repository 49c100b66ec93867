// The worker's store, its pure parts (extension/store.js): merging findings
// into a tab's list, and recovering what a stopped worker wrote ahead of its
// merge. No browser: storage contents are plain objects here. Records carry
// their group's count already (the core counts: crate/core/src/record.rs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AHEAD_PREFIX, aheadKey, applyUpdate, droppedKey, emptyUpdate, listKey, merge, noteChanged, noteRemoved, recoverAhead, seedsOf, storedTabs } from '../../extension/store.js';

/** @param {string} key */
const rec = (key, count = 1, time = 0, extra = {}) => ({ kind: /** @type {const} */ ('failure'), key, count, time, tabId: 1, ...extra });

const mergeCases = [
  { name: 'new keys are appended in order', list: [rec('a')], records: [rec('b'), rec('c')], expect: [['a', 1], ['b', 1], ['c', 1]] },
  { name: 'a known key is replaced by the record as counted by the core, and moves to the end', list: [rec('a', 2), rec('b')], records: [rec('a', 3)], expect: [['b', 1], ['a', 3]] },
  { name: 'the same key twice in one batch keeps the later record', list: [], records: [rec('a', 1), rec('a', 2)], expect: [['a', 2]] },
  { name: 'an empty batch leaves the list as it is', list: [rec('a'), rec('b')], records: [], expect: [['a', 1], ['b', 1]] },
  { name: 'merging the same records twice gives the same list (a panel may get them twice)', list: merge([rec('a'), rec('b')], [rec('a', 2)]), records: [rec('a', 2)], expect: [['b', 1], ['a', 2]] },
];

for (const { name, list, records, expect } of mergeCases) {
  test(`merge: ${name}`, () => {
    const out = merge(list, records);
    assert.deepEqual(
      out.map((r) => [r.key, r.count]),
      expect,
    );
  });
}

test('merge: never changes the records merged (they were written ahead as they are)', () => {
  const incoming = [rec('a', 2, 200, { firstSeen: 100 }), rec('a', 3, 300, { firstSeen: 100 })];
  const before = JSON.stringify(incoming);
  const out = merge([rec('a', 1, 100)], incoming);
  assert.deepEqual(out, [rec('a', 3, 300, { firstSeen: 100 })]);
  assert.equal(out[0], incoming[1], 'the record itself, as the core returned it');
  assert.equal(JSON.stringify(incoming), before, 'the incoming records are unchanged');
});

test('seedsOf: the stored list then the newer records not merged yet, the last of a key winning; the list is not changed', () => {
  const list = [rec('a', 4, 10), rec('b', 1, 20)];
  const seeds = seedsOf(list, [rec('a', 5, 30)]);
  assert.deepEqual(
    seeds.map((r) => [r.key, r.count]),
    [['b', 1], ['a', 5]],
  );
  assert.equal(list.length, 2);
  assert.equal(list[0].count, 4);
});

test('storedTabs: lists and dropped counts by tab; other keys ignored', () => {
  const all = { [listKey(3)]: [rec('a'), rec('b')], [droppedKey(3)]: 7, [droppedKey(4)]: 2, [aheadKey(3, 'r', 0)]: rec('c'), preserveLog: true, [listKey(5)]: 'not a list' };
  const tabs = storedTabs(all);
  assert.deepEqual(
    [...tabs].map(([id, t]) => [id, t.size, t.dropped]),
    [[3, 2, 7], [4, 0, 2]],
  );
});

test('aheadKey: one key per tab, run and sequence number, under the prefix', () => {
  assert.equal(aheadKey(7, 'r1', 3), 'pending:7:r1:3');
  assert.ok(aheadKey(7, 'r1', 3).startsWith(AHEAD_PREFIX));
  assert.notEqual(aheadKey(7, 'r1', 3), aheadKey(7, 'r2', 3));
});

const recoverCases = [
  {
    name: 'entries of an earlier run are recovered per tab, oldest first',
    all: {
      [aheadKey(1, 'old', 1)]: rec('b', 1, 20),
      [aheadKey(1, 'old', 0)]: rec('a', 1, 10),
      [aheadKey(2, 'old', 2)]: rec('c', 1, 5),
      'findings:1': [rec('z')],
      'dropped:1': 3,
    },
    run: 'new',
    byTab: { 1: ['pending:1:old:0', 'pending:1:old:1'], 2: ['pending:2:old:2'] },
    spent: [],
  },
  {
    name: 'entries already merged (null) are removed, not recovered',
    all: { [aheadKey(1, 'old', 0)]: null, [aheadKey(1, 'old', 1)]: rec('a') },
    run: 'new',
    byTab: { 1: ['pending:1:old:1'] },
    spent: ['pending:1:old:0'],
  },
  {
    name: "the current run's own entries are left alone (they are in memory)",
    all: { [aheadKey(1, 'now', 0)]: rec('a'), [aheadKey(1, 'now', 1)]: null },
    run: 'now',
    byTab: {},
    spent: [],
  },
  {
    name: 'malformed entries are removed, never merged',
    all: { 'pending:x:old:0': rec('a'), 'pending:-1:old:0': rec('a'), [aheadKey(1, 'old', 0)]: { key: 'a' }, [aheadKey(1, 'old', 1)]: 'text' },
    run: 'new',
    byTab: {},
    spent: ['pending:x:old:0', 'pending:-1:old:0', 'pending:1:old:0', 'pending:1:old:1'],
  },
  {
    name: 'the same time is ordered by run, then by sequence number',
    all: { [aheadKey(1, 'b', 0)]: rec('x', 1, 5), [aheadKey(1, 'a', 10)]: rec('y', 1, 5), [aheadKey(1, 'a', 9)]: rec('z', 1, 5) },
    run: 'c',
    byTab: { 1: ['pending:1:a:9', 'pending:1:a:10', 'pending:1:b:0'] },
    spent: [],
  },
  { name: 'nothing stored, nothing recovered', all: {}, run: 'r', byTab: {}, spent: [] },
];

for (const { name, all, run, byTab, spent } of recoverCases) {
  test(`recoverAhead: ${name}`, () => {
    const out = recoverAhead(all, run);
    assert.deepEqual(Object.fromEntries([...out.byTab].map(([tab, entries]) => [tab, entries.map((e) => e.key)])), byTab);
    assert.deepEqual(out.spent.sort(), [...spent].sort());
    for (const entries of out.byTab.values()) for (const e of entries) assert.equal(e.record, all[e.key], 'the stored record itself');
  });
}

test('recover then merge counts each finding written ahead exactly once', () => {
  // A run wrote three findings ahead (counted 1, 2, 3 by the core); its list
  // write merged the first two (and nulled their keys), then it was stopped
  // before the third's merge.
  const list = merge([], [rec('a', 1, 1), rec('a', 2, 2)]);
  const all = { 'findings:1': list, [aheadKey(1, 'old', 0)]: null, [aheadKey(1, 'old', 1)]: null, [aheadKey(1, 'old', 2)]: rec('a', 3, 3) };
  const { byTab } = recoverAhead(all, 'new');
  const after = merge(all['findings:1'], byTab.get(1).map((e) => e.record));
  assert.equal(after[0].count, 3);
});

/** Applies `steps` (['change', record] or ['drop', keys]) to a worker's list and to an update, then the update to the panel's copy. */
function replay(start, steps) {
  let worker = [...start];
  const u = emptyUpdate();
  for (const [op, arg] of steps) {
    if (op === 'change') {
      worker = merge(worker, [arg]);
      noteChanged(u, arg);
    } else {
      worker = worker.filter((r) => !arg.includes(r.key));
      noteRemoved(u, arg);
    }
  }
  return { worker, panel: applyUpdate(start, u), u };
}

const updateCases = [
  { name: 'a new record is added at the end', steps: [['change', rec('c', 1, 3)]] },
  { name: 'a dropped record goes', steps: [['drop', ['a']]] },
  { name: 'changed, then dropped by the caps: gone', steps: [['change', rec('c', 1, 3)], ['drop', ['c', 'a']]] },
  { name: 'dropped, then seen again: back, with the count the core gave it', steps: [['drop', ['a']], ['change', rec('a', 1, 4)]] },
  { name: 'several changes of one key: the last', steps: [['change', rec('b', 2, 3)], ['change', rec('b', 3, 4)]] },
];
for (const { name, steps } of updateCases) {
  test(`applyUpdate: ${name}, as the worker's own list`, () => {
    const start = [rec('a', 1, 1), rec('b', 1, 2)];
    const before = JSON.stringify(start);
    const { worker, panel } = replay(start, steps);
    assert.deepEqual(panel, worker);
    assert.equal(JSON.stringify(start), before, 'the panel list it was applied to is unchanged');
  });
}

test('noteChanged / noteRemoved: a key is in one of the two only', () => {
  const { u } = replay([rec('a')], [['change', rec('b')], ['drop', ['b']], ['change', rec('b', 2)], ['drop', ['a']]]);
  assert.deepEqual(
    u.changed.map((r) => [r.key, r.count]),
    [['b', 2]],
  );
  assert.deepEqual(u.removed, ['a']);
});
