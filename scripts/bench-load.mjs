// Bench: what installing CORS Lens costs the pages a developer browses.
//
// A lab page (loopback: page on 127.0.0.1, API on localhost) fires N
// cross-origin fetches, a third of them failing CORS, and reports the time
// from navigation start until every fetch has settled. Each variant runs in
// its own headless browser, all open at once; loads are interleaved (one per
// variant per round, in a shuffled order) so that the machine's noise falls on
// every variant alike. No DevTools-protocol Network domain is enabled on the
// measured page (puppeteer-core with `networkEnabled: false`): the page is
// driven by navigation only, and reports its time to the lab server.
//
// Printed: per variant the median time to settle, its spread, browser CPU per
// load, and the ratio of medians to "no extension" with a 90 % bootstrap
// interval, beside the budget where there is one. Asserts nothing.
// A second table per browser measures a tab being debugged: the real DevTools
// window (Firefox: the toolbox, `--devtools`) open on the measured tab in
// every variant (CORS Lens then observes through DevTools' own record,
// extension/devtools.js); --only-debugged runs those tables alone. After each table, how many failures CORS Lens holds for
// the last load says that it observed where it should.
//
// CORS Lens as installed holds no webRequest permission (it is optional);
// the variants that watch a site first grant it from a user gesture, as the
// panel's click does, and in Chromium then restart the browser on the same
// profile (Chromium reports a grant only from its next start).
//
//   node scripts/bench-load.mjs [--rounds N] [--components] [--no-firefox] [--no-chromium] [--only-debugged]
//
// --components adds the do-nothing extensions that split the cost of
// observing into its parts (no webRequest permission; the permission with no
// listener; the permission with host access to another site only; five
// listeners filtered to another tab). Variants are generated in target/bench-ext/.

