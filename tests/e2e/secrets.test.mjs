// Redaction at capture (issue 14), in real Chromium with the built extension:
// a page sends requests carrying the shapes of tests/fixtures/secrets.json
// (request headers, the Cookie, the Referer, URLs with secret query and path
// parameters, a JWT in the path, userinfo through XMLHttpRequest) and the
// server answers with the response shapes (Set-Cookie, WWW-Authenticate
// nonces, Authentication-Info, URLs with userinfo in Location and Link...).
// Every request fails CORS, so each becomes a finding. No shape's token may
// appear in storage.session (read through the worker), the panel's text, the
// JSON export, the Markdown report, or the curl text the copy button puts on
// the clipboard; the controls (values without a secret) come out unchanged.
// Shapes a page cannot produce (fragments, Proxy-Authorization, a redirect
// target before the browser resolves it) are marked `browser: false` in the
// corpus, with the reason, and covered by crate/core/tests/secrets.rs only.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, launchWithExtension, openPanel, tabIdFor, waitForPanel, readStoredRecords, waitFor, isFailure } from './helpers.mjs';

const corpus = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures/secrets.json'), 'utf8'));
const inBrowser = corpus.shapes.filter((s) => s.browser !== false);
const of = (where) => inBrowser.filter((s) => s.in === where);
const TOKENS = corpus.shapes.map((s) => s.token);

/** Page on 127.0.0.1:P, API on 127.0.0.1:A: same site (the page's cookie goes along), cross-origin. */
async function startServers() {
  const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
  const seen = [];
  const page = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end('<!doctype html><title>secrets lab</title><p>secrets lab</p>');
  });
  const group = (list) => {
    const out = {};
    for (const { name, value } of list) (out[name] ??= []).push(value);
    return out;
  };
  const api = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.rawHeaders });
    const origin = req.headers.origin || '';
    if (req.method === 'OPTIONS') {
      // Every preflight passes; the actual responses then fail the check.
      res.writeHead(204, {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': req.headers['access-control-request-headers'] || '',
        'cache-control': 'no-store',
      });
      return res.end();
    }
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/controls') {
      res.writeHead(200, group(corpus.controls.filter((c) => c.in === 'responseHeader')));
      return res.end('{"ok":true}');
    }
    // No Access-Control-Allow-Origin: MissingAllowOriginHeader.
    res.writeHead(200, { 'cache-control': 'no-store', ...group(of('responseHeader')) });
    res.end('secrets');
  });
  const [pagePort, apiPort] = [await listen(page), await listen(api)];
  return {
    pageOrigin: `http://127.0.0.1:${pagePort}`,
    apiOrigin: `http://127.0.0.1:${apiPort}`,
    seen,
    close: () => Promise.all([page, api].map((s) => new Promise((r) => s.close(r)))),
  };
}

let servers;
let br;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-secrets-'));

before(async () => {
  servers = await startServers();
  br = await launchWithExtension();
});

