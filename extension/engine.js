// @ts-check
// The worker's engine: the wasm `Engine` (www/pkg/cors_lens_engine.js, the
// small package built with only the `engine` feature) behind a packing step.
// Each webRequest event crosses into wasm as a few numbers and one string
// instead of one crossing per field and per header line, which cost the
// most per event (docs/performance.md, "Core speed and size"). Encoding
// only: no CORS logic lives here. Anything the packing does not expect (a
// field of another type, a `binaryValue` header, a NUL in a string) goes the
// reference way, `Engine.ingest(listener, details)`, which reads the object
// itself and says what is wrong with it.

import init, { Engine as WasmEngine, reinstantiate } from '../www/pkg/cors_lens_engine.js';

export { init as default, reinstantiate };

/** Listener names by index: the order of `LISTENERS` in crate/wasm/src/lib.rs. */
const KINDS = new Map(
  ['onSendHeaders', 'onHeadersReceived', 'onBeforeRedirect', 'onCompleted', 'onErrorOccurred'].map((name, i) => [name, i]),
);

// Which optional fields are present: the bits of `read::has` in crate/wasm/src/read.rs.
const TAB_ID = 1;
const TIME_STAMP = 2;
const STATUS_CODE = 4;
const REQUEST_HEADERS = 256;
const RESPONSE_HEADERS = 512;
/**
 * Optional strings, in the order they are packed, with their bits.
 * @type {ReadonlyArray<[string, number]>}
 */
const OPTIONAL = [
  ['initiator', 8],
  ['originUrl', 16],
  ['documentUrl', 32],
  ['redirectUrl', 64],
  ['error', 128],
];

// What pack() found besides the text (module-level: no object per event).
let present = 0;
let requestLines = 0;
let responseLines = 0;
let text = '';

/** Appends a header list to `text`; its line count, or -1 to fall back. */
function lines(list) {
  if (!Array.isArray(list)) return -1;
  for (const h of list) {
    if (h === null || typeof h !== 'object' || typeof h.value !== 'string' || h.binaryValue != null) return -1;
    const name = h.name === undefined ? '' : h.name;
    if (typeof name !== 'string') return -1;
    text += `\0${name}\0${h.value}`;
  }
  return list.length;
}

/** Notes a number field as present; false when it is not a number. */
function number(v, bit) {
  if (v == null) return true;
  if (typeof v !== 'number') return false;
  present |= bit;
  return true;
}

/** Packs `d` into the module variables; false when it must go the reference way. */
function pack(d) {
  const { requestId = '', url = '', method = '', type = '' } = d;
  if (typeof requestId !== 'string' || typeof url !== 'string' || typeof method !== 'string' || typeof type !== 'string') {
    return false;
  }
  text = `${requestId}\0${url}\0${method}\0${type}`;
  present = 0;
  for (const [key, bit] of OPTIONAL) {
    const v = d[key];
    if (v == null) continue;
    if (typeof v !== 'string') return false;
    present |= bit;
    text += `\0${v}`;
  }
  if (!number(d.tabId, TAB_ID) || !number(d.timeStamp, TIME_STAMP) || !number(d.statusCode, STATUS_CODE)) return false;
  requestLines = 0;
  responseLines = 0;
  if (d.requestHeaders != null) {
    requestLines = lines(d.requestHeaders);
    if (requestLines < 0) return false;
    present |= REQUEST_HEADERS;
  }
  if (d.responseHeaders != null) {
    responseLines = lines(d.responseHeaders);
    if (responseLines < 0) return false;
    present |= RESPONSE_HEADERS;
  }
  return true;
}

/** The engine as the worker uses it: `ingest(listener, details)` → a record or undefined. */
export class Engine {
  /** `inner`: the wasm handle (another build's, in `make bench`). */
  constructor(inner = new WasmEngine()) {
    this.inner = inner;
  }

  /**
   * Feeds one webRequest event; returns a record (`kind: "failure"` or
   * `"notice"`) or undefined. Throws what the wasm engine throws (a
   * `WebAssembly.RuntimeError` after a panic).
   */
  ingest(listener, details) {
    const kind = KINDS.get(listener);
    let packed = false;
    if (kind !== undefined && details !== null && typeof details === 'object') {
      try {
        packed = pack(details);
      } catch {
        packed = false; // a getter that throws: the reference way reads it as missing
      }
    }
    if (packed) {
      const d = details;
      const record = this.inner.ingestPacked(kind, present, d.tabId ?? 0, d.timeStamp ?? 0, d.statusCode ?? 0, requestLines, responseLines, text);
      text = '';
      if (record !== null) return record;
    }
    return this.inner.ingest(listener, details);
  }

  /**
   * Remembers a stored record's group, so that the next report of `key` in
   * `tabId` goes on counting (crate/core/src/record.rs). `firstSeen`: NaN
   * when the record has none (seen once, at `time`).
   * @param {number} tabId
   * @param {string} key
   * @param {number} count
   * @param {number} firstSeen
   * @param {number} time
   */
  seed(tabId, key, count, firstSeen, time) {
    this.inner.seed(tabId, key, count, firstSeen, time);
  }

  /**
   * Forgets the group of a record that left storage.
   * @param {number} tabId
   * @param {string} key
   */
  forget(tabId, key) {
    this.inner.forget(tabId, key);
  }

  /**
   * Forgets a tab's groups.
   * @param {number} tabId
   */
  forgetTab(tabId) {
    this.inner.forgetTab(tabId);
  }

  /** How many requests are waiting for their last event. */
  get inFlight() {
    return this.inner.inFlight;
  }

  /** How many unfinished requests the engine forgot to stay within its caps. */
  get dropped() {
    return this.inner.dropped;
  }

  free() {
    this.inner.free();
  }

  /** Forgets the wasm handle without freeing it (after a trap: extension/worker.js, `restartEngine`). */
  __destroy_into_raw() {
    // wasm-bindgen's own method, left out of its .d.ts.
    return /** @type {any} */ (this.inner).__destroy_into_raw();
  }
}
