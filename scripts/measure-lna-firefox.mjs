// Measures what Firefox ESR gives `webRequest` for a Local Network Access
// refusal: a page made "public" with the `network.lna.address_space.public.override`
// pref fetches a loopback API, with `network.lna.enabled` and
// `network.lna.blocking` on. Prints one JSON line per case (the webRequest
// events, what the page saw, what the server received, the console lines)
// for docs/browser-facts.md ("Local Network Access").
//
//   node scripts/measure-lna-firefox.mjs     (FIREFOX_PATH to pick the binary)
//
// A throwaway extension posts every webRequest event to the script's log
// server; it is written to a temporary directory and removed afterwards.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

function listen(handler) {
  return new Promise((resolve) => {
    const s = http.createServer(handler);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

const events = [];
const seen = [];
const log = await listen((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    try {
      events.push(JSON.parse(body));
    } catch {
      /* not an event */
    }
    res.writeHead(204);
    res.end();
  });
});
const page = await listen((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('<!doctype html><title>lna</title><p>lna probe');
});
const api = await listen((req, res) => {
  seen.push(`${req.method} ${req.url}`);
  res.writeHead(req.method === 'OPTIONS' ? 204 : 200, {
    'Access-Control-Allow-Origin': req.headers.origin || '*',
    'Access-Control-Allow-Methods': 'GET, PUT',
    'Access-Control-Allow-Headers': 'x-probe',
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'OPTIONS' ? '' : 'ok');
});
const pagePort = page.address().port;
const pageOrigin = `http://127.0.0.1:${pagePort}`;
const apiOrigin = `http://localhost:${api.address().port}`;
const logUrl = `http://127.0.0.1:${log.address().port}/log`;

const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'lna-probe-ff-'));
fs.writeFileSync(
  path.join(ext, 'manifest.json'),
  JSON.stringify({
    manifest_version: 2,
    name: 'lna probe',
    version: '1',
    browser_specific_settings: { gecko: { id: 'lna-probe@cors-lens.test' } },
    permissions: ['webRequest', '<all_urls>'],
    background: { scripts: ['bg.js'] },
  }),
);
fs.writeFileSync(
  path.join(ext, 'bg.js'),
  `for (const name of ['onBeforeRequest', 'onSendHeaders', 'onHeadersReceived', 'onResponseStarted', 'onBeforeRedirect', 'onCompleted', 'onErrorOccurred']) {
  const extra = name === 'onSendHeaders' ? ['requestHeaders'] : undefined;
  browser.webRequest[name].addListener((d) => {
    if (d.url.startsWith(${JSON.stringify(logUrl)})) return;
    const requestHeaders = d.requestHeaders?.filter((h) => /^(origin|access-control|sec-fetch-mode)/i.test(h.name)).map((h) => h.name + ': ' + h.value);
    fetch(${JSON.stringify(logUrl)}, { method: 'POST', body: JSON.stringify({ name, method: d.method, url: d.url, ip: d.ip, statusCode: d.statusCode, error: d.error, requestHeaders }) });
  }, { urls: ['<all_urls>'] }, extra);
}`,
);

async function run(label, prefs, request) {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, extraPrefsFirefox: prefs, timeout: 60000 });
  const out = { label, firefox: await browser.version(), prefs };
  try {
    await browser.installExtension(ext);
    const tab = (await browser.pages())[0];
    tab.on('console', (m) => (out.console ??= []).push(m.text()));
    await tab.goto(`${pageOrigin}/`);
    await new Promise((r) => setTimeout(r, 500));
    events.splice(0);
    out.fetch = await tab.evaluate(
      async (url, init) => {
        try {
          // A prompt nobody answers (headless) would hold the request forever.
          const r = await fetch(url, { ...init, signal: AbortSignal.timeout(8000) });
          return `status ${r.status}`;
        } catch (e) {
          return String(e);
        }
      },
      `${apiOrigin}${request.path}`,
      request.init,
    );
    await new Promise((r) => setTimeout(r, 1000));
    out.webRequest = events.splice(0).filter((e) => e.url.startsWith(apiOrigin)).map((e) => ({ ...e, url: e.url.replace(apiOrigin, '{api}') }));
    out.serverSaw = seen.splice(0);
  } catch (e) {
    out.error = String(e.stack || e);
  } finally {
    await browser.close().catch(() => {});
  }
  console.log(JSON.stringify(out));
}

const lna = { 'network.lna.enabled': true, 'network.lna.blocking': true, 'network.lna.address_space.public.override': `127.0.0.1:${pagePort}` };
const simple = { path: '/simple', init: {} };
const preflighted = { path: '/preflighted', init: { method: 'PUT', headers: { 'x-probe': '1' } } };
// Headless Firefox cannot answer the prompt: the permission's default decides
// (`permissions.default.<type>`: 1 allow, 2 deny; Firefox's types are
// `loopback-network` and `local-network`).
const deny = { ...lna, 'permissions.default.loopback-network': 2, 'permissions.default.local-network': 2 };
const allow = { ...lna, 'permissions.default.loopback-network': 1, 'permissions.default.local-network': 1 };
await run('lna-prompt-simple', lna, simple);
await run('lna-denied-simple', deny, simple);
await run('lna-denied-preflight', deny, preflighted);
await run('lna-allowed-simple', allow, simple);
await run('lna-off-simple', { 'network.lna.enabled': false }, simple);
for (const s of [log, page, api]) s.close();
fs.rmSync(ext, { recursive: true, force: true });
