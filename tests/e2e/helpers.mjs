// Shared helpers for the CORS Lens end-to-end tests and the demo:
// launching Chromium with the unpacked extension, the lab, the DevTools-protocol
// oracle (Network.loadingFailed.corsErrorStatus), reading the panel, and driving
// the real DevTools window.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export { startLab, loadScenarios, loadPreflightScenarios, loadMatrixScenarios, substitute } from '../lab/server.mjs';
import { startLab } from '../lab/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
/** The unpacked extension to load (the repository root once `make build` ran). */
export const EXTENSION_ROOT = process.env.CORS_LENS_EXTENSION ? path.resolve(process.env.CORS_LENS_EXTENSION) : ROOT;
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const PANEL_PATH = 'www/panel.html';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll fn() until it returns a truthy value; throw with `what` after timeoutMs. */
export async function waitFor(fn, { timeout = 10000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastErr;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      lastErr = e;
    }
    await sleep(interval);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastErr ? ` (last error: ${lastErr.message})` : ''}`);
}

/** Throws (so the test fails, never skips) when the unpacked extension has not been built. */
export function assertExtensionBuilt(root = EXTENSION_ROOT) {
  const needed = ['manifest.json', 'www/pkg/cors_lens_bg.wasm', PANEL_PATH];
  const missing = needed.filter((f) => !fs.existsSync(path.join(root, f)));
  if (missing.length) {
    throw new Error(`extension not built: missing ${missing.join(', ')} under ${root} (run \`make build\`)`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
}

export function baseArgs() {
  return ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
}

/** The sites the tests' pages are served from (tests/lab, stress-server): all loopback. */
export const TEST_SITES = ['127.0.0.1', 'localhost'];

/**
 * Launch Chromium (new headless unless headed) with the unpacked extension in a
 * fresh user-data-dir. Returns {context, browser, extensionId, serviceWorker, userDataDir, close, restart}.
 * `prefs` is written as the profile's `Default/Preferences` before launch.
 * With `watch` (the default), the test sites are watched from the start, as a
 * user would set it up: the optional `webRequest` permission is granted from
 * a user gesture in an extension page (grantWebRequest), the sites are put on
 * the watch list (watchSites), and the browser is closed and relaunched on the
 * same profile, because Chromium starts reporting a permission granted at run
 * time only from the next browser start (docs/performance.md). The tests that
 * are not about scoping then see every tab of theirs observed. Without
 * `watch` the extension is as freshly installed: no permission, nothing watched.
 */
export async function launchWithExtension({ root = EXTENSION_ROOT, devtools = false, headed = false, extraArgs = [], withExtension = true, handleSignals = true, watch = true, prefs = null } = {}) {
  if (withExtension) assertExtensionBuilt(root);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-e2e-'));
  // `prefs`: the profile's preferences before launch (e.g. third-party cookies allowed).
  if (prefs) {
    fs.mkdirSync(path.join(userDataDir, 'Default'));
    fs.writeFileSync(path.join(userDataDir, 'Default', 'Preferences'), JSON.stringify(prefs));
  }
  const args = [...baseArgs(), ...extraArgs];
  if (withExtension) args.unshift(`--disable-extensions-except=${root}`, `--load-extension=${root}`);
  if (devtools) args.push('--auto-open-devtools-for-tabs');
  const launch = () =>
    chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: !headed,
      // Playwright disables extensions by default; keep ours.
      ignoreDefaultArgs: ['--disable-extensions', '--disable-component-extensions-with-background-pages'],
      args,
      viewport: headed ? null : { width: 1280, height: 800 },
      timeout: 60000,
      handleSIGINT: handleSignals,
      handleSIGTERM: handleSignals,
    });
  const br = { context: await launch(), browser: null, extensionId: null, serviceWorker: null, userDataDir, close: null, restart: null };
  br.browser = br.context.browser();
  br.close = async () => {
    await br.context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  if (!withExtension) return br;
  const extensionWorker = async () => {
    try {
      return (
        br.context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
        (await br.context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith('chrome-extension://'), timeout: 20000 }))
      );
    } catch (e) {
      await br.close();
      throw new Error(`the extension's service worker did not start: ${e.message}`);
    }
  };
  br.serviceWorker = await extensionWorker();
  br.extensionId = new URL(br.serviceWorker.url()).host;
  /**
   * Closes the browser and starts it again on the same profile with the same
   * `--load-extension` path (the same extension id, its storage.local and
   * permissions kept; storage.session and tab ids gone), as a user quitting
   * and reopening the browser. `br.context` and `br.serviceWorker` are the new ones.
   */
  br.restart = async () => {
    await br.context.close();
    br.context = await launch();
    br.browser = br.context.browser();
    br.serviceWorker = await extensionWorker();
  };
  if (watch) {
    try {
      await grantWebRequest(br.context, br.extensionId);
      await watchSites(br.context, br.extensionId, TEST_SITES);
      await br.restart();
      if (!(await br.serviceWorker.evaluate(() => chrome.permissions.contains({ permissions: ['webRequest'] })))) throw new Error('the webRequest permission was not kept across the restart');
    } catch (e) {
      await br.close();
      throw new Error(`could not watch the test sites: ${e.message}`);
    }
  }
  return br;
}

