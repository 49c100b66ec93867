// @ts-check
// The worker's caps on what storage.session holds, and which findings go
// when a list would pass them: pure plans over the tabs' sizes (counts and
// bytes as the browser counts them), which the worker carries out (it
// drops, writes and tells the panels). No browser API: tested in
// tests/unit/eviction.test.mjs.

/** Most distinct findings kept per tab; the oldest go first, counted. */
export const MAX_FINDINGS_PER_TAB = 500;
/** Most distinct findings kept across tabs (storage.session holds 10 MB). */
export const MAX_FINDINGS = 2000;
/**
 * Share of storage.session's quota the lists may fill, as the browser
 * counts it (`getBytesInUse`), leaving room for the other keys and for a
 * list that grows more than estimated.
 */
export const BYTE_BUDGET_SHARE = 0.9;
/** After a failed write, the share of the largest other tab's findings that goes. */
export const VICTIM_SHARE_ON_FAILURE = 1 / 4;
/** After a failed write with no other tab, the share of the tab's own findings that goes. */
export const OWN_SHARE_ON_FAILURE = 1 / 2;
/** Failed writes that free space and try again, at most. */
export const MAX_RETRIES = 8;

/**
 * What the worker knows of a tab's stored list: `size` findings taking
 * `bytes` (by its last write; 0: not known).
 * @typedef {{size: number, bytes: number}} TabSize
 */

/**
 * A step of a plan: drop the `drop` oldest findings of tab `victim`, or of
 * the tab being written when `victim` is undefined.
 * @typedef {{victim?: number, drop: number}} Step
 */

/**
 * The byte budget for a quota (0 where the browser cannot say: then only a
 * failed write frees space).
 * @param {number | undefined} quota `storage.session.QUOTA_BYTES`
 * @param {boolean} measurable whether `getBytesInUse` exists
 */
export function byteBudget(quota, measurable) {
  return measurable && Number.isFinite(quota) ? BYTE_BUDGET_SHARE * /** @type {number} */ (quota) : 0;
}

/**
 * Bytes a tab's findings take each, by its last write (0: not known).
 * @param {TabSize} t
 */
export const bytesEach = (t) => (t.size > 0 ? t.bytes / t.size : 0);

/**
 * How many of a tab's oldest findings go to keep within MAX_FINDINGS_PER_TAB.
 * @param {number} length the list's length after a merge
 */
export const overTabCap = (length) => Math.max(0, length - MAX_FINDINGS_PER_TAB);

/**
 * The tab other than `tabId` with the most stored findings (of equals, the
 * first in `tabs`' order: the one used least recently), if any.
 * @param {number} tabId
 * @param {Map<number, TabSize>} tabs
 * @returns {number | undefined}
 */
export function largestOther(tabId, tabs) {
  /** @type {number | undefined} */
  let best;
  let most = 0;
  for (const [id, t] of tabs) {
    if (id !== tabId && t.size > most) {
      best = id;
      most = t.size;
    }
  }
  return best;
}

/**
 * The next step to keep the total within MAX_FINDINGS and the byte budget,
 * before tab `tabId`'s list of `length` findings is written; null when it
 * fits. The other tab with the most findings loses its oldest first (as
 * many as the count or the bytes are over, at least one); with no other
 * tab, the tab itself loses what is over MAX_FINDINGS (bytes over then wait
 * for a failed write: `afterFailedWrite`). A tab written for the first time
 * is taken as large per finding as the others.
 * @param {number} tabId
 * @param {number} length
 * @param {Map<number, TabSize>} tabs every tab's stored size, `tabId`'s included
 * @param {{maxFindings?: number, budget: number}} limits
 * @returns {Step | null}
 */
export function nextRoomStep(tabId, length, tabs, { maxFindings = MAX_FINDINGS, budget }) {
  const others = [...tabs].filter(([id]) => id !== tabId).map(([, t]) => t);
  const own = tabs.get(tabId);
  const known = others.filter((t) => t.size > 0);
  const each = (own && bytesEach(own)) || known.reduce((n, t) => n + t.bytes, 0) / Math.max(1, known.reduce((n, t) => n + t.size, 0));
  const overCount = length + others.reduce((n, t) => n + t.size, 0) - maxFindings;
  const overBytes = budget ? each * length + others.reduce((n, t) => n + t.bytes, 0) - budget : 0;
  if (overCount <= 0 && overBytes <= 0) return null;
  const victim = largestOther(tabId, tabs);
  if (victim === undefined) return overCount > 0 ? { drop: overCount } : null;
  const v = /** @type {TabSize} */ (tabs.get(victim));
  const fromBytes = overBytes > 0 && bytesEach(v) > 0 ? Math.ceil(overBytes / bytesEach(v)) : 0;
  return { victim, drop: Math.min(v.size, Math.max(overCount, fromBytes, 1)) };
}

/**
 * What goes after a write of tab `tabId` failed (storage full as the
 * browser counts it): a share of the largest other tab, else of the tab
 * itself; null when nothing is left to free (the failure stands).
 * @param {number} tabId
 * @param {number} length the tab's list length
 * @param {Map<number, TabSize>} tabs
 * @returns {Step | null}
 */
export function afterFailedWrite(tabId, length, tabs) {
  const victim = largestOther(tabId, tabs);
  if (victim !== undefined) return { victim, drop: Math.ceil(/** @type {TabSize} */ (tabs.get(victim)).size * VICTIM_SHARE_ON_FAILURE) };
  if (length >= 2) return { drop: Math.ceil(length * OWN_SHARE_ON_FAILURE) };
  return null;
}
