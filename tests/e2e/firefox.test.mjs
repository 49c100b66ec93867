// The built extension in real Firefox ESR (headless, WebDriver BiDi through
// puppeteer-core), against Firefox's own verdict.
//
// Every simple and preflighted scenario of the lab runs in one Firefox tab.
// The oracle is Firefox's console: its "Cross-Origin Request Blocked: …
// (Reason: …)" line reaches the test as a BiDi `log.entryAdded` entry of type
// "javascript" (puppeteer's `pageerror`), and its reason names are MDN's ids
// (`CORSMissingAllowOrigin`, …). The extension's verdict is read twice: the
// records the background script stored (`storage.session`, read from an
// extension page) and the panel page (`www/panel.html?tabId=N`) rendering
// them (`article.finding[data-reason]`).
//
// Asserted: for the scenarios where both browsers name the same reason
// (STRICT: simple and preflight refusals, credentials-only preflights,
// redirects to URLs with credentials), Firefox refused the request (a
// TypeError or error event in the page), the server saw it, Firefox's reason
// is the stored record's MDN id, the stored reason is Chromium's name from
// the table (kept honest in Chromium by oracle.test.mjs), and the panel shows
// it; the passing controls load with no console line and no finding. Over
// every scenario: no failure stored for a request Firefox did not refuse, a
// stored `CORSMissingAllowOrigin` only where Firefox said exactly that, and no
// `CorsReasonNotShown` notice beside a stored failure (Firefox reports a
// failed preflight's actual request too, refused with no response).
//
// The agreement: the panel, knowing it runs in Firefox, names in each row's
// detail pane the reason Firefox's console gives (the reason table's
// `firefox_id_for`), with a note where Firefox folds reasons together. For
// every request Firefox refused, the first reason its console printed must
// be the one a row of that request names; the figure is printed, with each
// difference and why, and the test fails on a difference not listed in
// tests/fixtures/firefox-differences.json (docs/verdicts.md, "In Firefox")
// and on a listed one that no longer differs. `FIREFOX_EVENTS=id,id…` prints
// the webRequest events recorded for those scenarios.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startLab, waitFor, readPanelInPage, isFailure, PANEL_PATH, probePolicyInPage } from './helpers.mjs';
import { launchFirefox, openLabInFirefox, labTabId, STRICT, CONTROLS } from './firefox-helpers.mjs';

/** The webRequest listeners the worker uses, recorded from an extension page so a failure can show what the engine was given. */
function recordWebRequest() {
  window.__events = [];
  const filter = { urls: ['<all_urls>'], types: ['xmlhttprequest', 'image', 'other'] };
  const listeners = [['onSendHeaders', ['requestHeaders']], ['onHeadersReceived', ['responseHeaders']], ['onBeforeRedirect', []], ['onCompleted', []], ['onErrorOccurred', null]];
  for (const [name, spec] of listeners) {
    const handler = (d) => window.__events.push({ listener: name, requestId: d.requestId, method: d.method, url: d.url, status: d.statusCode, error: d.error, redirectUrl: d.redirectUrl, originUrl: d.originUrl, requestHeaders: d.requestHeaders, responseHeaders: d.responseHeaders });
    if (spec) browser.webRequest[name].addListener(handler, filter, spec);
    else browser.webRequest[name].addListener(handler, filter);
  }
  return true;
}

let lab;
let ff;
let page;
let recorder;
let tabId;
let linesFor;
let reasonsFor;
const runs = new Map(); // scenario id -> lab result {url, nonce, ok, error}
let records = [];

before(async () => {
  const t0 = Date.now();
  lab = await startLab();
  ff = await launchFirefox();
  recorder = await ff.openExtensionTab(`${PANEL_PATH}?tabId=-1`);
  await ff.evaluate(recorder, recordWebRequest);
  ({ page, linesFor, reasonsFor } = await openLabInFirefox(ff, lab));
  tabId = await labTabId(ff, recorder, lab);
  console.log(`${await ff.browser.version()} up with the extension in ${Date.now() - t0} ms`);
});

after(async () => {
  await ff?.close();
  await lab?.close();
});

const recordsFor = (nonce) => records.filter((r) => r.url?.includes(`lab=${nonce}`));

