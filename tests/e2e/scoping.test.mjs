// Scoping: CORS Lens observes only what is watched (extension/observe.js).
// A tab without DevTools is not observed unless the user watches it or its
// site; the panel's "Watch this tab" and "Always watch <site>" start
// observing; a watched site stays observed across worker restarts, the
// waking request included; with nothing watched, no webRequest listener is
// left. (Opening DevTools on a tab watches it: tests/e2e/devtools.test.mjs.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithExtension, openPanel, tabIdFor, waitFor, readStoredFindings, currentServiceWorker, sleep } from './helpers.mjs';
import { startStress } from './stress-server.mjs';

let srv;
let br;

before(async () => {
  srv = await startStress();
  br = await launchWithExtension({ watch: false });
});

after(async () => {
  await br?.close();
  await srv?.close();
});

const urls = (path, n) => Array.from({ length: n }, () => `${srv.apiOrigin}${path}`);

/** A new tab on the stress page (127.0.0.1), its id, and an extension page to read storage from. */
async function newTab(query) {
  const page = await br.context.newPage();
  const url = `${srv.pageUrl}?${query}`;
  await page.goto(url);
  const reader = await openPanel(br.context, br.extensionId, -1);
  const tabId = await tabIdFor(reader, url);
  return { page, tabId, reader };
}

/** Failure counts the worker stored for a tab, by URL path. */
async function counts(reader, tabId) {
  const out = {};
  for (const f of await readStoredFindings(reader, tabId)) out[new URL(f.url).pathname] = f.count;
  return out;
}

async function waitCounts(reader, tabId, expected, what) {
  let last;
  try {
    await waitFor(async () => JSON.stringify((last = await counts(reader, tabId))) === JSON.stringify(expected), { timeout: 20000, what });
  } catch (e) {
    e.message += `; stored ${JSON.stringify(last)}`;
    throw e;
  }
}

/** Whether the worker has webRequest listeners (it removes them when nothing is watched). */
async function listening() {
  const sw = await currentServiceWorker(br.context, br.extensionId);
  return sw.evaluate(() => ['onSendHeaders', 'onHeadersReceived', 'onCompleted', 'onErrorOccurred'].some((e) => chrome.webRequest[e].hasListeners()));
}

test('nothing watched: a failing tab is not observed, and no listener is left', { timeout: 60000 }, async () => {
  const { page, tabId, reader } = await newTab('unwatched');
  await waitFor(async () => !(await listening()), { what: 'the listeners removed once the worker read that nothing is watched' });
  const r = await page.evaluate(([u]) => window.burst(u), [urls('/fail/a', 3)]);
  assert.deepEqual(r, { ok: 0, failed: 3 }, 'the page saw its requests fail');
  await sleep(1500);
  assert.deepEqual(await counts(reader, tabId), {}, 'nothing stored for an unwatched tab');
  const panel = await openPanel(br.context, br.extensionId, tabId);
  await waitFor(async () => (await panel.locator('#watch-status').textContent())?.length > 0, { what: 'the watch bar' });
  assert.equal(await panel.locator('#watch-bar').getAttribute('data-watched'), 'no', 'the panel says the tab is not watched');
  assert.equal(await panel.locator('#watch-tab').isVisible(), true, '"Watch this tab" is offered');
  await panel.close();
  await reader.close();
  await page.close();
});

test('"Watch this tab" observes that tab only, until it closes', { timeout: 60000 }, async () => {
  const { page, tabId, reader } = await newTab('watch-tab');
  const other = await newTab('other-tab');
  const panel = await openPanel(br.context, br.extensionId, tabId);
  await panel.locator('#watch-tab').click();
  await waitFor(async () => (await panel.locator('#watch-bar').getAttribute('data-watched')) === 'tab', { what: 'the panel saying the tab is watched' });
  await waitFor(listening, { what: 'listeners registered once a tab is watched' });

  await page.evaluate(([u]) => window.burst(u), [urls('/fail/b', 2)]);
  await other.page.evaluate(([u]) => window.burst(u), [urls('/fail/b', 2)]);
  await waitCounts(reader, tabId, { '/fail/b': 2 }, 'the watched tab observed');
  await sleep(500);
  assert.deepEqual(await counts(reader, other.tabId), {}, 'the other tab of the same site stays unobserved');

  await panel.close();
  await page.close();
  await other.page.close();
  await other.reader.close();
  await waitFor(async () => !(await listening()), { what: 'the listeners removed once the watched tab closed' });
  await reader.close();
});

test('"Always watch <site>" observes its tabs, across worker restarts, the waking request included', { timeout: 120000 }, async () => {
  const { page, tabId, reader } = await newTab('watch-site');
  const panel = await openPanel(br.context, br.extensionId, tabId);
  const siteButton = panel.locator('#watch-site');
  await waitFor(async () => (await siteButton.textContent())?.includes('127.0.0.1'), { what: 'the site button naming the tab’s host' });
  await siteButton.click();
  await waitFor(async () => (await panel.locator('#watch-bar').getAttribute('data-watched')) === 'site', { what: 'the panel saying the site is watched' });
  assert.deepEqual((await reader.evaluate(() => chrome.storage.local.get('watchSites'))).watchSites, ['127.0.0.1']);
  await panel.close();

  // A tab opened later on the same site is watched too.
  const later = await newTab('watch-site-later');
  await later.page.evaluate(([u]) => window.burst(u), [urls('/fail/c', 2)]);
  await waitCounts(later.reader, later.tabId, { '/fail/c': 2 }, 'a new tab of the watched site observed');
  await later.reader.close();

  for (let round = 1; round <= 2; round++) {
    const cdp = await br.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
    await sleep(300);
    // The first of these wakes the stopped worker: it must be counted too.
    const r = await page.evaluate(([u]) => window.burst(u, 1), [urls('/fail/d', 3)]);
    assert.deepEqual(r, { ok: 0, failed: 3 });
    await waitCounts(reader, tabId, { '/fail/d': 3 * round }, `round ${round}: stored by the woken worker`);
  }

  // Taken off the list: not observed any more.
  const again = await openPanel(br.context, br.extensionId, tabId);
  await waitFor(async () => (await again.locator('#watch-site').getAttribute('data-on')) === 'true', { what: 'the stop button' });
  await again.locator('#watch-site').click();
  await waitFor(async () => (await again.locator('#watch-bar').getAttribute('data-watched')) === 'no', { what: 'the panel saying the tab is not watched' });
  await page.evaluate(([u]) => window.burst(u), [urls('/fail/e', 2)]);
  await sleep(1500);
  assert.deepEqual(await counts(reader, tabId), { '/fail/d': 6 }, 'nothing more stored once the site is not watched');
  await waitFor(async () => !(await listening()), { what: 'the listeners removed once nothing is watched' });
  await again.close();
  await reader.close();
  await later.page.close();
  await page.close();
});
