// Scoping: CORS Lens observes only what is watched (extension/observe.js),
// and holds the optional webRequest permission only while a tab or a site is
// on a watch list (extension/permission.js). As installed it holds no
// permission and a tab without DevTools is not observed. "Capture before
// DevTools opens (Always watch <site>)" asks for the permission from the
// click; Chromium reports it only from the next browser start, and the panel
// says so until then; after the restart the site is observed, across worker
// restarts, the waking request included. "Watch this tab" is offered once
// the permission is active. With both lists empty the permission is given
// back and no listener is left. (Opening DevTools on a tab observes it
// without the permission: tests/e2e/devtools.test.mjs.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithExtension, openPanel, tabIdFor, waitFor, readStoredFindings, currentServiceWorker, watchSites, sleep } from './helpers.mjs';
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

/** The worker's view of the permission, and whether it has webRequest listeners. */
async function worker() {
  const sw = await currentServiceWorker(br.context, br.extensionId);
  return sw.evaluate(async () => ({
    held: await chrome.permissions.contains({ permissions: ['webRequest'] }),
    listening: !!chrome.webRequest && ['onSendHeaders', 'onHeadersReceived', 'onCompleted', 'onErrorOccurred'].some((e) => chrome.webRequest[e].hasListeners()),
  }));
}

/** The watch bar of a panel: what it says is watched, and the permission's state. */
const bar = async (panel) => ({
  watched: await panel.locator('#watch-bar').getAttribute('data-watched'),
  permission: await panel.locator('#watch-bar').getAttribute('data-permission'),
});

async function stopWorkers(page) {
  const cdp = await br.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  await sleep(300);
}

test('as installed: no webRequest permission, a failing tab is not observed, and the panel offers to capture before DevTools opens', { timeout: 60000 }, async () => {
  const { page, tabId, reader } = await newTab('unwatched');
  assert.deepEqual(await worker(), { held: false, listening: false }, 'no permission and no listener after install');
  const r = await page.evaluate(([u]) => window.burst(u), [urls('/fail/a', 3)]);
  assert.deepEqual(r, { ok: 0, failed: 3 }, 'the page saw its requests fail');
  await sleep(1500);
  assert.deepEqual(await counts(reader, tabId), {}, 'nothing stored for an unwatched tab');
  const panel = await openPanel(br.context, br.extensionId, tabId);
  await waitFor(async () => (await panel.locator('#watch-status').textContent())?.length > 0, { what: 'the watch bar' });
  assert.deepEqual(await bar(panel), { watched: 'no', permission: 'missing' }, 'the panel says the tab is not watched');
  assert.match(await panel.locator('#watch-site').textContent(), /^Capture before DevTools opens \(Always watch 127\.0\.0\.1\)$/, 'the site button says what it is for');
  assert.equal(await panel.locator('#watch-tab').isVisible(), false, '"Watch this tab" waits for an active permission (a tab does not outlive a browser restart)');
  await panel.close();
  await reader.close();
  await page.close();
});

