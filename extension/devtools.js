// @ts-check
// The DevTools page: runs while DevTools is open on a tab, whichever panel is
// shown. It adds the CORS Lens panel, tells the worker which tab DevTools is
// open on, and hands it every request of that tab as DevTools recorded it
// (its HAR entry: the response headers of a refused request, preflights).
// That is how a tab being debugged is observed: DevTools records its
// traffic anyway, so observing it costs no `webRequest` machinery
// (docs/performance.md). The core turns the entries into the `webRequest`
// events the worker's engine takes (crate/wasm/src/feed.rs), here, with the
// panel's package: the worker's stays small.
import init, { DevtoolsFeed } from '../www/pkg/cors_lens.js';
import { api, inspectedHar } from './compat.js';
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
/**
 * Entries the event gave before `getHAR` answered, by start time, method and
 * URL, with how many: `getHAR` may list them too, and they count once.
 * @type {Map<string, number> | null}
 */
let earlyIds = new Map();

/** @param {any} entry */
const idOf = (entry) => `${entry?.startedDateTime} ${entry?.request?.method} ${entry?.request?.url}`;

/** @param {any} entry a HAR entry; its `getContent` method is not sent */
function send(entry) {
  const text = JSON.stringify(entry);
  if (typeof text === 'string' && text.length <= MAX_ENTRY_CHARS) take(text);
}

/** @param {any} entry an entry of the event */
function finished(entry) {
  if (earlyIds) earlyIds.set(idOf(entry), (earlyIds.get(idOf(entry)) ?? 0) + 1);
  send(entry);
}

/** @param {any[]} entries what DevTools recorded before this page listened */
function recorded(entries) {
  const seen = earlyIds ?? new Map();
  earlyIds = null;
  for (const entry of entries) {
    const n = seen.get(idOf(entry)) ?? 0;
    if (n > 0) seen.set(idOf(entry), n - 1);
    else send(entry);
  }
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
  inspectedHar()
    .then((log) => recorded(log?.entries ?? []))
    .catch((err) => {
      earlyIds = null;
      console.error('CORS Lens: DevTools record', err);
    });
}