/**
 * Grants the optional `webRequest` permission the way a click in the panel
 * does: `permissions.request` in an extension page, with a user gesture
 * (DevTools protocol `Runtime.evaluate` with `userGesture`). Chromium grants
 * it without a prompt (the permission carries no warning). It takes effect at
 * the next browser start.
 */
export async function grantWebRequest(context, extensionId) {
  const page = await context.newPage();
  try {
    await page.goto(`chrome-extension://${extensionId}/${PANEL_PATH}`);
    const cdp = await context.newCDPSession(page);
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      expression: "chrome.permissions.request({ permissions: ['webRequest'] })",
      userGesture: true,
      awaitPromise: true,
      returnByValue: true,
    });
    await cdp.detach();
    if (exceptionDetails || result.value !== true) throw new Error(`permissions.request answered ${JSON.stringify(exceptionDetails?.exception?.description ?? result.value)}`);
  } finally {
    await page.close();
  }
}

/**
 * Watches `sites` the way the panel's "Always watch this site" does: through
 * the extension's own storage (`watchSites`, extension/observe.js), written
 * from one of its pages. Observing them needs the `webRequest` permission
 * held and active (launchWithExtension's `watch`). Returns the service worker.
 */
export async function watchSites(context, extensionId, sites) {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/${PANEL_PATH}`);
  await page.evaluate(async (list) => {
    const { watchSites = [] } = await chrome.storage.local.get('watchSites');
    await chrome.storage.local.set({ watchSites: [...new Set([...watchSites, ...list])] });
  }, sites);
  await page.close();
  return currentServiceWorker(context, extensionId);
}

/** The current extension service worker (it may have been restarted since launch). */
export async function currentServiceWorker(context, extensionId) {
  const prefix = `chrome-extension://${extensionId}/`;
  const sw = context.serviceWorkers().find((w) => w.url().startsWith(prefix));
  if (sw) return sw;
  return context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith(prefix), timeout: 15000 });
}

/** A new tab, with every tab opened before it closed (so that, with
 *  `--auto-open-devtools-for-tabs`, only its DevTools window remains). */
export async function freshTab(context) {
  const older = context.pages();
  const page = await context.newPage();
  for (const p of older) await p.close();
  return page;
}

/** Open the lab page in a new tab and wait until it has loaded its scenarios. */
export async function openLab(context, lab, { page } = {}) {
  page = page || (await context.newPage());
  await page.goto(lab.labUrl);
  await page.waitForFunction(() => window.labReady && window.labScenarios, null, { timeout: 15000 });
  await page.evaluate(() => window.labReady);
  return page;
}