test('"Always watch <site>" asks for the permission from the click; Chromium observes from the next browser start, then across worker restarts, the waking request included', { timeout: 180000 }, async () => {
  const { page, tabId, reader } = await newTab('watch-site');
  const panel = await openPanel(br.context, br.extensionId, tabId);
  const siteButton = panel.locator('#watch-site');
  await waitFor(async () => (await siteButton.textContent())?.includes('127.0.0.1'), { what: 'the site button naming the tab’s host' });
  await siteButton.click();
  await waitFor(async () => JSON.stringify(await bar(panel)) === JSON.stringify({ watched: 'site', permission: 'pending' }), { what: 'the panel saying the site is watched from the next browser start' });
  assert.match(await panel.locator('#watch-status').textContent(), /after the browser restarts/, 'the panel says when capture starts');
  assert.deepEqual((await reader.evaluate(() => chrome.storage.local.get('watchSites'))).watchSites, ['127.0.0.1']);
  assert.equal((await worker()).held, true, 'the permission granted from the click');
  // What "pending" means: Chromium reports none of this session's requests.
  await page.evaluate(([u]) => window.burst(u), [urls('/fail/b', 2)]);
  await sleep(1500);
  assert.deepEqual(await counts(reader, tabId), {}, 'nothing observed before the browser restarts');
  await panel.close();
  await reader.close();

  await br.restart();
  const fresh = await newTab('watch-site-after-restart');
  const again = await openPanel(br.context, br.extensionId, fresh.tabId);
  await waitFor(async () => JSON.stringify(await bar(again)) === JSON.stringify({ watched: 'site', permission: 'active' }), { what: 'the panel saying the site is watched, the permission active' });
  await again.close();
  assert.deepEqual(await worker(), { held: true, listening: true }, 'the permission kept across the browser restart, the listeners registered');
  await fresh.page.evaluate(([u]) => window.burst(u), [urls('/fail/c', 2)]);
  await waitCounts(fresh.reader, fresh.tabId, { '/fail/c': 2 }, 'a tab of the watched site observed after the restart');

  for (let round = 1; round <= 2; round++) {
    await stopWorkers(fresh.page);
    // The first of these wakes the stopped worker: it must be counted too.
    const r = await fresh.page.evaluate(([u]) => window.burst(u, 1), [urls('/fail/d', 3)]);
    assert.deepEqual(r, { ok: 0, failed: 3 });
    await waitCounts(fresh.reader, fresh.tabId, { '/fail/c': 2, '/fail/d': 3 * round }, `round ${round}: stored by the woken worker`);
  }
  await fresh.reader.close();
  await fresh.page.close();
});

test('"Watch this tab", offered once the permission is active, observes that tab only, until it closes', { timeout: 60000 }, async () => {
  // Another site stays on the list, so the permission is kept when this one leaves it.
  await watchSites(br.context, br.extensionId, ['example.invalid']);
  const { page, tabId, reader } = await newTab('watch-tab');
  const other = await newTab('other-tab');
  const panel = await openPanel(br.context, br.extensionId, tabId);
  await waitFor(async () => (await panel.locator('#watch-site').getAttribute('data-on')) === 'true', { what: 'the stop button' });
  await panel.locator('#watch-site').click();
  await waitFor(async () => JSON.stringify(await bar(panel)) === JSON.stringify({ watched: 'no', permission: 'active' }), { what: 'the panel saying the tab is not watched' });
  await waitFor(() => panel.locator('#watch-tab').isVisible(), { what: '"Watch this tab" offered' });
  await panel.locator('#watch-tab').click();
  await waitFor(async () => (await bar(panel)).watched === 'tab', { what: 'the panel saying the tab is watched' });

  await page.evaluate(([u]) => window.burst(u), [urls('/fail/e', 2)]);
  await other.page.evaluate(([u]) => window.burst(u), [urls('/fail/e', 2)]);
  await waitCounts(reader, tabId, { '/fail/e': 2 }, 'the watched tab observed');
  await sleep(500);
  assert.deepEqual(await counts(reader, other.tabId), {}, 'the other tab of the same site stays unobserved');

  await panel.close();
  await page.close();
  await other.page.evaluate(([u]) => window.burst(u), [urls('/fail/f', 2)]);
  await sleep(1500);
  assert.deepEqual(await counts(other.reader, other.tabId), {}, 'still unobserved once the watched tab closed');
  assert.equal((await worker()).held, true, 'the permission kept while a site is still watched');
  await other.page.close();
  await other.reader.close();
  await reader.close();
});

test('with both watch lists empty the permission is given back and no listener is left', { timeout: 60000 }, async () => {
  const reader = await openPanel(br.context, br.extensionId, -1);
  // What the panel's "Stop always watching" does, for the last site on the list.
  await reader.evaluate(() => chrome.storage.local.set({ watchSites: [] }));
  await waitFor(async () => JSON.stringify(await worker()) === JSON.stringify({ held: false, listening: false }), { what: 'the permission given back and the listeners removed' });
  await reader.close();
});
