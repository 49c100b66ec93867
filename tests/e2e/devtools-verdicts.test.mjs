// A tab being debugged is observed through DevTools, not webRequest
// (extension/devtools.js → crate/core/src/har/live.rs → the worker's engine).
// For EVERY scenario of the simple, preflighted and matrix tables: run it in
// a tab with the real DevTools window open on it (new headless,
// --auto-open-devtools-for-tabs) and nothing on a watch list, take Chromium's
// verdict from the DevTools protocol (the oracle), and check that what the
// worker stored for the run names the same reason and failedParameter, or
// nothing when Chromium reported no CORS error. The worker holds no
// webRequest listener meanwhile: every finding came from DevTools' record.
// The scenarios DevTools' record cannot tell are listed in KNOWN_BLIND, each
// with why, and the test fails if one of them starts to agree.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, launchWithExtension, labTabWithDevTools, readStoredFindings, readStoredRecords, findingMatches, CorsOracle, currentServiceWorker, waitFor, table, sleep } from './helpers.mjs';

/**
 * Scenarios whose failure DevTools' record does not hold what the verdict
 * needs, with why. Empty until a run shows one.
 * @type {Record<string, string>}
 */
const KNOWN_BLIND = {};

let lab;
let br;
let page;
let oracle;
let tabId;
const rows = [];
const agreement = { agree: 0, total: 0, disagreements: [], missedOnce: [], missed: [] };

/**
 * The DevTools feed's open defect: in CI runs (never locally) 1-2 of the 112
 * refusals leave no failure stored, a different one each run (a late or
 * missing DevTools entry; tests/README, the closing note). A stored reason
 * that differs from Chromium's, or a failure where Chromium reported none,
 * fails at once; a refusal missed on its run and on a second run is counted,
 * and more than this many fail the table.
 */
const MAX_MISSED = 3;

/** The worker's webRequest listeners, if any (there must be none here). */
async function webRequestListening() {
  const sw = await currentServiceWorker(br.context, br.extensionId);
  return sw.evaluate(() => !!chrome.webRequest && ['onSendHeaders', 'onHeadersReceived', 'onCompleted', 'onErrorOccurred'].some((e) => chrome.webRequest[e].hasListeners()));
}

before(async () => {
  lab = await startLab();
  br = await launchWithExtension({ devtools: true, watch: false });
  ({ page, tabId } = await labTabWithDevTools(br, lab));
  oracle = await CorsOracle.attach(br.context, page);
  // DevTools records a request only once its front end has attached: run a
  // scenario until its finding arrives, so the table starts on a ready feed.
  const nonces = [];
  await waitFor(
    async () => {
      nonces.push((await page.evaluate((id) => window.runScenario(id), 'fetch-no-acao')).nonce);
      await sleep(1500);
      return (await readStoredFindings(br.serviceWorker, tabId)).some((f) => nonces.some((n) => findingMatches(f, n)));
    },
    { timeout: 60000, interval: 200, what: 'a first finding from the DevTools feed' },
  );
});

after(async () => {
  if (rows.length) console.log('\n' + table(['scenario', 'Chromium verdict', 'failedParameter', 'stored from DevTools', 'agrees'], rows));
  console.log(`\nagreement with Chromium through the DevTools feed: ${agreement.agree}/${agreement.total}` + agreement.disagreements.map((d) => `\n  ${d}`).join(''));
  console.log(`refusals with nothing stored on the first run (run again once): ${agreement.missedOnce.length ? agreement.missedOnce.join(', ') : 'none'}`);
  console.log(`refusals missed on both runs (at most ${MAX_MISSED}): ${agreement.missed.length ? agreement.missed.join('; ') : 'none'}`);
  await oracle?.detach();
  await br?.close();
  await lab?.close();
});

test('no webRequest listener while only DevTools is open', async () => {
  assert.equal(await webRequestListening(), false, 'the worker listens to webRequest with nothing on a watch list');
});

test('every scenario through the DevTools feed: stored reason == Chromium corsErrorStatus.corsError', { timeout: 900000 }, async (t) => {
  for (const s of [...lab.scenarios, ...lab.preflightScenarios, ...lab.matrixScenarios]) {
    await t.test(s.id, { timeout: 60000 }, async () => {
      /** Runs the scenario; what Chromium said and what was stored for the run. */
      const run = async () => {
        const result = await page.evaluate((id) => window.runScenario(id), s.id);
        const v = await oracle.verdict(result.nonce);
        const browserSays = v.corsError ?? null;
        const mine = async () => (await readStoredFindings(br.serviceWorker, tabId)).filter((f) => findingMatches(f, result.nonce));
        let stored = [];
        if (browserSays) {
          await waitFor(async () => (stored = await mine()).length > 0, { timeout: 15000, what: `a finding for ${s.id}` }).catch(() => {});
        } else {
          // The feed holds entries up to 2.3 s (live.rs: HOLD_MS, SETTLE_MS).
          await sleep(2600);
          stored = await mine();
        }
        return { result, v, browserSays, stored };
      };
      let { result, v, browserSays, stored } = await run();
      if (browserSays && stored.length === 0) {
        // A refusal with nothing stored at all: seen once or twice per CI run
        // (1-2 of 112), never in local runs; the run is tried again once, and
        // the miss is printed with the agreement (the closing note says so).
        agreement.missedOnce.push(s.id);
        ({ result, v, browserSays, stored } = await run());
      }
      const said = stored.map((f) => `${f.reason} [${f.failedParameter ?? ''}]`).join(',') || 'none';
      const agrees = browserSays
        ? stored.length === 1 && stored[0].reason === browserSays && (stored[0].failedParameter ?? '') === (v.failedParameter ?? '')
        : stored.length === 0;
      agreement.total++;
      if (agrees) agreement.agree++;
      else agreement.disagreements.push(`${s.id}: Chromium ${browserSays} [${v.failedParameter ?? ''}], CORS Lens ${said}`);
      rows.push([s.id, browserSays ?? 'none', v.failedParameter ?? '', said, agrees ? 'yes' : 'NO']);
      if (s.id in KNOWN_BLIND) {
        assert.equal(agrees, false, `${s.id} is listed as blind (${KNOWN_BLIND[s.id]}) but now agrees: take it off the list`);
        return;
      }
      if (!agrees) {
        // What else was stored for the run (a notice says the reason could not be told).
        const all = (await readStoredRecords(br.serviceWorker, tabId)).filter((r) => findingMatches(r, result.nonce));
        if (browserSays && stored.length === 0) {
          // Missed twice: counted, and judged against MAX_MISSED at the end.
          agreement.missed.push(`${s.id} (${JSON.stringify(all.map((r) => [r.kind, r.reason ?? r.notice]))})`);
          return;
        }
        assert.fail(`${s.id}: Chromium ${browserSays} [${v.failedParameter ?? ''}], stored from DevTools: ${said}; every record of the run: ${JSON.stringify(all.map((r) => [r.kind, r.reason ?? r.notice, r.status]))}`);
      }
    });
  }
});

test(`at most ${MAX_MISSED} refusals missed twice (the feed's open defect)`, () => {
  assert.ok(agreement.missed.length <= MAX_MISSED, `missed twice: ${agreement.missed.join('; ')}`);
});

test('still no webRequest listener after the whole table', async () => {
  assert.equal(await webRequestListening(), false);
});
