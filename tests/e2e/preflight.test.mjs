// Preflighted requests (tests/fixtures/preflight-scenarios.json): PUT and
// custom request headers, each with its own OPTIONS answer. As for the simple
// scenarios, Chromium's corsErrorStatus is the oracle: the panel must name the
// same reason for the request, once, and nothing when the browser let it pass.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { labWithPanel, waitForPanel, readStoredFindings, readStoredRecords, findingMatches, table, sleep } from './helpers.mjs';

let lab;
let br;
let page;
let panel;
let oracle;
let tabId;
const rows = [];
const agreement = { agree: 0, total: 0, disagreements: [] };

before(async () => {
  ({ lab, br, page, oracle, tabId, panel } = await labWithPanel());
});

after(async () => {
  if (rows.length) console.log('\n' + table(['scenario', 'Chromium verdict', 'failedParameter', 'preflight', 'panel finding', 'panel method', 'stored', 'agrees'], rows));
  console.log(`\nagreement with Chromium (reason and failedParameter): ${agreement.agree}/${agreement.total}` + agreement.disagreements.map((d) => `\n  ${d}`).join(''));
  await oracle?.detach();
  await br?.close();
  await lab?.close();
});

test('every preflighted scenario: panel reason == Chromium corsErrorStatus.corsError', { timeout: 600000 }, async (t) => {
  for (const s of [...lab.preflightScenarios, ...lab.matrixScenarios]) {
    await t.test(s.id, { timeout: 45000 }, async () => {
      const result = await page.evaluate((id) => window.runScenario(id), s.id);
      const v = await oracle.verdict(result.nonce);
      const browserSays = v.corsError ?? null;
      const pf = v.preflight ? `${v.preflight.state} ${v.preflight.status ?? v.preflight.errorText ?? ''}` : 'none';
      const row = [s.id, browserSays ?? `none (${v.errorText || v.status})`, v.failedParameter, pf, '', '', '', 'no'];
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
      row[6] = stored.map((f) => `${f.reason} ${f.method} status=${f.status} [${f.failedParameter ?? ''}]`).join(',') || 'none';
      agreement.total++;
      const agrees = browserSays
        ? mine.length === 1 && stored.length === 1 && stored[0].reason === browserSays && (stored[0].failedParameter ?? '') === (v.failedParameter ?? '')
        : mine.length === 0 && stored.length === 0;
      if (agrees) {
        agreement.agree++;
        row[7] = 'yes';
      } else {
        agreement.disagreements.push(`${s.id}: Chromium ${browserSays} [${v.failedParameter ?? ''}], CORS Lens ${row[6]}`);
      }
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

test('the preflight and its actual request are one finding with both exchanges visible', { timeout: 60000 }, async () => {
  const result = await page.evaluate((id) => window.runScenario(id), 'preflight-ok-actual-no-acao');
  const v = await oracle.verdict(result.nonce);
  assert.equal(v.corsError, 'MissingAllowOriginHeader');
  await waitForPanel(panel, (p) => p.findings.some((f) => (f.url || '').includes(`lab=${result.nonce}`)), { timeout: 15000, what: 'the finding' });
  // Its row opened, the Headers tab of the detail pane.
  await panel.locator('#findings [role="row"][data-kind="failure"]', { hasText: `lab=${result.nonce}` }).click();
  await panel.locator('#findings .detail [role="tab"][data-tab="headers"]').click();
  const exchanges = await panel.evaluate((token) => {
    const a = document.querySelector('#findings .detail');
    if (!(a.querySelector('.f-url')?.textContent || '').includes(token)) return [];
    const tab = a.querySelector('[role="tabpanel"][data-tab="headers"]');
    if (tab.hidden) return [];
    return [...tab.querySelectorAll('details.f-exchange')].map((d) => ({
      role: d.getAttribute('data-exchange'),
      summary: d.querySelector('summary').textContent,
      request: [...d.querySelectorAll('table.f-request-headers th.f-header-name')].map((th) => th.textContent.toLowerCase()),
      response: [...d.querySelectorAll('table.f-response-headers th.f-header-name')].map((th) => th.textContent.toLowerCase()),
    }));
  }, `lab=${result.nonce}`);
  assert.deepEqual(exchanges.map((e) => e.role), ['preflight', 'request'], JSON.stringify(exchanges));
  assert.match(exchanges[0].summary, /OPTIONS/);
  assert.ok(exchanges[0].request.includes('access-control-request-method'), JSON.stringify(exchanges[0]));
  assert.ok(exchanges[0].response.includes('access-control-allow-methods'), JSON.stringify(exchanges[0]));
  assert.match(exchanges[1].summary, /PUT/);
  assert.ok(exchanges[1].request.includes('origin'), JSON.stringify(exchanges[1]));
});

test('Authorization let through by Access-Control-Allow-Headers: * passes, with a warning', { timeout: 60000 }, async () => {
  const result = await page.evaluate((id) => window.runScenario(id), 'ok-preflight-authorization-wildcard');
  const v = await oracle.verdict(result.nonce);
  assert.equal(v.corsError ?? null, null, 'Chromium lets * cover Authorization (docs/verdicts.md, Browser versions)');
  const notice = await waitForNotice(result.nonce, 'AuthorizationCoveredByWildcard');
  assert.equal(notice.method, 'GET');
  assert.equal((await readStoredFindings(panel, tabId)).filter((f) => findingMatches(f, result.nonce)).length, 0);
});

async function waitForNotice(nonce, kind) {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const records = await readStoredRecords(panel, tabId);
    const n = records.find((r) => r.kind === 'notice' && (r.url || '').includes(`lab=${nonce}`) && JSON.stringify(r).includes(kind));
    if (n) return n;
    await sleep(200);
  }
  throw new Error(`no ${kind} notice stored for lab=${nonce}`);
}
