// @ts-check
// When the worker writes and publishes: the gap after a storage write, and
// the throttle on what a panel gets. Pure: the worker passes the times in
// (Date.now()); tested in tests/unit/schedule.test.mjs.

/**
 * A flush waits after the previous one for WRITE_GAP times what that one
 * took. Writing a small list takes a millisecond or two, so findings are
 * written at once, as a stopped worker loses what is not written yet; a
 * tab's full list (500 findings, about 700 KB) takes 50-100 ms, and under a
 * flood writing it back to back halved the requests a page could make. With
 * the gap, a flood's findings are written within a few tenths of a second,
 * in fewer, larger writes.
 */
export const WRITE_GAP = 3;
/** The gap's upper bound (ms), whatever a slow write took. */
export const MAX_WRITE_GAP_MS = 1000;
/**
 * A tab's panels get an update at most this often (ms): the first change
 * after a quiet time at once, the changes within this time after it
 * together when it is up. Under a flood every write would otherwise post
 * to the panel and the panel would render each one.
 */
export const PUBLISH_MS = 250;

/**
 * When the next flush may start, after one that ran from `started` to `ended`.
 * @param {number} started
 * @param {number} ended
 */
export function nextWriteAt(started, ended) {
  return ended + Math.min(MAX_WRITE_GAP_MS, WRITE_GAP * Math.max(0, ended - started));
}

/**
 * How long a publish waits (ms; 0: at once, the leading edge): until
 * PUBLISH_MS after the last one sent at `lastAt` (undefined: never).
 * @param {number | undefined} lastAt
 * @param {number} now
 * @param {number} [gap]
 */
export function publishDelay(lastAt, now, gap = PUBLISH_MS) {
  if (lastAt === undefined) return 0;
  return Math.max(0, lastAt + gap - now);
}