import puppeteer from 'puppeteer-core';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The CORS Lens to measure: the built repository, or CORS_LENS_EXTENSION (a copy, e.g. of another build). */
const LENS = process.env.CORS_LENS_EXTENSION ? path.resolve(process.env.CORS_LENS_EXTENSION) : ROOT;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const ROUNDS = option('--rounds', 15);
const REQUESTS = option('--requests', 300);
const FAILING = Math.round(REQUESTS / 3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// The lab: a page that fires the fetches and reports when all have settled.
// ---------------------------------------------------------------------------

const reports = new Map(); // run id -> {resolve}

function runPage(api, run) {
  // Failing requests are spread among passing ones (every third).
  return `<!doctype html><meta charset="utf-8"><title>bench</title><script>
const api = ${JSON.stringify(api)}, run = ${JSON.stringify(run)};
const all = [];
for (let i = 0; i < ${REQUESTS}; i++) {
  all.push(fetch(api + (i % 3 === 0 ? '/fail/' : '/pass/') + i + '?run=' + run, { cache: 'no-store' }).then((r) => r.text()));
}
Promise.allSettled(all).then((rs) => {
  const settled = performance.now();
  const failed = rs.filter((r) => r.status === 'rejected').length;
  fetch('/report?run=' + run + '&ms=' + settled + '&failed=' + failed, { method: 'POST' });
});
</script>`;
}

async function startLab() {
  const apiServer = http.createServer((req, res) => {
    const fail = req.url.startsWith('/fail/');
    const headers = { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' };
    if (!fail) headers['Access-Control-Allow-Origin'] = pageOrigin;
    res.writeHead(200, headers);
    res.end('ok');
  });
  const pageServer = http.createServer((req, res) => {
    const url = new URL(req.url, pageOrigin);
    if (url.pathname === '/run') {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
      res.end(runPage(apiOrigin, url.searchParams.get('run')));
    } else if (url.pathname === '/report') {
      reports.get(url.searchParams.get('run'))?.({ ms: Number(url.searchParams.get('ms')), failed: Number(url.searchParams.get('failed')) });
      res.writeHead(204).end();
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
      res.end('<!doctype html><title>idle</title><p>idle');
    }
  });
  pageServer.keepAliveTimeout = apiServer.keepAliveTimeout = 60000;
  await new Promise((r) => pageServer.listen(0, '127.0.0.1', r));
  await new Promise((r) => apiServer.listen(0, '127.0.0.1', r));
  const pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
  const apiOrigin = `http://localhost:${apiServer.address().port}`;
  return {
    pageOrigin,
    apiOrigin,
    close: () => {
      pageServer.closeAllConnections?.();
      apiServer.closeAllConnections?.();
      pageServer.close();
      apiServer.close();
    },
  };
}

// ---------------------------------------------------------------------------
// Do-nothing extensions (generated), each isolating one part of the cost.
// ---------------------------------------------------------------------------

const LISTENERS = `
const FILTER = { urls: ['<all_urls>'], types: ['xmlhttprequest', 'image', 'script', 'stylesheet', 'font', 'media', 'other'] };
function listen(filter) {
  const noop = () => {};
  chrome.webRequest.onSendHeaders.addListener(noop, filter, ['requestHeaders', 'extraHeaders']);
  chrome.webRequest.onHeadersReceived.addListener(noop, filter, ['responseHeaders', 'extraHeaders']);
  chrome.webRequest.onBeforeRedirect.addListener(noop, filter, ['extraHeaders']);
  chrome.webRequest.onCompleted.addListener(noop, filter, ['extraHeaders']);
  chrome.webRequest.onErrorOccurred.addListener(noop, filter);
}`;

const DO_NOTHING = {
  'no webRequest permission': { permissions: [], hosts: ['<all_urls>'], worker: '' },
  'webRequest, no listener': { permissions: ['webRequest'], hosts: ['<all_urls>'], worker: '' },
  'webRequest, host access to another site only': { permissions: ['webRequest'], hosts: ['http://example.invalid/*'], worker: '' },
  // The listeners wait for the idle tab (`/idle`) and filter on its id.
  'five listeners, filtered to another tab': {
    permissions: ['webRequest'],
    hosts: ['<all_urls>'],
    worker: `${LISTENERS}
let done = false;
function onTab(tab) {
  if (done || !String(tab.url || '').includes('/idle')) return;
  done = true;
  listen({ ...FILTER, tabId: tab.id });
}
chrome.tabs.onUpdated.addListener((id, change, tab) => onTab(tab));
chrome.tabs.query({}).then((tabs) => tabs.forEach(onTab));`,
  },
  'do-nothing observer (five extraHeaders listeners)': { permissions: ['webRequest'], hosts: ['<all_urls>'], worker: `${LISTENERS}\nlisten(FILTER);` },
};

function writeDoNothing(name, { permissions, hosts, worker }) {
  const dir = path.join(ROOT, 'target', 'bench-ext', name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, ''));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const manifest = { manifest_version: 3, name: `bench: ${name}`, version: '1', permissions, host_permissions: hosts, background: { service_worker: 'worker.js' } };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, 'worker.js'), `// generated by scripts/bench-load.mjs: ${name}\n${worker}\n`);
  return dir;
}

// ---------------------------------------------------------------------------
// Browsers
// ---------------------------------------------------------------------------

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** All processes under `pid` (itself included), from /proc. */
function processTree(pid) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const walk = (p) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU time (ms) of one process, user + system. */
function cpuOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** `{browser, all}`: CPU ms of the browser process and of every process of that browser. */
function cpu(pid) {
  const tree = processTree(pid);
  return { browser: cpuOf(pid), all: tree.reduce((n, p) => n + cpuOf(p), 0) };
}

/**
 * One Chromium with `extension` (a directory, or none). `devtools`: DevTools
 * opens on every tab. `watch`: before measuring, the optional webRequest
 * permission is granted and `watch` put on the watch list, then the browser
 * restarts on the same profile (Chromium reports the grant only from then).
 */
