// Measures what Chromium gives `webRequest` and the DevTools protocol for a
// Local Network Access (LNA) refusal: a page made "public" with
// `--ip-address-space-overrides` fetches a loopback API, with the permission
// denied, granted or left to prompt. Prints one JSON line per case (the
// webRequest events with their `ip`, the preflight's request headers, the
// error string, Network.loadingFailed's corsErrorStatus) for
// docs/browser-facts.md ("Local Network Access").
//
//   node scripts/measure-lna.mjs            (CHROMIUM_PATH to pick the binary)
//
// A throwaway extension records every webRequest event; it is written to a
// temporary directory and removed afterwards.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function listen(handler, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = http.createServer(handler);
    s.listen(0, host, () => resolve(s));
  });
}

const seen = [];
const page = await listen((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('<!doctype html><title>lna</title><p>lna probe');
});
const api = await listen((req, res) => {
  seen.push({ method: req.method, url: req.url, headers: req.headers });
  const h = {
    'Access-Control-Allow-Origin': req.headers.origin || '*',
    'Access-Control-Allow-Methods': 'GET, PUT',
    'Access-Control-Allow-Headers': 'x-probe',
    'Cache-Control': 'no-store',
  };
  if (new URL(req.url, 'http://x').searchParams.has('pna')) h['Access-Control-Allow-Private-Network'] = 'true';
  res.writeHead(req.method === 'OPTIONS' ? 204 : 200, h);
  res.end(req.method === 'OPTIONS' ? '' : 'ok');
});
const pageOrigin = `http://127.0.0.1:${page.address().port}`;
const apiOrigin = `http://127.0.0.1:${api.address().port}`;

const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'lna-probe-ext-'));
fs.writeFileSync(
  path.join(ext, 'manifest.json'),
  JSON.stringify({ manifest_version: 3, name: 'lna probe', version: '1', permissions: ['webRequest'], host_permissions: ['<all_urls>'], background: { service_worker: 'sw.js' } }),
);
fs.writeFileSync(
  path.join(ext, 'sw.js'),
  `globalThis.events = [];
for (const name of ['onBeforeRequest', 'onSendHeaders', 'onHeadersReceived', 'onResponseStarted', 'onBeforeRedirect', 'onCompleted', 'onErrorOccurred']) {
  const extra = name === 'onSendHeaders' ? ['requestHeaders', 'extraHeaders'] : name === 'onHeadersReceived' ? ['responseHeaders', 'extraHeaders'] : undefined;
  chrome.webRequest[name].addListener((d) => { events.push({ name, ...d }); }, { urls: ['<all_urls>'] }, extra);
}`,
);

