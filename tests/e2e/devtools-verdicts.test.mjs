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
import { startLab, launchWithExtension, labTabWithDevTools, readStoredFindings, readStoredRecords, findingMatches, CorsOracle, currentServiceWorker, waitFor, table, sleep, getTargets, TargetSession } from './helpers.mjs';

/**
 * What DevTools hands the extension, seen from inside CORS Lens' own
 * DevTools page: a second `onRequestFinished` listener beside ours, and
 * `getHAR`. Printed for a scenario whose failure was not stored, to tell a
 * request DevTools never reported from one the feed lost.
 */
class FeedProbe {
  static async attach(br) {
    const probe = new FeedProbe();
    probe.bs = await br.browser.newBrowserCDPSession();
    const prefix = `chrome-extension://${br.extensionId}/extension/devtools.html`;
    const target = await waitFor(async () => (await getTargets(probe.bs)).find((t) => t.url.startsWith(prefix)), { timeout: 20000, what: 'the DevTools page of CORS Lens' });
    probe.ts = await TargetSession.attach(probe.bs, target.targetId);
    await probe.ts.evaluate(`(globalThis.__probe = [], chrome.devtools.network.onRequestFinished.addListener((e) => __probe.push([Date.now(), e.request.method, e.request.url, e.response.status, e.response._error ?? '', e.startedDateTime])), true)`);
    return probe;
  }

  /** The entries of the run `nonce`: reported by the event (with when), and listed by getHAR. */
  async entries(nonce) {
    const token = JSON.stringify(`lab=${nonce}`);
    return this.ts.evaluate(`(async () => ({
      reported: __probe.filter((e) => e[2].includes(${token})),
      listed: (await new Promise((r) => chrome.devtools.network.getHAR(r))).entries.filter((e) => e.request.url.includes(${token})).map((e) => [e.request.method, e.request.url, e.response.status, e.response._error ?? '', e.startedDateTime, e._requestId]),
      now: Date.now(),
    }))()`);
  }

  /**
   * The lab requests the event reported without their response that getHAR
   * lists with one, and those getHAR lists answered that the event never
   * reported (by method and URL): what the feed took from getHAR.
   */
  async fromHar() {
    return this.ts.evaluate(`(async () => {
      const key = (start, method, url) => [start, method, url].join(' ');
      const reported = new Map(__probe.map((e) => [key(e[5], e[1], e[2]), e]));
      const { entries } = await new Promise((r) => chrome.devtools.network.getHAR(r));
      const lab = entries.filter((e) => e.request.url.includes('lab='));
      const name = (e) => e.request.method + ' ' + e.request.url;
      return {
        withoutResponse: lab.filter((e) => e.response.status > 0 && reported.get(key(e.startedDateTime, e.request.method, e.request.url))?.[3] === 0).map(name),
        unreported: lab.filter((e) => (e.response._error || e.response.status > 0) && !reported.has(key(e.startedDateTime, e.request.method, e.request.url))).map(name),
      };
    })()`);
  }

  async detach() {
    await this.ts?.detach();
    await this.bs?.detach().catch(() => {});
  }
}

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
let probe;
const rows = [];
const agreement = { agree: 0, total: 0, disagreements: [] };

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
  probe = await FeedProbe.attach(br);
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
  const fromHar = await probe?.fromHar().catch((e) => ({ withoutResponse: [`(not read: ${e.message})`], unreported: [] }));
  const list = (l) => (l?.length ? l.join(', ') : 'none');
  console.log(`lab requests onRequestFinished reported without the response getHAR later listed: ${list(fromHar?.withoutResponse)}`);
  console.log(`lab requests getHAR listed that onRequestFinished never reported: ${list(fromHar?.unreported)}`);
  await oracle?.detach();
  await probe?.detach();
  await br?.close();
  await lab?.close();
});

test('no webRequest listener while only DevTools is open', async () => {
  assert.equal(await webRequestListening(), false, 'the worker listens to webRequest with nothing on a watch list');
});

test('every scenario through the DevTools feed: stored reason == Chromium corsErrorStatus.corsError', { timeout: 900000 }, async (t) => {
  for (const s of [...lab.scenarios, ...lab.preflightScenarios, ...lab.matrixScenarios]) {
    await t.test(s.id, { timeout: 60000 }, async () => {
      const result = await page.evaluate((id) => window.runScenario(id), s.id);
      const v = await oracle.verdict(result.nonce);
      const browserSays = v.corsError ?? null;
      const mine = async () => (await readStoredFindings(br.serviceWorker, tabId)).filter((f) => findingMatches(f, result.nonce));
      let stored = [];
      if (browserSays) {
        await waitFor(async () => (stored = await mine()).length > 0, { timeout: 15000, what: `a finding for ${s.id}` }).catch(() => {});
      } else {
        // An entry without a response waits up to 1.25 s for getHAR to show
        // one (extension/har-ledger.js: HELD_MS, devtools.js: HELD_READ_MS),
        // then the feed holds it up to 2.25 s (live.rs: HOLD_MS, SETTLE_MS).
        await sleep(3800);
        stored = await mine();
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
        const devtools = browserSays && stored.length === 0 ? `; what DevTools gave: ${JSON.stringify(await probe.entries(result.nonce))}` : '';
        assert.fail(`${s.id}: Chromium ${browserSays} [${v.failedParameter ?? ''}], stored from DevTools: ${said}; every record of the run: ${JSON.stringify(all.map((r) => [r.kind, r.reason ?? r.notice, r.status]))}${devtools}`);
      }
    });
  }
});

test('still no webRequest listener after the whole table', async () => {
  assert.equal(await webRequestListening(), false);
});