/** Tab id of the tab showing `url`, asked from an extension context (page or worker). */
export async function tabIdFor(extContext, url) {
  const tabs = await extContext.evaluate(() => chrome.tabs.query({}));
  const tab = tabs.find((t) => t.url === url || t.pendingUrl === url) || tabs.find((t) => (t.url || '').startsWith(url));
  if (!tab) throw new Error(`no tab for ${url}; tabs: ${tabs.map((t) => t.url).join(', ')}`);
  return tab.id;
}

export function panelUrl(extensionId, tabId) {
  return `chrome-extension://${extensionId}/${PANEL_PATH}?tabId=${tabId}`;
}

/** Open the panel page for tab `tabId` in its own tab. */
export async function openPanel(context, extensionId, tabId) {
  const panel = await context.newPage();
  await panel.goto(panelUrl(extensionId, tabId));
  await panel.waitForSelector('#findings', { state: 'attached', timeout: 15000 });
  return panel;
}

/**
 * Everything the panel shows, read from its DOM (runs inside the panel
 * document, so it must be self-contained). The findings table draws only
 * the rows in view: the rows are read by scrolling its scroller through
 * the list. With `details`, each row is then opened with the keyboard
 * (Home, Enter, ArrowDown: what a user does) and its detail pane read; the
 * selection is left on the row that was selected before, if any, and the
 * pane as open or closed as it was.
 * `findings` are the CORS failures, `notices` the other rows.
 */
export function readPanelInPage({ details = true } = {}) {
  const root = document.querySelector('#findings');
  const text = (el, sel) => {
    const n = el?.querySelector(sel);
    return n ? n.textContent.trim() : null;
  };
  const empty = document.querySelector('#empty');
  const emptyVisible = !!empty && !empty.hidden && getComputedStyle(empty).display !== 'none' && empty.getClientRects().length > 0;
  const grid = root?.querySelector('[role="grid"]');
  const rows = [];
  if (grid) {
    const total = Number(grid.getAttribute('aria-rowcount') || 1) - 1;
    const seen = new Map();
    const keep = grid.scrollTop;
    const step = Math.max(200, grid.clientHeight - 60);
    for (let top = 0; seen.size < total; top += step) {
      grid.scrollTop = top;
      grid.dispatchEvent(new Event('scroll'));
      for (const r of grid.querySelectorAll('[role="row"][aria-rowindex]')) {
        const i = Number(r.getAttribute('aria-rowindex'));
        if (i >= 2 && !seen.has(i)) seen.set(i, r.cloneNode(true));
      }
      if (top > total * 30 + grid.clientHeight) break;
    }
    grid.scrollTop = keep;
    grid.dispatchEvent(new Event('scroll'));
    for (const [i, r] of [...seen].sort((a, b) => a[0] - b[0])) rows.push({ index: i, row: r });
  }
  const rowFacts = (r) => ({
    kind: r.getAttribute('data-kind'),
    severity: r.getAttribute('data-severity'),
    reason: r.getAttribute('data-reason'),
    mdn: r.getAttribute('data-mdn'),
    notice: r.getAttribute('data-notice'),
    method: text(r, '.c-method'),
    url: text(r, '.c-url'),
    type: text(r, '.c-type'),
    pageOrigin: text(r, '.c-page'),
    httpStatus: text(r, '.c-status'),
    count: text(r, '.c-count'),
    time: text(r, '.c-time'),
    text: r.textContent,
  });
  const facts = rows.map(({ row }) => rowFacts(row));
  if (details && grid && rows.length) {
    const key = (k) => grid.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    const before = grid.querySelector('[role="row"][aria-selected="true"]');
    const wasSelected = before ? Number(before.getAttribute('aria-rowindex')) : null;
    const wasOpen = !root.querySelector('.detail')?.hidden;
    const scrolled = grid.scrollTop;
    key('Home');
    key('Enter');
    for (let n = 0; n < rows.length; n++) {
      const d = root.querySelector('.detail');
      const f = facts[n];
      f.title = text(d, '.f-title');
      f.origin = text(d, '.f-origin');
      f.status = text(d, '.f-status');
      f.reasonText = text(d, '.f-reason') ?? text(d, '.n-kind');
      f.mdnHref = d.querySelector('a.f-mdn')?.href ?? null;
      f.what = text(d, '.f-what');
      f.why = text(d, '.f-why');
      f.fix = text(d, '.f-fix');
      f.detail = text(d, '.n-detail');
      // In Firefox only: the reason its console names, and the note where it folds reasons.
      f.firefox = d.querySelector('.f-firefox-id')?.getAttribute('data-firefox') ?? null;
      f.firefoxOr = d.querySelector('.f-firefox-id')?.getAttribute('data-firefox-or') || null;
      f.firefoxNote = text(d, '.f-firefox-note');
      f.snippets = [...d.querySelectorAll('pre.f-snippet')].map((p) => ({ stack: p.getAttribute('data-stack'), text: p.textContent }));
      f.curl = text(d, 'pre.f-curl');
      f.tabs = [...d.querySelectorAll('[role="tab"]')].map((t) => t.getAttribute('data-tab'));
      f.text += d.textContent;
      key('ArrowDown');
    }
    if (wasSelected !== null) {
      key('Home');
      for (let i = 2; i < wasSelected; i++) key('ArrowDown');
    }
    if (!wasOpen) key('Escape');
    grid.scrollTop = scrolled;
    grid.dispatchEvent(new Event('scroll'));
  }
  const all = facts;
  return {
    hasRoot: !!root,
    count: root && root.hasAttribute('data-count') ? Number(root.getAttribute('data-count')) : null,
    emptyVisible,
    lang: document.documentElement.lang,
    rows: all.length,
    findings: all.filter((f) => f.kind === 'failure'),
    notices: all.filter((f) => f.kind === 'notice'),
  };
}

