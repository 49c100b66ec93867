// Hostile traffic end to end: a server answering with markup, control
// characters, bytes that are not UTF-8 and very large values; very long URLs,
// IDN and IPv6 hosts, explicit default ports, data:, blob: and ws: URLs. The
// worker survives all of it, the panel shows what it shows as text: no
// element is created from a value, no script runs, no dialog opens.
// (The same kinds of input, as raw webRequest events: tests/fixtures/hostile.json.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithExtension, openPanel, tabIdFor, waitForPanel, readStoredRecords, auditPanelInPage } from './helpers.mjs';
import { startStress } from './stress-server.mjs';

const SCRIPT = '"><script>window.__xss=1</script>';
const SVG = '<svg onload=alert(1)>';
const bytes = (s) => [...Buffer.from(s, 'latin1')];
// [name, bytes] header lines of each /hostile/<n> answer.
const HOSTILE = [
  [['Access-Control-Allow-Origin', bytes(SCRIPT)], ['X-Note', bytes(SVG)]],
  [['Access-Control-Allow-Origin', bytes('http://127.0.0.1\x1b[31m\x7f\x01<b>')]],
  [['Access-Control-Allow-Origin', [0xff, 0xfe, 0x3c, 0x69, 0x3e, 0xc3, 0x28]]],
  [['Access-Control-Allow-Origin', bytes('<i>'.repeat(60000))]],
  [['Access-Control-Allow-Origin', bytes('http://127.0.0.1'), ...[]], ['Access-Control-Allow-Credentials', bytes('<img src=x onerror=alert(2)>')]],
];

let srv;
let br;
let page;
let panel;
let tabId;
let dialogs = 0;

before(async () => {
  srv = await startStress({ hostile: HOSTILE });
  br = await launchWithExtension();
  page = br.context.pages()[0] ?? (await br.context.newPage());
  await page.goto(srv.pageUrl);
  tabId = await tabIdFor(br.serviceWorker, srv.pageUrl);
  panel = await openPanel(br.context, br.extensionId, tabId);
  for (const p of [page, panel]) {
    p.on('dialog', async (d) => {
      dialogs++;
      await d.dismiss().catch(() => {});
    });
  }
});

after(async () => {
  await br?.close();
  await srv?.close();
});

test('hostile answers and URLs: the worker survives, the panel shows text only', { timeout: 120000 }, async () => {
  const port = new URL(srv.apiOrigin).port;
  const urls = [
    ...HOSTILE.map((_, i) => `${srv.apiOrigin}/hostile/${i}`),
    `${srv.apiOrigin}/fail/long?q=${'%3Cscript%3E'.repeat(10000)}`, // a 120 KB URL
    `http://xn--bcher-kva.localhost:${port}/fail/idn`, // *.localhost is loopback
    `http://bücher.localhost:${port}/fail/idn-unicode`,
    `http://[::1]:${port}/fail/ipv6`, // the server listens on IPv4 only: refused, not CORS
    `http://localhost:80/fail/default-port`,
    `https://localhost:443/fail/default-port`,
  ];
  const result = await page.evaluate(async ([list, wsUrl]) => {
    const out = await window.burst(list, 4);
    // No webRequest CORS verdict for these; they must not disturb the worker.
    const blob = URL.createObjectURL(new Blob(['<script>window.__xss=1</script>'], { type: 'text/html' }));
    await fetch(blob).catch(() => {});
    await fetch('data:text/html,<script>alert(1)</script>').catch(() => {});
    await new Promise((r) => {
      const ws = new WebSocket(wsUrl);
      ws.onerror = ws.onclose = () => r();
      setTimeout(r, 2000);
    });
    return out;
  }, [urls, `ws://localhost:${port}/socket`]);
  assert.equal(result.ok, 0, 'every request failed one way or another');

  const st = await waitForPanel(panel, (p) => p.findings.length >= 8, { timeout: 30000, quietMs: 800, what: 'the hostile findings in the panel' });
  const shown = st.findings.map((f) => f.url).join('\n');
  for (const part of ['/hostile/0', '/hostile/1', '/hostile/2', '/hostile/3', '/hostile/4', '/fail/long', 'xn--bcher-kva.localhost']) {
    assert.ok(shown.includes(part), `a finding for ${part} in the panel: ${shown.slice(0, 400)}`);
  }

  // The table, and every row's detail pane with all its tabs.
  const audit = await panel.evaluate(auditPanelInPage, { root: 'main', forbidden: 'img, script, svg, iframe, object, embed, b, i' });
  assert.equal(audit.rows, st.rows, 'every row was opened');
  const dom = { ...audit, xss: await panel.evaluate(() => typeof window.__xss) };
  assert.equal(dom.elements, 0, 'an element was created from a header value');
  assert.deepEqual(dom.handlers, [], 'elements with on* attributes');
  assert.equal(dom.xss, 'undefined', 'a script ran in the panel');
  assert.ok(dom.text.includes(SCRIPT), 'the script payload is shown as text');
  assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined', 'a script ran in the page');

  // Storage holds the values raw but bounded (8 KB per value).
  const stored = await readStoredRecords(panel, tabId);
  const big = stored.find((r) => r.url?.endsWith('/hostile/3'));
  assert.ok(big, 'the 180 KB value was stored');
  assert.ok(big.allowOrigin[0].length < 9000 && /bytes cut\]$/.test(big.allowOrigin[0]), 'cut to the cap, and marked');
  assert.ok(JSON.stringify(stored).length < 2_000_000, 'storage stays small');

  await new Promise((r) => setTimeout(r, 500));
  assert.equal(dialogs, 0, 'a dialog opened');
  // The worker still answers: a fresh panel gets the same list.
  const again = await openPanel(br.context, br.extensionId, tabId);
  await waitForPanel(again, (p) => p.findings.length === st.findings.length, { what: 'a second panel answered' });
  await again.close();
});
