// Local Network Access in real Chromium with the built extension: the lab page
// is served over https (a front server with a certificate made here by
// openssl, proxying to the lab's page server) under a host name
// (`https://lna-public.test:<port>`, mapped to 127.0.0.1 by
// --host-resolver-rules) that Chromium counts as public
// (--ip-address-space-overrides=127.0.0.1:<port>=public), and fetches the
// lab API on localhost (loopback). A secure page with a URL that tells no
// address: a site on the Internet. Headless Chromium cannot show the
// permission prompt, so the permission is denied until the test grants it
// (Browser.setPermission). For every scenario of tests/fixtures/lna-scenarios.json
// the browser's own verdict (Network.loadingFailed.corsErrorStatus) is the
// oracle: the stored record and the panel must name the same reason and
// failed parameter, the server must have received nothing. The same requests
// from a page that is not a secure context (`http://lna-insecure.test`, the
// page server itself, also counted as public) must be
// `InsecureLocalNetwork` on both sides, and once the permission is granted
// (to a page of their own, made secure by
// --unsafely-treat-insecure-origin-as-secure), the controls pass and leave
// nothing. The panel then shows the findings in
// French with no English sentence of the catalog.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  ROOT,
  startLab,
  launchWithExtension,
  watchSites,
  openLab,
  openPanel,
  tabIdFor,
  waitForPanel,
  readStoredRecords,
  findingMatches,
  CorsOracle,
  table,
  waitFor,
} from './helpers.mjs';

const PUBLIC_HOST = 'lna-public.test';
const INSECURE_HOST = 'lna-insecure.test';
// The granted controls run from a page of their own, made secure by a flag
// (the setting measured in docs/browser-facts.md), so that the grant leaves
// the denied page's origin alone.
const GRANTED_HOST = 'lna-granted.test';

let lab;
let br;
let front;
const rows = [];
const agreement = { agree: 0, total: 0 };

/** Chromium's flags: both page servers public, the host names mapped, the self-made certificate accepted. */
function lnaBrowserArgs(ports) {
  return [
    `--host-resolver-rules=${[PUBLIC_HOST, INSECURE_HOST, GRANTED_HOST].map((h) => `MAP ${h} 127.0.0.1`).join(',')}`,
    `--ip-address-space-overrides=${ports.map((p) => `127.0.0.1:${p}=public`).join(',')}`,
    `--unsafely-treat-insecure-origin-as-secure=http://${GRANTED_HOST}:${ports[1]}`,
    '--ignore-certificate-errors',
  ];
}

/** An https server with a fresh self-signed certificate, forwarding every request to the lab's page server. */
async function httpsFront(upstream) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-lna-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${PUBLIC_HOST}`], { stdio: 'ignore' });
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    const up = http.request({ host: '127.0.0.1', port: upstream(), path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  fs.rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

before(async () => {
  front = await httpsFront(() => lab.pagePort);
  lab = await startLab({ pageOrigin: `https://${PUBLIC_HOST}:${front.address().port}` });
  br = await launchWithExtension({ extraArgs: lnaBrowserArgs([front.address().port, lab.pagePort]) });
  br.serviceWorker = await watchSites(br.context, br.extensionId, [PUBLIC_HOST, INSECURE_HOST, GRANTED_HOST]);
});

after(async () => {
  if (rows.length) console.log('\n' + table(['page', 'scenario', 'Chromium verdict', 'failedParameter', 'stored finding', 'panel finding', 'server saw'], rows));
  console.log(`\nagreement with Chromium (reason and failedParameter, or nothing): ${agreement.agree}/${agreement.total}`);
  await br?.close();
  await lab?.close();
  front?.close();
  front?.closeAllConnections?.();
});

/** A lab tab at `url`, with its oracle and its panel. */
async function labTab(host, url) {
  const page = await br.context.newPage();
  await openLab(br.context, { ...lab, labUrl: url }, { page });
  const oracle = await CorsOracle.attach(br.context, page);
  const tabId = await tabIdFor(br.serviceWorker, url);
  const panel = await openPanel(br.context, br.extensionId, tabId);
  return { host, page, oracle, tabId, panel };
}

/**
 * Runs scenario `s` in `tab`; checks the browser's verdict against `want`
 * (the table), then the stored record and the panel against the browser.
 */
async function runAndCompare(tab, s, want) {
  const result = await tab.page.evaluate((id) => window.runScenario(id), s.id);
  const v = await tab.oracle.verdict(result.nonce);
  const browserSays = v.corsError ?? null;
  const serverSaw = lab.requests.filter((r) => r.url.includes(`lab=${result.nonce}`)).map((r) => r.method);
  const row = [tab.host, s.id, browserSays ?? `none (${v.errorText || v.status || v.state})`, v.failedParameter, '', '', serverSaw.join(' ') || 'nothing'];
  rows.push(row);
  agreement.total++;
  assert.equal(browserSays, want, `${s.id}: Chromium's verdict differs from the table (the table is what must be corrected)`);
  if (!browserSays) {
    // A control: give the worker time to store anything it would, then look.
    await waitForPanel(tab.panel, () => true, { quietMs: 600 });
    const mine = (await readStoredRecords(tab.panel, tab.tabId)).filter((r) => findingMatches(r, result.nonce));
    assert.deepEqual(mine.map((r) => r.reason ?? r.notice), [], `${s.id}: nothing stored for a request Chromium let through`);
    assert.deepEqual(serverSaw.sort(), (s.preflight ? ['OPTIONS', 'PUT'] : ['GET']).sort(), `${s.id}: the server answered`);
    row[4] = row[5] = 'nothing';
    agreement.agree++;
    return;
  }
  const stored = await waitForPanel(tab.panel, (p) => p.findings.some((f) => findingMatches(f, result.nonce)), { timeout: 15000, what: `a panel finding for ${s.id}` });
  const shown = stored.findings.find((f) => findingMatches(f, result.nonce));
  const record = (await readStoredRecords(tab.panel, tab.tabId)).find((r) => r.reason && findingMatches(r, result.nonce));
  row[4] = record ? `${record.reason} (${JSON.stringify(record.failedParameter ?? '')})` : 'none';
  row[5] = shown.reason;
  assert.ok(record, `${s.id}: no stored finding`);
  assert.equal(record.reason, browserSays, `${s.id}: stored reason`);
  assert.equal(record.failedParameter ?? '', v.failedParameter ?? '', `${s.id}: failedParameter`);
  assert.equal(shown.reason, browserSays, `${s.id}: panel reason`);
  assert.equal(record.method, s.method || 'GET', `${s.id}: reported under the page's own method`);
  assert.deepEqual(serverSaw, [], `${s.id}: the server received something`);
  // One report per refusal: no notice beside it (the actual request of a refused preflight).
  const mine = (await readStoredRecords(tab.panel, tab.tabId)).filter((r) => findingMatches(r, result.nonce));
  assert.deepEqual(mine.map((r) => r.reason ?? r.notice), [browserSays], `${s.id}: one record`);
  agreement.agree++;
}

