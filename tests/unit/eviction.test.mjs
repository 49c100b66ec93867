// The worker's caps and eviction plans (extension/eviction.js): which tab
// loses findings, and how many, when a write would pass the count or byte
// budget or has failed for want of space. Plain sizes, no browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BYTE_BUDGET_SHARE,
  MAX_FINDINGS,
  MAX_FINDINGS_PER_TAB,
  afterFailedWrite,
  byteBudget,
  largestOther,
  nextRoomStep,
  overTabCap,
} from '../../extension/eviction.js';

/** Tabs from `[id, size, bytes]`, in order of use (least recent first). */
const tabs = (...rows) => new Map(rows.map(([id, size, bytes = 0]) => [id, { size, bytes }]));

test('the caps are named and consistent: a tab holds at most a quarter of the total', () => {
  assert.equal(MAX_FINDINGS_PER_TAB, 500);
  assert.equal(MAX_FINDINGS, 2000);
  assert.ok(MAX_FINDINGS_PER_TAB * 4 <= MAX_FINDINGS);
});

const budgetCases = [
  { name: 'a share of the quota where the browser measures', quota: 10_000_000, measurable: true, want: BYTE_BUDGET_SHARE * 10_000_000 },
  { name: 'none where the browser cannot measure', quota: 10_000_000, measurable: false, want: 0 },
  { name: 'none without a quota', quota: undefined, measurable: true, want: 0 },
];
for (const { name, quota, measurable, want } of budgetCases) {
  test(`byteBudget: ${name}`, () => assert.equal(byteBudget(quota, measurable), want));
}

const tabCapCases = [
  { length: 0, want: 0 },
  { length: MAX_FINDINGS_PER_TAB, want: 0 },
  { length: MAX_FINDINGS_PER_TAB + 7, want: 7 },
];
for (const { length, want } of tabCapCases) {
  test(`overTabCap: a list of ${length} loses ${want}`, () => assert.equal(overTabCap(length), want));
}

const largestCases = [
  { name: 'the other tab with the most findings', tabs: tabs([1, 10], [2, 30], [3, 20]), tabId: 1, want: 2 },
  { name: 'the tab being written is never chosen', tabs: tabs([1, 99], [2, 3]), tabId: 1, want: 2 },
  { name: 'of equals, the one used least recently (first in order)', tabs: tabs([4, 5], [2, 5], [1, 1]), tabId: 1, want: 4 },
  { name: 'empty tabs are never chosen', tabs: tabs([1, 5], [2, 0]), tabId: 1, want: undefined },
];
for (const c of largestCases) {
  test(`largestOther: ${c.name}`, () => assert.equal(largestOther(c.tabId, c.tabs), c.want));
}

const roomCases = [
  { name: 'within both budgets: nothing goes', tabId: 1, length: 100, tabs: tabs([1, 99, 99_000], [2, 100, 100_000]), budget: 1_000_000, want: null },
  { name: 'over the count: the largest other tab loses what is over', tabId: 1, length: 500, tabs: tabs([1, 400], [2, 500], [3, 1200]), budget: 0, want: { victim: 3, drop: 200 } },
  {
    name: 'over the bytes: the victim loses enough of its own size per finding',
    tabId: 1,
    length: 100,
    tabs: tabs([1, 90, 90_000], [2, 100, 200_000]),
    budget: 250_000,
    // 100 × 1 000 + 200 000 − 250 000 = 50 000 bytes over; 2 000 each.
    want: { victim: 2, drop: 25 },
  },
  { name: 'a tab written for the first time is as large per finding as the others', tabId: 1, length: 10, tabs: tabs([2, 100, 100_000]), budget: 105_000, want: { victim: 2, drop: 5 } },
  { name: 'no other tab: the tab itself loses what is over the count', tabId: 1, length: MAX_FINDINGS + 3, tabs: tabs([1, MAX_FINDINGS]), budget: 0, want: { drop: 3 } },
  { name: 'no other tab and only the bytes over: a failed write decides', tabId: 1, length: 10, tabs: tabs([1, 10, 1_000_000]), budget: 10, want: null },
  { name: 'at least one goes, never more than the victim has', tabId: 1, length: 2000, tabs: tabs([2, 1]), budget: 0, want: { victim: 2, drop: 1 } },
];
for (const c of roomCases) {
  test(`nextRoomStep: ${c.name}`, () => assert.deepEqual(nextRoomStep(c.tabId, c.length, c.tabs, { budget: c.budget }), c.want));
}

test('nextRoomStep: carried out step by step, the total ends within MAX_FINDINGS', () => {
  const state = tabs([2, 700], [3, 900], [1, 0]);
  let length = 600;
  for (let steps = 0; ; steps++) {
    assert.ok(steps < 10, 'a few steps');
    const step = nextRoomStep(1, length, state, { budget: 0 });
    if (!step) break;
    if (step.victim === undefined) length -= step.drop;
    else state.get(step.victim).size -= step.drop;
  }
  assert.ok(length + state.get(2).size + state.get(3).size <= MAX_FINDINGS);
  assert.equal(length, 600, "the tab written keeps its own while others have some");
});

const failedCases = [
  { name: 'the largest other tab loses a quarter (rounded up)', tabId: 1, length: 50, tabs: tabs([1, 50], [2, 10]), want: { victim: 2, drop: 3 } },
  { name: 'no other tab: the tab loses half of its own', tabId: 1, length: 9, tabs: tabs([1, 9]), want: { drop: 5 } },
  { name: 'nothing left to free: the failure stands', tabId: 1, length: 1, tabs: tabs([1, 1]), want: null },
];
for (const c of failedCases) {
  test(`afterFailedWrite: ${c.name}`, () => assert.deepEqual(afterFailedWrite(c.tabId, c.length, c.tabs), c.want));
}
