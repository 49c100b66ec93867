// The French panel speaks French: with every failure reason and notice on
// screen and each server stack picked in turn, no English sentence from the
// catalog shows, and no raw message key either.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startLab, launchWithExtension, openLab, openPanel, tabIdFor, waitForPanel, readPanel } from './helpers.mjs';

const catalog = (lang) => JSON.parse(fs.readFileSync(path.join(ROOT, '_locales', lang, 'messages.json'), 'utf8'));
const en = catalog('en');
const fr = catalog('fr');

/**
 * English fragments that must never show in French: the literal pieces of
 * each English message between placeholders, long enough to be sentences.
 * Messages French shares word for word (product and language names) are left out.
 */
const englishFragments = Object.entries(en)
  .filter(([key, { message }]) => fr[key]?.message !== message)
  .flatMap(([key, { message }]) =>
    message
      .split(/\{\w+\}/)
      .map((part) => part.trim())
      .filter((part) => part.length >= 16 && part.includes(' '))
      .map((part) => ({ key, part })),
  );

let lab;
let br;
let panel;

before(async () => {
  lab = await startLab();
  br = await launchWithExtension();
  const page = await openLab(br.context, lab, { page: br.context.pages()[0] });
  const tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  // One of each reason the lab reproduces, and a notice (connection refused).
  const ids = await page.evaluate(() => window.labScenarios.map((s) => s.id));
  for (const id of ids) await page.evaluate((id) => window.runScenario(id), id);
  panel = await openPanel(br.context, br.extensionId, tabId);
  await waitForPanel(panel, (p) => p.findings.length >= 6, { what: 'the findings', timeout: 20000 });
});

after(async () => {
  await br?.close();
  await lab?.close();
});

/** All text the user can read in the panel, minus what comes from the servers. */
function visibleText() {
  const fromServer = '.f-url, .f-origin, .f-page-origin, .f-hop, .n-detail, .f-method, .f-type, .c-url, .c-page, .c-method, .c-type, .f-header-name, .f-header-value';
  const clone = document.body.cloneNode(true);
  for (const el of clone.querySelectorAll(fromServer)) el.remove();
  // Every tab of the detail pane is read, the hidden ones too.
  for (const el of clone.querySelectorAll('[hidden]:not([role="tabpanel"])')) el.remove();
  // innerText skips what is not rendered (a detached clone): textContent, and the attributes users read.
  const attrs = [...clone.querySelectorAll('[title], [aria-label]')].map((el) => `${el.getAttribute('title') ?? ''} ${el.getAttribute('aria-label') ?? ''}`);
  return `${clone.textContent}\n${attrs.join('\n')}`;
}

test('no English sentence or raw key shows in the French panel, whatever the stack', async () => {
  assert.ok(englishFragments.length > 100, `only ${englishFragments.length} English fragments to look for`);
  await panel.selectOption('select#lang', 'fr');
  await waitForPanel(panel, (p) => p.lang === 'fr' && p.findings.length >= 6);
  const st = await readPanel(panel, { details: false });
  assert.ok(st.notices.length >= 1, 'at least one notice is on screen');
  // Each row's detail pane in turn (a failure's has the stack picker), then
  // the picker's every stack on the first failure.
  const grid = panel.locator('#findings [role="grid"]');
  await grid.focus();
  await grid.press('Home');
  await grid.press('Enter');
  for (let i = 0; i < st.rows; i++) {
    const text = await panel.evaluate(visibleText);
    const english = englishFragments.filter(({ part }) => text.includes(part));
    assert.deepEqual(english, [], `English in the French panel, row ${i + 1}`);
    const rawKeys = Object.keys(en).filter((key) => key.includes('_') && text.includes(key));
    assert.deepEqual(rawKeys, [], `raw message keys in the panel, row ${i + 1}`);
    await grid.press('ArrowDown');
  }
  await panel.locator('#findings [role="row"][data-kind="failure"]').first().click();
  await panel.locator('#findings .detail [role="tab"][data-tab="fix"]').click();
  const stacks = await panel.$$eval('select#stack option', (os) => os.map((o) => o.value));
  assert.ok(stacks.length >= 15, `stack picker has ${stacks.length} choices`);
  for (const stack of stacks) {
    await panel.selectOption('select#stack', stack);
    await waitForPanel(panel, (p) => p.lang === 'fr', { details: false });
    const text = await panel.evaluate(visibleText);
    const english = englishFragments.filter(({ part }) => text.includes(part));
    assert.deepEqual(english, [], `English in the French panel with stack "${stack || 'default'}"`);
    const rawKeys = Object.keys(en).filter((key) => key.includes('_') && text.includes(key));
    assert.deepEqual(rawKeys, [], `raw message keys in the panel with stack "${stack || 'default'}"`);
  }
});
