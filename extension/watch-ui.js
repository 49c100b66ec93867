// @ts-check
// The panel's watch bar: what is being watched for the inspected tab, the
// buttons that capture before DevTools opens ("Watch this tab", "Always
// watch <site>"), which ask for the optional webRequest permission from the
// click (extension/permission.js), whether that permission is active yet
// (Chromium: from the next browser start), what it costs, and a hint when
// the tab was not watched before DevTools opened (its earlier failures
// cannot be shown). The state is the one extension/observe.js keeps; this
// file only reads and writes it.

import { t } from '../www/pkg/cors_lens.js';
import { api, grantNeedsRestart } from './compat.js';
import { DEVTOOLS_TABS, WATCH_SITES, WATCH_TABS } from './observe.js';
import { PERMISSION_PENDING, permissionState, requestWebRequest } from './permission.js';

const $ = (id) => document.getElementById(id);

/** The inspected tab's host name ('' when unknown or not a web page). */
async function tabHost(tabId) {
  try {
    const url = new URL((await api.tabs.get(tabId)).url ?? '');
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.hostname : '';
  } catch {
    return '';
  }
}

/**
 * How many cross-origin requests the inspected page made before `since` (ms
 * since the epoch), from its own Resource Timing entries (no permission
 * needed): null when DevTools cannot be asked (the panel open as a tab).
 */
function requestsBefore(since) {
  const inspected = api.devtools?.inspectedWindow;
  if (!inspected) return Promise.resolve(null);
  const code = `(() => {
    const own = location.origin;
    const cross = performance.getEntriesByType('resource').filter((e) => { try { return new URL(e.name).origin !== own; } catch { return false; } });
    return { timeOrigin: performance.timeOrigin, starts: cross.map((e) => e.startTime) };
  })()`;
  return new Promise((resolve) => {
    inspected.eval(code, (result, error) => {
      if (error || !result || !Array.isArray(result.starts)) resolve(null);
      else resolve({ loadedBefore: result.timeOrigin < since, count: result.starts.filter((s) => result.timeOrigin + s < since).length });
    });
  });
}

/**
 * Starts the watch bar for `tabId`; `currentLang()` gives the panel's
 * language (it is read again on every change).
 */
export function startWatchBar(tabId, currentLang) {
  const bar = $('watch-bar');
  if (!bar || !Number.isInteger(tabId)) return;
  let host = '';
  let hint = null;

  async function render() {
    const lang = currentLang();
    const [local, session, permission] = await Promise.all([api.storage.local.get(WATCH_SITES), api.storage.session.get([WATCH_TABS, DEVTOOLS_TABS]), permissionState()]);
    host = await tabHost(tabId);
    const sites = Array.isArray(local[WATCH_SITES]) ? local[WATCH_SITES] : [];
    const siteWatched = host !== '' && sites.includes(host);
    const tabWatched = Array.isArray(session[WATCH_TABS]) && session[WATCH_TABS].includes(tabId);
    const since = session[DEVTOOLS_TABS]?.[tabId];
    const devtools = Number.isFinite(since);
    const fill = (key) => t(lang, key).replace('{host}', host);
    let status = 'ui_watch_off';
    if (siteWatched) status = 'ui_watch_site_on';
    else if (tabWatched) status = 'ui_watch_tab_on';
    else if (devtools) status = 'ui_watch_devtools';
    bar.dataset.watched = status === 'ui_watch_off' ? 'no' : siteWatched ? 'site' : tabWatched ? 'tab' : 'devtools';
    // Listed, but not captured before DevTools opens yet (Chromium: until
    // the browser restarts), or not at all (the permission was taken back).
    bar.dataset.permission = permission;
    if ((siteWatched || tabWatched) && permission !== 'active') status = permission === 'pending' ? 'ui_watch_pending' : 'ui_watch_missing';
    $('watch-status').textContent = fill(status);
    const tabButton = $('watch-tab');
    // A tab id does not outlive the browser: where a grant waits for the
    // next start, "Watch this tab" is offered only once the permission is active.
    tabButton.hidden = siteWatched || tabWatched || (grantNeedsRestart && permission !== 'active');
    tabButton.textContent = fill('ui_watch_tab');
    const siteButton = $('watch-site');
    siteButton.hidden = host === '';
    siteButton.textContent = fill(siteWatched ? 'ui_watch_site_stop' : 'ui_watch_site');
    siteButton.dataset.on = String(siteWatched);
    $('watch-cost').textContent = fill('ui_watch_cost');
    // The hint: a page loaded before this tab was watched (DevTools opened
    // later) made requests nobody saw.
    if (hint === null && devtools && !siteWatched && !tabWatched) hint = await requestsBefore(since);
    const hintEl = $('watch-hint');
    const show = !!hint?.loadedBefore && !siteWatched;
    hintEl.hidden = !show;
    hintEl.textContent = show ? (hint.count > 0 ? fill('ui_watch_hint_count').replace('{count}', hint.count.toLocaleString(lang)) : fill('ui_watch_hint')) : '';
  }

  const rerender = () => render().catch((err) => console.error('CORS Lens: watch bar', err));
  // Both buttons ask for the permission first, synchronously in the click
  // (a user gesture): the browsers grant it only then.
  $('watch-tab').addEventListener('click', async () => {
    if (!(await requestWebRequest())) return;
    const { [WATCH_TABS]: tabs = [] } = /** @type {import('./observe.js').WatchStorage} */ (await api.storage.session.get(WATCH_TABS));
    await api.storage.session.set({ [WATCH_TABS]: [...new Set([...tabs, tabId])] });
  });
  $('watch-site').addEventListener('click', async () => {
    if (!host) return;
    const stop = $('watch-site').dataset.on === 'true';
    if (!stop && !(await requestWebRequest())) return;
    const { [WATCH_SITES]: sites = [] } = /** @type {import('./observe.js').WatchStorage} */ (await api.storage.local.get(WATCH_SITES));
    const next = stop ? sites.filter((s) => s !== host) : [...new Set([...sites, host])];
    await api.storage.local.set({ [WATCH_SITES]: next });
  });
  api.storage.onChanged.addListener((changes) => {
    if (changes[WATCH_SITES] || changes[WATCH_TABS] || changes[DEVTOOLS_TABS] || changes[PERMISSION_PENDING] || changes.lang) rerender();
  });
  api.permissions.onAdded.addListener(rerender);
  api.permissions.onRemoved.addListener(rerender);
  // The tab's site changes when it navigates.
  api.tabs.onUpdated.addListener((id, change) => {
    if (id === tabId && change.url) rerender();
  });
  rerender();
  return rerender;
}