after(async () => {
  await br?.close();
  await servers?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function leaks(text) {
  return TOKENS.filter((t) => text.includes(t));
}

test('no secret shape survives into storage, the panel, the exports or the clipboard', { timeout: 240000 }, async () => {
  const [pageShape] = of('pageUrl');
  const pageUrl = servers.pageOrigin + pageShape.path;
  const page = br.context.pages()[0] ?? (await br.context.newPage());
  await page.goto(pageUrl);
  const tabId = await tabIdFor(br.serviceWorker, pageUrl);
  const panel = await openPanel(br.context, br.extensionId, tabId);

  const api = servers.apiOrigin;
  const plan = {
    api,
    cookie: of('requestHeader').find((s) => s.browser === 'cookie').value,
    headers: of('requestHeader')
      .filter((s) => s.browser !== 'cookie')
      .map((s) => [s.name, s.value]),
    referrer: servers.pageOrigin + of('referrer')[0].path,
    urls: of('url').map((s) => ({ path: s.path, userinfo: s.userinfo ?? null })),
    controls: corpus.controls.filter((c) => c.in === 'requestHeader').map((c) => [c.name, c.value]),
  };
  const sent = await page.evaluate(async (plan) => {
    const settle = (p) => p.then(() => 'ok', (e) => String(e));
    document.cookie = `${plan.cookie}; path=/`;
    let n = 0;
    // Every request header shape, the cookie and the Referer at once.
    await settle(fetch(`${plan.api}/secrets?lab=headers`, { credentials: 'include', headers: plan.headers, referrer: plan.referrer, referrerPolicy: 'unsafe-url' }));
    n++;
    for (const u of plan.urls) {
      if (u.userinfo) {
        // fetch() refuses URLs with credentials; XMLHttpRequest sends them.
        await new Promise((resolve) => {
          const x = new XMLHttpRequest();
          x.open('GET', plan.api.replace('http://', `http://${u.userinfo}@`) + u.path);
          x.onloadend = resolve;
          x.send();
        });
      } else {
        await settle(fetch(plan.api + u.path));
      }
      n++;
    }
    await settle(fetch(`${plan.api}/controls?lab=controls`, { headers: plan.controls }));
    return n + 1;
  }, plan);

  // The shapes did leave the browser raw: the test is not vacuous.
  const wire = JSON.stringify(servers.seen);
  for (const s of [...of('requestHeader'), ...of('url'), ...of('referrer')]) {
    assert.ok(wire.includes(s.token) || s.userinfo, `the server never received ${s.id} (${s.class})`);
  }

  // storage.session, read through the worker: every finding there, redacted.
  const sw = br.serviceWorker;
  let stored = [];
  await waitFor(
    async () => {
      stored = (await readStoredRecords(sw, tabId)).filter(isFailure);
      return stored.reduce((sum, r) => sum + (r.count ?? 1), 0) >= sent;
    },
    { timeout: 30000, what: `${sent} stored failures` },
  );
  const storage = JSON.stringify(await sw.evaluate(() => chrome.storage.session.get(null)));
  assert.deepEqual(leaks(storage), [], 'storage.session holds a secret');
  // The engine did see the shapes: their names are there, values replaced.
  const lower = storage.toLowerCase();
  for (const s of [...of('requestHeader').filter((s) => s.browser !== 'cookie'), ...of('responseHeader')]) {
    assert.ok(lower.includes(`"${s.name.toLowerCase()}"`), `the record lacks the header ${s.name}`);
  }
  assert.ok(lower.includes('"cookie"'), 'the cookie was sent and captured');
  assert.ok(lower.includes('"referer"'), 'the Referer was captured');

  // The controls: nothing rewritten.
  const control = stored.find((r) => r.url.includes('lab=controls'));
  assert.ok(control, 'the controls request was captured');
  assert.deepEqual(control.allowOrigin, ['https://app.example.com @team']);
  const byName = (pairs) => pairs.map(([n, v]) => [n.toLowerCase(), v]);
  for (const c of corpus.controls) {
    const pairs = byName(c.in === 'requestHeader' ? control.exchange.requestHeaders : control.exchange.responseHeaders);
    assert.ok(
      pairs.some(([n, v]) => n === c.name.toLowerCase() && v === c.value),
      `${c.name}: ${c.value} changed: ${JSON.stringify(pairs)}`,
    );
  }

  // The panel: everything it shows, collapsed parts included.
  await waitForPanel(panel, (p) => p.findings.length >= stored.length, { timeout: 20000, what: 'every finding in the panel' });
  const panelText = await panel.evaluate(() => document.body.textContent);
  assert.deepEqual(leaks(panelText), [], 'the panel shows a secret');
  assert.ok(panelText.includes('[redacted]'));

  // The exports.
  const download = async (selector) => {
    const [d] = await Promise.all([panel.waitForEvent('download', { timeout: 15000 }), panel.click(selector)]);
    const file = path.join(tmp, d.suggestedFilename());
    await d.saveAs(file);
    return fs.readFileSync(file, 'utf8');
  };
  const json = await download('#export-json');
  assert.deepEqual(leaks(json), [], 'the JSON export holds a secret');
  const exported = JSON.parse(json);
  assert.equal(exported.findings.length, stored.length);
  const controlOut = exported.findings.find((f) => f.url.includes('lab=controls'));
  assert.deepEqual(controlOut.allowOrigin, ['https://app.example.com @team']);
  for (const c of corpus.controls.filter((c) => c.in === 'responseHeader')) {
    assert.ok(byName(controlOut.exchange.responseHeaders).some(([n, v]) => n === c.name.toLowerCase() && v === c.value), `${c.name} changed in the export`);
  }
  const md = await download('#export-md');
  assert.deepEqual(leaks(md), [], 'the Markdown report holds a secret');
  assert.ok(md.includes('https://app.example.com @team'), 'the Markdown report quotes the control unchanged');

  // "Copy as curl" for every finding: what reaches the clipboard.
  await panel.evaluate(() => {
    window.copied = [];
    navigator.clipboard.writeText = async (text) => {
      window.copied.push(text);
    };
  });
  // The table draws only the rows in view: a tall panel shows them all.
  await panel.setViewportSize({ width: 1400, height: 4000 });
  const rows = panel.locator('#findings [role="row"][data-kind="failure"]');
  await waitFor(async () => (await rows.count()) === stored.length, { what: 'every failure as a row' });
  const n = await rows.count();
  assert.equal(n, stored.length);
  for (let i = 0; i < n; i++) {
    await rows.nth(i).click();
    await panel.locator('#findings .detail button[data-action="curl"]').click();
    await waitFor(async () => (await panel.evaluate(() => window.copied.length)) === i + 1, { what: `curl ${i + 1} copied` });
  }
  const copied = await panel.evaluate(() => window.copied);
  assert.equal(copied.length, n);
  assert.deepEqual(leaks(copied.join('\n')), [], 'a curl script holds a secret');
  assert.ok(copied.some((c) => c.includes('lab=headers')), 'the headers request has its script');
  console.log(`${corpus.shapes.length} shapes (${inBrowser.length} produced by the page, ${corpus.shapes.length - inBrowser.length} native only), ${stored.length} findings, ${n} curl scripts: no token found`);
});
