// The CORS Lens panel in the REAL DevTools window (--auto-open-devtools-for-tabs,
// new headless): select the extension panel through the DevTools front end,
// read the panel iframe's DOM through its own target, and check it against the
// browser's verdict. The panel is first shown after the failure happened, so
// the finding must come from what the worker kept for the tab. Nothing is on
// the watch list here: the tab is observed because DevTools is open on it,
// through what DevTools records (extension/devtools.js), not webRequest.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  startLab,
  launchWithExtension,
  labTabWithDevTools,
  CorsOracle,
  attachDevTools,
  listDevToolsPanels,
  showExtensionPanel,
  findPanelTarget,
  getTargets,
  TargetSession,
  readPanelViaTarget,
  panelUrl,
  tabIdFor,
  waitFor,
  isFailure,
  probePolicyInPage,
} from './helpers.mjs';

let lab;
let br;
let page;
let oracle;
let bs; // browser-level CDP session
let dt; // DevTools front-end session
let panelTs; // panel iframe session

before(async () => {
  lab = await startLab();
  br = await launchWithExtension({ devtools: true, watch: false });
  // DevTools opened with the tab; its DevTools page tells the worker, which
  // from then on observes the tab through DevTools (extension/devtools.js).
  ({ page } = await labTabWithDevTools(br, lab));
  oracle = await CorsOracle.attach(br.context, page);
  bs = await br.browser.newBrowserCDPSession();
});

after(async () => {
  await panelTs?.detach();
  await dt?.detach();
  await oracle?.detach();
  await br?.close();
  await lab?.close();
});

async function readPanelUntil(predicate, what) {
  return waitFor(
    async () => {
      const st = await readPanelViaTarget(panelTs);
      return predicate(st) ? st : null;
    },
    { timeout: 15000, what },
  );
}

test('DevTools shows the finding of a failure that happened before the panel was opened', { timeout: 90000 }, async () => {
  // The failure happens first, with DevTools open but the CORS Lens panel never shown.
  const result = await page.evaluate(() => window.runScenario('fetch-no-acao'));
  const v = await oracle.verdict(result.nonce);
  assert.equal(v.corsError, 'MissingAllowOriginHeader', 'the browser verdict (oracle)');

  dt = await attachDevTools(bs);
  const panelsBefore = await listDevToolsPanels(dt);
  const targetsBefore = await getTargets(bs);
  const panelDocExisted = targetsBefore.some((t) => t.url.startsWith(panelUrl(br.extensionId, '').split('?')[0]));
  console.log(`DevTools panels: ${panelsBefore.map((p) => p.title).join(', ')}; panel document loaded before selection: ${panelDocExisted}`);
  // The premise: the panel document did not exist when the request failed.
  assert.equal(panelDocExisted, false, 'the CORS Lens panel document was loaded before it was selected');

  const shown = await showExtensionPanel(dt, { extensionId: br.extensionId });
  assert.match(shown.id, new RegExp(br.extensionId), 'the selected panel belongs to the extension');
  const selected = await dt.evaluate(`(async () => {
    const UI = await import('./ui/legacy/legacy.js');
    const iv = UI.InspectorView.InspectorView.instance();
    const pane = iv.tabbedPane ?? iv.tabbedPaneInternal;
    return pane.selectedTabId ?? pane.currentTab?.id ?? null;
  })()`);
  assert.equal(selected, shown.id, 'the CORS Lens tab is the selected DevTools tab');

  const target = await findPanelTarget(bs, br.extensionId);
  panelTs = await TargetSession.attach(bs, target.targetId);
  await panelTs.send('Runtime.enable');

  const st = await readPanelUntil(
    (p) => p.findings.some((f) => (f.url || '').includes(`lab=${result.nonce}`)),
    'the finding in the DevTools panel',
  );
  const f = st.findings.find((x) => (x.url || '').includes(`lab=${result.nonce}`));
  assert.equal(f.reason, 'MissingAllowOriginHeader');
  assert.equal(f.reason, v.corsError, 'panel reason == Chromium corsError');
  assert.equal(f.mdn, 'CORSMissingAllowOrigin');
  assert.equal(st.count, st.findings.length, 'data-count');
  assert.equal(st.emptyVisible, false);
  // Observed because DevTools is open on the tab (no site is watched), and the panel says so.
  assert.equal(await panelTs.evaluate(`chrome.storage.local.get('watchSites').then((o) => (o.watchSites ?? []).length)`), 0, 'no site watched');
  assert.equal(await panelTs.evaluate(`document.getElementById('watch-bar').dataset.watched`), 'devtools', 'the watch bar: watched while DevTools is open');

  // The panel in DevTools shows the inspected tab: the same findings the worker stored for it.
  const tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  const records = await panelTs.evaluate(`chrome.storage.session.get('findings:${tabId}').then((o) => o['findings:${tabId}'] || [])`);
  const stored = records.filter(isFailure);
  assert.equal(stored.length, st.findings.length, 'panel (DevTools) vs storage of the inspected tab');

  // The panel runs under the extension pages' CSP: its CSS and wasm loaded
  // (above), and a request to any server is refused by the browser, unsent.
  const probe = `${lab.apiOrigin}/csp-probe?lab=csp-devtools`;
  const policy = await panelTs.evaluate(`(${probePolicyInPage.toString()})(${JSON.stringify(probe)})`);
  console.log(`panel CSP: fetch ${policy.fetched}, violated ${policy.violations.join(', ') || 'nothing'}, stylesheet rules ${policy.sheets.join(', ')}`);
  assert.equal(policy.fetched, 'refused', 'the panel cannot fetch from a server');
  assert.ok(policy.violations.includes('connect-src'), `reported as a connect-src violation: ${policy.violations}`);
  assert.ok(!lab.requests.some((r) => r.url.includes('csp-devtools')), 'the server saw nothing');
  assert.ok(policy.sheets.length >= 1 && policy.sheets.every((n) => n > 0), `panel.css loaded: ${policy.sheets}`);

  const outDir = path.join(ROOT, 'tests/out');
  fs.mkdirSync(outDir, { recursive: true });
  const shot = await dt.send('Page.captureScreenshot', { format: 'png' });
  fs.writeFileSync(path.join(outDir, 'devtools-panel.png'), Buffer.from(shot.data, 'base64'));
});

test('a failure while the DevTools panel is open appears live', { timeout: 60000 }, async () => {
  assert.ok(panelTs, 'the previous test attached to the panel');
  const beforeCount = (await readPanelViaTarget(panelTs)).findings.length;
  const result = await page.evaluate(() => window.runScenario('acao-other-origin'));
  const v = await oracle.verdict(result.nonce);
  assert.equal(v.corsError, 'AllowOriginMismatch', 'the browser verdict (oracle)');
  const st = await readPanelUntil(
    (p) => p.findings.some((f) => (f.url || '').includes(`lab=${result.nonce}`)),
    'the live finding in the DevTools panel',
  );
  const f = st.findings.find((x) => (x.url || '').includes(`lab=${result.nonce}`));
  assert.equal(f.reason, v.corsError);
  assert.equal(st.findings.length, beforeCount + 1);
});