async function eventsFor(nonce) {
  const all = await ff.evaluate(recorder, () => window.__events).catch((e) => [`(events unreadable: ${e.message})`]);
  // A request's later hops (after a redirect) no longer carry the nonce: follow its requestId.
  const ids = new Set(all.filter((e) => e.url?.includes(`lab=${nonce}`) || e.redirectUrl?.includes(`lab=${nonce}`)).map((e) => e.requestId));
  return all.filter((e) => typeof e === 'string' || ids.has(e.requestId));
}

/** Fails with what Firefox printed, what was stored and every webRequest event of that run. */
async function check(id, ok, what) {
  if (ok) return;
  const { nonce } = runs.get(id);
  assert.fail(`${id}: ${what}\n  Firefox console: ${JSON.stringify(linesFor(nonce))}\n  stored: ${JSON.stringify(recordsFor(nonce).map((r) => [r.kind, r.reason ?? r.notice, r.mdnId]))}\n  webRequest events: ${JSON.stringify(await eventsFor(nonce), null, 1)}`);
}

test('the extension in Firefox: stored verdicts and the panel agree with Firefox', { timeout: 120000 }, async () => {
  const t0 = Date.now();
  const scenarios = await page.evaluate(() => window.labScenarios.map((s) => ({ id: s.id, expect: s.expect ?? null, cached: !!s.cachedPreflight })));
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  for (const id of [...STRICT, ...CONTROLS]) assert.ok(byId.has(id), `scenario ${id} is not in the lab's tables`);
  for (const s of scenarios) runs.set(s.id, await page.evaluate((id) => window.runScenario(id), s.id));
  const ran = Date.now() - t0;

  // Firefox's verdict for every strict case has been printed, and the worker stored its own.
  const key = `findings:${tabId}`;
  await waitFor(() => STRICT.every((id) => reasonsFor(runs.get(id).nonce).length > 0), { timeout: 15000, what: "Firefox's console line for every strict scenario" });
  await waitFor(
    async () => {
      records = (await ff.evaluate(recorder, (k) => browser.storage.session.get(k), key))[key] ?? [];
      return STRICT.every((id) => recordsFor(runs.get(id).nonce).some(isFailure));
    },
    { timeout: 15000, what: 'a stored failure for every strict scenario' },
  ).catch((e) => console.log(`${e.message}: the checks below say which, with its events`));

  // One table: Firefox's reasons and the extension's records, per scenario.
  let refused = 0;
  let agree = 0;
  const rows = [];
  for (const s of scenarios) {
    const run = runs.get(s.id);
    const fx = reasonsFor(run.nonce);
    const mine = recordsFor(run.nonce);
    const failures = mine.filter(isFailure);
    if (fx.length) refused++;
    if (fx.length && failures.some((r) => r.mdnId === fx[0])) agree++;
    rows.push(`${s.id.padEnd(44)} ${(fx.join(' + ') || (run.ok ? 'loaded' : `not loaded (${run.error})`)).padEnd(70)} ${mine.map((r) => (isFailure(r) ? `${r.reason}/${r.mdnId}` : `notice:${r.notice ?? r.key}`)).join(', ') || '-'}`);
  }
  console.log(`${'scenario'.padEnd(44)} ${'Firefox (console)'.padEnd(70)} CORS Lens (stored)`);
  for (const row of rows) console.log(row);
  console.log(`${scenarios.length} scenarios run in ${ran} ms; Firefox refused ${refused}; the extension named Firefox's first reason for ${agree} of them`);
  // FIREFOX_EVENTS=id,id…: print the webRequest events recorded for these scenarios.
  for (const id of (process.env.FIREFOX_EVENTS ?? '').split(',').filter(Boolean)) {
    console.log(`webRequest events of ${id}:`);
    for (const e of await eventsFor(runs.get(id).nonce)) console.log(`  ${JSON.stringify(e)}`);
  }

  for (const id of STRICT) {
    const s = byId.get(id);
    const run = runs.get(id);
    const fx = reasonsFor(run.nonce);
    const failures = recordsFor(run.nonce).filter(isFailure);
    await check(id, !run.ok && /TypeError|network error|failed to load/.test(run.error ?? ''), `the page's request did not fail as a refusal: ${JSON.stringify(run)}`);
    await check(id, lab.requests.some((r) => r.url.includes(`lab=${run.nonce}`)), 'the server never saw the request');
    await check(id, failures.length === 1, `expected one stored failure, got ${failures.length}`);
    await check(id, failures[0].mdnId === fx[0], `Firefox said ${fx[0]}, the extension stored ${failures[0]?.mdnId}`);
    await check(id, failures[0].reason === s.expect, `stored reason ${failures[0]?.reason}, the table (Chromium) says ${s.expect}`);
  }
  // Firefox lets `Authorization` through `Access-Control-Allow-Headers: *`
  // too; its preflight is known to have passed when the actual request
  // (reported before it) is answered, and the warning comes then.
  {
    const id = 'ok-preflight-authorization-wildcard';
    const run = runs.get(id);
    const mine = recordsFor(run.nonce);
    await check(id, run.ok && reasonsFor(run.nonce).length === 0, `not loaded cleanly: ${JSON.stringify(run)}`);
    await check(id, mine.length === 1 && (mine[0].notice ?? mine[0].key) === 'AuthorizationCoveredByWildcard', 'expected the AuthorizationCoveredByWildcard warning alone');
  }
  for (const id of CONTROLS) {
    const run = runs.get(id);
    await check(id, run.ok, `the control did not load: ${JSON.stringify(run)}`);
    await check(id, reasonsFor(run.nonce).length === 0, 'Firefox refused a control');
    await check(id, recordsFor(run.nonce).length === 0, 'a record was stored for a passing control');
  }
  let besideFailure = 0;
  for (const s of scenarios) {
    const { nonce } = runs.get(s.id);
    const fx = reasonsFor(nonce);
    const failures = recordsFor(nonce).filter(isFailure);
    for (const r of failures) {
      await check(s.id, fx.length > 0, `a failure (${r.reason}) was stored for a request Firefox did not refuse`);
      if (r.mdnId === 'CORSMissingAllowOrigin') await check(s.id, fx.includes('CORSMissingAllowOrigin'), `stored CORSMissingAllowOrigin, Firefox said ${fx.join(' + ')}`);
    }
    if (failures.length) {
      besideFailure++;
      const unexplained = recordsFor(nonce).filter((r) => !isFailure(r) && (r.notice ?? r.key) === 'CorsReasonNotShown');
      await check(s.id, unexplained.length === 0, `a CorsReasonNotShown notice beside the failure ${failures[0].reason}`);
    }
  }
  console.log(`${besideFailure} scenarios with a stored failure, none with a CorsReasonNotShown notice beside it`);

  // The panel page renders what was stored for the tab.
  const panel = await ff.openExtensionTab(`${PANEL_PATH}?tabId=${tabId}`);
  const stored = (await ff.evaluate(recorder, (k) => browser.storage.session.get(k), key))[key].filter(isFailure);
  const shown = await waitFor(
    async () => {
      const state = await ff.evaluate(panel, readPanelInPage);
      return state.count === stored.length ? state : null;
    },
    { timeout: 15000, what: `the panel showing ${stored.length} findings` },
  );
  for (const id of STRICT) {
    const { nonce } = runs.get(id);
    const article = shown.findings.find((f) => f.url?.includes(`lab=${nonce}`));
    await check(id, article, 'not in the panel');
    await check(id, article.reason === byId.get(id).expect && article.mdn === reasonsFor(nonce)[0], `the panel shows ${article.reason}/${article.mdn}`);
  }
  const storedSet = stored.map((r) => `${r.reason} ${r.url}`).sort();
  const shownSet = shown.findings.map((f) => `${f.reason} ${f.url}`).sort();
  assert.deepEqual(shownSet, storedSet, 'the panel shows exactly the stored failures');
  // The table and each row's detail pane, opened with the keyboard (readPanelInPage), in Firefox too.
  for (const f of shown.findings) {
    assert.ok(f.what && f.why && f.fix && f.title, `the detail pane of ${f.reason} ${f.url} explains it`);
    assert.deepEqual(f.tabs.slice(0, 4), ['explanation', 'fix', 'headers', 'reproduce'], `the tabs of ${f.url}`);
    assert.ok(f.curl, `curl commands for ${f.url}`);
  }
  assert.ok(shown.notices.every((n) => n.title && n.what), 'each notice row opens on its explanation');
  console.log(`panel: ${shown.count} findings shown, ${stored.length} stored; ${Date.now() - t0} ms in all`);

  // In Firefox every failure's pane names Firefox's reason, with a note
  // exactly where it is not MDN's (Firefox folds reasons together there).
  for (const f of shown.findings) {
    assert.ok(f.firefox?.startsWith('CORS'), `the detail pane of ${f.reason} ${f.url} names Firefox's reason: ${f.firefox}`);
    assert.equal(!!f.firefoxNote, f.firefox !== f.mdn, `a note on Firefox's name for ${f.reason} ${f.url} (${f.firefox}) exactly where it is not MDN's (${f.mdn}): ${f.firefoxNote}`);
  }
  // A request that never got an answer: Firefox's CORSDidNotSucceed, named as a network error.
  {
    const { nonce } = runs.get('refused-connection');
    const n = shown.notices.find((r) => r.url?.includes(`lab=${nonce}`));
    await check('refused-connection', n?.notice === 'NoResponse' && n.firefox === 'CORSDidNotSucceed' && n.what.includes('CORSDidNotSucceed'), `the NoResponse notice names CORSDidNotSucceed: ${JSON.stringify(n)}`);
  }

  // The agreement with Firefox's console, as the panel shows it in Firefox.
  const documented = JSON.parse(fs.readFileSync(new URL('../fixtures/firefox-differences.json', import.meta.url), 'utf8'));
  const shownRows = [...shown.findings, ...shown.notices];
  let named = 0;
  let byMdn = 0;
  let byWarning = 0;
  const differ = [];
  for (const s of scenarios) {
    const { nonce } = runs.get(s.id);
    const fx = reasonsFor(nonce);
    if (!fx.length) continue;
    if (recordsFor(nonce).some((r) => isFailure(r) && r.mdnId === fx[0])) byMdn++;
    const mine = shownRows.filter((r) => r.url?.includes(`lab=${nonce}`));
    const naming = mine.filter((r) => r.firefox === fx[0] || r.firefoxOr === fx[0]);
    if (naming.length) named++;
    if (naming.length && naming.every((r) => r.kind === 'notice' && r.severity === 'warning')) byWarning++;
    if (!naming.length) differ.push({ id: s.id, firefox: fx.join(' + '), panel: mine.map((r) => `${r.reason ?? r.notice}${r.firefox ? `/${r.firefox}` : ''}`).join(', ') || '-' });
  }
  console.log(`Firefox refused ${refused} of ${scenarios.length} scenarios; the panel in Firefox names Firefox's first reason for ${named} of them (${byWarning} of these by a warning that names the refusal credentials would meet; the stored MDN id alone: ${byMdn}); ${differ.length} differ:`);
  for (const d of differ) {
    const why = documented.scenarios[d.id];
    console.log(`  ${d.id.padEnd(40)} Firefox ${d.firefox.padEnd(50)} panel ${d.panel.padEnd(40)} ${why ? `documented: ${why}` : 'NOT DOCUMENTED'}`);
  }
  for (const [id, why] of Object.entries(documented.scenarios)) {
    assert.ok(byId.has(id), `firefox-differences.json lists ${id}, which is not a lab scenario`);
    assert.ok(documented.why[why], `firefox-differences.json: ${id} has no explained reason "${why}"`);
  }
  assert.deepEqual(differ.filter((d) => !documented.scenarios[d.id]), [], 'differences from Firefox not documented in tests/fixtures/firefox-differences.json');
  const stale = Object.keys(documented.scenarios).filter((id) => !differ.some((d) => d.id === id));
  assert.deepEqual(stale, [], 'documented differences from Firefox that no longer differ (or that Firefox no longer refuses)');

  // The panel runs under the extension pages' CSP in Firefox too: its CSS
  // and wasm loaded (it rendered), and a request to any server is refused unsent.
  const policy = await ff.evaluate(panel, probePolicyInPage, `${lab.apiOrigin}/csp-probe?lab=csp-firefox`);
  console.log(`panel CSP: fetch ${policy.fetched}, violated ${policy.violations.join(', ') || 'nothing'}, stylesheet rules ${policy.sheets.join(', ')}`);
  assert.equal(policy.fetched, 'refused', 'the panel cannot fetch from a server');
  assert.ok(!lab.requests.some((r) => r.url.includes('csp-firefox')), 'the server saw nothing');
  assert.ok(policy.sheets.length >= 1 && policy.sheets.every((n) => n > 0), `panel.css loaded: ${policy.sheets}`);
});