async function launchChromium(extension, { devtools = false, watch = null } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-bench-'));
  const args = [...CHROMIUM_ARGS];
  if (extension) args.push(`--disable-extensions-except=${extension}`, `--load-extension=${extension}`);
  // The real DevTools window, open on every tab (new headless opens it too).
  if (devtools) args.push('--auto-open-devtools-for-tabs');
  const launch = () =>
    puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir,
      args,
      ignoreDefaultArgs: extension ? ['--disable-extensions'] : [],
      networkEnabled: false,
      timeout: 60000,
      protocolTimeout: 120000,
    });
  let browser = await launch();
  if (watch) {
    await watchSite({ browser, kind: 'chromium' }, watch);
    await browser.close();
    browser = await launch();
  }
  return {
    browser,
    pid: browser.process().pid,
    close: async () => {
      await browser.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** How many failures CORS Lens's worker counted, across tabs (its stored lists). */
async function failuresCounted(variant) {
  // Until the count is steady: the DevTools feed hands over up to 2.3 s late.
  let last = -1;
  for (let i = 0; i < 20; i++) {
    const n = await failuresNow(variant);
    if (n === last) return n;
    last = n;
    await sleep(1500);
  }
  return last;
}

/** Failures CORS Lens holds, read from its worker (Chromium) or one of its pages (Firefox). */
async function failuresNow({ browser, kind }) {
  const count = async () => {
    const all = await (globalThis.browser ?? globalThis.chrome).storage.session.get(null);
    let n = 0;
    for (const [key, list] of Object.entries(all)) {
      if (key.startsWith('findings:') && Array.isArray(list)) for (const r of list) if (r?.kind === 'failure') n += r.count ?? 1;
    }
    return n;
  };
  if (kind !== 'firefox') return (await extensionWorker(browser)).worker.evaluate(count);
  const page = await browser.newPage();
  try {
    await gotoExtensionPage(browser, page, `moz-extension://${FIREFOX_UUID}/www/panel.html`, true);
    return await page.evaluate(count);
  } finally {
    await page.close().catch(() => {});
  }
}

/** The extension's service worker (Chromium), once it runs. */
async function extensionWorker(browser) {
  const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), { timeout: 30000 });
  return { worker: await target.worker(), id: new URL(target.url()).host };
}

/** One Firefox with `extension` installed (or none); `devtools`: the toolbox opens on the first tab, headless too. */
async function launchFirefox(extension, { devtools = false } = {}) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    networkEnabled: false,
    args: ['--remote-allow-system-access', ...(devtools ? ['--devtools'] : [])],
    // No doorhanger for the optional permission asked from the click in watchSite.
    extraPrefsFirefox: extension ? { 'extensions.webextensions.uuids': JSON.stringify({ [geckoId()]: FIREFOX_UUID }), 'extensions.webextOptionalPermissionPrompts': false } : {},
    timeout: 60000,
    protocolTimeout: 120000,
  });
  if (extension) await browser.installExtension(extension);
  return { browser, pid: browser.process().pid, close: () => browser.close().catch(() => {}) };
}

const FIREFOX_UUID = '0f1e2d3c-4b5a-4697-8877-665544332211';
const geckoId = () => JSON.parse(fs.readFileSync(path.join(LENS, 'manifest.json'), 'utf8')).browser_specific_settings.gecko.id;

// ---------------------------------------------------------------------------
// CORS Lens set-ups: what "watched" means is the extension's own business.
// ---------------------------------------------------------------------------

/**
 * Watches `host` as the panel's "Always watch <site>" does: the optional
 * webRequest permission asked for from a user gesture (Chromium: DevTools
 * protocol `Runtime.evaluate` with `userGesture`; Firefox: a real click on a
 * button of the page, BiDi `input.performActions`), then the host added to
 * the extension's `watchSites` list (storage.local, extension/observe.js),
 * from one of its pages. In Chromium the grant is reported only after a
 * browser restart (launchChromium does it).
 */
