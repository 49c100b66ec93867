// @ts-check
// What the toolbar badge shows for a tab: how many CORS failures its stored
// list holds (rows of the panel; warnings and other notices left out).
// Pure; the worker sets it (extension/worker.js, `showBadge`).

/** The badge's background: the failure red of the panel's icons. */
export const BADGE_COLOR = '#d93025';

/**
 * How many failures a list holds.
 * @param {ReadonlyArray<{kind: string} | null | undefined>} list
 */
export function failureCount(list) {
  let n = 0;
  for (const r of list) if (r && r.kind === 'failure') n++;
  return n;
}

/**
 * The badge's text: the count, or nothing when there is none.
 * @param {ReadonlyArray<{kind: string} | null | undefined>} list
 */
export function badgeText(list) {
  const n = failureCount(list);
  return n ? String(n) : '';
}
