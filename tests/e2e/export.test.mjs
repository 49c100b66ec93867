// Export and import (issue 4), in real Chromium with the built extension:
// requests that carry a cookie, an Authorization header, an API key header,
// a ?token= parameter and user:pass@ in the URL fail CORS; the panel's
// exports (JSON validated against docs/export.schema.json, Markdown) and its
// curl commands hold none of those secrets; the curl commands, run against
// the same server, show the header the finding names as missing; importing
// the JSON shows the same findings; bad files are refused with a message.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
import Ajv2020 from 'ajv/dist/2020.js';
import { ROOT, launchWithExtension, openPanel, tabIdFor, waitForPanel, readPanel, readStoredFindings, waitFor } from './helpers.mjs';

const SECRETS = ['SECRETCOOKIE', 'SECRETBEARER', 'SECRETAPIKEY', 'SECRETTOKEN', 'SECRETPASS'];

function hasCurl() {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Page on 127.0.0.1:P, API on 127.0.0.1:A: same site (the page's cookie goes along), cross-origin. */
async function startServers() {
  const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
  const page = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>export lab</title><p>export lab</p>');
  });
  const api = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const origin = req.headers.origin || '';
    if (req.method === 'OPTIONS' && url.pathname === '/data') {
      // The preflight passes; the actual response then lacks the header.
      res.writeHead(204, {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, PUT',
        'access-control-allow-headers': 'authorization, x-api-key',
      });
      return res.end();
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'PUT' }); // no Allow-Origin
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'other=SECRETCOOKIE' });
    res.end('{"ok":true}');
  });
  const [pagePort, apiPort] = [await listen(page), await listen(api)];
  return {
    pageUrl: `http://127.0.0.1:${pagePort}/app?session=SECRETTOKEN`,
    pageOrigin: `http://127.0.0.1:${pagePort}`,
    apiOrigin: `http://127.0.0.1:${apiPort}`,
    close: () => Promise.all([page, api].map((s) => new Promise((r) => s.close(r)))),
  };
}

let servers;
let br;
let page;
let panel;
let tabId;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-export-'));

before(async () => {
  servers = await startServers();
  br = await launchWithExtension();
  page = br.context.pages()[0] ?? (await br.context.newPage());
  await page.goto(servers.pageUrl);
  tabId = await tabIdFor(br.serviceWorker, servers.pageUrl);
  panel = await openPanel(br.context, br.extensionId, tabId);
});