/**
 * Opens every row's detail pane in turn (keyboard, as readPanelInPage does)
 * and gathers, across the table and every pane with all its tabs, the text
 * shown, the elements matching `forbidden` and the elements with `on*`
 * attributes: what the untrusted-text tests check. Runs in the panel.
 */
export function auditPanelInPage({ root: rootSelector = '#findings', forbidden = 'img, script, svg, iframe, object, embed' } = {}) {
  const root = document.querySelector(rootSelector);
  const grid = document.querySelector('#findings [role="grid"]');
  const texts = [];
  let elements = 0;
  const handlers = [];
  const look = () => {
    texts.push(root.textContent);
    elements += root.querySelectorAll(forbidden).length;
    for (const el of root.querySelectorAll('*')) {
      if ([...el.attributes].some((a) => /^on/i.test(a.name))) handlers.push(el.outerHTML.slice(0, 120));
    }
  };
  look();
  const rows = Number(grid?.getAttribute('aria-rowcount') || 1) - 1;
  const key = (k) => grid.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  if (rows > 0) {
    key('Home');
    key('Enter');
    for (let i = 0; i < rows; i++) {
      look();
      key('ArrowDown');
    }
    key('Escape');
    grid.scrollTop = 0;
    grid.dispatchEvent(new Event('scroll'));
  }
  return { rows, text: texts.join('\n'), elements, handlers };
}

export async function readPanel(panelPage, { details = true } = {}) {
  return panelPage.evaluate(readPanelInPage, { details });
}

/**
 * Wait until the panel has rendered (data-count set), satisfies `predicate(state)`,
 * and data-count has not changed for `quietMs`. Returns the last state.
 */
