// When the worker writes and publishes (extension/schedule.js): the gap
// after a write and the leading-edge publish throttle, with made-up times.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WRITE_GAP_MS, PUBLISH_MS, WRITE_GAP, nextWriteAt, publishDelay } from '../../extension/schedule.js';

const writeCases = [
  { name: 'a quick write: the next may start almost at once', started: 1000, ended: 1002, want: 1002 + 2 * WRITE_GAP },
  { name: 'a long write: the gap is WRITE_GAP times what it took', started: 1000, ended: 1100, want: 1100 + 100 * WRITE_GAP },
  { name: 'a very slow write: the gap is bounded', started: 0, ended: 5000, want: 5000 + MAX_WRITE_GAP_MS },
  { name: 'a clock going back: no gap', started: 1000, ended: 990, want: 990 },
];
for (const c of writeCases) {
  test(`nextWriteAt: ${c.name}`, () => assert.equal(nextWriteAt(c.started, c.ended), c.want));
}

const publishCases = [
  { name: 'never published: at once (the leading edge)', lastAt: undefined, now: 5, want: 0 },
  { name: 'nothing in the last PUBLISH_MS: at once', lastAt: 1000, now: 1000 + PUBLISH_MS, want: 0 },
  { name: 'long ago: at once', lastAt: 1000, now: 99_999, want: 0 },
  { name: 'just published: waits out the rest of PUBLISH_MS', lastAt: 1000, now: 1010, want: PUBLISH_MS - 10 },
  { name: 'a custom gap', lastAt: 1000, now: 1000, gap: 40, want: 40 },
];
for (const c of publishCases) {
  test(`publishDelay: ${c.name}`, () => assert.equal(publishDelay(c.lastAt, c.now, c.gap), c.want));
}

test('publishDelay: a burst of changes gets one message at once and one when PUBLISH_MS is up', () => {
  // Changes every 10 ms for 600 ms; a message goes when the delay is 0 or its timer fires.
  let lastAt;
  let timerAt = null;
  const sent = [];
  for (let now = 0; now <= 600; now += 10) {
    if (timerAt !== null && now >= timerAt) {
      sent.push(timerAt);
      lastAt = timerAt;
      timerAt = null;
    }
    if (timerAt !== null) continue;
    const wait = publishDelay(lastAt, now);
    if (wait === 0) {
      sent.push(now);
      lastAt = now;
    } else timerAt = now + wait;
  }
  assert.deepEqual(sent, [0, PUBLISH_MS, 2 * PUBLISH_MS]);
});
