// For EVERY scenario of tests/fixtures/scenarios.json: run it in real headless
// Chromium with the built extension, take the browser's own verdict from the
// DevTools protocol (Network.loadingFailed.corsErrorStatus) as the oracle, and
// check that the CORS Lens panel (and the worker's storage) name the same
// reason — and show nothing when the browser reported no CORS error.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  labWithPanel,
  readStoredRecords,
  openPanel,
  readPanel,
  waitForPanel,
  readStoredFindings,
  findingMatches,
  table,
  sleep,
  waitFor,
} from './helpers.mjs';

let lab;
let br;
let page;
let panel;
let oracle;
let tabId;
const rows = [];
const failing = []; // nonces of runs the browser blocked
const agreement = { agree: 0, total: 0 };

before(async () => {
  ({ lab, br, page, oracle, tabId, panel } = await labWithPanel());
});

after(async () => {
  if (rows.length) {
    console.log(
      '\n' +
        table(['scenario', 'Chromium verdict', 'failedParameter', 'panel finding', 'stored finding', 'page saw'], rows),
    );
  }
  console.log(`\nagreement with Chromium (reason and failedParameter, or nothing): ${agreement.agree}/${agreement.total}`);
  await oracle?.detach();
  await br?.close();
  await lab?.close();
});

test('the panel starts empty for a fresh tab', async () => {
  const st = await waitForPanel(panel, () => true, { quietMs: 300 });
  assert.equal(st.count, 0, `data-count=${st.count}`);
  assert.equal(st.findings.length, 0);
  assert.equal(st.emptyVisible, true, '#empty is not visible while there are no findings');
});

test('every scenario: panel reason == Chromium corsErrorStatus.corsError', { timeout: 600000 }, async (t) => {
  for (const s of lab.scenarios) {
    await t.test(s.id, { timeout: 45000 }, async () => {
      const result = await page.evaluate((id) => window.runScenario(id), s.id);
      const v = await oracle.verdict(result.nonce);
      const browserSays = v.corsError ?? null;
      const row = [s.id, browserSays ?? `none (${v.errorText || v.status || v.state})`, v.failedParameter, '', '', result.ok ? 'ok' : result.error];
      rows.push(row);

      if (browserSays) {
        failing.push(result.nonce);
        let st;
        try {
          st = await waitForPanel(panel, (p) => p.findings.some((f) => (f.url || '').includes(`lab=${result.nonce}`)), {
            timeout: 15000,
            what: `a panel finding for ${s.id}`,
          });
        } catch (e) {
          const stored = await readStoredFindings(panel, tabId).catch((err) => `unreadable: ${err.message}`);
          row[3] = 'MISSING';
          row[4] = Array.isArray(stored) ? stored.filter((f) => findingMatches(f, result.nonce)).map((f) => f.reason).join(',') || 'none' : stored;
          throw new Error(`${e.message}\nstorage: ${JSON.stringify(Array.isArray(stored) ? stored.filter((f) => findingMatches(f, result.nonce)) : stored)}`);
        }
        const mine = st.findings.filter((f) => (f.url || '').includes(`lab=${result.nonce}`));
        const stored = (await readStoredFindings(panel, tabId)).filter((f) => findingMatches(f, result.nonce));
        row[3] = mine.map((f) => f.reason).join(',');
        row[4] = stored.map((f) => `${f.reason} status=${f.status}`).join(',') || 'none';
        agreement.total++;
        if (mine.length === 1 && stored.length === 1 && stored[0].reason === browserSays && (stored[0].failedParameter ?? '') === (v.failedParameter ?? '')) agreement.agree++;

        assert.equal(mine.length, 1, `${s.id}: expected one panel finding for the run, got ${mine.length}`);
        const f = mine[0];
        assert.equal(f.reason, browserSays, `${s.id}: panel data-reason ${f.reason}, Chromium said ${browserSays} (${v.failedParameter})`);
        assert.equal(f.reasonText, browserSays, `${s.id}: .f-reason text`);
        assert.ok(f.mdn && /^CORS/.test(f.mdn), `${s.id}: data-mdn "${f.mdn}"`);
        assert.ok(f.mdnHref && f.mdnHref.startsWith('https://developer.mozilla.org/'), `${s.id}: a.f-mdn href ${f.mdnHref}`);
        assert.equal(f.method, 'GET', `${s.id}: .f-method`);
        assert.ok(f.what && f.why && f.fix, `${s.id}: .f-what/.f-why/.f-fix must not be empty`);

        assert.equal(stored.length, 1, `${s.id}: expected one stored finding, got ${stored.length}`);
        const r = stored[0];
        assert.equal(r.reason, browserSays, `${s.id}: stored reason`);
        assert.equal(r.tabId, tabId, `${s.id}: stored tabId`);
        assert.equal(r.mdnId, f.mdn, `${s.id}: stored mdnId vs panel data-mdn`);
        assert.equal(r.pageOrigin, lab.pageOrigin, `${s.id}: stored pageOrigin`);
        assert.equal(r.method, 'GET', `${s.id}: stored method`);
        assert.equal(r.type, s.kind.startsWith('img') ? 'image' : 'xmlhttprequest', `${s.id}: stored type`);
        assert.equal(r.status, s.response.status, `${s.id}: stored status`);
        assert.equal(r.failedParameter ?? '', v.failedParameter ?? '', `${s.id}: stored failedParameter vs Chromium's`);
        if (s.redirectTo) {
          // The failing hop is the second one, sent with Origin: null; the first hop is kept.
          assert.equal(r.origin, 'null', `${s.id}: stored origin of the failing hop`);
          assert.ok(r.redirects.some((u) => String(typeof u === 'string' ? u : JSON.stringify(u)).startsWith(lab.apiOrigin)), `${s.id}: stored redirects ${JSON.stringify(r.redirects)}`);
        } else {
          assert.equal(r.origin, lab.pageOrigin, `${s.id}: stored origin`);
        }
        if (s.credentials === 'include') {
          assert.match(r.credentials, /^include/, `${s.id}: a credentialed failure must be recognised as credentialed`);
        } else {
          assert.doesNotMatch(r.credentials, /^include/, `${s.id}: no credentials were sent`);
        }
      } else {
        // No CORS error: give the worker time to (wrongly) report one, then check none exists.
        await sleep(800);
        const st = await waitForPanel(panel, () => true, { quietMs: 500 });
        const mine = st.findings.filter((f) => (f.url || '').includes(`lab=${result.nonce}`));
        const stored = (await readStoredFindings(panel, tabId)).filter((f) => findingMatches(f, result.nonce));
        row[3] = mine.map((f) => f.reason).join(',') || 'none';
        row[4] = stored.map((f) => f.reason).join(',') || 'none';
        agreement.total++;
        if (mine.length === 0 && stored.length === 0) agreement.agree++;
        assert.equal(mine.length, 0, `${s.id}: Chromium reported no CORS error (${v.errorText || v.status}) but the panel shows ${mine.map((f) => f.reason)}`);
        assert.equal(stored.length, 0, `${s.id}: Chromium reported no CORS error but storage has ${stored.map((f) => f.reason)}`);
        if (/ERR_UNSAFE_REDIRECT|ERR_UNKNOWN_URL_SCHEME/.test(s.netError ?? '')) {
          // Named for what it is: a refused redirect, not CORS (a notice, never a finding).
          const hop = (n) => (n.url || '').includes(`lab=${result.nonce}`) || (s.redirectFollowed && /^ws:/.test(n.url || ''));
          const notice = await waitFor(
            async () => (await readStoredRecords(panel, tabId)).find((n) => n.kind === 'notice' && n.notice === 'NoResponse' && n.detail === s.netError && hop(n)),
            { timeout: 10000, what: `a refused-redirect notice for ${s.id}` },
          );
          row[4] += ` · notice ${notice.detail}`;
          // Polling reads the rows (no `detail` yet); the state returned has each row's detail pane.
          const mine = (n) => n.notice === 'NoResponse' && (n.detail === undefined || n.detail === s.netError);
          const shown = await waitForPanel(panel, (p) => p.notices.some(mine), { what: `the notice of ${s.id} in the panel` });
          const card = shown.notices.find((n) => n.notice === 'NoResponse' && n.detail === s.netError);
          assert.match(card.title, /^Redirect refused: not a CORS problem/, `${s.id}: the notice's title`);
        }
      }
    });
  }
});

