// @ts-check
// The optional `webRequest` permission: asking for it from a click, knowing
// whether it is active, and giving it back. It is needed only to capture
// before DevTools opens ("Watch this tab", "Always watch <site>"); holding it
// slows every page load in Chromium, listeners or not (docs/performance.md),
// so it is held only while one of those lists is not empty.
//
// When it takes effect (measured, docs/performance.md): Firefox reports its
// events at once; Chromium only from the next browser start. A grant seen by
// `permissions.onAdded` in this browser session is therefore "pending" in
// Chromium, recorded in storage.session, which a browser restart clears.

import { api, grantNeedsRestart } from './compat.js';

/**
 * The permission, as `permissions.*` take it.
 * @type {chrome.permissions.Permissions}
 */
export const WEB_REQUEST = { permissions: ['webRequest'] };

/** storage.session: true once the permission was granted in this browser session (Chromium: not active yet). */
export const PERMISSION_PENDING = 'webRequestPending';

/**
 * Asks for the permission. Call it synchronously from a click handler, before
 * any `await`: both browsers grant it only from a user gesture. Resolves to
 * whether it is held.
 * @returns {Promise<boolean>}
 */
export function requestWebRequest() {
  return api.permissions.request(WEB_REQUEST).catch((err) => {
    console.error('CORS Lens: permission request', err);
    return false;
  });
}

/**
 * The permission's state for the panel: `active` (its events are reported),
 * `pending` (granted, reported from the next browser start), or `missing`.
 * @returns {Promise<'active' | 'pending' | 'missing'>}
 */
export async function permissionState() {
  const [held, session] = await Promise.all([api.permissions.contains(WEB_REQUEST), api.storage.session.get(PERMISSION_PENDING)]);
  if (!held) return 'missing';
  return session[PERMISSION_PENDING] === true ? 'pending' : 'active';
}

/** Whether a `permissions.onAdded` / `onRemoved` change names `webRequest`. */
const namesWebRequest = (change) => Array.isArray(change?.permissions) && change.permissions.includes('webRequest');

/**
 * For the worker: follows grants and removals. `onChange(held)` is called
 * after each; a grant in Chromium is recorded as pending first (until the
 * browser restarts, a removal included: a new grant in the same session is
 * not active either).
 * @param {(held: boolean) => void} onChange
 */
export function followPermission(onChange) {
  api.permissions.onAdded.addListener((change) => {
    if (!namesWebRequest(change)) return;
    const record = grantNeedsRestart ? api.storage.session.set({ [PERMISSION_PENDING]: true }) : Promise.resolve();
    record.catch((err) => console.error('CORS Lens:', err)).then(() => onChange(true));
  });
  api.permissions.onRemoved.addListener((change) => {
    if (namesWebRequest(change)) onChange(false);
  });
}

/** Gives the permission back (nothing is left to capture before DevTools opens). */
export function giveBackWebRequest() {
  return api.permissions.remove(WEB_REQUEST).catch((err) => console.error('CORS Lens: permission remove', err));
}
