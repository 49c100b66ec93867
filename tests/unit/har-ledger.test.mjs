// Which DevTools entries the DevTools page hands on (extension/har-ledger.js):
// each request once, whether the event reported it or getHAR listed it, and
// with its response where DevTools attached it late.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HarLedger, HELD_MS, answered } from '../../extension/har-ledger.js';

/** An entry as DevTools gives it: start second, URL path, status, error. */
const entry = (second, path, status = 200, error = null) => ({
  startedDateTime: `2026-12-07T10:00:${String(second).padStart(2, '0')}.000Z`,
  request: { method: 'GET', url: `http://api.test/${path}` },
  response: { status, _error: error },
});
const a = entry(1, 'a');
const b = entry(2, 'b');
const refused = entry(3, 'refused', 0, 'net::ERR_FAILED');
const inFlight = entry(4, 'slow', 0, null);
// A preflight answered by a redirect, reported before DevTools attached its
// response (as measured), then listed with it.
const redirectedEarly = entry(5, 'pf', 0, 'net::ERR_INVALID_REDIRECT');
const redirected = entry(5, 'pf', 301, 'net::ERR_INVALID_REDIRECT');

/** What was handed on: path and status. */
const said = (list) => list.map((e) => `${e.request.url.split('/').pop()} ${e.response.status}`);

/**
 * Each step, at a time (ms): `['event', t, entry, handed on]` or `['har', t, entries, handed on]`.
 * @type {{ name: string, steps: [string, number, any, string[]][] }[]}
 */
const cases = [
  {
    name: 'a request the event reported with its response goes at once, and not again from getHAR',
    steps: [['event', 0, a, ['a 200']], ['har', 10, [a, b], ['b 200']]],
  },
  {
    name: 'a request the event never reported is taken from getHAR once',
    steps: [['har', 0, [a], ['a 200']], ['har', 10, [a], []]],
  },
  {
    name: 'the event reporting late what getHAR gave first is not handed on twice',
    steps: [['har', 0, [a], ['a 200']], ['event', 10, a, []], ['har', 20, [a], []]],
  },
  {
    name: 'two identical requests started in the same millisecond are two',
    steps: [['event', 0, a, ['a 200']], ['har', 10, [a, a], ['a 200']], ['event', 20, a, []]],
  },
  {
    name: 'an entry reported without its response goes in the version getHAR lists with it',
    steps: [['event', 0, redirectedEarly, []], ['har', 100, [redirected], ['pf 301']], ['har', 2 * HELD_MS, [redirected], []]],
  },
  {
    name: 'an entry that never gets a response (refused before it was sent) goes as it is after the wait',
    steps: [['event', 0, refused, []], ['har', 100, [refused], []], ['har', HELD_MS, [refused], ['refused 0']], ['har', 2 * HELD_MS, [refused], []]],
  },
  {
    name: 'an entry getHAR lists without a response waits too',
    steps: [['har', 0, [redirectedEarly], []], ['event', 10, redirectedEarly, []], ['har', 20, [redirected], ['pf 301']]],
  },
  {
    name: 'a request still waiting for its response is left for the event',
    steps: [['har', 0, [inFlight], []], ['event', 10, a, ['a 200']], ['har', 20, [inFlight, a], []]],
  },
  {
    name: 'what the event reported before getHAR first answered is not taken again',
    steps: [['event', 0, b, ['b 200']], ['event', 1, a, ['a 200']], ['har', 2, [a, b], []]],
  },
];

for (const c of cases) {
  test(`har ledger: ${c.name}`, () => {
    const ledger = new HarLedger();
    for (const [kind, at, what, expected] of c.steps) {
      const out = kind === 'event' ? ledger.reported(what, at) : ledger.listed(what, at);
      assert.deepEqual(said(out), expected, `${kind} at ${at}`);
    }
  });
}

test('har ledger: a held entry goes as it is only after a listing asked for once the wait was over', () => {
  const ledger = new HarLedger();
  ledger.reported(refused, 0);
  assert.deepEqual(said(ledger.listed([refused], HELD_MS + 500, HELD_MS - 1)), [], 'a slow read asked before the wait was over');
  assert.deepEqual(said(ledger.listed([refused], HELD_MS + 600, HELD_MS)), ['refused 0']);
});

test('har ledger: entries without a response are counted as waiting, and go when getHAR cannot be read', () => {
  const ledger = new HarLedger();
  ledger.reported(refused, 0);
  assert.equal(ledger.waiting, 1);
  assert.deepEqual(said(ledger.expired(HELD_MS - 1)), []);
  assert.deepEqual(said(ledger.expired(HELD_MS)), ['refused 0']);
  assert.equal(ledger.waiting, 0);
});

test('har ledger: past its size, the oldest keys are forgotten and getHAR entries that old are not taken again', () => {
  const ledger = new HarLedger({ max: 2 });
  for (const e of [a, b, redirected]) assert.equal(ledger.reported(e, 0).length, 1);
  assert.equal(ledger.taken.size, 2);
  assert.deepEqual(said(ledger.listed([a, b, redirected], 10)), [], 'a was forgotten, and is older than what is remembered');
});

test('har ledger: answered means an error or a status', () => {
  assert.equal(answered(a), true);
  assert.equal(answered(refused), true);
  assert.equal(answered(inFlight), false);
  assert.equal(answered({}), false);
  assert.equal(answered(null), false);
});

test('har ledger: with no hold (Firefox), an entry without a response goes at once, and once', () => {
  const ledger = new HarLedger({ heldMs: 0 });
  assert.deepEqual(said(ledger.reported(redirectedEarly, 0)), ['pf 0']);
  assert.equal(ledger.waiting, 0);
  assert.deepEqual(said(ledger.listed([redirected], 10)), []);
});
