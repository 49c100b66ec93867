// `make demo`: the extension working on the bundled lab.
//
// Starts the lab (three loopback origins), launches Chromium with the built
// extension and DevTools open, runs the lab's demo (one scenario per case:
// every reason, the causes the browser never names, warnings, other
// problems, passing controls) and selects the CORS Lens panel in the real
// DevTools window.
//   - DISPLAY set: headed; the browser stays open until Ctrl-C.
//   - otherwise:   headless; selects a failure, saves screenshots of the
//                  DevTools window to target/demo/ (panel-<theme>-<lang>.png:
//                  light and dark DevTools themes, English and French),
//                  prints the table of findings, and exits 0 (1 if the panel
//                  shows nothing).

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
      console.error('demo: gave up after 180 s');
      process.exit(2);
    }, 180000);

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
  // The demo's scenarios, as its "Run all" button runs them.
  const results = await page.evaluate(() => window.runDemo());
  const blocked = results.filter((r) => !r.ok).length;
  console.log(`ran ${results.length} demo scenarios on ${lab.labUrl}: ${blocked} failed in the page`);

  const bs = await br.browser.newBrowserCDPSession();
  /** The DevTools window's size for the screenshots (an override lasts as long as the session). */
  const roomy = () => dt.send('Emulation.setDeviceMetricsOverride', { width: 1500, height: 820, deviceScaleFactor: 1, mobile: false }).catch(() => {});
  /** DevTools docked on the right, 1 180 px wide (its split is a DevTools setting, read when it loads). */
  const widen = () =>
    dt.evaluate(`(async () => {
      const Common = await import('./core/common/common.js');
      Common.Settings.Settings.instance().createSetting('inspector-view.split-view-state', {}).set({ vertical: { size: 1180 } });
      return true;
    })()`);
  /** Reloads the DevTools front end (as after a change of theme) and attaches to it again. */
  const reloadDevTools = async () => {
    await dt.evaluate('location.reload()').catch(() => {});
    await dt.detach();
    await sleep(1000);
    dt = await attachDevTools(bs);
    if (!headed) await roomy();
  };
  let dt = await attachDevTools(bs);
  if (!headed) {
    // A roomy DevTools window for the screenshots (cut to DevTools' own
    // area: docked, the window also holds the page's place).
    await widen();
    await reloadDevTools();
  }
  await showExtensionPanel(dt, { extensionId: br.extensionId });
  let target = await findPanelTarget(bs, br.extensionId);
  let panel = await TargetSession.attach(bs, target.targetId);

  /** Waits until the panel shows findings and their number is stable. */
  async function settled() {
    let last = -1;
    return waitFor(
      async () => {
        const s = await readPanelViaTarget(panel, { details: false });
        const stable = s.count !== null && s.rows === last && s.findings.length > 0;
        last = s.rows;
        return stable ? s : null;
      },
      { timeout: 20000, interval: 500, what: 'findings in the CORS Lens panel' },
    ).catch(async (e) => {
      console.error(`demo: ${e.message}`);
      return readPanelViaTarget(panel, { details: false });
    });
  }

  const st = await settled();
  const rows = [...st.findings, ...st.notices].map((f) => [f.severity, f.reason ?? f.notice, f.method, f.httpStatus, f.url]);
  console.log(`\nThe CORS Lens panel shows ${st.rows} row(s), ${st.findings.length} CORS failure(s) (data-count=${st.count}):\n`);
  if (rows.length) console.log(table(['severity', 'reason', 'method', 'status', 'URL'], rows));

  if (headed) {
    console.log('\nDevTools is open on the lab page with the CORS Lens panel selected. Ctrl-C to quit.');
    await new Promise(() => {}); // until SIGINT
  } else {
    fs.mkdirSync(outDir, { recursive: true });
    /** Selects the first MissingAllowOriginHeader failure (a click on its row) and opens its detail pane. */
    const selectFailure = () =>
      panel.evaluate(`(() => {
        const grid = document.querySelector('#findings [role="grid"]');
        grid.scrollTop = 0;
        grid.dispatchEvent(new Event('scroll'));
        const row = grid.querySelector('[role="row"][data-reason="MissingAllowOriginHeader"]') || grid.querySelector('[role="row"][data-kind="failure"]');
        row.click();
        grid.focus();
        return row.getAttribute('data-reason');
      })()`);
    const shoot = async (name) => {
      await sleep(300);
      const clip = await dt.evaluate(`(async () => {
        const UI = await import('./ui/legacy/legacy.js');
        const r = UI.InspectorView.InspectorView.instance().element.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height, scale: 1 };
      })()`);
      const shot = await dt.send('Page.captureScreenshot', { format: 'png', clip });
      const file = path.join(outDir, `${name}.png`);
      fs.writeFileSync(file, Buffer.from(shot.data, 'base64'));
      console.log(`screenshot: ${path.relative(process.cwd(), file)}`);
    };
    const setLang = (lang) =>
      panel.evaluate(`(() => {
        const s = document.getElementById('lang');
        s.value = ${JSON.stringify(lang)};
        s.dispatchEvent(new Event('change'));
        return true;
      })()`);
    /**
     * Switches the DevTools theme as its settings do. An extension panel
     * reads devtools.panels.themeName when DevTools loads it: DevTools is
     * reloaded, as after a theme change, and the panel selected again.
     */
    const setTheme = async (theme) => {
      await dt.evaluate(`(async () => {
        const Common = await import('./core/common/common.js');
        Common.Settings.Settings.instance().moduleSetting('ui-theme').set(${JSON.stringify(theme)});
        return true;
      })()`);
      await panel.detach();
      await reloadDevTools();
      await showExtensionPanel(dt, { extensionId: br.extensionId });
      target = await findPanelTarget(bs, br.extensionId);
      panel = await TargetSession.attach(bs, target.targetId);
      await panel.send('Runtime.enable');
      await settled();
      const shown = await panel.evaluate('document.documentElement.dataset.theme || ""');
      if (shown !== (theme === 'dark' ? 'dark' : 'light')) console.error(`demo: the panel's theme is "${shown}" after DevTools switched to ${theme}`);
    };
    for (const theme of ['default', 'dark']) {
      if (theme !== 'default') await setTheme(theme);
      for (const lang of ['en', 'fr']) {
        await setLang(lang);
        await sleep(300);
        await selectFailure();
        await shoot(`panel-${theme === 'default' ? 'light' : 'dark'}-${lang}`);
      }
    }
    await setLang('auto');
    await setTheme('default');
    await shutdown(st.findings.length > 0 ? 0 : 1);
  }
} catch (e) {
  console.error(`demo failed: ${e.stack || e.message}`);
  await shutdown(1);
}