after(async () => {
  await br?.close();
  await servers?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function downloadFrom(buttonSelector) {
  const [download] = await Promise.all([panel.waitForEvent('download', { timeout: 15000 }), panel.click(buttonSelector)]);
  const file = path.join(tmp, download.suggestedFilename());
  await download.saveAs(file);
  return { name: download.suggestedFilename(), file, text: fs.readFileSync(file, 'utf8') };
}

function assertNoSecret(what, text) {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${what} contains the secret ${s}:\n${text.slice(0, 2000)}`);
}

/** Opens the detail pane of the failure whose row contains `text` (a click on its row); returns the pane. */
async function openRow(text) {
  await panel.locator('#findings [role="row"][data-kind="failure"]', { hasText: text }).click();
  const detail = panel.locator('#findings .detail');
  await waitFor(async () => (await detail.locator('.f-url').textContent().catch(() => '')).includes(text), { what: `the detail pane of ${text}` });
  return detail;
}

test('exports hold no secret, validate, reproduce with curl and import back', { timeout: 180000 }, async () => {
  assert.ok(hasCurl(), 'curl is needed to run the reproduction commands (apt-get install -y curl)');
  const api = servers.apiOrigin;
  await page.evaluate(async (api) => {
    document.cookie = 'sid=SECRETCOOKIE; path=/';
    const settle = (p) => p.then(() => 'ok', (e) => String(e));
    // 1. user:pass@ in the URL (XHR accepts it; fetch refuses such URLs).
    await new Promise((resolve) => {
      const x = new XMLHttpRequest();
      x.open('GET', api.replace('http://', 'http://alice:SECRETPASS@') + '/plain?token=SECRETTOKEN&lab=1');
      x.onloadend = resolve;
      x.send();
    });
    // 2. Cookie + Authorization + X-API-Key + ?token=: the preflight passes, the response lacks the header.
    await settle(fetch(`${api}/data?token=SECRETTOKEN&lab=2`, { credentials: 'include', headers: { Authorization: 'Bearer SECRETBEARER', 'X-API-Key': 'SECRETAPIKEY' } }));
    // 3. The preflight itself fails.
    await settle(fetch(`${api}/pre?api_key=SECRETAPIKEY&lab=3`, { method: 'PUT', headers: { 'X-API-Key': 'SECRETAPIKEY' } }));
  }, api);

  const live = await waitForPanel(panel, (p) => p.findings.length >= 3, { timeout: 20000, what: 'three findings' });
  const reasons = live.findings.map((f) => f.reason).sort();
  assert.deepEqual(reasons, ['MissingAllowOriginHeader', 'MissingAllowOriginHeader', 'PreflightMissingAllowOriginHeader']);
  const stored = await readStoredFindings(br.serviceWorker, tabId);
  assert.ok(JSON.stringify(stored).includes('[redacted]'), 'credentials were redacted at capture');
  assertNoSecret('storage.session', JSON.stringify(stored));

  assert.ok(await panel.isVisible('#export-note'), 'the panel says secrets are redacted');

  // JSON: file name, schema, no secret.
  const json = await downloadFrom('#export-json');
  assert.match(json.name, /^cors-lens-127\.0\.0\.1-\d{8}T\d{6}Z\.json$/);
  assertNoSecret('JSON export', json.text);
  const exported = JSON.parse(json.text);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/export.schema.json'), 'utf8')));
  assert.ok(validate(exported), JSON.stringify(validate.errors, null, 2));
  assert.equal(exported.findings.length, 3);
  assert.equal(exported.extension.version, JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8')).version);
  assert.match(exported.browser, /\S+ \d+/);
  assert.equal(exported.page.url, `${servers.pageOrigin}/app?session=[redacted]`);
  const withAuth = exported.findings.find((f) => f.url.includes('lab=2'));
  assert.ok(withAuth.url.includes('token=[redacted]'), withAuth.url);
  assert.ok(withAuth.preflight, 'the preflight that let the request go is exported');
  const sent = Object.fromEntries(withAuth.exchange.requestHeaders.map(([n, v]) => [n.toLowerCase(), v]));
  assert.equal(sent.authorization, '[redacted]');
  assert.equal(sent['x-api-key'], '[redacted]');
  assert.equal(sent.cookie, 'sid=[redacted]');
  assert.equal(withAuth.credentials, 'include-cookie');
  console.log('JSON excerpt:\n' + JSON.stringify({ ...exported, findings: [withAuth], notices: exported.notices.slice(0, 1) }, null, 2).slice(0, 2500));

  // Markdown.
  const md = await downloadFrom('#export-md');
  assert.match(md.name, /^cors-lens-127\.0\.0\.1-\d{8}T\d{6}Z\.md$/);
  assertNoSecret('Markdown export', md.text);
  assert.ok(md.text.includes('| # |'), 'a summary table');
  assert.equal((md.text.match(/^## \d+\. /gm) || []).length, 3, 'one section per finding');
  console.log('Markdown excerpt:\n' + md.text.slice(0, 1800));

  // One finding on its own, through its own button in the detail pane.
  const detail = await openRow('lab=3');
  const [one] = await Promise.all([panel.waitForEvent('download'), detail.locator('button[data-action="json"]').click()]);
  const oneText = fs.readFileSync(await one.path(), 'utf8');
  assertNoSecret('one-finding JSON', oneText);
  assert.equal(JSON.parse(oneText).findings.length, 1);
  assert.equal(JSON.parse(oneText).findings[0].reason, 'PreflightMissingAllowOriginHeader');

  // curl for each finding: no secret, and run against the API it shows the missing header.
  for (const lab of ['lab=1', 'lab=2', 'lab=3']) {
    const d = await openRow(lab);
    await panel.evaluate(() => {
      const io = document.querySelector('#io-status');
      io.hidden = true;
      io.dataset.kind = '';
    });
    await d.locator('button[data-action="curl"]').click();
    // Copied, or (no clipboard in this context) said so: the commands stay readable in the Reproduce tab.
    await waitFor(async () => ['curl-copied', 'copy-fallback'].includes(await panel.getAttribute('#io-status', 'data-kind')), { what: `the copy of curl for ${lab}` });
    await waitFor(async () => (await d.locator('pre.f-curl').textContent()).includes(lab), { what: `curl for ${lab}` });
    const script = await d.locator('pre.f-curl').textContent();
    assertNoSecret(`curl for ${lab}`, script);
    const reason = await panel.getAttribute('#findings [role="row"][aria-selected="true"]', 'data-reason');
    // Explanations are `: '…'` lines (never `#`: zsh runs those by default).
    assert.ok(!script.split('\n').some((l) => l.startsWith('#')), script);
    const commands = script.split('\n').filter((l) => !l.startsWith(": '")).join('\n').split(/\n(?=curl )/);
    // Async: the API server runs in this process and must keep answering.
    const out = [];
    for (const c of commands) out.push((await run('sh', ['-c', c], { encoding: 'utf8', timeout: 10000 })).stdout);
    const lacksAllowOrigin = (o) => !/^access-control-allow-origin:/im.test(o);
    if (reason === 'PreflightMissingAllowOriginHeader') {
      assert.match(commands[0], /-X 'OPTIONS'/);
      assert.match(commands[0], /Access-Control-Request-Method: PUT/);
      assert.ok(lacksAllowOrigin(out[0]), `the preflight's answer lacks Access-Control-Allow-Origin:\n${out[0]}`);
    } else {
      const last = out.at(-1);
      assert.match(last, /^HTTP\/1\.1 200/m);
      assert.ok(lacksAllowOrigin(last), `the response lacks Access-Control-Allow-Origin:\n${last}`);
    }
    if (lab === 'lab=2') {
      assert.match(script, /Access-Control-Request-Headers: authorization,x-api-key/i);
      assert.match(script, /Cookie/);
      assert.match(script, /Authorization/);
      console.log('curl excerpt:\n' + script);
      assert.match(out[0], /^access-control-allow-origin: /im, 'the preflight passes, as in the browser');
    }
  }

  // Import: the imported view shows what was exported.
  const before = await readPanel(panel);
  await panel.setInputFiles('#import-file', json.file);
  await waitFor(async () => panel.isVisible('#import-banner'), { what: 'the import banner' });
  assert.ok((await panel.textContent('#import-text')).includes(json.name));
  const importedView = await waitForPanel(panel, (p) => p.findings.length === 3, { what: 'imported findings' });
  const key = (f) => `${f.reason}|${f.method}|${f.url}|${f.type}|${f.status}`;
  const fromFile = exported.findings.map((f) => `${f.reason}|${f.method}|${f.url}|${f.type}|${f.status ?? ''}`).sort();
  assert.deepEqual(importedView.findings.map(key).map((k) => k.replace(/\|null$/, '|')).sort(), fromFile.map((k) => k));
  assert.deepEqual(importedView.findings.map((f) => f.what), before.findings.map((f) => f.what).map((w) => w.replace(/token=SECRETTOKEN/g, 'token=[redacted]').replace(/api_key=SECRETAPIKEY/g, 'api_key=[redacted]').replace('alice:SECRETPASS@', '[redacted]@')));
  assert.ok(await panel.isDisabled('#clear'), 'imported findings are read-only');
  // Re-exporting the imported view gives the same findings.
  const again = JSON.parse((await downloadFrom('#export-json')).text);
  assert.deepEqual(again.findings, exported.findings);

  // Bad files: a message, and nothing shown changes.
  const bad = {
    'notes.txt': 'hello, not json',
    // JSON that is neither an export nor a HAR (a HAR is imported: har.test.mjs).
    'har.json': JSON.stringify({ log: { version: '1.2' } }),
    'future.json': JSON.stringify({ ...exported, version: 2 }),
    'huge.json': ' '.repeat(50 * 1024 * 1024),
    // Named like a placeholder of the message: shown as named (one-pass filling).
    '{message}.json': 'hello, not json',
  };
  const messages = {};
  for (const [name, text] of Object.entries(bad)) {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    await panel.setInputFiles('#import-file', file);
    await waitFor(async () => (await panel.textContent('#io-status')).includes(name), { what: `the refusal of ${name}` });
    messages[name] = await panel.textContent('#io-status');
    const now = await readPanel(panel);
    assert.deepEqual(now.findings.map(key), importedView.findings.map(key), `${name} changed what is shown`);
  }
  assert.match(messages['notes.txt'], /not JSON/);
  assert.match(messages['har.json'], /not a CORS Lens export/);
  assert.match(messages['future.json'], /version 2/);
  assert.match(messages['huge.json'], /50\.0 MB/);
  assert.match(messages['{message}.json'], /Could not import \{message\}\.json: .*not JSON/);

  // A file past the import's caps: the first 2 000 records are kept, long
  // values cut, and the panel says both plainly.
  const crowded = { ...exported, findings: Array.from({ length: 2010 }, (_, i) => ({ ...exported.findings[0], url: `${exported.findings[0].url}&n=${i}` })) };
  crowded.findings[0] = { ...crowded.findings[0], failedParameter: 'x'.repeat(100 * 1024) };
  const crowdedFile = path.join(tmp, 'crowded.json');
  fs.writeFileSync(crowdedFile, JSON.stringify(crowded));
  await panel.setInputFiles('#import-file', crowdedFile);
  await waitFor(async () => (await panel.textContent('#import-text')).includes('crowded.json'), { what: 'the crowded import' });
  const said = await panel.textContent('#io-status');
  assert.match(said, /Imported 2,000 of the 2,010 findings and notices/, said);
  assert.match(said, /1 of them held values longer than 8 KB/, said);

  // Back to live findings.
  await panel.click('#import-back');
  await waitFor(async () => !(await panel.isVisible('#import-banner')), { what: 'the banner to go' });
  const back = await waitForPanel(panel, (p) => p.findings.length === 3);
  assert.ok(back.findings.some((f) => f.url.includes('token=[redacted]')), 'the live view shows the live URLs again, redacted at capture');
  assertNoSecret('the live panel', JSON.stringify(back.findings));
});

