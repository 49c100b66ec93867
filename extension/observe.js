// @ts-check
// What CORS Lens observes: tabs with DevTools open on them, tabs the user
// asked to watch, and tabs showing a site on the "always watch" list.
// A tab with DevTools open is observed through DevTools itself: its DevTools
// page hands over each request's HAR entry (extension/devtools.js). Only
// the watch lists need webRequest, whose listeners cost every page load in
// the browser, watched or not (docs/performance.md): they exist only while a
// tab or a site is watched and the optional webRequest permission is active
// (extension/permission.js: granted from the panel's click; in Chromium from
// the next browser start). When both lists become empty the permission is
// given back.
//
// Where the state lives:
// - storage.local `watchSites`: host names always watched (the user's list);
// - storage.session `watchTabs`: ids of tabs the user asked to watch, until
//   they close; `devtoolsTabs`: tabs with DevTools open, with when it opened.
//
// The lifecycle: a stopped worker woken by a request gets that request's
// events only through listeners registered by the first run of its script,
// and nothing read from storage is known then. So the listeners are
// registered synchronously on every start, and removed as soon as the state
// is read if nothing is watched (a few milliseconds later). While something
// is watched the worker is kept running (KEEPALIVE_MS), so that it is not
// stopped between two requests of a watched tab.

import { api, extraInfoSpec, grantNeedsRestart } from './compat.js';
import { DEVTOOLS_PORT, Msg, isOwnPage, message } from './messages.js';
import { PERMISSION_PENDING, followPermission, giveBackWebRequest } from './permission.js';

/** storage.local: host names whose tabs are always watched. */
export const WATCH_SITES = 'watchSites';
/** storage.session: ids of tabs watched until they close ("Watch this tab"). */
export const WATCH_TABS = 'watchTabs';
/** storage.session: `{tabId: time}`, tabs with DevTools open and since when (ms). */
export const DEVTOOLS_TABS = 'devtoolsTabs';

/**
 * What storage holds under the keys above (each may be absent): the type
 * readers cast `storage.get`'s untyped answer to.
 * @typedef {object} WatchStorage
 * @property {string[]} [watchSites] WATCH_SITES
 * @property {number[]} [watchTabs] WATCH_TABS
 * @property {Record<string, number>} [devtoolsTabs] DEVTOOLS_TABS
 */

/**
 * Only subresources can fail CORS; navigations cannot. Registering fewer
 * types and events keeps the cost of observing low.
 */
const FILTER = {
  urls: ['<all_urls>'],
  types: ['xmlhttprequest', 'image', 'script', 'stylesheet', 'font', 'media', 'other'],
};

/**
 * Errors are heard for WebSocket requests too: a fetch redirected to a `ws:`
 * URL ends there (`ERR_UNKNOWN_URL_SCHEME`, type `websocket`), and without
 * this its last event would never arrive. Errors of real WebSockets have
 * request ids the engine never saw, and it ignores them.
 */
const ERROR_FILTER = { ...FILTER, types: [...FILTER.types, 'websocket'] };

/**
 * The listeners the verdict needs, with the details each must carry.
 * @type {ReadonlyArray<[string, string[]]>}
 */
const LISTENERS = [
  ['onSendHeaders', ['requestHeaders']],
  ['onHeadersReceived', ['responseHeaders']],
  ['onBeforeRedirect', []],
  ['onCompleted', []],
  ['onErrorOccurred', []],
];

/** The watch state, once read from storage (null before). */
let state = null;
/** Host name of the page each tab shows, as last seen. */
const tabHosts = new Map();
/** Open DevTools ports, by tab. */
const devtoolsPorts = new Map();
/** The last events message read from each tab's DevTools page: `{run, seq}`. */
const lastRead = new Map();
/** Events that arrived before the state was read: `[listener, details]`. */
const early = [];
const MAX_EARLY = 50000;
let deliver = null;
/** The registered listeners: `[listener, handler]`. */
let registered = [];
/**
 * Whether webRequest reports events now: the optional permission is held
 * (its namespace exists from the worker's start) and, in Chromium, was not
 * granted in this browser session (read from storage at load; see
 * extension/permission.js).
 */
let active = !!api.webRequest;

const hostOf = (url) => {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
};

/** Whether the tab of a webRequest event is on a watch list now. */
function watched(details) {
  const tabId = details.tabId;
  if (!Number.isInteger(tabId) || tabId < 0) return false;
  if (state.tabs.has(tabId)) return true;
  if (state.sites.size === 0) return false;
  // The top document's host: Firefox names it; Chromium names the requesting
  // document's origin, which is the top one for requests of the top frame.
  const top = details.frameAncestors?.at(-1)?.url ?? (details.frameType === 'outermost_frame' || details.frameId === 0 ? details.initiator ?? details.documentUrl : null);
  return state.sites.has(tabHosts.get(tabId)) || (top != null && state.sites.has(hostOf(top)));
}

