// Flood: 20 600 requests in one tab (half of the flood passing, half failing
// at one URL, plus 600 distinct failures to go over the 500-per-tab cap). No
// crash, the worker answers the panel, counts are exact (what is shown plus
// what was dropped accounts for every failed request), memory stays bounded.
// Prints the figures; asserts nothing about time.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithExtension, openPanel, tabIdFor, waitFor, waitForPanel, readStoredFindings, getTargets, TargetSession } from './helpers.mjs';
import { startStress } from './stress-server.mjs';

// 20 000 in CI (FLOOD_REQUESTS=N for another size; even). On a shared 2-core
// machine the page makes about 250 requests a second through the extension
// (about 450 with no extension: observing with extraHeaders is most of the
// difference), so the whole test takes about 1.5 to 2 minutes.
const FLOOD = Number(process.env.FLOOD_REQUESTS ?? 20000);
const DISTINCT = 600;
const PER_TAB = 500;
/** The worker's JS heap after the flood, at most (it holds the lists of the few tabs written last, at most 500 findings each, and the engine's bounded tables). */
const HEAP_CAP_MB = 64;

let srv;
let br;
let page;
let tabId;
let bs;

before(async () => {
  srv = await startStress();
  br = await launchWithExtension();
  page = br.context.pages()[0] ?? (await br.context.newPage());
  await page.goto(srv.pageUrl);
  tabId = await tabIdFor(br.serviceWorker, srv.pageUrl);
  bs = await br.browser.newBrowserCDPSession();
});

after(async () => {
  await bs?.detach().catch(() => {});
  await br?.close();
  await srv?.close();
});

/** The extension worker's JS heap, through the DevTools protocol. */
async function workerHeap() {
  const target = (await getTargets(bs)).find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${br.extensionId}/`));
  if (!target) return null;
  const ts = await TargetSession.attach(bs, target.targetId);
  try {
    await ts.send('HeapProfiler.collectGarbage').catch(() => {});
    const { usedSize, totalSize } = await ts.send('Runtime.getHeapUsage');
    return { usedMB: usedSize / 2 ** 20, totalMB: totalSize / 2 ** 20 };
  } finally {
    await ts.detach();
  }
}

test(`${FLOOD + DISTINCT} requests in one tab`, { timeout: 420000 }, async () => {
  const panel = await openPanel(br.context, br.extensionId, tabId);
  const before = await workerHeap();
  const started = Date.now();
  // The distinct failures first: they are the oldest, so the cap drops them.
  const distinct = Array.from({ length: DISTINCT }, (_, i) => `${srv.apiOrigin}/fail/distinct/${i}`);
  const flood = Array.from({ length: FLOOD }, (_, i) => `${srv.apiOrigin}${i % 2 ? '/pass' : '/fail/same'}`);
  const a = await page.evaluate(([u]) => window.burst(u, 100), [distinct]);
  console.log(`flood: ${DISTINCT} distinct failures sent in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const b = await page.evaluate(([u]) => window.burst(u, 100), [flood]);
  console.log(`flood: ${FLOOD} more sent after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const failed = a.failed + b.failed;
  assert.equal(a.failed, DISTINCT);
  assert.equal(b.failed, FLOOD / 2, `half the flood fails (${JSON.stringify(b)})`);
  assert.equal(srv.counts.pass + srv.counts.fail, FLOOD + DISTINCT, 'every request reached the server');
  const sent = Date.now() - started;

  // The worker answers, and the panel ends up with the exact numbers.
  const expectedDropped = DISTINCT + 1 - PER_TAB;
  const st = await waitForPanel(panel, (p) => p.findings.length === PER_TAB && p.findings.some((f) => /\/fail\/same$/.test(f.url) && f.count?.replace(/\D/g, '') === String(FLOOD / 2)), {
    timeout: 180000,
    quietMs: 1000,
    what: 'the flood settled in the panel',
    details: false,
  });
  const settled = Date.now() - started;
  const stored = await readStoredFindings(panel, tabId);
  const sum = stored.reduce((n, f) => n + f.count, 0);
  const dropped = (await panel.evaluate((k) => chrome.storage.session.get(k), `dropped:${tabId}`))[`dropped:${tabId}`];
  assert.equal(stored.length, PER_TAB, 'the per-tab cap holds');
  assert.equal(dropped, expectedDropped, 'dropped findings are counted');
  assert.equal(sum + dropped, failed, 'every failed request is counted (shown or dropped, each dropped one was seen once)');
  assert.equal(stored.find((f) => f.url.endsWith('/fail/same')).count, FLOOD / 2);
  assert.equal(st.findings.length, PER_TAB);
  const notice = await panel.locator('#dropped').textContent();
  assert.equal(await panel.locator('#dropped').isVisible(), true, 'the dropped notice is visible');
  assert.ok(notice.replace(/\D/g, '').startsWith(String(expectedDropped)), `the notice says how many: ${notice}`);

  // Still responsive: a fresh panel gets its answer.
  const again = await openPanel(br.context, br.extensionId, tabId);
  await waitForPanel(again, (p) => p.findings.length === PER_TAB, { timeout: 30000, what: 'a second panel answered', details: false });
  await again.close();

  const after = await workerHeap();
  console.log(
    `flood: ${FLOOD + DISTINCT} requests (${failed} failed) sent in ${(sent / 1000).toFixed(1)} s (${Math.round((FLOOD + DISTINCT) / (sent / 1000))} a second), settled in the panel after ${(settled / 1000).toFixed(1)} s; ` +
      `worker JS heap ${before?.usedMB.toFixed(1)} MB before, ${after?.usedMB.toFixed(1)} MB after (total ${after?.totalMB.toFixed(1)} MB); ` +
      `${stored.length} findings stored, ${dropped} dropped`,
  );
  assert.ok(after, 'the worker is alive after the flood');
  assert.ok(after.usedMB < HEAP_CAP_MB, `worker heap ${after.usedMB.toFixed(1)} MB over the ${HEAP_CAP_MB} MB cap`);
  await panel.close();
});