// The filter (issue 4: "export all findings, the filtered ones, or one"):
// the list narrows as the user types, "shown findings" exports exactly what
// is on screen, "all findings" ignores the filter. Runs on the three live
// findings the test above produced.
test('the filter narrows the list, and the export of shown findings holds exactly those', { timeout: 60000 }, async () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/export.schema.json'), 'utf8')));
  const all = await waitForPanel(panel, (p) => p.findings.length === 3, { what: 'the three live findings' });
  const total = (await readStoredFindings(br.serviceWorker, tabId)).length;
  assert.equal(await panel.isVisible('#filter-count'), false, 'no count while nothing is filtered');
  const setFilter = async (query, kind = 'all') => {
    await panel.fill('#filter', query);
    await panel.selectOption('#filter-kind', kind);
  };
  const urls = (p) => p.findings.map((f) => f.url).sort();

  // One word: the preflight failure only.
  await setFilter('lab=3');
  const one = await waitForPanel(panel, (p) => p.findings.length === 1, { what: 'the filtered list' });
  assert.equal(one.findings[0].reason, 'PreflightMissingAllowOriginHeader');
  assert.equal(await panel.textContent('#filter-count'), `1 of ${total} shown`);
  assert.equal(await panel.inputValue('#export-scope'), 'shown');
  assert.equal(await panel.textContent('#export-scope option[value="shown"]'), 'What is shown (1)');
  assert.equal(await panel.textContent('#export-scope option[value="all"]'), `Everything (${total})`);
  const shown = await downloadFrom('#export-json');
  const shownJson = JSON.parse(shown.text);
  assert.ok(validate(shownJson), JSON.stringify(validate.errors, null, 2));
  assert.deepEqual(shownJson.findings.map((f) => f.reason), ['PreflightMissingAllowOriginHeader']);
  assert.deepEqual(shownJson.notices, []);
  assertNoSecret('filtered JSON export', shown.text);

  // The scope "all findings" ignores the filter.
  await panel.selectOption('#export-scope', 'all');
  const everything = JSON.parse((await downloadFrom('#export-json')).text);
  assert.equal(everything.findings.length, 3);
  assert.equal(everything.findings.length + everything.notices.length, total);
  await panel.selectOption('#export-scope', 'shown');

  // A field prefix and a negation: the two GET requests; Markdown has their two sections.
  await setFilter('-method:put');
  const gets = await waitForPanel(panel, (p) => p.findings.length === 2, { what: 'the GET findings' });
  assert.deepEqual(urls(gets), urls(all).filter((u) => !u.includes('lab=3')));
  const md = await downloadFrom('#export-md');
  assert.equal((md.text.match(/^## \d+\. /gm) || []).length, 2, 'one section per shown finding');
  assert.ok(!md.text.includes('lab=3'), 'the hidden finding is not in the report');

  // The kind selector, and a per-finding button still exports its own finding under a filter.
  await setFilter('lab=2', 'failures');
  await waitForPanel(panel, (p) => p.findings.length === 1, { what: 'lab=2 only' });
  const only = await openRow('lab=2');
  const [single] = await Promise.all([panel.waitForEvent('download'), only.locator('button[data-action="json"]').click()]);
  const singleJson = JSON.parse(fs.readFileSync(await single.path(), 'utf8'));
  assert.ok(singleJson.findings[0].url.includes('lab=2'), singleJson.findings[0].url);
  await setFilter('', 'notices');
  const notices = await waitForPanel(panel, (p) => p.findings.length === 0, { what: 'failures hidden' });
  assert.equal(notices.findings.length, 0);

  // Nothing matches: said plainly, not "no CORS failures seen".
  await setFilter('no-such-request-anywhere');
  const nothing = await waitForPanel(panel, (p) => p.findings.length === 0, { what: 'nothing matches' });
  assert.equal(await panel.isVisible('#filter-nothing'), true, 'the nothing-matches line is shown');
  assert.equal(nothing.emptyVisible, false, 'the empty-tab line is not');

  // In French, the same words and counts are localised.
  await panel.selectOption('#lang', 'fr');
  await setFilter('lab=3');
  await waitFor(async () => (await panel.textContent('#filter-count')) === `1 sur ${total} affichés`, { what: 'the French count' });
  assert.match(await panel.getAttribute('#filter', 'placeholder'), /^Filtrer/);
  await panel.selectOption('#lang', 'en');

  // Cleared: everything again.
  await setFilter('');
  const back = await waitForPanel(panel, (p) => p.findings.length === 3, { what: 'the whole list' });
  assert.deepEqual(urls(back), urls(all));
  assert.equal(await panel.isVisible('#filter-count'), false);
});