let publicTab;

test('denied: every local-network scenario is the reason Chromium names, nothing reaches the server', { timeout: 300000 }, async (t) => {
  publicTab = await labTab(PUBLIC_HOST, lab.labUrl);
  for (const s of lab.lnaScenarios.filter((x) => !x.granted)) {
    await t.test(s.id, { timeout: 45000 }, () => runAndCompare(publicTab, s, s.expect));
  }
});

test('a page that is not a secure context: InsecureLocalNetwork on both sides', { timeout: 120000 }, async (t) => {
  const tab = await labTab(INSECURE_HOST, `http://${INSECURE_HOST}:${lab.pagePort}/lab.html`);
  try {
    for (const s of lab.lnaScenarios.filter((x) => !x.granted)) {
      await t.test(s.id, { timeout: 45000 }, () => runAndCompare(tab, s, 'InsecureLocalNetwork'));
    }
  } finally {
    await tab.oracle.detach();
    await tab.panel.close();
    await tab.page.close();
  }
});

test('the local-network findings in French: the catalog French texts, no English sentence', { timeout: 60000 }, async () => {
  const catalog = (lang) => JSON.parse(fs.readFileSync(path.join(ROOT, '_locales', lang, 'messages.json'), 'utf8'));
  const en = catalog('en');
  const fr = catalog('fr');
  const { panel } = publicTab;
  await panel.selectOption('select#lang', 'fr');
  const st = await waitForPanel(panel, (p) => p.lang === 'fr' && p.findings.some((f) => f.reason === 'LocalNetworkAccessPermissionDenied'), { what: 'the French panel' });
  const lna = st.findings.filter((f) => f.reason === 'LocalNetworkAccessPermissionDenied');
  assert.ok(lna.length >= 3, `local-network findings shown: ${lna.length}`);
  const titles = new Set(lna.map((f) => f.title));
  assert.deepEqual([...titles], [fr.title_LocalNetworkAccessPermissionDenied.message]);
  // The longest stretch of a message between its placeholders: what shows it is on screen.
  const chunk = (cat, key) => cat[key].message.split(/\{[a-z]+\}/).sort((a, b) => b.length - a.length)[0];
  const text = lna.map((f) => [f.title, f.what, f.why, f.fix].join('\n')).join('\n');
  for (const key of ['what_LocalNetworkAccessPermissionDenied', 'what_LocalNetworkAccessPermissionDenied_preflight', 'why_LocalNetworkAccessPermissionDenied', 'fix_LocalNetworkAccessPermissionDenied', 'title_LocalNetworkAccessPermissionDenied']) {
    assert.ok(!text.includes(chunk(en, key)), `English text of ${key} in the French panel`);
  }
  assert.ok(lna.every((f) => f.why === fr.why_LocalNetworkAccessPermissionDenied.message), 'the French why');
  assert.ok(lna.every((f) => f.fix?.startsWith(fr.fix_LocalNetworkAccessPermissionDenied.message)), 'the French fix');
  // Both wordings are used: named by the browser (simple requests) and read from the addresses (preflight).
  assert.ok(lna.some((f) => f.what?.includes(chunk(fr, 'what_LocalNetworkAccessPermissionDenied'))), 'the French wording of a named refusal');
  assert.ok(lna.some((f) => f.what?.includes(chunk(fr, 'what_LocalNetworkAccessPermissionDenied_preflight'))), 'the French wording of a refused preflight');
});

test('granted: the controls pass and leave nothing', { timeout: 120000 }, async (t) => {
  const origin = `http://${GRANTED_HOST}:${lab.pagePort}`;
  const tab = await labTab(GRANTED_HOST, `${origin}/lab.html`);
  // The API is on loopback: Chromium 156 asks for `loopback-network`. The
  // grant is an override of this DevTools session: it lasts while the
  // session stays attached (measured: gone once detached).
  const session = await br.context.browser().newBrowserCDPSession();
  await session.send('Browser.setPermission', { permission: { name: 'loopback-network' }, setting: 'granted', origin });
  const state = () => tab.page.evaluate(() => navigator.permissions.query({ name: 'loopback-network' }).then((p) => p.state));
  await waitFor(async () => (await state()) === 'granted', { timeout: 10000, what: 'the page to see the permission granted' });
  try {
    for (const s of lab.lnaScenarios.filter((x) => x.granted)) {
      await t.test(s.id, { timeout: 45000 }, () => runAndCompare(tab, s, null));
    }
  } finally {
    await session.detach();
  }
});
