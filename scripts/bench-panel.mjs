// `make bench`: the panel's figures at scale, printed beside their budgets
// (issue 15), never asserted. Real headless Chromium with the built
// extension; the panel opened as a page on a tab whose stored list holds
// 2 000 findings (the cap across tabs, all in one tab: the worst case).
//   - first paint: from opening the panel to its first rows on screen, and
//     the view's own share (setRecords with the 2 000 records, then layout);
//   - a filter keystroke: from the input event to the new rows laid out;
//   - a new failure in an open panel: from the page's fetch failing to its
//     row in the panel (worker, storage, port and render included);
//   - screenshots at 200 % zoom (target/bench/panel-zoom-200-*.png), to look at.

import {
  startLab,
  launchWithExtension,
  openLab,
  tabIdFor,
  panelUrl,
  readStoredRecords,
  waitFor,
  sleep,
  table,
} from '../tests/e2e/helpers.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';

const N = 2000;
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;

const lab = await startLab();
const br = await launchWithExtension();
const rows = [];
try {
  const page = await openLab(br.context, lab, { page: br.context.pages()[0] });
  const tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  // Real records of every kind, from the lab's demo, copied up to N with distinct URLs and keys.
  await page.evaluate(() => window.runDemo());
  await sleep(800);
  const seed = await readStoredRecords(br.serviceWorker, tabId);
  if (!seed.length) throw new Error('the demo stored no findings');
  const records = Array.from({ length: N }, (_, i) => {
    const r = structuredClone(seed[i % seed.length]);
    r.url = `${r.url}&bench=${i}`;
    r.key = `${r.key}|bench-${i}`;
    r.time = Date.now() - (N - i) * 1000;
    return r;
  });
  // Stored as the worker stores them; the worker is stopped so that it reads storage again.
  await br.serviceWorker.evaluate(([key, list]) => chrome.storage.session.set({ [key]: list }), [`findings:${tabId}`, records]);
  const cdp = await br.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable').catch(() => {});
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();

  const opens = [];
  const views = [];
  const filters = [];
  for (let run = 0; run < RUNS; run++) {
    const panel = await br.context.newPage();
    await panel.setViewportSize({ width: 1280, height: 800 });
    await panel.goto(panelUrl(br.extensionId, tabId));
    // From the navigation's start (performance.now() is relative to it) to the first rows laid out.
    const open = await panel.evaluate(
      (n) =>
        new Promise((resolve) => {
          const check = () => {
            const grid = document.querySelector('#findings [role="grid"]');
            if (grid && Number(grid.getAttribute('aria-rowcount')) === n + 1 && grid.querySelector('[data-pos]')) {
              void document.body.offsetHeight;
              resolve(performance.now());
            } else requestAnimationFrame(check);
          };
          check();
        }),
      N,
    );
    opens.push(open);
    // The view's share: the same 2 000 records drawn by a fresh view in this panel, then laid out.
    views.push(
      await panel.evaluate(async (list) => {
        const m = await import('../www/pkg/cors_lens.js');
        const root = document.createElement('section');
        root.style.cssText = 'position:fixed;inset:0;display:flex;background:#fff';
        document.body.append(root);
        const view = new m.FindingsView(root, { exportRecord() {}, copy() {}, stack() {}, error() {} }, 'en', '');
        const t0 = performance.now();
        view.setRecords(list);
        void document.body.offsetHeight;
        const t = performance.now() - t0;
        // A live update: the same list and one new record, as the worker sends it.
        const extra = { ...list[0], key: `${list[0].key}|live`, url: `${list[0].url}&live`, time: Date.now() };
        const t1 = performance.now();
        view.setRecords([...list, extra]);
        void document.body.offsetHeight;
        const update = performance.now() - t1;
        view.free();
        root.remove();
        return [t, update];
      }, records),
    );
    // A keystroke in the filter box: one character more each time.
    for (const q of ['b', 'be', 'ben', 'benc', 'bench']) {
      filters.push(
        await panel.evaluate((value) => {
          const f = document.getElementById('filter');
          const t0 = performance.now();
          f.value = value;
          f.dispatchEvent(new Event('input'));
          void document.body.offsetHeight;
          return performance.now() - t0;
        }, q),
      );
    }
    await panel.evaluate(() => {
      const f = document.getElementById('filter');
      f.value = '';
      f.dispatchEvent(new Event('input'));
    });
    if (run < RUNS - 1) await panel.close();
    else {
      // A new failure while this panel is open: the page's clock and the panel's are the same.
      const live = [];
      for (let i = 0; i < RUNS; i++) {
        const url = `${lab.apiOrigin}/api/no-acao?lab=bench-live-${i}`;
        const seen = panel.evaluate(
          (u) =>
            new Promise((resolve) => {
              const check = () => {
                const grid = document.querySelector('#findings [role="grid"]');
                const row = [...(grid?.querySelectorAll('[data-pos]') ?? [])].find((r) => r.querySelector('.c-url')?.textContent === u);
                if (row) resolve(performance.timeOrigin + performance.now());
                else requestAnimationFrame(check);
              };
              check();
            }),
          url,
        );
        const failed = await page.evaluate((u) => fetch(u).then(() => null, () => performance.timeOrigin + performance.now()), url);
        if (failed === null) throw new Error('the bench request did not fail');
        live.push((await seen) - failed);
        await sleep(300);
      }
      rows.push(['a new failure appears in an open panel', ms(median(live)), '100 ms', `median of ${RUNS}; ${live.map((x) => x.toFixed(0)).join(', ')} ms`]);
      await panel.close();
    }
  }
  rows.unshift(
    ['first paint after opening the panel: the view (setRecords + layout)', ms(median(views.map(([t]) => t))), '50 ms', `median of ${RUNS}`],
    ['a live update in the view (2 000 rows known, 1 new)', ms(median(views.map(([, u]) => u))), '—', `median of ${RUNS}; the panel's share of a new failure`],
    ['opening the panel to its first rows (page load, wasm, worker, view)', ms(median(opens)), '—', `median of ${RUNS}; whole page load, for reference`],
    ['a filter keystroke (filter, sort, rows, layout)', ms(median(filters)), '50 ms', `median of ${filters.length}; max ${ms(Math.max(...filters))}`],
  );
  // Readable at 200 % zoom (issue 15): a 1280×800 panel zoomed to 200 % lays
  // out in 640×400 CSS pixels, each drawn twice as large. Screenshots to look
  // at, of the table and of a selected row's pane.
  const shots = [];
  for (const [name, open] of [['table', false], ['detail', true]]) {
    const panel = await br.context.newPage();
    await panel.goto(panelUrl(br.extensionId, tabId));
    const cdp = await br.context.newCDPSession(panel);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 640, height: 400, deviceScaleFactor: 2, mobile: false });
    await panel.waitForSelector('#findings [data-pos]');
    if (open) {
      await panel.click('#findings [data-pos="0"]');
      await panel.keyboard.press('Enter');
      await panel.waitForSelector('#findings .d-content');
    }
    const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
    const file = `target/bench/panel-zoom-200-${name}.png`;
    mkdirSync('target/bench', { recursive: true });
    writeFileSync(file, Buffer.from(data, 'base64'));
    shots.push(file);
    await panel.close();
  }
  const load = (await import('node:os')).loadavg()[0].toFixed(1);
  console.log(`\nThe panel with ${N} stored findings (headless Chromium, this machine, load average ${load}):\n`);
  console.log(table(['figure', 'measured', 'budget', 'note'], rows));
  console.log(`\nAt 200 % zoom (640×400 CSS pixels at device scale 2), to look at: ${shots.join(', ')}`);
} finally {
  await br.close();
  await lab.close();
}
