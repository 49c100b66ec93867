// Hostile scenarios: response headers and URLs are attacker-controlled. The
// panel must show them as text, never as markup: the literal payload appears in
// the text, no element is created from it, no handler runs, no dialog opens.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, launchWithExtension, openLab, openPanel, tabIdFor, waitForPanel, readStoredFindings, findingMatches, CorsOracle, auditPanelInPage } from './helpers.mjs';

const PAYLOAD = '<img src=x onerror=alert(1)>';

let lab;
let br;
let page;
let panel;
let oracle;
let tabId;
let dialogs = 0;
const cspViolations = [];

before(async () => {
  lab = await startLab();
  br = await launchWithExtension();
  page = await openLab(br.context, lab, { page: br.context.pages()[0] });
  oracle = await CorsOracle.attach(br.context, page);
  tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  panel = await openPanel(br.context, br.extensionId, tabId);
  for (const p of [page, panel]) {
    p.on('dialog', async (d) => {
      dialogs++;
      await d.dismiss().catch(() => {});
    });
  }
  panel.on('console', (m) => {
    if (/Refused to (execute|load)|Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});

after(async () => {
  await oracle?.detach();
  await br?.close();
  await lab?.close();
});

test('hostile header values and URLs reach the panel as text only', { timeout: 120000 }, async () => {
  const hostile = lab.scenarios.filter((s) => s.hostile);
  assert.ok(hostile.length >= 2, 'scenarios.json has hostile scenarios');
  const runs = [];
  for (const s of hostile) {
    const result = await page.evaluate((id) => window.runScenario(id), s.id);
    const v = await oracle.verdict(result.nonce);
    assert.ok(v.corsError, `${s.id}: the browser blocked it (oracle said ${v.corsError}, ${v.errorText})`);
    runs.push({ s, result, v });
  }

  const st = await waitForPanel(
    panel,
    (p) => runs.every(({ result }) => p.findings.some((f) => (f.url || '').includes(`lab=${result.nonce}`))),
    { timeout: 20000, what: 'a panel finding for every hostile run' },
  );

  for (const { s, result, v } of runs) {
    const f = st.findings.find((x) => (x.url || '').includes(`lab=${result.nonce}`));
    assert.equal(f.reason, v.corsError, `${s.id}: panel reason vs Chromium`);
  }

  // The table, and every row's detail pane with all its tabs.
  const imgs = await panel.evaluate(auditPanelInPage, { forbidden: 'img' });
  const others = await panel.evaluate(auditPanelInPage, { forbidden: 'svg, iframe, object, embed' });
  assert.equal(imgs.rows, st.rows, 'every row was opened');
  const dom = {
    text: imgs.text,
    imgs: imgs.elements,
    svgs: others.elements,
    handlers: imgs.handlers,
    scripts: await panel.evaluate(() => document.querySelectorAll('script:not([src])').length),
    xss: await panel.evaluate(() => typeof window.__xss),
  };
  assert.equal(dom.imgs, 0, 'an <img> element was created inside #findings');
  assert.equal(dom.svgs, 0, 'svg/iframe/object/embed inside #findings');
  assert.equal(dom.scripts, 0, 'an inline <script> exists in the panel');
  assert.deepEqual(dom.handlers, [], 'elements with on* attributes inside #findings');
  assert.equal(dom.xss, 'undefined', 'window.__xss was set in the panel');
  // The literal payload is visible as text (the ACAO value of hostile-acao-markup).
  assert.ok(dom.text.includes(PAYLOAD), `the panel text does not contain the literal ${PAYLOAD}`);
  assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined', 'window.__xss was set in the lab page');
  // Let any (wrongly) injected handler fire before counting.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(dialogs, 0, 'a dialog opened');
  assert.deepEqual(cspViolations, [], 'the panel tried to run injected code (CSP blocked it)');

  // Storage keeps the raw values (escaping is the renderer's job, not the store's).
  const stored = await readStoredFindings(panel, tabId);
  const acao = runs.find(({ s }) => s.id === 'hostile-acao-markup');
  const rec = stored.find((f) => findingMatches(f, acao.result.nonce));
  assert.ok(rec, 'stored finding for hostile-acao-markup');
  assert.deepEqual(rec.allowOrigin, [PAYLOAD], 'stored allowOrigin is the raw header value');
});