function onEvent(listener, details) {
  if (!state) {
    if (early.length < MAX_EARLY) early.push([listener, details]);
    return;
  }
  if (watched(details)) deliver(listener, details);
}

function register() {
  if (registered.length || !api.webRequest || !active) return;
  for (const [listener, wanted] of LISTENERS) {
    const handler = (details) => onEvent(listener, details);
    const spec = extraInfoSpec(listener, wanted);
    const filter = listener === 'onErrorOccurred' ? ERROR_FILTER : FILTER;
    if (spec) api.webRequest[listener].addListener(handler, filter, spec);
    else api.webRequest[listener].addListener(handler, filter);
    registered.push([listener, handler]);
  }
}

function unregister() {
  for (const [listener, handler] of registered.splice(0)) api.webRequest[listener].removeListener(handler);
}

/** Whether a tab or a site is on a watch list (webRequest listeners exist only then). */
const listing = () => state.tabs.size > 0 || state.sites.size > 0;
/** Whether anything is watched, DevTools included (the worker is kept running then). */
const anything = () => listing() || state.devtools.size > 0;

/**
 * Whether webRequest observes the tab now (its DevTools entries are then
 * left out: the same requests would be counted twice).
 * @param {number} tabId
 */
function observedByWebRequest(tabId) {
  if (!state || registered.length === 0) return false;
  return state.tabs.has(tabId) || state.sites.has(tabHosts.get(tabId));
}

/**
 * While something is watched, an extension API call this often keeps the
 * worker running (Chromium stops it after 30 s without events or calls).
 */
const KEEPALIVE_MS = 20000;
let keepalive = null;
let stopTimer = null;
/** How long nothing must be watched before the listeners go (ms): DevTools pages reconnect meanwhile. */
const STOP_AFTER_MS = 3000;

/** Listeners and keepalive on while something is watched; off a little after nothing is. */
function apply() {
  clearTimeout(stopTimer);
  if (listing()) register();
  if (anything()) keepalive ??= setInterval(() => api.runtime.getPlatformInfo().catch(() => {}), KEEPALIVE_MS);
  if (listing() && anything()) return;
  stopTimer = setTimeout(() => {
    if (!listing()) unregister();
    if (anything()) return;
    clearInterval(keepalive);
    keepalive = null;
  }, STOP_AFTER_MS);
}

async function saveTabs() {
  await api.storage.session.set({ [WATCH_TABS]: [...state.tabs], [DEVTOOLS_TABS]: Object.fromEntries(state.devtools) });
}

async function load() {
  const [local, session, tabs, held] = await Promise.all([
    /** @type {Promise<WatchStorage>} */ (api.storage.local.get(WATCH_SITES)),
    /** @type {Promise<WatchStorage & {webRequestPending?: boolean}>} */ (api.storage.session.get([WATCH_TABS, DEVTOOLS_TABS, PERMISSION_PENDING])),
    api.tabs.query({}),
    api.permissions.contains({ permissions: ['webRequest'] }),
  ]);
  active = active && held && session[PERMISSION_PENDING] !== true;
  if (!active) unregister();
  for (const tab of tabs) if (tab.url) tabHosts.set(tab.id, hostOf(tab.url));
  const open = new Set(tabs.map((t) => t.id));
  state = {
    sites: new Set(Array.isArray(local[WATCH_SITES]) ? local[WATCH_SITES] : []),
    tabs: new Set((session[WATCH_TABS] ?? []).filter((id) => open.has(id))),
    devtools: new Map(Object.entries(session[DEVTOOLS_TABS] ?? {}).map(([id, since]) => /** @type {[number, number]} */ ([Number(id), since])).filter(([id]) => open.has(id))),
  };
  // No watch list: the listeners registered at start go now.
  if (!listing()) unregister();
  // DevTools pages reconnect at once when the worker restarts; a tab whose
  // DevTools page has not after a while has had DevTools closed meanwhile.
  setTimeout(() => {
    let changed = false;
    for (const tabId of state.devtools.keys()) {
      if (!devtoolsPorts.has(tabId)) changed = state.devtools.delete(tabId) || changed;
    }
    if (changed) saveTabs().catch((err) => console.error('CORS Lens:', err));
    apply();
  }, STOP_AFTER_MS);
  for (const [listener, details] of early.splice(0)) if (watched(details)) deliver(listener, details);
}

