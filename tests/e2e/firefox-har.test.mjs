// A HAR of Firefox ESR's own network data for the demo lab, read back by
// CORS Lens: Firefox's DevTools export cannot be driven headless, so the
// HAR is written from Firefox's WebDriver BiDi network events in the shape
// of its Network Monitor's export (firefox-har-recorder.mjs). The oracle is
// Firefox's console (its "Cross-Origin Request Blocked: … (Reason: …)"
// lines); the extension runs in the same Firefox, so its live verdicts are
// compared too.
//
// The HAR is judged by the command-line tool and imported into the
// extension's panel in Firefox, which names for each row the reason
// Firefox's console gives (the reason table's `firefox_ids_for`). For every
// run Firefox refused, a row of the HAR must name Firefox's first reason
// unless the run is in CANNOT_TELL (with why); no failure may come from the
// HAR for a run Firefox did not refuse. Prints both agreement figures.
// Needs `make build` and `make cli`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, CLI, startLab, waitFor, readPanelInPage, isFailure, PANEL_PATH, checkHar, exportedForRun, table } from './helpers.mjs';
import { launchFirefox, openLabInFirefox, labTabId } from './firefox-helpers.mjs';
import { BidiHarRecorder } from './firefox-har-recorder.mjs';

const OUT = path.join(ROOT, 'target/e2e-firefox-har');

/**
 * Runs Firefox refused whose reason its HAR cannot give, and why: those
 * the live panel in Firefox cannot tell either
 * (tests/fixtures/firefox-differences.json), and the ones below. Any other
 * difference fails; a listed run that no longer differs fails too.
 */
const documented = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures/firefox-differences.json'), 'utf8'));
const NO_ERROR_KEPT = "Firefox's export keeps no error: a request that got no response (status 0, no headers) looks cancelled";
const CANNOT_TELL = {
  ...Object.fromEntries(Object.entries(documented.scenarios).map(([id, why]) => [id, documented.why[why]])),
  'preflight-wildcard-credentials': `${NO_ERROR_KEPT}; the preflight fails only with credentials, and only the actual request's failure unsent shows they were sent`,
  'preflight-no-acac': `${NO_ERROR_KEPT}; the preflight fails only with credentials, and only the actual request's failure unsent shows they were sent`,
  'refused-connection': `${NO_ERROR_KEPT}; a refused connection is not told from a cancelled request`,
  'redirect-ws': 'a redirect to ws: with no next hop and no error kept: Firefox refuses it as CORS, Chromium as a network error; nothing in the HAR says which',
};

let lab;
let ff;
let page;
let recorder;
let ext; // an extension tab (storage, the panel's import)
let tabId;
let reasonsFor;
const runs = [];
let json;
let live = [];

before(async () => {
  assert.ok(CLI, 'build the command-line tool first: make cli');
  fs.mkdirSync(OUT, { recursive: true });
  lab = await startLab();
  ff = await launchFirefox();
  recorder = await BidiHarRecorder.attach(ff.browser);
  ({ page, reasonsFor } = await openLabInFirefox(ff, lab));
  ext = await ff.openExtensionTab(`${PANEL_PATH}?tabId=-1`);
  tabId = await labTabId(ff, ext, lab);
});

after(async () => {
  await recorder?.detach();
  await ff?.close();
  await lab?.close();
});


