// @ts-check
// The DevTools page: runs while DevTools is open on a tab, whichever panel is
// shown. It adds the CORS Lens panel, tells the worker which tab DevTools is
// open on, and hands it every request of that tab as DevTools recorded it
// (its HAR entry: the response headers of a refused request, preflights).
// That is how a tab being debugged is observed: DevTools records its
// traffic anyway, so observing it costs no `webRequest` machinery
// (docs/performance.md). The entries come from `onRequestFinished`, and from
// `getHAR`, read now and then for what the event left out. The core turns the entries into the `webRequest`
// events the worker's engine takes (crate/wasm/src/feed.rs), here, with the
// panel's package: the worker's stays small.
import init, { DevtoolsFeed } from '../www/pkg/cors_lens.js';
import { api, inspectedHar, reportsBeforeResponse } from './compat.js';
import { HELD_MS, HarLedger } from './har-ledger.js';
import { DEVTOOLS_PORT, MAX_ENTRY_CHARS, Msg, message } from './messages.js';

api.devtools.panels.create(api.i18n.getMessage('extName'), '/icons/icon-32.png', '/www/panel.html');

const tabId = api.devtools.inspectedWindow.tabId;

/** @type {chrome.runtime.Port | null} */
let port = null;
const MAX_WAITING = 5000;
/** This page's run, and the number of its last events message. */
const RUN = Math.random().toString(36).slice(2);
let seq = 0;
/**
 * Events messages the worker has not acknowledged yet, by number: a worker
 * stopped between our sending and its reading loses them with its port, so
 * they are sent again when the port opens again (the worker skips those it
 * had read).
 * @type {Map<number, object>}
 */
const unacked = new Map();
/** @type {DevtoolsFeed | null} */
let feed = null;
/** Entries that came before wasm was ready. */
const early = [];
/** How often the entries waiting in the feed are looked at (ms): crate/core/src/har/live.rs. */
const TICK_MS = 300;
let tickTimer = null;

/** @param {unknown[]} events */
function postEvents(events) {
  const msg = message(Msg.DEVTOOLS_EVENTS, { tabId, events, run: RUN, seq: ++seq });
  unacked.set(seq, msg);
  if (unacked.size > MAX_WAITING) unacked.delete(unacked.keys().next().value);
  try {
    port?.postMessage(msg);
  } catch {
    // The port closed under us: the message goes again when it opens again.
  }
}

/** Hands the worker the events the feed has ready, and comes back while some wait. */
function tick() {
  tickTimer = null;
  if (!feed) return;
  try {
    // An entry held back for its response may be a redirect's next hop or
    // a preflight: the feed waits for it.
    if (ledger.waiting) feed.expect(Date.now());
    const events = feed.tick(Date.now());
    if (events.length) postEvents(events);
  } catch (err) {
    console.error('CORS Lens: DevTools feed', err);
  }
  if (feed.pending) tickTimer ??= setTimeout(tick, TICK_MS);
}

/** @param {string} text */
function take(text) {
  if (!feed) {
    if (early.length < MAX_WAITING) early.push(text);
    return;
  }
  try {
    feed.entry(text, Date.now());
  } catch (err) {
    console.error('CORS Lens: DevTools entry', err);
    return;
  }
  tickTimer ??= setTimeout(tick, TICK_MS);
}
/** Which entries were handed on (the event's and `getHAR`'s): extension/har-ledger.js. */
const ledger = new HarLedger({ heldMs: reportsBeforeResponse ? HELD_MS : 0 });
/**
 * When `getHAR` is read for what the event left out: RECONCILE_MS after the
 * last report, at least every RECONCILE_MAX_MS under steady traffic, less
 * and less often (up to IDLE_MAX_MS) while nothing turns up, and every
 * HELD_READ_MS while an entry waits for its response.
 */
const RECONCILE_MS = 1000;
const RECONCILE_MAX_MS = 8000;
const IDLE_MAX_MS = 30000;
const HELD_READ_MS = 250;
let reconcileEvery = RECONCILE_MS;
let reconcileTimer = null;
let heldTimer = null;
let lastRead = Date.now();
let reading = false;

/** @param {number} at when to read getHAR next (ms) */
function readAt(at) {
  clearTimeout(reconcileTimer);
  reconcileTimer = setTimeout(reconcile, Math.max(0, at - Date.now()));
}

/** How long the last `getHAR` read took (ms): DevTools builds every entry of the log each time. */
let readCost = 0;

/**
 * A read soon, while entries wait for their response; never more than a
 * quarter of the time in reads, however long the log.
 */
function readSoon() {
  heldTimer ??= setTimeout(
    () => {
      heldTimer = null;
      reconcile();
    },
    Math.max(HELD_READ_MS, 3 * readCost),
  );
}

/** Reads `getHAR` and hands on what the event left out or gave without its response. */
async function reconcile() {
  if (reading) return;
  reading = true;
  const asked = Date.now();
  lastRead = asked;
  try {
    const log = await inspectedHar();
    readCost = Date.now() - asked;
    const late = ledger.listed(log?.entries ?? [], Date.now(), asked);
    for (const entry of late) send(entry);
    reconcileEvery = late.length ? RECONCILE_MS : Math.min(reconcileEvery * 2, IDLE_MAX_MS);
  } catch (err) {
    for (const entry of ledger.expired(Date.now())) send(entry);
    console.error('CORS Lens: DevTools record', err);
  } finally {
    reading = false;
  }
  readAt(Date.now() + reconcileEvery);
  if (ledger.waiting) readSoon();
}

/** @param {any} entry a HAR entry; its `getContent` method is not sent */
function send(entry) {
  const text = JSON.stringify(entry);
  if (typeof text === 'string' && text.length <= MAX_ENTRY_CHARS) take(text);
}

/** @param {any} entry an entry of the event */
function finished(entry) {
  for (const e of ledger.reported(entry, Date.now())) send(e);
  if (ledger.waiting) readSoon();
  reconcileEvery = RECONCILE_MS;
  readAt(Math.min(Date.now() + RECONCILE_MS, lastRead + RECONCILE_MAX_MS));
}

function connect() {
  const p = api.runtime.connect({ name: DEVTOOLS_PORT });
  p.postMessage(message(Msg.DEVTOOLS, { tabId }));
  port = p;
  for (const msg of unacked.values()) p.postMessage(msg);
  p.onMessage.addListener((m) => {
    if (m?.type === Msg.DEVTOOLS_ACK && m.run === RUN) unacked.delete(m.seq);
  });
  // The worker stops when idle: the port closes, and opening it again wakes
  // the worker, which then knows this tab is still being debugged.
  p.onDisconnect.addListener(() => {
    port = null;
    if (api.runtime?.id) setTimeout(connect, 100);
  });
}

if (Number.isInteger(tabId)) {
  connect();
  init()
    .then(() => {
      feed = new DevtoolsFeed(tabId);
      for (const text of early.splice(0)) take(text);
    })
    .catch((err) => console.error('CORS Lens: DevTools feed', err));
  api.devtools.network.onRequestFinished.addListener(finished);
  // What DevTools recorded before this page ran (it opened with the tab).
  reconcile();
}
