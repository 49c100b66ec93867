// The worker's intake (extension/intake.js): the order queued events are
// fed in, the problems list and when forgotten requests are said.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORGOTTEN_NOTICE_MS, MAX_PROBLEMS, addProblem, byTimeStamp, noteForgotten } from '../../extension/intake.js';

test('byTimeStamp: by the browser time, missing times first, arrival order among equals; the queue is not changed', () => {
  /** @type {import('../../extension/intake.js').QueuedEvent[]} */
  const queue = [
    ['onErrorOccurred', { requestId: 'a', timeStamp: 30 }],
    ['onSendHeaders', { requestId: 'a', timeStamp: 10 }],
    ['onSendHeaders', { requestId: 'b' }],
    ['onHeadersReceived', { requestId: 'a', timeStamp: 10 }],
    ['onCompleted', { requestId: 'c', timeStamp: Number.NaN }],
  ];
  const order = byTimeStamp(queue).map(([l, d]) => `${l}:${d.requestId}`);
  assert.deepEqual(order, ['onSendHeaders:b', 'onCompleted:c', 'onSendHeaders:a', 'onHeadersReceived:a', 'onErrorOccurred:a']);
  assert.equal(queue[0][0], 'onErrorOccurred');
});

test('addProblem: keeps the last MAX_PROBLEMS', () => {
  const problems = [];
  for (let i = 0; i < MAX_PROBLEMS + 5; i++) addProblem(problems, { key: 'k', detail: String(i), time: i });
  assert.equal(problems.length, MAX_PROBLEMS);
  assert.equal(problems[0].detail, '5');
  assert.equal(problems.at(-1).detail, String(MAX_PROBLEMS + 4));
});

const forgottenCases = [
  { name: 'nothing forgotten: nothing said', state: { said: 0, at: 0 }, n: 0, now: 1e6, say: false, said: 0 },
  { name: 'more forgotten, long after the last: said', state: { said: 2, at: 0 }, n: 5, now: FORGOTTEN_NOTICE_MS + 1, say: true, said: 5 },
  { name: 'more forgotten, too soon after the last: not yet', state: { said: 2, at: 1000 }, n: 5, now: 1000 + FORGOTTEN_NOTICE_MS, say: false, said: 2 },
  { name: 'the same count: not said again', state: { said: 5, at: 0 }, n: 5, now: 1e9, say: false, said: 5 },
  { name: 'a fresh engine counts from zero again', state: { said: 50, at: 0 }, n: 3, now: 1e9, say: true, said: 3 },
];
for (const c of forgottenCases) {
  test(`noteForgotten: ${c.name}`, () => {
    const out = noteForgotten(c.state, c.n, c.now);
    assert.equal(out.say, c.say);
    assert.equal(out.state.said, c.said);
  });
}
