// Failure made visible. A panic in the core (a test build's deliberate one, on
// `onSendHeaders` of a URL with `cors-lens-test-panic`: `make test-ext`) traps the wasm instance; the
// worker reports it in the panel with what to do, and keeps observing with a
// fresh instance and engine. A crash on every request pauses observation (the
// restart budget, extension/restarts.js) and the panel says so. A wasm module
// that does not load is said plainly.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, launchWithExtension, openPanel, tabIdFor, waitFor, waitForPanel, readStoredFindings, sleep } from './helpers.mjs';
import { startStress } from './stress-server.mjs';

const TEST_EXT = path.join(ROOT, 'target/test-ext');
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(root) {
  const srv = await startStress();
  cleanups.push(() => srv.close());
  const br = await launchWithExtension({ root });
  cleanups.push(() => br.close());
  const page = br.context.pages()[0] ?? (await br.context.newPage());
  await page.goto(srv.pageUrl);
  const tabId = await tabIdFor(br.serviceWorker, srv.pageUrl);
  return { srv, br, page, tabId };
}

const statusText = (panel) => panel.evaluate(() => document.querySelector('#status')?.textContent ?? '');

test('a panic in the core is reported, and the worker keeps observing', { timeout: 90000 }, async () => {
  assert.ok(fs.existsSync(path.join(TEST_EXT, 'www/pkg/cors_lens_bg.wasm')), `no test build at ${TEST_EXT}: run \`make test-ext\``);
  const { srv, br, page, tabId } = await setup(TEST_EXT);
  const panel = await openPanel(br.context, br.extensionId, tabId);
  const burst = (urls) => page.evaluate(([u]) => window.burst(u, 1), [urls]);

  await burst([`${srv.apiOrigin}/fail/before`]);
  await waitFor(async () => (await readStoredFindings(panel, tabId)).length === 1, { what: 'a finding before the panic' });

  // Twice: the fresh instance must survive a second panic as well.
  for (const n of [1, 2]) {
    await burst([`${srv.apiOrigin}/fail/boom?cors-lens-test-panic=${n}`]);
    await waitFor(async () => (await statusText(panel)).split('\n').filter((l) => l.includes('crashed')).length === n, {
      timeout: 15000,
      what: `panic ${n} reported in the panel`,
    });
    await burst([`${srv.apiOrigin}/fail/after`, `${srv.apiOrigin}/pass`, `${srv.apiOrigin}/fail/after`]);
  }
  const st = await waitForPanel(panel, (p) => p.findings.some((f) => f.url.endsWith('/fail/after') && f.count?.replace(/\D/g, '') === '4'), {
    timeout: 15000,
    what: 'findings after the panics, counted by the fresh engines',
  });
  const status = await statusText(panel);
  assert.match(status, /crashed on a request and was restarted/, 'the problem is named');
  assert.match(status, /please report it/, 'and says what to do');
  assert.match(status, /unreachable/, 'with the technical detail');
  assert.ok(st.findings.some((f) => f.url.endsWith('/fail/before')), 'findings from before the panic are kept');
  await panel.close();
});

test('a crash on every request pauses observation, and the panel says so', { timeout: 90000 }, async () => {
  assert.ok(fs.existsSync(path.join(TEST_EXT, 'www/pkg/cors_lens_bg.wasm')), `no test build at ${TEST_EXT}: run \`make test-ext\``);
  const { srv, br, page, tabId } = await setup(TEST_EXT);
  const panel = await openPanel(br.context, br.extensionId, tabId);
  const burst = (urls) => page.evaluate(([u]) => window.burst(u, 1), [urls]);
  // Ten crashes in a row are restarted; the eleventh within the minute pauses.
  await burst(Array.from({ length: 10 }, (_, n) => `${srv.apiOrigin}/fail/boom?cors-lens-test-panic=${n}`));
  await burst([`${srv.apiOrigin}/fail/between`]);
  await waitFor(async () => (await readStoredFindings(panel, tabId)).some((f) => f.url.endsWith('/fail/between')), {
    timeout: 15000,
    what: 'a finding after ten restarts (not paused yet)',
  });
  assert.doesNotMatch(await statusText(panel), /paused/, 'ten restarts do not pause');
  // The bucket refills by one every six seconds: on a slow machine the
  // eleventh crash may still find a token, never the fifteenth.
  let status = '';
  for (let n = 11; n <= 15 && !status.includes('paused'); n++) {
    await burst([`${srv.apiOrigin}/fail/boom?cors-lens-test-panic=${n}`]);
    status = await waitFor(async () => {
      const s = await statusText(panel);
      return s.split('\n').filter((l) => l.includes('crashed on a request')).length >= n ? s : null;
    }, { timeout: 15000, what: `crash ${n} reported` });
  }
  assert.match(status, /observation is paused for one minute and then resumes by itself/);
  // During the pause, requests are not analysed (and nothing is queued for later).
  await burst([`${srv.apiOrigin}/fail/during-pause`]);
  await sleep(1500);
  assert.deepEqual((await readStoredFindings(panel, tabId)).filter((f) => f.url.endsWith('/fail/during-pause')), [], 'nothing analysed during the pause');
  await panel.close();
});

test('a wasm module that does not load is said plainly', { timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-broken-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const entry of ['manifest.json', '_locales', 'icons', 'extension', 'www']) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  const wasm = path.join(dir, 'www/pkg/cors_lens_bg.wasm');
  const bytes = fs.readFileSync(wasm);
  bytes.fill(0xff, 8, 4096); // past the header: the module no longer validates
  fs.writeFileSync(wasm, bytes);
  const { br, tabId } = await setup(dir);
  const panel = await openPanel(br.context, br.extensionId, tabId);
  const text = await waitFor(async () => {
    const s = await statusText(panel);
    return s.includes('could not load') ? s : null;
  }, { timeout: 15000, what: 'the panel saying it could not load' });
  assert.match(text, /CORS Lens could not load: .*(WebAssembly|wasm|Compile|compile)/i);
  assert.equal(await panel.locator('#status').isVisible(), true);
  await panel.close();
});
