// The engine's restart budget (extension/restarts.js): a token bucket that
// survives rare crashes, pauses observation under a crash on every event,
// and resumes; driven with made-up times, no browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESTART_BURST, RESTART_PAUSE_MS, RESTART_REFILL_MS, fullBucket, takeRestart, tokensAt } from '../../extension/restarts.js';

/** Crashes at the given times (ms) from a full bucket at 0; returns, per crash, whether the engine restarted. */
function run(times) {
  let bucket = fullBucket(0);
  let pausedUntil = -Infinity;
  const out = [];
  for (const now of times) {
    // While paused the worker observes nothing, so nothing can crash.
    if (now < pausedUntil) continue;
    const r = takeRestart(bucket, now);
    bucket = r.bucket;
    if (!r.restart) pausedUntil = r.resumeAt;
    out.push(r.restart ? 'restart' : 'pause');
  }
  return out;
}

const every = (ms, n, from = 0) => Array.from({ length: n }, (_, i) => from + i * ms);

const cases = [
  { name: 'a single crash restarts', times: [5], expect: ['restart'] },
  { name: 'a burst of ten crashes at once restarts each', times: every(0, 10), expect: Array(10).fill('restart') },
  { name: 'the eleventh crash within a minute pauses', times: every(100, 11), expect: [...Array(10).fill('restart'), 'pause'] },
  {
    name: 'a crash on every event pauses once a minute, not once and for all',
    // 10 ms apart for five minutes: each pause ends and ten more restarts follow.
    times: every(10, 30000),
    expect: null,
    check: (out) => {
      const pauses = out.filter((r) => r === 'pause').length;
      const restarts = out.filter((r) => r === 'restart').length;
      assert.ok(pauses >= 3 && pauses <= 5, `pauses over five minutes: ${pauses}`);
      assert.ok(restarts >= RESTART_BURST * pauses, `a full burst of restarts before each pause: ${restarts} restarts, ${pauses} pauses`);
    },
  },
  { name: 'a crash every seven seconds never pauses (below ten a minute)', times: every(7000, 200), expect: Array(200).fill('restart') },
  { name: 'a crash every five seconds pauses eventually (above ten a minute)', times: every(5000, 200), expect: null, check: (out) => assert.ok(out.includes('pause')) },
  { name: 'after a pause ends a crash restarts again', times: [...every(0, 11), RESTART_PAUSE_MS + 1], expect: [...Array(10).fill('restart'), 'pause', 'restart'] },
  { name: 'a long quiet time refills no more than the burst', times: [...every(0, 10), 3_600_000, ...every(0, 10, 3_600_001)], expect: [...Array(20).fill('restart'), 'pause'] },
];

for (const { name, times, expect, check } of cases) {
  test(name, () => {
    const out = run(times);
    if (expect) assert.deepEqual(out, expect);
    check?.(out);
  });
}

test('a clock going back refills nothing and never throws', () => {
  const bucket = { tokens: 0.5, at: 10_000 };
  assert.equal(tokensAt(bucket, 0), 0.5);
  assert.deepEqual(takeRestart(bucket, 0), { bucket: { tokens: 0.5, at: 0 }, restart: false, resumeAt: RESTART_PAUSE_MS });
});

test('the bucket refills at the burst per refill period', () => {
  assert.equal(tokensAt({ tokens: 0, at: 0 }, RESTART_REFILL_MS / 2), RESTART_BURST / 2);
  assert.equal(tokensAt({ tokens: 0, at: 0 }, RESTART_REFILL_MS * 5), RESTART_BURST);
});
