// Lifecycle: findings survive a stopped service worker (and the event that
// wakes it is not lost), counts stay exact, a navigation clears the tab's log
// unless "Preserve log" is on, and a closed tab's findings are freed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithExtension, openPanel, tabIdFor, waitFor, waitForPanel, readStoredFindings, sleep } from './helpers.mjs';
import { startStress } from './stress-server.mjs';

let srv;
let br;
let page;
let tabId;

before(async () => {
  srv = await startStress();
  br = await launchWithExtension();
  page = br.context.pages()[0] ?? (await br.context.newPage());
  await page.goto(srv.pageUrl);
  tabId = await tabIdFor(br.serviceWorker, srv.pageUrl);
});

after(async () => {
  await br?.close();
  await srv?.close();
});

const urls = (path, n) => Array.from({ length: n }, () => `${srv.apiOrigin}${path}`);

/** Stored failure counts by URL path. */
async function storedCounts(ctx) {
  const out = {};
  for (const f of await readStoredFindings(ctx, tabId)) out[new URL(f.url).pathname] = f.count;
  return out;
}

/** The counts as comparable text, whatever the order of the list. */
const canonical = (counts) => JSON.stringify(Object.entries(counts).sort());

async function waitCounts(ctx, expected, what) {
  let last;
  try {
    return await waitFor(
      async () => {
        last = await storedCounts(ctx);
        return canonical(last) === canonical(expected) ? last : null;
      },
      { timeout: 20000, what },
    );
  } catch (e) {
    e.message += `; stored ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`;
    throw e;
  }
}

async function stopWorkers() {
  const cdp = await br.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

test('findings survive a stopped worker, the waking event included, counts exact', { timeout: 120000 }, async () => {
  const mixed = [...urls('/fail/a', 5), ...urls('/pass', 4), ...urls('/fail/b', 3)];
  const first = await page.evaluate(([u]) => window.burst(u, 4), [mixed]);
  assert.deepEqual(first, { ok: 4, failed: 8 });
  const panel = await openPanel(br.context, br.extensionId, tabId);
  await waitCounts(panel, { '/fail/a': 5, '/fail/b': 3 }, 'the first findings stored');
  await panel.close();

  // Storage is read from an extension page that opens no port (a panel page
  // without a tab): a panel would wake the worker itself when it reconnects.
  const reader = await br.context.newPage();
  await reader.goto(`chrome-extension://${br.extensionId}/www/panel.html`);
  for (let round = 1; round <= 2; round++) {
    await stopWorkers();
    await sleep(300);
    // The first of these wakes the stopped worker: it must be counted too.
    const more = await page.evaluate(([u]) => window.burst(u, 1), [[...urls('/fail/a', 2), ...urls('/fail/c', 4)]]);
    assert.deepEqual(more, { ok: 0, failed: 6 });
    // Stored before the next stop. Stopping at once would race the worker's
    // start: the page sees its requests fail before the woken worker has
    // been handed their events, and a worker stopped then never gets them.
    await waitCounts(reader, { '/fail/a': 5 + 2 * round, '/fail/b': 3, '/fail/c': 4 * round }, `round ${round} stored by the woken worker`);
  }
  await reader.close();

  const fresh = await openPanel(br.context, br.extensionId, tabId);
  try {
    await waitCounts(fresh, { '/fail/b': 3, '/fail/a': 9, '/fail/c': 8 }, 'every finding, counts exact, after two restarts');
    const st = await waitForPanel(fresh, (p) => p.findings.length === 3, { timeout: 15000, what: 'three findings in the panel' });
    const shown = Object.fromEntries(st.findings.map((f) => [new URL(f.url).pathname, Number((f.count ?? '1').replace(/\D/g, '') || 1)]));
    assert.deepEqual(shown, { '/fail/a': 9, '/fail/b': 3, '/fail/c': 8 }, 'the panel shows the exact counts');
    assert.equal(await fresh.locator('#dropped').isHidden(), true, 'nothing was dropped');
  } finally {
    await fresh.close();
  }
});

test('a navigation clears the log unless "Preserve log" is on', { timeout: 120000 }, async () => {
  const panel = await openPanel(br.context, br.extensionId, tabId);
  try {
    assert.equal(await panel.locator('#preserve').isChecked(), false, 'Preserve log is off by default');
    assert.ok(Object.keys(await storedCounts(panel)).length > 0, 'findings before the navigation');
    await page.goto(`${srv.pageUrl}?second`);
    await waitCounts(panel, {}, 'the log cleared by the navigation');
    await waitForPanel(panel, (p) => p.findings.length === 0, { what: 'an empty panel after the navigation' });

    await page.evaluate(([u]) => window.burst(u), [urls('/fail/d', 2)]);
    await waitCounts(panel, { '/fail/d': 2 }, 'findings of the new page');

    await panel.locator('#preserve').check();
    await waitFor(async () => (await panel.evaluate(() => chrome.storage.local.get('preserveLog'))).preserveLog === true, { what: 'the setting saved' });
    await page.goto(`${srv.pageUrl}?third`);
    await page.reload();
    await page.evaluate(([u]) => window.burst(u), [urls('/fail/d', 1)]);
    await waitCounts(panel, { '/fail/d': 3 }, 'findings kept across navigations with Preserve log on');
    const st = await waitForPanel(panel, (p) => p.findings.length === 1, { what: 'the kept finding in the panel' });
    assert.equal(st.findings[0].count.replace(/\D/g, ''), '3');

    await panel.locator('#preserve').uncheck();
    await waitFor(async () => (await panel.evaluate(() => chrome.storage.local.get('preserveLog'))).preserveLog === false, { what: 'the setting saved' });
    await page.reload();
    await waitCounts(panel, {}, 'a reload clears the log again');
  } finally {
    await panel.close();
  }
});

test("a closed tab's findings are freed", { timeout: 60000 }, async () => {
  const other = await br.context.newPage();
  await other.goto(`${srv.pageUrl}?closing`);
  // An extension page to read storage from (the worker restarted since launch).
  const sw = await openPanel(br.context, br.extensionId, tabId);
  const otherId = await tabIdFor(sw, `${srv.pageUrl}?closing`);
  await other.evaluate(([u]) => window.burst(u), [urls('/fail/e', 3)]);
  const key = `findings:${otherId}`;
  await waitFor(async () => ((await sw.evaluate((k) => chrome.storage.session.get(k), key))[key] ?? []).length === 1, { what: 'the other tab’s finding' });
  await other.close();
  await waitFor(async () => Object.keys(await sw.evaluate(() => chrome.storage.session.get(null))).every((k) => !k.endsWith(`:${otherId}`)), {
    what: 'findings:<tabId> and dropped:<tabId> removed after the tab closed',
  });
  await sw.close();
});