test('the demo runs in Firefox ESR; its network events are written as a Firefox HAR', { timeout: 240000 }, async () => {
  const ids = await page.evaluate(() => window.demoScenarios.flatMap((g) => g.ids));
  for (const id of ids) {
    const r = await page.evaluate((i) => window.runScenario(i), id);
    runs.push({ id, nonce: r.nonce });
  }
  await new Promise((r) => setTimeout(r, 1000));
  const version = await ff.browser.version();
  const har = recorder.har(version.replace(/^firefox\//i, ''));
  fs.writeFileSync(path.join(OUT, 'firefox.har'), JSON.stringify(har, null, 1));
  const key = `findings:${tabId}`;
  live = (await ff.evaluate(ext, (k) => browser.storage.session.get(k), key))[key] ?? [];
  const preflights = har.log.entries.filter((e) => e.request.method === 'OPTIONS' && e.request.headers.some((h) => /^access-control-request-method$/i.test(h.name)));
  console.log(`\n${version}: ${runs.length} demo runs, ${har.log.entries.length} HAR entries (${preflights.length} preflights), ${live.length} live records`);
  for (const r of runs) assert.ok(har.log.entries.some((e) => e.request.url.includes(`lab=${r.nonce}`)), `${r.id}: an entry in the HAR`);
  assert.ok(preflights.length > 0, 'the preflights are entries of their own');
  ({ json } = checkHar(path.join(OUT, 'firefox.har')));
  assert.ok(json, 'the CLI read the HAR');
});

test("the Firefox HAR, imported into the panel in Firefox, names Firefox's console reason for every refusal it can tell", { timeout: 120000 }, async () => {
  const text = fs.readFileSync(path.join(OUT, 'firefox.har'), 'utf8');
  const panel = await ff.openExtensionTab(`${PANEL_PATH}?tabId=-1`);
  // The panel's module has rendered (its import listener is set).
  await waitFor(() => ff.evaluate(panel, () => !!document.querySelector('#findings [role="grid"]')), { timeout: 15000, what: 'the panel rendered' });
  await ff.evaluate(
    panel,
    (t) => {
      const input = document.getElementById('import-file');
      const dt = new DataTransfer();
      dt.items.add(new File([t], 'firefox.har', { type: 'application/json' }));
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    },
    text,
  );
  const want = json.findings.length + json.notices.length;
  let last;
  const shown = await waitFor(
    async () => {
      last = await ff.evaluate(panel, readPanelInPage, { details: false });
      return last.rows === want ? ff.evaluate(panel, readPanelInPage, { details: true }) : null;
    },
    { timeout: 30000, what: `the panel showing the HAR's ${want} rows` },
  ).catch(async (e) => {
    const said = await ff.evaluate(panel, () => document.body.innerText.slice(0, 400)).catch(() => '');
    throw new Error(`${e.message}: ${last?.rows} rows shown; the panel says ${said}`);
  });
  const rowsOf = (nonce) => [...shown.findings, ...shown.notices].filter((r) => r.url?.includes(`lab=${nonce}`));
  const rows = [];
  const differ = [];
  const cannot = [];
  const wrong = [];
  let refused = 0;
  let named = 0;
  let asLive = 0;
  for (const r of runs) {
    const fx = reasonsFor(r.nonce);
    const mine = rowsOf(r.nonce);
    const fromHar = exportedForRun(json, r.nonce);
    const liveRecords = live.filter((x) => x.url?.includes(`lab=${r.nonce}`));
    const sameAsLive =
      JSON.stringify(fromHar.findings.map((f) => f.reason).sort()) === JSON.stringify(liveRecords.filter(isFailure).map((f) => f.reason).sort()) &&
      JSON.stringify(fromHar.notices.map((n) => n.notice).sort()) === JSON.stringify(liveRecords.filter((x) => !isFailure(x)).map((n) => n.notice).sort());
    if (sameAsLive) asLive += 1;
    if (fx.length) refused += 1;
    const naming = fx.length > 0 && mine.some((m) => m.firefox === fx[0] || m.firefoxOr === fx[0]);
    if (naming) named += 1;
    else if (fx.length && CANNOT_TELL[r.id]) cannot.push([r.id, fx.join(' + '), CANNOT_TELL[r.id]]);
    else if (fx.length) differ.push([r.id, fx.join(' + '), mine.map((m) => `${m.reason ?? m.notice}/${m.firefox ?? '-'}`).join(', ') || '-']);
    if (!fx.length && fromHar.findings.length) wrong.push([r.id, fromHar.findings.map((f) => f.reason).join(', ')]);
    rows.push([r.id, fx.join(' + ') || '-', mine.map((m) => `${m.reason ?? m.notice}${m.firefox ? `/${m.firefox}` : ''}`).join(', ') || '-', liveRecords.map((x) => x.reason ?? x.notice).join(', ') || '-']);
  }
  console.log(`\n${table(['scenario', 'Firefox (console)', 'from its HAR (panel in Firefox)', 'live panel in Firefox'], rows)}`);
  console.log(`\nFirefox HAR: Firefox refused ${refused} of ${runs.length} demo runs; the HAR names Firefox's first reason for ${named} of them; ${asLive}/${runs.length} runs give the live panel's findings in Firefox`);
  if (cannot.length) console.log('refusals the HAR cannot tell:\n' + table(['scenario', 'Firefox', 'why'], cannot));
  assert.deepEqual(wrong, [], 'failures from the HAR for runs Firefox did not refuse');
  assert.deepEqual(differ, [], 'refusals whose reason the HAR does not name:\n' + table(['scenario', 'Firefox', 'HAR rows'], differ));
  const stale = Object.keys(CANNOT_TELL).filter((id) => runs.some((r) => r.id === id) && !cannot.some((c) => c[0] === id));
  assert.deepEqual(stale, [], 'listed as cannot tell, yet the HAR names the reason');
});