export async function waitForPanel(panelPage, predicate = () => true, { timeout = 10000, quietMs = 400, what = 'panel state', details = true } = {}) {
  const deadline = Date.now() + timeout;
  let last = null;
  let stableSince = 0;
  let lastCount;
  while (Date.now() < deadline) {
    // Polling reads the rows only (cheap); the state returned has every
    // row's detail pane too, and must still satisfy the predicate.
    last = await readPanel(panelPage, { details: false });
    if (last.count !== lastCount) {
      lastCount = last.count;
      stableSince = Date.now();
    }
    if (last.count !== null && predicate(last) && Date.now() - stableSince >= quietMs) {
      const full = details ? await readPanel(panelPage) : last;
      if (predicate(full)) return full;
    }
    await sleep(100);
  }
  const err = new Error(`timed out after ${timeout} ms waiting for ${what}; panel: count=${last?.count} findings=${JSON.stringify(last?.findings.map((f) => [f.reason, f.url]))}`);
  err.panel = last;
  throw err;
}

/** A stored record that is a CORS failure (the list also holds notices: `kind: "notice"`, no `reason`). */
export function isFailure(r) {
  return !!r && r.kind !== 'notice' && typeof r.reason === 'string' && r.reason !== '';
}

/** Everything the worker stored for a tab (chrome.storage.session `findings:<tabId>`), read from an extension context. */
export async function readStoredRecords(extContext, tabId) {
  const key = `findings:${tabId}`;
  const got = await extContext.evaluate((k) => chrome.storage.session.get(k), key);
  return got[key] || [];
}

/** The CORS failures the worker stored for a tab (notices left out). */
export async function readStoredFindings(extContext, tabId) {
  return (await readStoredRecords(extContext, tabId)).filter(isFailure);
}

/** Whether a finding (from storage or the panel) is about the lab run with this nonce. */
export function findingMatches(f, nonce) {
  const token = `lab=${nonce}`;
  const urls = [f.url, ...(Array.isArray(f.redirects) ? f.redirects.map((r) => (typeof r === 'string' ? r : r && (r.url || r.to || r.from || JSON.stringify(r)))) : [])];
  return urls.some((u) => typeof u === 'string' && u.includes(token));
}

/**
 * The browser's own verdict, from the DevTools protocol of one page:
 * Network.loadingFailed.corsErrorStatus per request, keyed by the URLs of its redirect chain.
 */
export class CorsOracle {
  static async attach(context, page) {
    const o = new CorsOracle();
    o.session = await context.newCDPSession(page);
    o.requests = new Map(); // requestId -> record
    o.console = [];
    o.session.on('Network.requestWillBeSent', (e) => {
      let r = o.requests.get(e.requestId);
      if (!r) {
        r = {
          requestId: e.requestId,
          urls: [],
          type: e.type,
          // A CORS preflight is a request of its own (initiator "preflight"; type "Preflight" in later events).
          isPreflight: e.initiator?.type === 'preflight' || e.type === 'Preflight',
          method: e.request.method,
          state: 'pending',
          requestHeaders: [],
        };
        o.requests.set(e.requestId, r);
      }
      if (e.redirectResponse) r.redirects = [...(r.redirects || []), { url: e.redirectResponse.url, status: e.redirectResponse.status }];
      r.urls.push(e.request.url);
      r.url = e.request.url;
      r.requestHeaders.push(e.request.headers);
    });
    o.session.on('Network.responseReceived', (e) => {
      const r = o.requests.get(e.requestId);
      if (r) r.status = e.response.status;
    });
    o.session.on('Network.loadingFinished', (e) => {
      const r = o.requests.get(e.requestId);
      if (r) r.state = 'finished';
    });
    o.session.on('Network.loadingFailed', (e) => {
      const r = o.requests.get(e.requestId);
      if (!r) return;
      r.state = 'failed';
      r.errorText = e.errorText;
      r.blockedReason = e.blockedReason;
      r.corsError = e.corsErrorStatus?.corsError ?? null;
      r.failedParameter = e.corsErrorStatus?.failedParameter ?? null;
    });
    o.session.on('Log.entryAdded', (e) => o.console.push(e.entry));
    await o.session.send('Network.enable');
    await o.session.send('Log.enable');
    return o;
  }

