// Preflighted requests (tests/fixtures/preflight-scenarios.json): PUT and
// custom request headers, each with its own OPTIONS answer. As for the simple
// scenarios, Chromium's corsErrorStatus is the oracle: the panel must name the
// same reason for the request, once, and nothing when the browser let it pass.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, launchWithExtension, openLab, openPanel, tabIdFor, waitForPanel, readStoredFindings, findingMatches, CorsOracle, table, sleep } from './helpers.mjs';

let lab;
let br;
let page;
let panel;
let oracle;
let tabId;
const rows = [];

before(async () => {
  lab = await startLab();
  br = await launchWithExtension();
  page = await openLab(br.context, lab, { page: br.context.pages()[0] });
  oracle = await CorsOracle.attach(br.context, page);
  tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  panel = await openPanel(br.context, br.extensionId, tabId);
});

after(async () => {
  if (rows.length) console.log('\n' + table(['scenario', 'Chromium verdict', 'failedParameter', 'preflight', 'panel finding', 'panel method', 'stored'], rows));
  await oracle?.detach();
  await br?.close();
  await lab?.close();
});

test('every preflighted scenario: panel reason == Chromium corsErrorStatus.corsError', { timeout: 600000 }, async (t) => {
  for (const s of lab.preflightScenarios) {
    await t.test(s.id, { timeout: 45000 }, async () => {
      const result = await page.evaluate((id) => window.runScenario(id), s.id);
      const v = await oracle.verdict(result.nonce);
      const browserSays = v.corsError ?? null;
      const pf = v.preflight ? `${v.preflight.state} ${v.preflight.status ?? v.preflight.errorText ?? ''}` : 'none';
      const row = [s.id, browserSays ?? `none (${v.errorText || v.status})`, v.failedParameter, pf, '', '', ''];
      rows.push(row);
      const mineIn = (p) => p.findings.filter((f) => (f.url || '').includes(`lab=${result.nonce}`));
      let st;
      if (browserSays) {
        try {
          st = await waitForPanel(panel, (p) => mineIn(p).length > 0, { timeout: 15000, what: `a panel finding for ${s.id}` });
        } catch (e) {
          row[4] = 'MISSING';
          const stored = (await readStoredFindings(panel, tabId)).filter((f) => findingMatches(f, result.nonce));
          row[6] = stored.map((f) => f.reason).join(',') || 'none';
          throw new Error(`${e.message}\nstored for this run: ${JSON.stringify(stored)}`);
        }
      } else {
        await sleep(800);
        st = await waitForPanel(panel, () => true, { quietMs: 500 });
      }
      const mine = mineIn(st);
      const stored = (await readStoredFindings(panel, tabId)).filter((f) => findingMatches(f, result.nonce));
      row[4] = mine.map((f) => f.reason).join(',') || 'none';
      row[5] = mine.map((f) => f.method).join(',');
      row[6] = stored.map((f) => `${f.reason} ${f.method} status=${f.status}`).join(',') || 'none';
      if (browserSays) {
        assert.equal(mine.length, 1, `${s.id}: expected one panel finding for the run (preflight and request are one failure), got ${mine.length}: ${mine.map((f) => `${f.method} ${f.reason}`)}`);
        assert.equal(mine[0].reason, browserSays, `${s.id}: panel data-reason ${mine[0].reason}, Chromium said ${browserSays} (${v.failedParameter})`);
        assert.equal(stored.length, 1, `${s.id}: stored findings for the run`);
        assert.equal(stored[0].reason, browserSays, `${s.id}: stored reason`);
        assert.equal(stored[0].failedParameter ?? '', v.failedParameter ?? '', `${s.id}: stored failedParameter vs Chromium's`);
      } else {
        assert.equal(mine.length, 0, `${s.id}: Chromium reported no CORS error but the panel shows ${mine.map((f) => f.reason)}`);
        assert.equal(stored.length, 0, `${s.id}: Chromium reported no CORS error but storage has ${stored.map((f) => f.reason)}`);
      }
    });
  }
});
