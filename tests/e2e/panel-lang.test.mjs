// The panel's language switch: select#lang (auto/en/fr) changes the language
// of the explanations, <html lang> says which one is in use, the choice
// survives reopening the panel, and the reason ids never change with it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, launchWithExtension, openLab, openPanel, tabIdFor, waitForPanel, readPanel, waitFor, CorsOracle } from './helpers.mjs';

let lab;
let br;
let page;
let panel;
let tabId;
let nonce;

before(async () => {
  lab = await startLab();
  br = await launchWithExtension();
  page = await openLab(br.context, lab, { page: br.context.pages()[0] });
  const oracle = await CorsOracle.attach(br.context, page);
  tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  const result = await page.evaluate(() => window.runScenario('fetch-no-acao'));
  nonce = result.nonce;
  const v = await oracle.verdict(nonce);
  assert.equal(v.corsError, 'MissingAllowOriginHeader', 'the browser verdict (oracle)');
  await oracle.detach();
  panel = await openPanel(br.context, br.extensionId, tabId);
  await waitForPanel(panel, (p) => p.findings.some((f) => f.url.includes(`lab=${nonce}`)), { what: 'the finding' });
});

after(async () => {
  await br?.close();
  await lab?.close();
});

async function choose(value) {
  await panel.selectOption('select#lang', value);
  await waitFor(async () => (await readPanel(panel)).lang === value, { what: `<html lang=${value}>` });
  return waitForPanel(panel, (p) => p.findings.length > 0 && p.lang === value);
}

test('switching the language re-renders the explanation, not the reason', async () => {
  const en = await choose('en');
  const fr = await choose('fr');
  const fEn = en.findings.find((f) => f.url.includes(`lab=${nonce}`));
  const fFr = fr.findings.find((f) => f.url.includes(`lab=${nonce}`));
  assert.equal(fFr.reason, 'MissingAllowOriginHeader');
  assert.equal(fFr.mdn, fEn.mdn);
  assert.equal(fFr.reasonText, fEn.reasonText, 'the Chromium id is not translated');
  assert.notEqual(fFr.what, fEn.what, '.f-what did not change language');
  assert.notEqual(fFr.fix, fEn.fix, '.f-fix did not change language');
  // The snippets are server configuration, the same in every language... but their
  // origin must be the page origin in both.
  for (const f of [fEn, fFr]) assert.ok(f.snippets.some((sn) => sn.text.includes(lab.pageOrigin)), 'a snippet names the page origin');
});

test('the chosen language survives reopening the panel', async () => {
  await choose('fr');
  const again = await openPanel(br.context, br.extensionId, tabId);
  try {
    const st = await waitForPanel(again, (p) => p.findings.length > 0 && p.lang === 'fr', { what: 'a reopened panel in French' });
    assert.equal(await again.inputValue('select#lang'), 'fr');
    assert.equal(st.lang, 'fr');
  } finally {
    await again.close();
  }
});

test('auto follows the browser UI language (en-US here)', async () => {
  const uiLang = await panel.evaluate(() => chrome.i18n.getUILanguage());
  await panel.selectOption('select#lang', 'auto');
  const want = uiLang.toLowerCase().startsWith('fr') ? 'fr' : 'en';
  const st = await waitForPanel(panel, (p) => p.findings.length > 0 && p.lang === want, { what: `<html lang=${want}> for auto (${uiLang})` });
  assert.equal(st.lang, want);
});

/** Opens the finding's row and the Fix tab of its detail pane (where the stack picker is). */
async function openFix(p) {
  await p.locator('#findings [role="row"][data-kind="failure"]', { hasText: `lab=${nonce}` }).click();
  await p.locator('#findings .detail [role="tab"][data-tab="fix"]').click();
}

test('the picked server stack drives the snippets and survives reopening the panel', async () => {
  await choose('en');
  await openFix(panel);
  const stacks = () => panel.$$eval('pre.f-snippet', (ps) => [...new Set(ps.map((p) => p.getAttribute('data-stack')))].sort());
  await panel.selectOption('select#stack', '');
  await waitFor(async () => JSON.stringify(await stacks()) === '["apache","nginx"]', { what: 'Nginx and Apache by default' });
  await panel.selectOption('select#stack', 'express');
  await waitFor(async () => JSON.stringify(await stacks()) === '["express"]', { what: 'Express snippets only' });
  const code = await panel.$$eval('pre.f-snippet', (ps) => ps.map((p) => p.textContent).join('\n'));
  assert.ok(code.includes(lab.pageOrigin), 'the Express snippet names the page origin');
  const again = await openPanel(br.context, br.extensionId, tabId);
  try {
    await waitForPanel(again, (p) => p.findings.length > 0);
    await openFix(again);
    assert.equal(await again.inputValue('select#stack'), 'express');
    const reopened = await again.$$eval('pre.f-snippet', (ps) => [...new Set(ps.map((p) => p.getAttribute('data-stack')))]);
    assert.deepEqual(reopened, ['express']);
  } finally {
    await again.close();
    await panel.selectOption('select#stack', '');
  }
});