  /** The request (not its CORS preflight) whose URL chain carries `lab=<nonce>`;
   *  its `preflight` property is the preflight's record when there was one. */
  find(nonce) {
    const token = `lab=${nonce}`;
    const all = [...this.requests.values()].filter((r) => r.urls.some((u) => u.includes(token)));
    // The last request of the run: a cached-preflight run first sends a warm-up to the same URL.
    const main = all.filter((r) => !r.isPreflight).at(-1) || null;
    if (main) main.preflight = all.find((r) => r.isPreflight) || null;
    return main;
  }

  /** Wait until the request of that run has failed or finished; returns the record. */
  async verdict(nonce, { timeout = 15000 } = {}) {
    return waitFor(
      () => {
        const r = this.find(nonce);
        return r && r.state !== 'pending' ? r : null;
      },
      { timeout, what: `the browser's verdict on lab run ${nonce}` },
    );
  }

  /** Console lines (Log.entryAdded) that mention the run. */
  consoleFor(nonce) {
    return this.console.filter((e) => (e.text || '').includes(`lab=${nonce}`) || (e.url || '').includes(`lab=${nonce}`));
  }

  async detach() {
    await this.session.detach().catch(() => {});
  }
}

/** Format rows (arrays of strings) as a plain text table. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '—' : String(c))));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join(' | ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...all.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------------------
// The real DevTools window (--auto-open-devtools-for-tabs)
// ---------------------------------------------------------------------------

/**
 * A CDP session on another target (the DevTools front end, the panel iframe),
 * tunnelled through a browser-level session with Target.sendMessageToTarget
 * (non-flat attach), since Playwright's CDPSession has no flat child sessions.
 */
export class TargetSession {
  static async attach(browserSession, targetId) {
    const t = new TargetSession();
    t.browserSession = browserSession;
    t.nextId = 1;
    t.pending = new Map();
    t.listeners = new Map();
    const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId, flatten: false });
    t.sessionId = sessionId;
    t.onMessage = (e) => {
      if (e.sessionId !== t.sessionId) return;
      const msg = JSON.parse(e.message);
      if (msg.id && t.pending.has(msg.id)) {
        const { resolve, reject, method } = t.pending.get(msg.id);
        t.pending.delete(msg.id);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
        else resolve(msg.result);
      } else if (msg.method) {
        for (const fn of t.listeners.get(msg.method) || []) fn(msg.params);
      }
    };
    browserSession.on('Target.receivedMessageFromTarget', t.onMessage);
    return t;
  }

  send(method, params = {}, { timeout = 20000 } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${timeout} ms`));
      }, timeout);
      this.pending.set(id, {
        method,
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.browserSession
        .send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) })
        .catch((e) => {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(e);
        });
    });
  }

  on(method, fn) {
    if (!this.listeners.has(method)) this.listeners.set(method, []);
    this.listeners.get(method).push(fn);
  }

  /** Evaluate an expression (string) in the target; returns its value (awaits promises). */
  async evaluate(expression) {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) {
      throw new Error(`evaluate failed: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
    }
    return r.result.value;
  }

  async detach() {
    this.browserSession.off('Target.receivedMessageFromTarget', this.onMessage);
    await this.browserSession.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => {});
  }
}

export async function getTargets(browserSession) {
  const { targetInfos } = await browserSession.send('Target.getTargets');
  return targetInfos;
}

/**
 * The set-up of the verdict tables: the lab, a browser with the extension
 * (`launch`: launchWithExtension's options), the lab page in its first tab
 * with the oracle attached, and the panel of that tab. Close `br` and `lab`.
 */
export async function labWithPanel(launch = {}) {
  const lab = await startLab();
  const br = await launchWithExtension(launch);
  const page = await openLab(br.context, lab, { page: br.context.pages()[0] });
  const oracle = await CorsOracle.attach(br.context, page);
  const tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  const panel = await openPanel(br.context, br.extensionId, tabId);
  return { lab, br, page, oracle, tabId, panel };
}

/**
 * A fresh tab on the lab with the real DevTools window open on it (launched
 * with `devtools: true`), once the worker knows DevTools is open there (the
 * DevTools page's port: extension/observe.js). Returns the page and its tab id.
 */
