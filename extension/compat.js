// @ts-check
// The one place that knows how Chromium and Firefox differ. Everything else
// calls `api` and `extraInfoSpec` and stays browser-agnostic.

/** The extension API namespace: `browser` in Firefox, `chrome` in Chromium. */
export const api = globalThis.browser ?? globalThis.chrome;

/**
 * Which browser this is: `firefox` or `chromium`. Read from the extension's
 * own URL scheme (`moz-extension:` in Firefox), which no user agent string
 * or page can change. The panel uses it to name Firefox's console reasons.
 */
export const browserId = api?.runtime?.getURL?.('').startsWith('moz-extension:') ? 'firefox' : 'chromium';

/**
 * Whether an optional `webRequest` permission granted at run time reports
 * events only from the next browser start (Chromium decides at extension
 * load whether pages' requests go through its webRequest machinery; Firefox
 * reports them at once: docs/performance.md).
 */
export const grantNeedsRestart = browserId === 'chromium';

/**
 * The `extraInfoSpec` for a webRequest listener. Chromium hides `Origin`,
 * `Cookie`, `Sec-Fetch-*` and the responses that then fail CORS unless a
 * listener asks for `extraHeaders`; Firefox rejects that value (and any third
 * argument to `onErrorOccurred`), so it is added only where the browser
 * declares it, and `null` means "pass no third argument".
 */
export function extraInfoSpec(listener, wanted) {
  const options = api.webRequest[`On${listener.slice(2)}Options`];
  const spec = [...wanted];
  if (options?.EXTRA_HEADERS) spec.push(options.EXTRA_HEADERS);
  return spec.length > 0 ? spec : null;
}

/**
 * Whether DevTools may report a finished request
 * (`devtools.network.onRequestFinished`) before it attached the response,
 * which `getHAR` lists a moment later: measured in Chromium 156, where such
 * entries are held until a listing shows their response
 * (extension/har-ledger.js; docs/performance.md, "The DevTools feed"). Not
 * seen in Firefox, where holding them only cost agreement (51 of Firefox's
 * 88 first reasons instead of 55), so they go at once there.
 */
export const reportsBeforeResponse = browserId === 'chromium';

/**
 * What DevTools recorded so far for the inspected tab (a HAR log): Firefox's
 * `getHAR` returns a promise, Chromium's takes a callback.
 * @returns {Promise<{entries?: object[]}>}
 */
export function inspectedHar() {
  if (browserId === 'firefox') return Promise.resolve(api.devtools.network.getHAR());
  return new Promise((resolve) => api.devtools.network.getHAR(resolve));
}
