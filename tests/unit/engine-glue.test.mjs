// The worker's engine glue (extension/engine.js) against the reference way
// in: every event packed into numbers and one string must give exactly what
// the wasm engine gives when it reads the details object itself
// (`Engine.ingest`, crate/wasm/src/read.rs), records and refusals alike.
// Needs `make build` (www/pkg/cors_lens_engine*). Run by `make unit`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import init, { Engine } from '../../extension/engine.js';

const ROOT = new URL('../../', import.meta.url);
await init({ module_or_path: readFileSync(new URL('www/pkg/cors_lens_engine_bg.wasm', ROOT)) });

/** A corpus value as JavaScript, its shorthands expanded (tests/fixtures/hostile.json says how). */
function expand(v, i) {
  if (typeof v === 'string') return v.replaceAll('{i}', String(i));
  if (Array.isArray(v)) return v.map((x) => expand(x, i));
  if (v === null || typeof v !== 'object') return v;
  if (typeof v.repeat === 'string' && Number.isInteger(v.times)) return v.repeat.repeat(v.times);
  if (Array.isArray(v.concat)) return v.concat.map((x) => expand(x, i)).join('');
  if (Array.isArray(v.utf16)) return String.fromCharCode(...v.utf16);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x, i)]));
}

/** The [listener, details] pairs of a corpus case, `each` entries unrolled. */
function caseEvents(entries) {
  const out = [];
  for (const entry of entries) {
    if (Array.isArray(entry)) out.push(expand(entry, 0));
    else for (let i = 0; i < entry.each; i++) for (const e of entry.events) out.push(expand(e, i));
  }
  return out;
}

/** What one engine makes of a sequence: per event a record, `undefined` or `{refused}`. */
function outcomes(events, ingest) {
  return events.map(([listener, details]) => {
    try {
      return ingest(listener, details);
    } catch (err) {
      assert.ok(!(err instanceof WebAssembly.RuntimeError), `a trap on ${listener}: ${err}`);
      return { refused: true };
    }
  });
}

/** Feeds `events` both ways; returns how many events the packed way took. */
function compare(events, what) {
  const glue = new Engine();
  const reference = new Engine();
  let packed = 0;
  const ingestPacked = glue.inner.ingestPacked.bind(glue.inner);
  glue.inner.ingestPacked = (...args) => {
    const out = ingestPacked(...args);
    if (out !== null) packed++;
    return out;
  };
  const fast = outcomes(events, (l, d) => glue.ingest(l, d));
  const slow = outcomes(events, (l, d) => reference.inner.ingest(l, d));
  assert.deepEqual(fast, slow, what);
  assert.equal(glue.inFlight, reference.inFlight, `${what}: requests in flight`);
  return packed;
}

const PAGE = 'http://127.0.0.1:8080';
const API = 'http://localhost:8081/api';
const base = { requestId: 'r1', url: API, method: 'GET', type: 'xmlhttprequest', tabId: 3, initiator: PAGE, timeStamp: 1.7e12 };
/** A refused request: its three events, with `change` applied to each details object. */
function refused(change = (d) => d, allowOrigin = 'http://other.test') {
  return [
    ['onSendHeaders', change({ ...base, requestHeaders: [{ name: 'Origin', value: PAGE }, { name: 'Sec-Fetch-Mode', value: 'cors' }] })],
    ['onHeadersReceived', change({ ...base, statusCode: 200, responseHeaders: [{ name: 'Access-Control-Allow-Origin', value: allowOrigin }] })],
    ['onErrorOccurred', change({ ...base, error: 'net::ERR_FAILED' })],
  ];
}

test('every case of the hostile corpus gives the same records and refusals packed as read field by field', () => {
  const corpus = JSON.parse(readFileSync(new URL('tests/fixtures/hostile.json', ROOT), 'utf8'));
  let events = 0;
  let packed = 0;
  for (const c of corpus.cases) {
    const list = caseEvents(c.events);
    events += list.length;
    packed += compare(list, c.id);
  }
  // Most of the corpus is well-typed: the fast way must have been taken.
  assert.ok(packed > events / 2, `${packed} of ${events} events packed`);
});

test('events the packing does not expect go the reference way and give the same outcome', () => {
  const cases = [
    ['a NUL inside a header value', refused(undefined, `${PAGE}\0evil`)],
    ['a NUL inside the URL', refused((d) => ({ ...d, url: `${API}?a=\0` }))],
    ['a binaryValue header line', refused((d) => (d.responseHeaders ? { ...d, responseHeaders: [{ name: 'Access-Control-Allow-Origin', binaryValue: [104, 255] }] } : d))],
    ['a header value of null', refused((d) => (d.requestHeaders ? { ...d, requestHeaders: [...d.requestHeaders, { name: 'X', value: null }] } : d))],
    ['a tab id written as text', refused((d) => ({ ...d, tabId: '3' }))],
    ['a request id that is a number', refused((d) => ({ ...d, requestId: 1 }))],
    ['headers that are not a list', refused((d) => (d.requestHeaders ? { ...d, requestHeaders: 'Origin: x' } : d))],
    ['null optional fields', refused((d) => ({ ...d, initiator: null, error: d.error ?? null, statusCode: d.statusCode ?? null }))],
    ['a getter that throws', refused((d) => Object.defineProperty({ ...d }, 'originUrl', { get() { throw new Error('no'); }, enumerable: true }))],
    ['the onBeforeSendHeaders name', refused().map(([l, d], i) => [i === 0 ? 'onBeforeSendHeaders' : l, d])],
    ['an unknown listener name', [['onSomething', { ...base }]]],
    ['details that are not an object', [['onSendHeaders', 'text'], ['onCompleted', null]]],
  ];
  for (const [what, events] of cases) compare(events, what);
});

test('a refused request packed gives the failure record the reference way gives, and a passing one gives none', () => {
  const glue = new Engine();
  const passing = refused((d) => ({ ...d, requestId: 'r2' }), PAGE);
  passing[2] = ['onCompleted', { ...base, requestId: 'r2', statusCode: 200 }];
  const records = [...refused(), ...passing].map(([l, d]) => glue.ingest(l, d));
  assert.deepEqual(records.map((r) => r?.kind), [undefined, undefined, 'failure', undefined, undefined, undefined]);
  assert.equal(records[2].reason, 'AllowOriginMismatch');
  assert.equal(records[2].tabId, 3);
  assert.equal(records[2].allowCredentials, null, 'absent values are null, as storage expects');
  assert.equal(glue.inFlight, 0);
});