export async function labTabWithDevTools(br, lab) {
  // A fresh tab: the first one's DevTools may have opened before the
  // extension was loaded, and would then have no CORS Lens panel.
  const page = await freshTab(br.context);
  await openLab(br.context, lab, { page });
  const tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  await waitFor(
    async () => (await (await currentServiceWorker(br.context, br.extensionId)).evaluate(() => chrome.storage.session.get('devtoolsTabs'))).devtoolsTabs?.[tabId],
    { timeout: 30000, what: 'the tab watched because DevTools is open on it' },
  );
  return { page, tabId };
}

/** The DevTools front-end target (devtools://devtools/...) — waits for it to appear. */
export async function findDevToolsTarget(browserSession, { timeout = 20000 } = {}) {
  return waitFor(
    async () => (await getTargets(browserSession)).find((t) => t.url.startsWith('devtools://devtools/') && t.type !== 'iframe' && t.type !== 'worker'),
    { timeout, what: 'the DevTools window target' },
  );
}

/** Attach to the DevTools front end and wait until its InspectorView exists. */
export async function attachDevTools(browserSession, { timeout = 30000 } = {}) {
  const target = await findDevToolsTarget(browserSession, { timeout });
  const dt = await TargetSession.attach(browserSession, target.targetId);
  await dt.send('Runtime.enable');
  await waitFor(
    () =>
      dt.evaluate(`(async () => {
        const UI = await import('./ui/legacy/legacy.js');
        return !!UI.InspectorView.InspectorView.maybeGetInspectorViewInstance?.() || !!UI.InspectorView.InspectorView.instance?.();
      })()`),
    { timeout, what: 'the DevTools InspectorView' },
  );
  dt.target = target;
  return dt;
}

/** Ids and titles of the panels the DevTools window's main tabbed pane knows. */
export async function listDevToolsPanels(dt) {
  return dt.evaluate(`(async () => {
    const UI = await import('./ui/legacy/legacy.js');
    const iv = UI.InspectorView.InspectorView.instance();
    const pane = iv.tabbedPane ?? iv.tabbedPaneInternal;
    const tabs = pane.tabs ?? pane.tabsInternal ?? [];
    return tabs.map((t) => ({ id: t.id, title: t.title }));
  })()`);
}

/** Select the CORS Lens panel (an extension panel whose title contains `title`) in the DevTools window. */
export async function showExtensionPanel(dt, { title = 'CORS Lens', extensionId, timeout = 60000 } = {}) {
  const panel = await waitFor(
    async () => {
      const panels = await listDevToolsPanels(dt);
      return panels.find((p) => (p.title || '').includes(title) || (extensionId && (p.id || '').includes(extensionId)));
    },
    { timeout, what: `a DevTools panel titled "${title}"` },
  );
  await dt.evaluate(`(async () => {
    const UI = await import('./ui/legacy/legacy.js');
    await UI.InspectorView.InspectorView.instance().showPanel(${JSON.stringify(panel.id)});
    return true;
  })()`);
  return panel;
}

/** The panel iframe target (chrome-extension://<id>/www/panel.html...) inside DevTools. */
export async function findPanelTarget(browserSession, extensionId, { timeout = 20000 } = {}) {
  const prefix = `chrome-extension://${extensionId}/${PANEL_PATH}`;
  return waitFor(async () => (await getTargets(browserSession)).find((t) => t.url.startsWith(prefix)), {
    timeout,
    what: `a target for ${prefix}`,
  });
}

/** Read the panel DOM through a TargetSession (same shape as readPanel). */
export async function readPanelViaTarget(ts, { details = true } = {}) {
  return ts.evaluate(`(${readPanelInPage.toString()})(${JSON.stringify({ details })})`);
}

/**
 * Runs inside an extension page: what its Content Security Policy lets
 * through (manifest.json, docs/permissions.md). Returns whether a fetch to
 * `url` (a loopback lab server, which logs what it receives) was sent or
 * refused, the directives the browser reported violated, and the number of
 * rules of each stylesheet (the page's own CSS loaded: more than 0).
 */
