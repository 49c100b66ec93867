// @ts-check
// The one definition of every message between the service worker and the
// DevTools panel. Each message is an object tagged with a `type`; receivers
// check who sent it before trusting it.

import { api } from './compat.js';

/**
 * `chrome.storage.local` key of the panel's "Preserve log" setting (boolean,
 * default off): when off, the worker clears a tab's findings when the tab
 * navigates, as the Network panel does.
 */
export const PRESERVE_LOG = 'preserveLog';

/** Name of the runtime port a panel opens to the worker. */
export const PANEL_PORT = 'cors-lens/panel';

/**
 * Name of the runtime port the DevTools page opens to the worker while
 * DevTools is open on a tab (extension/observe.js): its first message is
 * `{type: Msg.DEVTOOLS, tabId}`; its disconnection means DevTools closed.
 */
export const DEVTOOLS_PORT = 'cors-lens/devtools';

/** @typedef {typeof Msg[keyof typeof Msg]} MsgType A message's `type`. */

export const Msg = Object.freeze({
  /** panel → worker: `{type, tabId}` — send me this tab's findings, now and on every change. */
  SUBSCRIBE: 'subscribe',
  /** panel → worker: `{type, tabId}` — forget this tab's findings. */
  CLEAR: 'clear',
  /**
   * worker → panel: `{type, tabId, findings, problems, dropped}` — the tab's
   * findings (stored records, oldest first), the worker's problems
   * (`{key, detail, time}`, key = a message key) and `dropped`, how many
   * older findings of the tab were discarded to keep within the caps (500
   * per tab, 2000 across tabs; 0 when none). Sent when the panel subscribes
   * and after the tab was cleared or navigated. Otherwise an update,
   * `{type, tabId, changed, removed, problems, dropped}`: the records the
   * engine handed over since the last message and the keys of those the
   * caps dropped, which the panel applies to its list (extension/store.js,
   * `applyUpdate`: removals, then the same key replaced and moved to the end).
   * At most one message every 250 ms (PUBLISH_MS), the first at once.
   */
  FINDINGS: 'findings',
  /** DevTools page → worker, on DEVTOOLS_PORT: `{type, tabId}` — DevTools is open on this tab. */
  DEVTOOLS: 'devtools',
  /**
   * DevTools page → worker, on DEVTOOLS_PORT: `{type, tabId, events}` —
   * requests of the inspected tab, as DevTools recorded them
   * (`devtools.network.onRequestFinished`), turned into `webRequest` events
   * by the core (`events`: `[listener, details]` pairs, in order; `run`, `seq`:
   * the page's run and the message's number, acknowledged by DEVTOOLS_ACK). This is
   * how a tab being debugged is observed (no `webRequest`:
   * docs/performance.md).
   */
  DEVTOOLS_EVENTS: 'devtools-events',
  /**
   * worker → DevTools page, on DEVTOOLS_PORT: `{type, run, seq}` — the events
   * message `seq` of that page's `run` was read (the page sends again what
   * was not acknowledged when its port opens again).
   */
  DEVTOOLS_ACK: 'devtools-ack',
});

/** The longest HAR entry the DevTools page reads (characters); longer ones are left out. */
export const MAX_ENTRY_CHARS = 1 << 20;

/**
 * A stored record, as the worker keeps it and the panel receives it. The core
 * makes it (its fields are crate/wasm's record); these are the fields the
 * extension's JavaScript itself reads, so that a misspelt one fails the type
 * check (`make lint`).
 * @typedef {object} StoredRecord
 * @property {string} key the grouping key: records with the same key are merged
 * @property {'failure' | 'notice'} kind which of the two (the core's serde tag, always written)
 * @property {number} tabId the tab the request came from
 * @property {number} time when it was last seen (ms)
 * @property {number} [firstSeen] when it was first seen, once merged (ms)
 * @property {number} count how many times it was seen
 * @property {string} [pageUrl] the page that made the request
 * @property {string} [pageOrigin] that page's origin
 */

/**
 * One of the worker's own problems, as the panel shows it.
 * @typedef {object} Problem
 * @property {string} key a message key (l10n), filled with `detail`
 * @property {string} detail
 * @property {number} time when it happened (ms)
 */

/**
 * The worker's `Msg.FINDINGS` message.
 * @typedef {object} FindingsMessage
 * @property {typeof Msg.FINDINGS} type
 * @property {number} tabId
 * @property {StoredRecord[]} findings oldest first
 * @property {Problem[]} problems
 * @property {number} dropped
 */

/**
 * Whether a port was opened by one of this extension's own pages (the panel),
 * not by a content script or another extension.
 */
/**
 * @param {chrome.runtime.Port} port
 * @param {string} [name]
 */
export function isOwnPage(port, name = PANEL_PORT) {
  const sender = port.sender;
  return (
    port.name === name &&
    sender?.id === api.runtime.id &&
    typeof sender.url === 'string' &&
    sender.url.startsWith(api.runtime.getURL(''))
  );
}

/** Builds a message after checking its type exists: a typo fails loudly. */
/**
 * @param {MsgType} type
 * @param {object} [fields]
 */
export function message(type, fields = {}) {
  if (!Object.values(Msg).includes(type)) throw new Error(`unknown message type ${type}`);
  return { type, ...fields };
}
