// Firefox ESR with the unpacked extension, driven by puppeteer-core over
// WebDriver BiDi: launching it, opening the extension's own pages in tabs,
// running code in them, and reading Firefox's console verdict.
//
// Two Firefox facts shape this file (measured on the Firefox ESR of
// docs/verdicts.md, "Browser versions"):
// - BiDi's `browsingContext.navigate` refuses `moz-extension://` URLs
//   ("not allowed in this context") unless the remote agent has system
//   access, which the `--remote-allow-system-access` flag grants to this
//   automation session only. A page's script may not navigate there either
//   (`location`, `window.open`: "Access … denied").
// - The extension's pages live at `moz-extension://<uuid>/`, and the UUID is
//   random per profile unless the pref `extensions.webextensions.uuids` fixes
//   it (a JSON map of add-on id to UUID).
// puppeteer's `page.goto` never sees such a navigation finish (it waits for
// events Firefox does not send for it), so navigation and evaluation in
// extension tabs go through BiDi commands directly (`browser.connection`).

import puppeteer from 'puppeteer-core';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EXTENSION_ROOT, PANEL_PATH, TEST_SITES } from './helpers.mjs';
import { unzip } from '../../scripts/package.mjs';

export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** The add-on id in manifest.json (`browser_specific_settings.gecko.id`). */
export function addonId(root = EXTENSION_ROOT) {
  return JSON.parse(fs.readFileSync(path.join(root, 'manifest.json'), 'utf8')).browser_specific_settings.gecko.id;
}

/** The add-on id in a packaged zip's manifest.json. */
function archiveAddonId(archive) {
  const manifest = unzip(fs.readFileSync(archive)).find((e) => e.name === 'manifest.json');
  if (!manifest) throw new Error(`${archive} has no manifest.json`);
  return JSON.parse(manifest.data.toString('utf8')).browser_specific_settings.gecko.id;
}

/**
 * Launch headless Firefox and install the extension as a temporary add-on
 * (what about:debugging's "Load Temporary Add-on" does): the unpacked
 * extension at `root`, or the packaged zip `archive` (`make package`).
 * Returns `{browser, uuid, base, bidi, openExtensionTab, evaluate, grantWebRequest, close}`.
 * With `watch` (the default) the optional `webRequest` permission is granted
 * and the test sites watched; without it the add-on is as freshly installed.
 */