export async function probePolicyInPage(url) {
  const violations = [];
  const listener = (e) => violations.push(e.effectiveDirective || e.violatedDirective);
  document.addEventListener('securitypolicyviolation', listener);
  let fetched;
  try {
    await fetch(url, { cache: 'no-store' });
    fetched = 'sent';
  } catch {
    fetched = 'refused';
  }
  await new Promise((r) => setTimeout(r, 200));
  document.removeEventListener('securitypolicyviolation', listener);
  const sheets = [...document.styleSheets].map((s) => {
    try {
      return s.cssRules.length;
    } catch {
      return -1;
    }
  });
  return { fetched, violations, sheets };
}

// ---------------------------------------------------------------------------
// HAR files: the Network panel's own export, the command-line tool, a static server
// ---------------------------------------------------------------------------

/**
 * Waits until the DevTools front end `dt` records the page's requests in
 * its network log: it attaches its network model some time after the window
 * opens, and a request sent before that is missing from the Network panel
 * (and from its HAR). Sends a same-origin probe from `page` until one shows
 * up; returns how many probes it took.
 */
export async function waitForNetworkLog(dt, page, { timeout = 30000 } = {}) {
  let probes = 0;
  await waitFor(
    async () => {
      probes += 1;
      await page.evaluate((n) => fetch(`/config.json?devtools-probe=${n}`, { cache: 'no-store' }).then((r) => r.text()), probes);
      return dt.evaluate(`(async () => {
        const Logs = await import('./models/logs/logs.js');
        return Logs.NetworkLog.NetworkLog.instance().requests().some((r) => r.url().includes('devtools-probe='));
      })()`);
    },
    { timeout, interval: 300, what: "the DevTools front end's network log" },
  );
  return probes;
}

/**
 * The HAR the Network panel exports ("Export HAR (sanitized)" with
 * `sanitize`, "Export HAR (with sensitive data)" without): devtools-frontend's
 * own HAR writer run on the Network panel's log, in the DevTools front end
 * `dt`. Returns the file's text.
 */
export async function exportNetworkPanelHar(dt, { sanitize = true } = {}) {
  return dt.evaluate(`(async () => {
    const HAR = await import('./models/har/har.js');
    const Logs = await import('./models/logs/logs.js');
    const requests = Logs.NetworkLog.NetworkLog.instance().requests();
    const chunks = [];
    const stream = { write: async (s) => { chunks.push(s); }, close: async () => {} };
    const progress = { setTitle() {}, setTotalWork() {}, setWorked() {}, incrementWorked() {}, isCanceled() { return false; }, done() {}, setCanceled() {} };
    await HAR.Writer.Writer.write(stream, requests, { sanitize: ${sanitize ? 'true' : 'false'} }, progress);
    return chunks.join('');
  })()`);
}

/** The command-line tool (`make cli`), if built. */
export const CLI = ['release', 'debug'].map((p) => path.join(ROOT, 'target', p, 'cors-lens')).find((p) => fs.existsSync(p));

/** The CLI's JSON export of a HAR file (`cors-lens check --format json`), and its exit status. */
export function checkHar(file) {
  try {
    const out = execFileSync(CLI, ['check', '--format', 'json', file], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
    return { code: 0, json: JSON.parse(out) };
  } catch (e) {
    return { code: e.status, json: e.stdout ? JSON.parse(e.stdout) : null, stderr: String(e.stderr) };
  }
}

/** The findings and notices of an export (the CLI's JSON) about the lab run with this nonce. */
export function exportedForRun(json, nonce) {
  const token = `lab=${nonce}`;
  return {
    findings: json.findings.filter((f) => f.url.includes(token)),
    notices: json.notices.filter((n) => n.url.includes(token)),
  };
}

/** A plain static server over `dir` (as a support team would host www/). */
export function serveStatic(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(dir, path.normalize(rel));
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) })));
}