/** Changes the watch state by `change(state)`, saves it, and keeps or gives back the permission. */
function update(change) {
  if (!state) return;
  relist(() => change(state));
  saveTabs().catch((err) => console.error('CORS Lens:', err));
  apply();
}

/**
 * Runs `change`, a change of the watch lists; when it leaves both empty, the
 * webRequest permission is given back (it slows every page load while held).
 * Only on that change, never at load: the panel asks for the permission
 * before it writes the list, and the worker may wake in between.
 */
function relist(change) {
  const before = listing();
  change();
  if (before && !listing()) giveBackWebRequest();
}

/**
 * Starts observing what is watched: `onWatchedEvent(listener, details)` gets
 * every webRequest event of a watched tab, in the browser's order, and the
 * same events made from what DevTools recorded for a tab with DevTools open
 * that webRequest does not observe (extension/devtools.js). Call once, at
 * the worker's top level.
 * @param {(listener: string, details: object) => void} onWatchedEvent
 */
export function observe(onWatchedEvent) {
  deliver = onWatchedEvent;
  // Synchronously, on every start: the event that wakes a stopped worker is
  // delivered only to listeners that exist when the script's first run ends.
  register();
  // Granted (Firefox: reported at once; Chromium: from the next browser
  // start) or taken back (in the panel, or in the browser's settings).
  followPermission((held) => {
    active = held && !grantNeedsRestart;
    if (!active) unregister();
    else if (state) apply();
  });
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes[WATCH_SITES]) {
      const sites = changes[WATCH_SITES].newValue;
      update((s) => (s.sites = new Set(Array.isArray(sites) ? sites : [])));
    }
    if (area === 'session' && changes[WATCH_TABS] && state) {
      const tabs = changes[WATCH_TABS].newValue;
      const next = new Set(Array.isArray(tabs) ? tabs : []);
      if (next.size !== state.tabs.size || [...next].some((id) => !state.tabs.has(id))) {
        relist(() => (state.tabs = next));
        apply();
      }
    }
  });
  api.tabs.onUpdated.addListener((tabId, change, tab) => {
    if (change.url || tab?.url) tabHosts.set(tabId, hostOf(change.url ?? tab.url));
  });
  api.tabs.onRemoved.addListener((tabId) => {
    tabHosts.delete(tabId);
    update((s) => {
      s.tabs.delete(tabId);
      s.devtools.delete(tabId);
    });
  });
  const loaded = load().catch((err) => {
    console.error('CORS Lens: watch state', err);
    state = { sites: new Set(), tabs: new Set(), devtools: new Map() };
  });
  api.runtime.onConnect.addListener((port) => {
    if (port.name !== DEVTOOLS_PORT) return;
    if (!isOwnPage(port, DEVTOOLS_PORT)) {
      port.disconnect();
      return;
    }
    let tabId = null;
    port.onMessage.addListener((msg) => {
      if (msg?.type === Msg.DEVTOOLS_EVENTS) {
        // Only events of the tab this DevTools page said it is open on.
        if (tabId === null || msg.tabId !== tabId || !Array.isArray(msg.events)) return;
        const id = tabId;
        const events = msg.events.filter((e) => Array.isArray(e) && typeof e[0] === 'string' && e[1]?.tabId === id);
        const go = () => {
          // A message sent again after a reconnection that this worker had read.
          const last = lastRead.get(id);
          const again = last?.run === msg.run && Number.isInteger(msg.seq) && msg.seq <= last.seq;
          if (!again && !observedByWebRequest(id)) for (const [listener, details] of events) deliver(listener, details);
          if (Number.isInteger(msg.seq)) {
            if (!again) lastRead.set(id, { run: msg.run, seq: msg.seq });
            try {
              port.postMessage(message(Msg.DEVTOOLS_ACK, { run: msg.run, seq: msg.seq }));
            } catch {
              // DevTools closed meanwhile.
            }
          }
        };
        if (state) go();
        else loaded.then(go);
        return;
      }
      if (msg?.type !== Msg.DEVTOOLS || !Number.isInteger(msg.tabId)) return;
      tabId = msg.tabId;
      devtoolsPorts.set(tabId, port);
      const since = Date.now();
      const add = () => update((s) => s.devtools.has(tabId) || s.devtools.set(tabId, since));
      if (state) add();
      else loaded.then(add);
    });
    port.onDisconnect.addListener(() => {
      if (tabId === null || devtoolsPorts.get(tabId) !== port) return;
      devtoolsPorts.delete(tabId);
      update((s) => s.devtools.delete(tabId));
    });
  });
}