export async function launchFirefox({ root = EXTENSION_ROOT, archive, watch = true, devtools = false } = {}) {
  if (archive && !fs.existsSync(archive)) throw new Error(`no package ${archive} (run \`make package\`)`);
  for (const f of archive ? [] : ['manifest.json', 'www/pkg/cors_lens_bg.wasm', PANEL_PATH]) {
    if (!fs.existsSync(path.join(root, f))) throw new Error(`extension not built: missing ${f} under ${root} (run \`make build\`)`);
  }
  const id = archive ? archiveAddonId(archive) : addonId(root);
  if (!fs.existsSync(FIREFOX)) throw new Error(`no Firefox at ${FIREFOX}`);
  const uuid = crypto.randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    // `--devtools`: the toolbox opens, headless too, and the extension's
    // DevTools page runs in it (extension/devtools.js). Measured (Firefox ESR
    // 153, branch perm): on the first tab only; a tab opened later through
    // puppeteer's newPage got no toolbox (its requests were not observed).
    args: ['--remote-allow-system-access', ...(devtools ? ['--devtools'] : [])],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [id]: uuid }),
      // Optional permissions granted from a click without the doorhanger a
      // user would answer (it cannot be answered over BiDi).
      'extensions.webextOptionalPermissionPrompts': false,
    },
    timeout: 60000,
  });
  const close = () => browser.close().catch(() => {});
  try {
    // BiDi's webExtension.install takes a directory ("path") or an .xpi/.zip ("archivePath").
    const installed = archive
      ? (await browser.connection.send('webExtension.install', { extensionData: { type: 'archivePath', path: path.resolve(archive) } })).result.extension
      : await browser.installExtension(root);
    if (installed !== id) throw new Error(`installed ${installed}, expected ${id}`);
  } catch (e) {
    await close();
    throw new Error(`the extension did not install in Firefox: ${e.message}`);
  }
  const base = `moz-extension://${uuid}/`;

  /** One WebDriver BiDi command; its `result`. */
  const bidi = async (method, params) => (await browser.connection.send(method, params)).result;

  /** A new tab showing the extension page `page` (relative to the root), loaded. Returns its BiDi context id. */
  async function openExtensionTab(page) {
    const { context } = await bidi('browsingContext.create', { type: 'tab' });
    await navigate(context, page);
    return context;
  }

  async function navigate(context, page) {
    await bidi('browsingContext.navigate', { context, url: base + page, wait: 'complete' });
  }

  /**
   * Runs `fn(...args)` in a tab (an extension page has the extension's
   * `browser.*` APIs) and returns its result; arguments and result travel as
   * JSON.
   */
  async function evaluate(context, fn, ...args) {
    const r = await bidi('script.callFunction', {
      functionDeclaration: `async (json) => JSON.stringify(await (${fn})(...JSON.parse(json)) ?? null)`,
      arguments: [{ type: 'string', value: JSON.stringify(args) }],
      target: { context },
      awaitPromise: true,
      resultOwnership: 'none',
    });
    if (r.type === 'exception') throw new Error(`in ${context}: ${r.exceptionDetails?.text}`);
    return JSON.parse(r.result.value);
  }

  /**
   * Grants the optional `webRequest` permission from a real click (BiDi
   * `input.performActions`) on a button put in the extension page `context`:
   * Firefox accepts `permissions.request` only from a user input handler.
   * Unlike Chromium, Firefox reports the permission's events at once
   * (docs/performance.md), so no restart follows.
   */
  async function grantWebRequest(context) {
    await evaluate(context, async () => {
      const button = document.createElement('button');
      button.textContent = 'grant';
      button.style.cssText = 'position:fixed;inset:0 auto auto 0;width:200px;height:50px;z-index:2147483647';
      button.addEventListener('click', () => {
        window.granted = browser.permissions.request({ permissions: ['webRequest'] }).catch((e) => String(e));
      });
      document.body.append(button);
    });
    const click = [{ type: 'pointerMove', x: 50, y: 20 }, { type: 'pointerDown', button: 0 }, { type: 'pointerUp', button: 0 }];
    await bidi('input.performActions', { context, actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: click }] });
    const answer = await evaluate(context, async () => window.granted);
    if (answer !== true) throw new Error(`permissions.request answered ${JSON.stringify(answer)}`);
  }

  // As in Chromium (helpers.mjs launchWithExtension): the permission is
  // granted and the test sites are on the extension's watch list, so that
  // their tabs are observed.
  if (watch) {
    try {
      const tab = await openExtensionTab(PANEL_PATH);
      await grantWebRequest(tab);
      await evaluate(tab, async (sites) => browser.storage.local.set({ watchSites: sites }), TEST_SITES);
      await bidi('browsingContext.close', { context: tab });
    } catch (e) {
      await close();
      throw new Error(`could not watch the test sites in Firefox: ${e.message}`);
    }
  }

  return { browser, uuid, base, bidi, openExtensionTab, navigate, evaluate, grantWebRequest, close };
}

/**
 * Firefox's reason names (its console's `CORS…` message keys, which MDN's
 * CORS error pages are named after), found by the text it prints in
 * "Cross-Origin Request Blocked: … (Reason: …)".
 */