async function watchSite(variant, host) {
  const { browser } = variant;
  const isFirefox = variant.kind === 'firefox';
  const base = isFirefox ? `moz-extension://${FIREFOX_UUID}/` : `chrome-extension://${(await extensionWorker(browser)).id}/`;
  const page = await browser.newPage();
  await gotoExtensionPage(browser, page, `${base}www/panel.html`, isFirefox);
  let granted;
  if (isFirefox) {
    await page.evaluate(() => {
      const button = document.createElement('button');
      button.style.cssText = 'position:fixed;inset:0 auto auto 0;width:200px;height:50px;z-index:2147483647';
      button.addEventListener('click', () => (globalThis.granted = globalThis.browser.permissions.request({ permissions: ['webRequest'] }).catch(String)));
      document.body.append(button);
    });
    const click = [{ type: 'pointerMove', x: 50, y: 20 }, { type: 'pointerDown', button: 0 }, { type: 'pointerUp', button: 0 }];
    await browser.connection.send('input.performActions', { context: page.mainFrame()._id, actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: click }] });
    granted = await page.evaluate(() => globalThis.granted);
  } else {
    const cdp = await page.createCDPSession();
    const { result } = await cdp.send('Runtime.evaluate', { expression: "chrome.permissions.request({ permissions: ['webRequest'] })", userGesture: true, awaitPromise: true, returnByValue: true });
    granted = result.value;
  }
  if (granted !== true) throw new Error(`the webRequest permission was not granted: ${granted}`);
  await page.evaluate(async (h) => {
    const api = globalThis.browser ?? globalThis.chrome;
    const { watchSites = [] } = await api.storage.local.get('watchSites');
    await api.storage.local.set({ watchSites: [...new Set([...watchSites, h])] });
  }, host);
  await page.close().catch(() => {});
}

async function gotoExtensionPage(browser, page, url, isFirefox) {
  if (!isFirefox) {
    await page.goto(url);
    return;
  }
  // Firefox refuses moz-extension:// to a plain navigation (see tests/e2e/firefox-helpers.mjs).
  await browser.connection.send('browsingContext.navigate', { context: page.mainFrame()._id, url, wait: 'complete' });
}

// ---------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------

let runCounter = 0;

async function loadOnce(variant, lab) {
  const run = `${variant.key}-${++runCounter}`;
  const reported = new Promise((resolve) => reports.set(run, resolve));
  const before = cpu(variant.pid);
  const t0 = Date.now();
  await variant.page.goto(`${lab.pageOrigin}/run?run=${run}`, { waitUntil: 'domcontentloaded', timeout: 60000 });
  const result = await Promise.race([reported, sleep(120000).then(() => null)]);
  reports.delete(run);
  if (!result) throw new Error(`${variant.name}: no report after 120 s`);
  const after = cpu(variant.pid);
  if (result.failed !== FAILING) throw new Error(`${variant.name}: ${result.failed} fetches failed, expected ${FAILING}`);
  return { ms: result.ms, wall: Date.now() - t0, cpuBrowser: after.browser - before.browser, cpuAll: after.all - before.all };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
};

/** 90 % bootstrap interval of median(a) / median(b). */
function bootstrapRatio(a, b, iterations = 4000) {
  const pick = (xs) => Array.from(xs, () => xs[Math.floor(Math.random() * xs.length)]);
  const ratios = Array.from({ length: iterations }, () => median(pick(a)) / median(pick(b)));
  return [quantile(ratios, 0.05), quantile(ratios, 0.95)];
}

