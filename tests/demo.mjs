// `make demo`: the extension working on the bundled lab.
//
// Starts the lab (three loopback origins), launches Chromium with the built
// extension and DevTools open, runs every scenario on the lab page, and selects
// the CORS Lens panel in the real DevTools window.
//   - DISPLAY set: headed; the browser stays open until Ctrl-C.
//   - otherwise:   headless; saves target/demo/panel.png (the DevTools window
//                  showing the panel), prints the findings the panel shows, and
//                  exits 0 (1 if the panel shows nothing).

import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  startLab,
  launchWithExtension,
  openLab,
  attachDevTools,
  showExtensionPanel,
  findPanelTarget,
  TargetSession,
  readPanelViaTarget,
  table,
  waitFor,
  sleep,
  freshTab,
} from './e2e/helpers.mjs';

const headed = !!process.env.DISPLAY && process.env.CORS_LENS_HEADLESS !== '1';
const outDir = path.join(ROOT, 'target/demo');

// Nothing here may hang: a watchdog ends a headless run that takes too long.
const watchdog = headed
  ? null
  : setTimeout(() => {
      console.error('demo: gave up after 120 s');
      process.exit(2);
    }, 120000);

let lab;
let br;
async function shutdown(code) {
  if (watchdog) clearTimeout(watchdog);
  await br?.close().catch(() => {});
  await lab?.close().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  lab = await startLab();
  console.log(`lab: page ${lab.pageOrigin}, API ${lab.apiOrigin}, third ${lab.thirdOrigin}`);
  br = await launchWithExtension({ devtools: true, headed, handleSignals: false });
  console.log(`extension ${br.extensionId} loaded (${headed ? 'headed' : 'headless'})`);

  // A fresh tab: the first one's DevTools may have opened before the
  // extension was loaded, and would then have no CORS Lens panel.
  const page = await freshTab(br.context);
  await openLab(br.context, lab, { page });
  // Every scenario, simple and preflighted, in reverse order so that the
  // first one (a fetch without Access-Control-Allow-Origin) ends on top.
  const results = await page.evaluate(async () => {
    const out = [];
    for (const s of [...window.labScenarios].reverse()) out.push(await window.runScenario(s.id));
    return out;
  });
  const blocked = results.filter((r) => !r.ok).length;
  console.log(`ran ${results.length} scenarios on ${lab.labUrl}: ${blocked} failed in the page`);

  const bs = await br.browser.newBrowserCDPSession();
  const dt = await attachDevTools(bs);
  if (!headed) {
    // A roomy DevTools window for the screenshot: undock it (its own window,
    // no blank area for the page) and give the front end a large viewport.
    await dt
      .evaluate(`(async () => {
        const UI = await import('./ui/legacy/legacy.js');
        UI.DockController.DockController.instance().setDockSide('undocked');
        return true;
      })()`)
      .catch((e) => console.error(`demo: could not undock DevTools (${e.message})`));
    await dt.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false }).catch(() => {});
  }
  await showExtensionPanel(dt, { extensionId: br.extensionId });
  const target = await findPanelTarget(bs, br.extensionId);
  const panel = await TargetSession.attach(bs, target.targetId);

  // Let the panel render what the worker kept, then wait until it is stable.
  let last = -1;
  const st = await waitFor(
    async () => {
      const s = await readPanelViaTarget(panel);
      const stable = s.count !== null && s.count === last && s.findings.length > 0;
      last = s.count;
      return stable ? s : null;
    },
    { timeout: 20000, interval: 500, what: 'findings in the CORS Lens panel' },
  ).catch(async (e) => {
    console.error(`demo: ${e.message}`);
    return readPanelViaTarget(panel);
  });

  const rows = st.findings.map((f) => [f.reason, f.method, f.status, f.url]);
  console.log(`\nThe CORS Lens panel shows ${st.findings.length} finding(s) (data-count=${st.count}):\n`);
  if (rows.length) console.log(table(['reason', 'method', 'status', 'URL'], rows));

  if (headed) {
    console.log('\nDevTools is open on the lab page with the CORS Lens panel selected. Ctrl-C to quit.');
    await new Promise(() => {}); // until SIGINT
  } else {
    await sleep(300);
    fs.mkdirSync(outDir, { recursive: true });
    const shot = await dt.send('Page.captureScreenshot', { format: 'png' });
    const file = path.join(outDir, 'panel.png');
    fs.writeFileSync(file, Buffer.from(shot.data, 'base64'));
    console.log(`\nscreenshot of the DevTools window: ${path.relative(process.cwd(), file)}`);
    await shutdown(st.findings.length > 0 ? 0 : 1);
  }
} catch (e) {
  console.error(`demo failed: ${e.stack || e.message}`);
  await shutdown(1);
}