const FIREFOX_REASONS = [
  [/CORS header ‘Access-Control-Allow-Origin’ missing/, 'CORSMissingAllowOrigin'],
  [/Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed/, 'CORSMultipleAllowOriginNotAllowed'],
  [/CORS header ‘Access-Control-Allow-Origin’ does not match/, 'CORSAllowOriginNotMatchingOrigin'],
  [/Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘\*’/, 'CORSNotSupportingCredentials'],
  [/expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’/, 'CORSMissingAllowCredentials'],
  [/CORS preflight response did not succeed/, 'CORSPreflightDidNotSucceed'],
  [/Did not find method in CORS header ‘Access-Control-Allow-Methods’/, 'CORSMethodNotFound'],
  [/is not allowed according to header ‘Access-Control-Allow-Headers’/, 'CORSMissingAllowHeaderFromPreflight'],
  [/invalid token .* in CORS header ‘Access-Control-Allow-Methods’/, 'CORSInvalidAllowMethod'],
  [/invalid token .* in CORS header ‘Access-Control-Allow-Headers’/, 'CORSInvalidAllowHeader'],
  [/CORS request external redirect not allowed/, 'CORSExternalRedirectNotAllowed'],
  [/CORS request not http/, 'CORSRequestNotHttp'],
  [/CORS request did not succeed/, 'CORSDidNotSucceed'],
  [/CORS disabled/, 'CORSDisabled'],
];

/** Firefox's reason id for one console line, or null when it is not a CORS refusal. */
export function firefoxReason(text) {
  if (!/^Cross-Origin Request Blocked:/.test(text)) return null;
  const found = FIREFOX_REASONS.find(([re]) => re.test(text));
  return found ? found[1] : `unrecognised: ${text}`;
}

/**
 * The lab in Firefox's first tab, with what its console says kept: `lines`
 * (every console line and page error) and `reasonsFor(nonce)` (Firefox's
 * reason ids for one run of a scenario, in the order it printed them).
 * @param {{ browser: import('puppeteer-core').Browser }} ff
 * @param {{ labUrl: string }} lab
 */
export async function openLabInFirefox(ff, lab) {
  const page = (await ff.browser.pages())[0];
  /** @type {string[]} */
  const lines = [];
  page.on('pageerror', (e) => lines.push(e.message));
  page.on('console', (m) => lines.push(m.text()));
  await page.goto(lab.labUrl);
  await page.waitForFunction(() => window.labReady && window.labScenarios, { timeout: 15000 });
  await page.evaluate(() => window.labReady);
  const linesFor = (nonce) => lines.filter((l) => l.includes(`lab=${nonce}`));
  const reasonsFor = (nonce) => linesFor(nonce).map(firefoxReason).filter(Boolean);
  return { page, lines, linesFor, reasonsFor };
}

/**
 * The id of the lab's tab, asked from an extension tab `ext`.
 * @param {{ evaluate: Function }} ff
 */
export async function labTabId(ff, ext, lab) {
  const tabs = await ff.evaluate(ext, () => browser.tabs.query({}));
  const tabId = tabs.find((t) => t.url === lab.labUrl)?.id;
  if (!Number.isInteger(tabId)) throw new Error(`no tab for ${lab.labUrl}: ${JSON.stringify(tabs.map((t) => t.url))}`);
  return tabId;
}

/** Scenarios where Firefox and Chromium name the same reason: asserted one by one. */
export const STRICT = [
  'fetch-no-acao',
  'xhr-no-acao',
  'img-crossorigin-no-acao',
  'status-404-no-acao',
  'acao-other-origin',
  'acao-two-lines',
  'preflight-no-acao',
  'preflight-401-with-acao',
  'preflight-method-disallowed',
  'preflight-header-disallowed',
  // Refused only because credentials were sent: Firefox reports the actual
  // request first and ends it after (or before) its preflight.
  'preflight-wildcard-credentials',
  'preflight-no-acac',
  // The preflight's redirect ends after its actual request.
  'preflight-redirect',
  // Refused at a redirect: Firefox ends the request at the new URL with an
  // NS_ERROR_* that is not its CORS error.
  'redirect-userinfo-no-acao',
  'redirect-userinfo',
  'redirect-username-only',
  'redirect-userinfo-relative',
  'xhr-redirect-userinfo',
  'same-origin-redirect-userinfo-cross',
  'preflight-ok-redirect-userinfo',
];
/** Passing controls: loaded, no console line, no finding. */
export const CONTROLS = ['ok-wildcard', 'ok-matching-origin', 'ok-img-nocors', 'ok-preflight-put'];
