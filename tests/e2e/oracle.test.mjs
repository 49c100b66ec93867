// Keeps tests/fixtures/scenarios.json honest: runs every scenario in Chromium
// WITHOUT the extension and checks that the browser's own verdict
// (Network.loadingFailed.corsErrorStatus) is the scenario's `expect`.
// Needs no extension build.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, launchWithExtension, openLab, CorsOracle, table, substitute } from './helpers.mjs';

let lab;
let browser;
let page;
let oracle;
const rows = [];

before(async () => {
  lab = await startLab();
  browser = await launchWithExtension({ withExtension: false });
  page = await openLab(browser.context, lab);
  oracle = await CorsOracle.attach(browser.context, page);
});

after(async () => {
  if (rows.length) {
    console.log('\nChromium verdicts (no extension):\n' + table(['scenario', 'corsError', 'failedParameter', 'errorText', 'status', 'page saw', 'preflight'], rows));
  }
  await oracle?.detach();
  await browser?.close();
  await lab?.close();
});

async function checkAll(t, list) {
  for (const s of list) {
    await t.test(s.id, { timeout: 30000 }, async () => {
      const result = await page.evaluate((id) => window.runScenario(id), s.id);
      const v = await oracle.verdict(result.nonce);
      rows.push([s.id, v.corsError, v.failedParameter, v.errorText ?? '', v.status ?? '', result.ok ? 'ok' : result.error, v.preflight ? `${v.preflight.state} ${v.preflight.status ?? ''}` : '']);
      assert.equal(v.corsError ?? null, s.expect, `${s.id}: Chromium said ${v.corsError} (${v.failedParameter}), errorText=${v.errorText}`);
      if (s.expect && 'expectFailedParameter' in s) {
        const want = substitute(s.expectFailedParameter, lab.pageOrigin);
        assert.equal(v.failedParameter ?? '', want, `${s.id}: failedParameter`);
      }
      // The page agrees: a CORS error, a refused connection or another network error is a failure,
      // everything else loads.
      assert.equal(result.ok, !(s.expect || s.refused || s.netError), `${s.id}: page result ${JSON.stringify(result)}`);
      // A network error that is not CORS: Chromium names it, without a corsErrorStatus.
      if (s.netError) assert.equal(v.errorText, s.netError, `${s.id}: errorText`);
      if (s.cachedPreflight) {
        const sent = lab.requests.filter((r) => r.url.includes(`lab=${result.nonce}`));
        assert.equal(sent.filter((r) => r.method === 'OPTIONS').length, 1, `${s.id}: the second request must reuse the cached preflight`);
        assert.equal(sent.filter((r) => r.method !== 'OPTIONS').length, 2, `${s.id}: warm-up and run`);
      }
      if (s.refused) assert.match(v.errorText || '', /ERR_CONNECTION_REFUSED/);
      if (s.redirectTo) {
        assert.equal(v.urls.length, 2, `${s.id}: expected one redirect, saw ${v.urls.join(' -> ')}`);
        const hop2 = lab.requests.find((r) => r.server === 'third' && r.url.includes(`lab=${result.nonce}`));
        assert.ok(hop2, `${s.id}: the third origin saw no request`);
        assert.equal(hop2.headers.origin, 'null', `${s.id}: second hop Origin`);
      }
    });
  }
}

test('Chromium reports each scenario as scenarios.json expects', { timeout: 180000 }, (t) => checkAll(t, lab.scenarios));

test('Chromium reports each preflighted scenario as preflight-scenarios.json expects', { timeout: 180000 }, (t) =>
  checkAll(t, lab.preflightScenarios),
);

test('Chromium reports each matrix scenario as matrix-scenarios.json expects', { timeout: 300000 }, (t) =>
  checkAll(t, lab.matrixScenarios),
);