async function run({ label, extraArgs = [], permission, secureContext = false, request, pageHost }) {
  // A page under a host name (mapped to the loopback page server): its URL
  // tells no address, as for a site on the Internet.
  const origin = pageHost ? `http://${pageHost}:${page.address().port}` : pageOrigin;
  if (pageHost) extraArgs = [...extraArgs, `--host-resolver-rules=MAP ${pageHost} 127.0.0.1`];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lna-probe-'));
  const args = ['--no-sandbox', '--disable-gpu', '--no-first-run', `--disable-extensions-except=${ext}`, `--load-extension=${ext}`, `--ip-address-space-overrides=${new URL(pageOrigin).host}=public`, ...extraArgs];
  if (secureContext) args.push(`--unsafely-treat-insecure-origin-as-secure=${origin}`);
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, ignoreDefaultArgs: ['--disable-extensions', '--disable-component-extensions-with-background-pages'], args });
  const out = { label, permission: permission ?? 'default', secureContext, chromium: context.browser()?.version() };
  try {
    let sw = context.serviceWorkers()[0] || (await context.waitForEvent('serviceworker'));
    const browserSession = await context.browser()?.newBrowserCDPSession?.();
    const tab = await context.newPage();
    if (permission && browserSession) {
      for (const name of ['local-network-access', 'local-network', 'loopback-network']) {
        try {
          await browserSession.send('Browser.setPermission', { permission: { name }, setting: permission, origin });
          (out.setPermission ??= []).push(`${name}: ok`);
        } catch (e) {
          (out.setPermission ??= []).push(`${name}: ${e.message.split('\n')[0]}`);
        }
      }
    }
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Network.enable');
    const failed = [];
    const sent = [];
    cdp.on('Network.loadingFailed', (e) => failed.push({ errorText: e.errorText, corsErrorStatus: e.corsErrorStatus, blockedReason: e.blockedReason }));
    cdp.on('Network.requestWillBeSentExtraInfo', (e) => sent.push({ clientSecurityState: e.clientSecurityState, headers: e.headers }));
    cdp.on('Network.responseReceivedExtraInfo', (e) => (out.responseExtraInfo ??= []).push({ resourceIPAddressSpace: e.resourceIPAddressSpace, statusCode: e.statusCode }));
    tab.on('console', (m) => (out.console ??= []).push(m.text()));
    await tab.goto(`${origin}/`);
    out.fetch = await tab.evaluate(
      async ({ url, init }) => {
        try {
          const r = await fetch(url, init);
          return `status ${r.status}`;
        } catch (e) {
          return String(e);
        }
      },
      { url: `${apiOrigin}${request.path}`, init: request.init },
    );
    await new Promise((r) => setTimeout(r, 500));
    sw = context.serviceWorkers()[0] || sw;
    const events = await sw.evaluate(() => events.filter((e) => e.type !== 'main_frame'));
    out.webRequest = events.map((e) => ({ name: e.name, method: e.method, url: e.url.replace(apiOrigin, '{api}'), ip: e.ip, statusCode: e.statusCode, error: e.error, fromCache: e.fromCache, requestHeaders: e.requestHeaders?.map((h) => `${h.name}: ${h.value}`).filter((h) => /^(access-control|origin|sec-fetch-mode)/i.test(h)) }));
    out.loadingFailed = failed;
    out.clientSecurityState = sent.map((s) => s.clientSecurityState).filter(Boolean)[0] ?? null;
    out.serverSaw = seen.splice(0).map((r) => `${r.method} ${r.url} acrpn=${r.headers['access-control-request-private-network'] ?? '-'} acrln=${r.headers['access-control-request-local-network'] ?? '-'}`);
  } catch (e) {
    out.error = String(e.stack || e);
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out));
}

const simple = { path: '/simple', init: {} };
const preflighted = { path: '/preflighted', init: { method: 'PUT', headers: { 'x-probe': '1' } } };
const cases = (process.env.LNA_CASES || 'all').split(',');
const want = (id) => cases.includes('all') || cases.includes(id);
if (want('default-simple')) await run({ label: 'default-simple', request: simple });
if (want('denied-simple')) await run({ label: 'denied-simple', permission: 'denied', request: simple });
if (want('granted-simple')) await run({ label: 'granted-simple', permission: 'granted', request: simple });
if (want('secure-denied-simple')) await run({ label: 'secure-denied-simple', permission: 'denied', secureContext: true, request: simple });
if (want('secure-granted-simple')) await run({ label: 'secure-granted-simple', permission: 'granted', secureContext: true, request: simple });
if (want('secure-denied-preflight')) await run({ label: 'secure-denied-preflight', permission: 'denied', secureContext: true, request: preflighted });
if (want('secure-granted-preflight')) await run({ label: 'secure-granted-preflight', permission: 'granted', secureContext: true, request: preflighted });
if (want('private-target')) await run({ label: 'private-target', permission: 'denied', secureContext: true, extraArgs: [`--ip-address-space-overrides=${new URL(pageOrigin).host}=public,${new URL(apiOrigin).host}=private`], request: simple });
if (want('named-insecure-simple')) await run({ label: 'named-insecure-simple', pageHost: 'lna-public.test', request: simple });
if (want('named-insecure-preflight')) await run({ label: 'named-insecure-preflight', pageHost: 'lna-public.test', request: preflighted });
if (want('named-secure-preflight')) await run({ label: 'named-secure-preflight', pageHost: 'lna-public.test', secureContext: true, request: preflighted });
if (want('named-secure-granted-preflight')) await run({ label: 'named-secure-granted-preflight', pageHost: 'lna-public.test', secureContext: true, permission: 'granted', request: preflighted });
page.close();
api.close();
fs.rmSync(ext, { recursive: true, force: true });
