// The toolbar badge's count (extension/badge.js): failures only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { badgeText, failureCount } from '../../extension/badge.js';

const f = { kind: 'failure' };
const n = { kind: 'notice' };
const cases = [
  { name: 'an empty list shows nothing', list: [], count: 0, text: '' },
  { name: 'failures are counted', list: [f, f, f], count: 3, text: '3' },
  { name: 'notices (warnings and the rest) are not', list: [n, f, n], count: 1, text: '1' },
  { name: 'only notices: nothing shown', list: [n, n], count: 0, text: '' },
  { name: 'holes in a list are skipped', list: [null, f, undefined], count: 1, text: '1' },
];
for (const c of cases) {
  test(`badge: ${c.name}`, () => {
    assert.equal(failureCount(c.list), c.count);
    assert.equal(badgeText(c.list), c.text);
  });
}