function shuffle(xs) {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function measure(title, variants, lab) {
  console.log(`\n${title}: ${REQUESTS} cross-origin fetches per load (${FAILING} failing CORS), ${ROUNDS} interleaved loads per variant`);
  for (const v of variants) {
    // Firefox's `--devtools` opens the toolbox on the first tab only (tabs
    // opened later get none): that tab is the measured one there.
    v.page = v.kind === 'firefox' && v.devtools ? (await v.browser.pages())[0] : await v.browser.newPage();
    // A second tab, idle: the one the "filtered to another tab" listeners watch.
    v.idle = await v.browser.newPage();
    await v.idle.goto(`${lab.pageOrigin}/idle`);
    // Warm-up: first loads pay for process start and caches.
    for (let i = 0; i < 2; i++) await loadOnce(v, lab);
    v.samples = [];
  }
  const loadStart = os.loadavg()[0];
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of shuffle(variants)) v.samples.push(await loadOnce(v, lab));
    process.stdout.write(`\r  round ${round + 1}/${ROUNDS}`);
  }
  process.stdout.write('\n');
  const base = variants.find((v) => v.baseline);
  const baseMs = base.samples.map((s) => s.ms);
  const rows = variants.map((v) => {
    const ms = v.samples.map((s) => s.ms);
    const ratio = median(ms) / median(baseMs);
    const [lo, hi] = v === base ? [1, 1] : bootstrapRatio(ms, baseMs);
    const iqr = (quantile(ms, 0.75) - quantile(ms, 0.25)) / median(ms);
    const budget = typeof v.budget === 'function' ? v.budget(ratio, variants) : v.budget;
    return [
      v.name,
      `${median(ms).toFixed(0)} ms`,
      `±${(iqr * 50).toFixed(0)} %`,
      `${median(v.samples.map((s) => s.cpuBrowser)).toFixed(0)} / ${median(v.samples.map((s) => s.cpuAll)).toFixed(0)} ms`,
      v === base ? '1' : `${ratio.toFixed(2)} (${lo.toFixed(2)}–${hi.toFixed(2)})`,
      budget ?? '',
    ];
  });
  console.log(table(['variant', 'median settle', 'spread (IQR/2)', 'CPU per load: browser / all', 'ratio to no extension (90 % CI)', 'budget'], rows));
  // That CORS Lens did observe where it should: the failures it holds (a
  // tab's list starts again with each page, so: those of the last load).
  for (const v of variants.filter((x) => x.extension === LENS)) {
    const seen = await failuresCounted(v).catch((e) => `unknown (${e.message})`);
    console.log(`  ${v.name}: CORS Lens holds ${seen} failures of the last load (${FAILING} failed)`);
  }
  console.log(`  load average ${loadStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end (${os.cpus().length} CPUs)`);
  return Object.fromEntries(variants.map((v) => [v.key, median(v.samples.map((s) => s.ms)) / median(baseMs)]));
}

function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

/** "≤ 1.05: ok" / "≤ 1.05: MISSED". */
const within = (limit) => (ratio) => `≤ ${limit}: ${ratio <= limit ? 'ok' : 'MISSED'}`;

async function chromiumVariants(lab) {
  const specs = [{ key: 'none', name: 'no extension', baseline: true }];
  if (flag('--components')) {
    for (const name of Object.keys(DO_NOTHING).slice(0, -1)) specs.push({ key: name, name, extension: writeDoNothing(name, DO_NOTHING[name]) });
  }
  const observer = Object.keys(DO_NOTHING).at(-1);
  specs.push({ key: 'observer', name: observer, extension: writeDoNothing(observer, DO_NOTHING[observer]) });
  specs.push({ key: 'idle', name: 'CORS Lens, idle tab (nothing watched: no webRequest permission)', extension: LENS, budget: within(1.05) });
  specs.push({ key: 'other', name: 'CORS Lens, idle tab while another site is watched', extension: LENS, watch: 'other' });
  // The opt-in: webRequest observes the tab (its cost is said in the panel);
  // a tab being debugged is measured below, with DevTools open.
  specs.push({ key: 'watched', name: 'CORS Lens, tab of an "always watch" site (opt-in)', extension: LENS, watch: true });
  const variants = [];
  for (const spec of specs) {
    // Watching needs the permission, active only after a restart (launchChromium).
    const watch = spec.watch && (spec.watch === 'other' ? 'example.invalid' : new URL(lab.pageOrigin).hostname);
    variants.push({ ...spec, kind: 'chromium', ...(await launchChromium(spec.extension, { watch })) });
  }
  return variants;
}

