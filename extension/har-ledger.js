// @ts-check
// Which of DevTools' HAR entries the DevTools page has handed on, so that
// each request is handed on once and as complete as DevTools can give it:
// whether `devtools.network.onRequestFinished` reported it, or `getHAR`
// listed it.
//
// The event alone is not enough (measured in Chromium 156, in this
// project's CI: docs/performance.md, "The DevTools feed: the event and
// getHAR"):
// - it may report a request before DevTools attached its response: a
//   preflight answered by a redirect came with status 0 and no headers,
//   while `getHAR` listed it with its 301 and headers a moment later. So an
//   entry without a response is held until a `getHAR` listing shows one, or
//   for at most HELD_MS (a request refused before it was sent never has
//   one);
// - it reports nothing that ended before the DevTools page ran, or that it
//   never reported at all. So `getHAR` is read from time to time
//   (extension/devtools.js) and what it lists that was never handed on is.
//
// DevTools names no request id both ways, so an entry is known by its start
// time, method and URL, counted: two identical requests started in the same
// millisecond are two.

/** How many request keys are remembered; older ones are forgotten first. */
export const MAX_KEYS = 20000;
/** How long an entry without a response waits for `getHAR` to show one (ms). */
export const HELD_MS = 1000;

/**
 * An entry's key: start time, method and URL.
 * @param {any} entry
 */
export const keyOf = (entry) => `${entry?.startedDateTime} ${entry?.request?.method} ${entry?.request?.url}`;

/**
 * Whether DevTools gave the entry its response (a status).
 * @param {any} entry
 */
const responded = (entry) => Number(entry?.response?.status) > 0;

/**
 * Whether the request is done with, as far as the verdict goes: it failed,
 * or its response (status and headers) came. One still waiting for its
 * response is left for the event, or a later listing.
 * @param {any} entry
 */
export const answered = (entry) => Boolean(entry?.response?._error) || responded(entry);

export class HarLedger {
  /** `heldMs`: how long an entry without a response is held; 0: it goes at once (compat.js, `reportsBeforeResponse`). */
  constructor({ max = MAX_KEYS, heldMs = HELD_MS } = {}) {
    this.max = max;
    this.heldMs = heldMs;
    /** @type {Map<string, number>} key → how many of its entries were taken (handed on or held) */
    this.taken = new Map();
    /** @type {Map<string, number>} key → entries taken from `getHAR` that the event may still report */
    this.owed = new Map();
    /** @type {Map<string, {entry: any, since: number}[]>} key → entries taken without a response, waiting for one */
    this.held = new Map();
    /** Start time (ms) at or below which entries were forgotten: `getHAR` entries that old are not taken again. */
    this.floor = -Infinity;
  }

  /** How many entries wait for their response. */
  get waiting() {
    let n = 0;
    for (const list of this.held.values()) n += list.length;
    return n;
  }

  /**
   * An entry the event reported at `now` (ms): what to hand on now.
   * @param {any} entry
   * @param {number} now
   */
  reported(entry, now) {
    const key = keyOf(entry);
    const owed = this.owed.get(key) ?? 0;
    if (owed > 0) {
      // Taken from getHAR already: this report is that entry.
      if (owed === 1) this.owed.delete(key);
      else this.owed.set(key, owed - 1);
      return [];
    }
    this.add(key);
    return this.holdOrGo(key, entry, now);
  }

  /**
   * A `getHAR` listing asked for at `asked` and read at `now` (ms): what to
   * hand on now, in the listing's order. Held entries whose response it
   * shows go in its version; answered entries never handed on are taken;
   * held entries go as they are once a listing asked for `heldMs` after
   * their report still shows no response (a slow `getHAR` never cuts the
   * wait short).
   * @param {any[]} entries
   * @param {number} now
   * @param {number} [asked]
   */
  listed(entries, now, asked = now) {
    const out = [];
    /** @type {Map<string, number>} */
    const seen = new Map();
    for (const entry of entries) {
      if (!answered(entry)) continue;
      const start = Date.parse(entry?.startedDateTime);
      if (Number.isFinite(start) && start <= this.floor) continue;
      const key = keyOf(entry);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const held = this.held.get(key);
      if (held?.length && responded(entry)) {
        // The response came since: this version goes instead.
        held.shift();
        if (!held.length) this.held.delete(key);
        out.push(entry);
      } else if (n > (this.taken.get(key) ?? 0)) {
        this.add(key);
        // The event may report it still: that report is this entry.
        this.owed.set(key, (this.owed.get(key) ?? 0) + 1);
        out.push(...this.holdOrGo(key, entry, now));
      }
    }
    return [...out, ...this.expired(asked)];
  }

  /**
   * The held entries that waited HELD_MS at `now`: they go as they are
   * (also when `getHAR` cannot be read).
   * @param {number} now
   */
  expired(now) {
    const out = [];
    for (const [key, list] of this.held) {
      while (list.length && now - list[0].since >= this.heldMs) out.push(/** @type {{entry: any}} */ (list.shift()).entry);
      if (!list.length) this.held.delete(key);
    }
    return out;
  }

  /**
   * @param {string} key
   * @param {any} entry
   * @param {number} now
   */
  holdOrGo(key, entry, now) {
    if (responded(entry) || this.heldMs <= 0) return [entry];
    const list = this.held.get(key) ?? [];
    list.push({ entry, since: now });
    this.held.set(key, list);
    return [];
  }

  /** @param {string} key */
  add(key) {
    this.taken.set(key, (this.taken.get(key) ?? 0) + 1);
    while (this.taken.size > this.max) {
      const [oldest] = this.taken.keys();
      this.taken.delete(oldest);
      this.owed.delete(oldest);
      const start = Date.parse(oldest.split(' ')[0]);
      if (Number.isFinite(start)) this.floor = Math.max(this.floor, start);
    }
  }
}