test('panel count equals the stored findings and the blocked runs', async () => {
  const st = await waitForPanel(panel, () => true, { quietMs: 800 });
  const stored = await readStoredFindings(panel, tabId);
  assert.equal(st.count, st.findings.length, 'data-count vs rendered articles');
  assert.equal(st.findings.length, stored.length, 'panel vs storage');
  const labFindings = stored.filter((f) => failing.some((n) => findingMatches(f, n)));
  assert.equal(labFindings.length, failing.length, 'one stored finding per blocked run');
  assert.equal(stored.length, failing.length, `unexpected extra findings: ${JSON.stringify(stored.filter((f) => !labFindings.includes(f)).map((f) => [f.reason, f.url]))}`);
  assert.equal(st.emptyVisible, false, '#empty visible although there are findings');
});

test('findings survive a service worker restart', async () => {
  assert.ok(failing.length > 0, 'no blocked run to look for');
  const before = await readStoredFindings(panel, tabId);
  const cdp = await br.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  // A fresh panel reconnects (waking the worker) and must show the same findings.
  const fresh = await openPanel(br.context, br.extensionId, tabId);
  try {
    const st = await waitForPanel(fresh, (p) => p.findings.length === before.length, {
      timeout: 15000,
      what: `the ${before.length} findings after a worker restart`,
    });
    assert.deepEqual(
      st.findings.map((f) => f.reason).sort(),
      before.map((f) => f.reason).sort(),
    );
    // And the restarted worker still observes: one more blocked run shows up live.
    const result = await page.evaluate(() => window.runScenario('fetch-no-acao'));
    const v = await oracle.verdict(result.nonce);
    assert.equal(v.corsError, 'MissingAllowOriginHeader');
    await waitFor(async () => (await readPanel(fresh)).findings.some((f) => (f.url || '').includes(`lab=${result.nonce}`) && f.reason === v.corsError), {
      timeout: 15000,
      what: 'a finding from the restarted worker',
    });
  } finally {
    await fresh.close();
  }
});