/**
 * A tab being debugged: DevTools open on the measured tab in every variant,
 * the baseline included (what DevTools itself costs is the same for all, and
 * the "no DevTools" line shows it). CORS Lens watches nothing: the tab is
 * observed through what DevTools records (extension/devtools.js).
 */
async function debuggedVariants() {
  const observer = Object.keys(DO_NOTHING).at(-1);
  const specs = [
    { key: 'none', name: 'no extension, DevTools open', baseline: true, devtools: true },
    { key: 'plain', name: 'no extension, no DevTools' },
    { key: 'observer', name: `${observer}, DevTools open`, extension: writeDoNothing(observer, DO_NOTHING[observer]), devtools: true },
    {
      key: 'debugged',
      name: 'CORS Lens, tab being debugged (DevTools open, nothing watched)',
      extension: LENS,
      devtools: true,
      budget: (ratio, all) => {
        const obs = all.find((v) => v.key === 'observer');
        const below = ratio < median(obs.samples.map((s) => s.ms)) / median(all.find((v) => v.baseline).samples.map((s) => s.ms));
        return `${within(1.5)(ratio)}; below the observer: ${below ? 'ok' : 'MISSED'}`;
      },
    },
  ];
  const variants = [];
  for (const spec of specs) variants.push({ ...spec, kind: 'chromium', ...(await launchChromium(spec.extension, { devtools: spec.devtools })) });
  return variants;
}

/** Firefox's tab being debugged: the toolbox open on the measured tab in every variant, as in debuggedVariants. */
async function firefoxDebuggedVariants() {
  const specs = [
    { key: 'none', name: 'no extension, DevTools open', baseline: true, devtools: true },
    { key: 'plain', name: 'no extension, no DevTools' },
    { key: 'debugged', name: 'CORS Lens, tab being debugged (DevTools open, nothing watched)', extension: LENS, devtools: true, budget: within(1.5) },
  ];
  const variants = [];
  for (const spec of specs) variants.push({ ...spec, kind: 'firefox', ...(await launchFirefox(spec.extension, { devtools: spec.devtools })) });
  return variants;
}

async function firefoxVariants(lab) {
  const specs = [
    { key: 'none', name: 'no extension', baseline: true },
    { key: 'idle', name: 'CORS Lens, idle tab (nothing watched: no webRequest permission)', extension: LENS, budget: within(1.1) },
    { key: 'other', name: 'CORS Lens, idle tab while another site is watched', extension: LENS, watch: 'other' },
    { key: 'watched', name: 'CORS Lens, tab of an "always watch" site (opt-in)', extension: LENS, watch: true },
  ];
  const variants = [];
  for (const spec of specs) {
    const v = { ...spec, kind: 'firefox', ...(await launchFirefox(spec.extension)) };
    variants.push(v);
    if (spec.watch) await watchSite(v, spec.watch === 'other' ? 'example.invalid' : new URL(lab.pageOrigin).hostname);
  }
  return variants;
}

const lab = await startLab();
const open = [];
try {
  if (!flag('--no-chromium')) {
    const version = (await import('node:child_process')).execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
    if (!flag('--only-debugged')) {
      const variants = await chromiumVariants(lab);
      open.push(...variants);
      await measure(`Chromium (${version})`, variants, lab);
      for (const v of variants.splice(0)) await v.close();
    }
    const debugged = await debuggedVariants();
    open.push(...debugged);
    await measure(`Chromium (${version}), a tab being debugged`, debugged, lab);
    for (const v of debugged.splice(0)) await v.close();
  }
  if (!flag('--no-firefox')) {
    if (!flag('--only-debugged')) {
      const variants = await firefoxVariants(lab);
      open.push(...variants);
      await measure(`Firefox (${await variants[0].browser.version()})`, variants, lab);
      for (const v of variants.splice(0)) await v.close();
    }
    const debugged = await firefoxDebuggedVariants();
    open.push(...debugged);
    await measure(`Firefox (${await debugged[0].browser.version()}), a tab being debugged`, debugged, lab);
  }
} finally {
  for (const v of open) await v.close();
  lab.close();
}
