// The overall cap, with real requests: 5 tabs, each making 500 distinct
// failing requests (2 500 findings, over the 2 000 kept across tabs). The last
// tab keeps all of its findings, the tabs before it lose their oldest, the
// oldest tab first; every tab's stored findings plus its `dropped:<tabId>`
// count equal the requests it made; storage never holds more than 2 000; the
// panel of a tab that lost findings says how many.
// storage.session's 10 MB (as Chromium counts it, about 4 KB per finding
// here) would fill at about 2 600 of these findings, which is why the cap is
// 2 000; larger findings can still fill it first, and the worker then frees
// space the same way (extension/worker.js `save`). The test prints which
// limit held.
// Prints the figures; asserts nothing about time.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithExtension, openPanel, tabIdFor, waitFor, waitForPanel, readStoredFindings } from './helpers.mjs';
import { startStress } from './stress-server.mjs';

/** extension/worker.js: MAX_FINDINGS_PER_TAB and MAX_FINDINGS. */
const PER_TAB = 500;
const TOTAL = 2000;
const TABS = Math.ceil(TOTAL / PER_TAB) + 1;

let srv;
let br;
/** `{page, url, id}` per tab, oldest first. */
const tabs = [];
/** An extension page with no port to the worker, to read storage from. */
let reader;

before(async () => {
  srv = await startStress();
  br = await launchWithExtension();
  const first = br.context.pages()[0];
  for (let i = 0; i < TABS; i++) {
    const page = i === 0 && first ? first : await br.context.newPage();
    const url = `${srv.pageUrl}?tab=${i}`;
    await page.goto(url);
    tabs.push({ page, url });
  }
  reader = await br.context.newPage();
  await reader.goto(`chrome-extension://${br.extensionId}/www/panel.html`);
  for (const tab of tabs) tab.id = await tabIdFor(reader, tab.url);
});

after(async () => {
  await br?.close();
  await srv?.close();
});

/** Per tab: stored findings (each seen once) and dropped count; and the total stored. */
async function storedState() {
  const all = await reader.evaluate(() => chrome.storage.session.get(null));
  const per = tabs.map(({ id }) => ({ id, stored: (all[`findings:${id}`] ?? []).length, dropped: all[`dropped:${id}`] ?? 0 }));
  const total = Object.entries(all)
    .filter(([k]) => k.startsWith('findings:'))
    .reduce((n, [, list]) => n + list.length, 0);
  return { per, total };
}

test(`${TABS} tabs of ${PER_TAB} distinct failures: the ${TOTAL} cap across tabs`, { timeout: 300000 }, async () => {
  const started = Date.now();
  let maxTotal = 0;
  const times = [];
  for (const [i, tab] of tabs.entries()) {
    const tabStarted = Date.now();
    const urls = Array.from({ length: PER_TAB }, (_, n) => `${srv.apiOrigin}/fail/cap/${i}/${n}`);
    const last = i === TABS - 1;
    let burst = tab.page.evaluate(([u]) => window.burst(u, 100), [urls]);
    if (last) {
      // While the last tab goes over the cap, storage is read again and again.
      let done = false;
      burst = burst.finally(() => (done = true));
      while (!done) maxTotal = Math.max(maxTotal, (await storedState()).total);
    }
    const result = await burst;
    assert.deepEqual(result, { ok: 0, failed: PER_TAB }, `tab ${i}: every request failed`);
    // Each tab's findings stored before the next tab starts: which tab is the
    // oldest is then well defined.
    await waitFor(async () => (await storedState()).per[i].stored === PER_TAB, { timeout: 60000, what: `tab ${i}: ${PER_TAB} findings stored` }).catch(async (e) => {
      e.message += `; ${JSON.stringify(await storedState())}; ${await reader.evaluate(() => chrome.storage.session.getBytesInUse(null))} bytes`;
      throw e;
    });
    times.push(((Date.now() - tabStarted) / 1000).toFixed(1));
  }
  const sent = Date.now() - started;

  const { per, total } = await waitFor(
    async () => {
      const state = await storedState();
      return state.per.reduce((n, t) => n + t.stored + t.dropped, 0) === TABS * PER_TAB ? state : null;
    },
    { timeout: 60000, what: 'every finding stored or counted as dropped' },
  );
  maxTotal = Math.max(maxTotal, total);
  const bytes = await reader.evaluate(() => chrome.storage.session.getBytesInUse(null));
  const quota = await reader.evaluate(() => chrome.storage.session.QUOTA_BYTES);
  console.log(
    `caps: ${TABS * PER_TAB} requests in ${TABS} tabs in ${(sent / 1000).toFixed(1)} s (per tab, stored: ${times.join(' ')} s); ${total} findings stored (${(bytes / 2 ** 20).toFixed(1)} of ${(quota / 2 ** 20).toFixed(1)} MB: ` +
      `${total === TOTAL ? 'the count cap held' : 'the storage quota held'}); per tab ${per.map((t) => t.stored).join(' ')}; dropped ${per.map((t) => t.dropped).join(' ')}; most ever stored ${maxTotal}`,
  );

  assert.ok(maxTotal <= TOTAL, `storage held ${maxTotal} findings, over the ${TOTAL} cap`);
  assert.ok(total === TOTAL || bytes > quota * 0.75, `below both limits (${total} findings, ${bytes} bytes), yet findings were dropped`);
  for (const [i, t] of per.entries()) {
    assert.equal(t.stored + t.dropped, PER_TAB, `tab ${i}: stored + dropped = the requests it made`);
    const findings = await readStoredFindings(reader, t.id);
    assert.equal(findings.reduce((n, f) => n + f.count, 0), t.stored, `tab ${i}: each stored finding seen once`);
  }
  assert.equal(per.at(-1).dropped, 0, 'the tab being written keeps its findings');
  assert.ok(per[0].dropped > 0, 'the oldest tab lost findings');
  // The oldest findings went: the tab's first URLs, not its last.
  const oldest = await readStoredFindings(reader, per[0].id);
  const kept = new Set(oldest.map((f) => Number(f.url.split('/').pop())));
  assert.ok([...kept].every((n) => n >= per[0].dropped), `tab 0 kept its newest findings (${Math.min(...kept)} and up)`);

  // The panel of the oldest tab says how many of its findings were dropped.
  const panel = await openPanel(br.context, br.extensionId, per[0].id);
  try {
    await waitForPanel(panel, (p) => p.findings.length === per[0].stored, { timeout: 60000, what: 'the oldest tab’s panel', details: false });
    assert.equal(await panel.locator('#dropped').isVisible(), true, 'the dropped notice is visible');
    const notice = await panel.locator('#dropped').textContent();
    const said = Number(/\d[\d,.\s\u202f]*/.exec(notice)?.[0].replace(/\D/g, ''));
    assert.equal(said, per[0].dropped, `the notice says how many: ${notice}`);
  } finally {
    await panel.close();
  }
  // And the last tab's panel has no such notice.
  const lastPanel = await openPanel(br.context, br.extensionId, per.at(-1).id);
  try {
    await waitForPanel(lastPanel, (p) => p.findings.length === PER_TAB, { timeout: 60000, what: 'the last tab’s panel', details: false });
    assert.equal(await lastPanel.locator('#dropped').isHidden(), true, 'no dropped notice on the last tab');
  } finally {
    await lastPanel.close();
  }
});
