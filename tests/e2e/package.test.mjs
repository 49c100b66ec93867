// The store packages (`make package`, docs/store.md) as a user gets them.
//
// - Each zip holds exactly the files the extension loads (the list
//   scripts/package.mjs derives from the manifest and the pages), each one
//   byte-identical to the build's, with only the documented manifest
//   difference, and nothing else: no tests, no Rust sources, no source maps.
// - Chromium loads the Chrome zip's unpacked contents: the worker starts, a
//   failing cross-origin request from the lab becomes a stored finding, the
//   panel page (served from the package) renders it, no request for a
//   packaged file fails, and chrome://extensions lists no manifest error,
//   install warning or runtime error for it (developer mode on, as a
//   developer loading it would see).
// - Firefox installs the Firefox zip itself as a temporary add-on (BiDi
//   `webExtension.install`, `archivePath`) and stores the same finding.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, startLab, launchWithExtension, openLab, tabIdFor, readStoredFindings, findingMatches, openPanel, waitForPanel, waitFor, PANEL_PATH } from './helpers.mjs';
import { launchFirefox } from './firefox-helpers.mjs';
import { BROWSERS, browserManifest, extract, packagedFiles, unzip, version } from '../../scripts/package.mjs';

/** A simple request the lab's API answers without Access-Control-Allow-Origin. */
const SCENARIO = 'fetch-no-acao';
const REASON = 'MissingAllowOriginHeader';
const MDN_ID = 'CORSMissingAllowOrigin';

const v = version();
const zipOf = (browser) => path.join(ROOT, 'dist', `cors-lens-${v}-${browser}.zip`);
let scratch;
let lab;

before(async () => {
  for (const b of BROWSERS) {
    if (!fs.existsSync(zipOf(b))) throw new Error(`no ${path.relative(ROOT, zipOf(b))}: run \`make package\` first`);
  }
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-package-e2e-'));
  lab = await startLab();
});

after(async () => {
  await lab?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('each zip holds exactly the files the extension loads, as built, with its own manifest', () => {
  const expected = packagedFiles(ROOT);
  assert.ok(expected.includes('www/pkg/cors_lens_bg.wasm') && expected.includes(PANEL_PATH), `the derived list misses the wasm or the panel: ${expected}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));
  for (const b of BROWSERS) {
    const entries = unzip(fs.readFileSync(zipOf(b)));
    const names = entries.map((e) => e.name);
    assert.deepEqual(names, expected, `${b}: the zip's files (in order) are not the derived list`);
    const stray = names.filter((n) => /(^|\/)(tests?|crate|src|node_modules|docs)\/|\.(map|rs|ts|md|toml|mjs)$/.test(n));
    assert.deepEqual(stray, [], `${b}: files the extension does not load`);
    for (const e of entries) {
      assert.equal(e.mode, 0o100644, `${b}: ${e.name} has mode ${e.mode.toString(8)}`);
      if (e.name === 'manifest.json') assert.deepEqual(JSON.parse(e.data.toString('utf8')), browserManifest(manifest, b), `${b}: manifest`);
      else assert.ok(e.data.equals(fs.readFileSync(path.join(ROOT, e.name))), `${b}: ${e.name} differs from the build's`);
    }
  }
  const chrome = browserManifest(manifest, 'chrome');
  const firefox = browserManifest(manifest, 'firefox');
  assert.ok(chrome.background.service_worker && !('scripts' in chrome.background), 'Chrome: service_worker only');
  assert.ok(firefox.background.scripts && !('service_worker' in firefox.background), 'Firefox: scripts only');
  assert.deepEqual(firefox.browser_specific_settings.gecko.data_collection_permissions, { required: ['none'] }, 'Firefox: declares that nothing is collected');
});

test('Chromium loads the unpacked Chrome zip: the worker starts and a CORS failure is stored and shown', { timeout: 120000 }, async () => {
  const root = extract(zipOf('chrome'), path.join(scratch, 'chrome'));
  const chromium = await launchWithExtension({ root });
  try {
    const { context, extensionId, serviceWorker } = chromium;
    assert.match(serviceWorker.url(), new RegExp(`^chrome-extension://${extensionId}/extension/worker\\.js$`));
    const failedLoads = [];
    context.on('requestfailed', (r) => r.url().startsWith(`chrome-extension://${extensionId}/`) && failedLoads.push(`${r.url()}: ${r.failure()?.errorText}`));

    const page = await openLab(context, lab);
    const run = await page.evaluate((id) => window.runScenario(id), SCENARIO);
    assert.equal(run.ok, false, `the lab's ${SCENARIO} request should fail: ${JSON.stringify(run)}`);
    const tabId = await tabIdFor(serviceWorker, lab.labUrl);
    const stored = await waitFor(async () => (await readStoredFindings(serviceWorker, tabId)).filter((f) => findingMatches(f, run.nonce)).at(0), {
      timeout: 15000,
      what: `a stored finding for ${SCENARIO}`,
    });
    assert.equal(stored.reason, REASON);
    assert.equal(stored.mdnId, MDN_ID);

    const panel = await openPanel(context, extensionId, tabId);
    const shown = await waitForPanel(panel, (s) => s.findings.some((f) => f.url?.includes(`lab=${run.nonce}`)), { what: `the panel showing ${SCENARIO}` });
    assert.equal(shown.findings.find((f) => f.url.includes(`lab=${run.nonce}`)).reason, REASON);
    assert.deepEqual(failedLoads, [], 'a packaged file failed to load');

    // What chrome://extensions shows a developer who loads the package.
    const ext = await context.newPage();
    await ext.goto('chrome://extensions/');
    await ext.evaluate(() => new Promise((r) => chrome.developerPrivate.updateProfileConfiguration({ inDeveloperMode: true }, r)));
    await ext.evaluate((id) => new Promise((r) => chrome.developerPrivate.reload(id, { failQuietly: true }, r)), extensionId);
    const info = await waitFor(
      async () => (await ext.evaluate(() => new Promise((r) => chrome.developerPrivate.getExtensionsInfo({ includeDisabled: true, includeTerminated: true }, r)))).find((e) => e.id === extensionId && e.state === 'ENABLED'),
      { timeout: 15000, what: 'the reloaded extension in chrome://extensions' },
    );
    const complaints = [...info.manifestErrors, ...info.installWarnings, ...info.runtimeErrors].map((e) => e.message ?? e);
    assert.deepEqual(complaints, [], 'chrome://extensions lists problems with the Chrome package');
    console.log(`Chromium loaded ${path.basename(zipOf('chrome'))} unpacked: worker up, ${SCENARIO} stored as ${stored.reason} and shown, no manifest error, install warning or runtime error`);
  } finally {
    await chromium.close();
  }
});

test('Firefox installs the Firefox zip as a temporary add-on and stores the CORS failure', { timeout: 120000 }, async () => {
  const ff = await launchFirefox({ archive: zipOf('firefox') });
  try {
    const ext = await ff.openExtensionTab(`${PANEL_PATH}?tabId=-1`);
    const page = (await ff.browser.pages())[0];
    await page.goto(lab.labUrl);
    await page.waitForFunction(() => window.labReady && window.labScenarios, { timeout: 15000 });
    await page.evaluate(() => window.labReady);
    const run = await page.evaluate((id) => window.runScenario(id), SCENARIO);
    assert.equal(run.ok, false, `the lab's ${SCENARIO} request should fail: ${JSON.stringify(run)}`);
    const tabs = await ff.evaluate(ext, () => browser.tabs.query({}));
    const tabId = tabs.find((t) => t.url === lab.labUrl)?.id;
    assert.ok(Number.isInteger(tabId), `no tab for ${lab.labUrl}`);
    const key = `findings:${tabId}`;
    const stored = await waitFor(
      async () => ((await ff.evaluate(ext, (k) => browser.storage.session.get(k), key))[key] ?? []).find((f) => f.reason && findingMatches(f, run.nonce)),
      { timeout: 15000, what: `a stored finding for ${SCENARIO}` },
    );
    assert.equal(stored.reason, REASON);
    assert.equal(stored.mdnId, MDN_ID);
    console.log(`${await ff.browser.version()} installed ${path.basename(zipOf('firefox'))} as a temporary add-on: ${SCENARIO} stored as ${stored.reason}/${stored.mdnId}`);
  } finally {
    await ff.close();
  }
});
