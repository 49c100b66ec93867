// Hostile traffic end to end: a server answering with markup, control
// characters, bytes that are not UTF-8 and very large values; very long URLs,
// IDN and IPv6 hosts, explicit default ports, data:, blob: and ws: URLs. The
// worker survives all of it, the panel shows what it shows as text: no
// element is created from a value, no script runs, no dialog opens.
// (The same kinds of input, as raw webRequest events: tests/fixtures/hostile.json.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithExtension, openPanel, tabIdFor, waitFor, waitForPanel, readStoredRecords, CorsOracle, auditPanelInPage } from './helpers.mjs';
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

// The answers the server gives: HOSTILE, then the cut-value cases (added
// once the page's origin is known), and their preflight answers.
const answers = [...HOSTILE];
const preflights = [];

let srv;
let br;
let page;
let panel;
let tabId;
let dialogs = 0;

before(async () => {
  srv = await startStress({ hostile: answers, preflight: preflights });
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

  // Storage holds the values redacted and bounded (8 KB per value).
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

// Issue 14: a cut value changed a verdict. Values just over CORS Lens's caps
// (8 KB per value, 256 lines) and the sizes Chromium accepts (response heads
// up to 256 KB), at the headers the check reads: the panel's reason must be
// Chromium's own (Network.loadingFailed.corsErrorStatus), and what is stored
// is cut and marked only after the verdict.
test('cut values: the verdict is Chromium\'s whatever the size or position of a header', { timeout: 120000 }, async () => {
  const origin = srv.pageOrigin;
  const filler = Array.from({ length: 300 }, (_, i) => [`X-Filler-${i}`, bytes('1')]);
  const line = (name, value) => [name, bytes(value)];
  const acao = (v) => line('Access-Control-Allow-Origin', v);
  const star = acao('*');
  const cases = [
    { what: '64 KB ACAO, the origin then a path (the bug)', answer: [acao(`${origin}/${'x'.repeat(64 * 1024)}`)] },
    { what: '200 KB ACAO, the origin then a path', answer: [acao(`${origin}/${'x'.repeat(200 * 1024)}`)] },
    { what: 'ACAO one word 65 bytes past 8 KB', answer: [acao('x'.repeat(8 * 1024 + 65))] },
    { what: '64 KB ACAO, then a second value', answer: [acao(`${origin}/${'x'.repeat(64 * 1024)},http://b.test`)] },
    { what: 'ACAO after 300 other lines', answer: [...filler, acao(origin)] },
    { what: 'a second ACAO after 300 other lines', answer: [acao(origin), ...filler, acao(origin)] },
    {
      what: '64 KB of allowed methods ending with PUT',
      method: 'PUT',
      preflight: [star, line('Access-Control-Allow-Methods', `${'GET, '.repeat(13000)}PUT`)],
      answer: [star],
    },
    {
      what: '64 KB of allowed methods ending with a non-token',
      method: 'PUT',
      preflight: [star, line('Access-Control-Allow-Methods', `${'GET, '.repeat(13000)}PUT, <x>`)],
      answer: [star],
    },
    {
      what: '64 KB of allowed headers ending with x-wanted',
      headers: { 'x-wanted': '1' },
      preflight: [star, line('Access-Control-Allow-Headers', `${'x-a, '.repeat(13000)}x-wanted`)],
      answer: [star],
    },
    { what: 'allowed methods after 300 other lines', method: 'PUT', preflight: [star, ...filler, line('Access-Control-Allow-Methods', 'PUT')], answer: [star] },
    {
      // A redirect to a URL with credentials, its Location after 300 lines.
      what: 'a 302 whose Location (with credentials) follows 300 other lines',
      answer: [line(':status', '302 Found'), acao(origin), ...filler, line('Location', `http://u:p@localhost:${new URL(srv.apiOrigin).port}/pass`)],
    },
  ];
  const first = answers.length;
  cases.forEach((c, i) => {
    answers[first + i] = c.answer;
    if (c.preflight) preflights[first + i] = c.preflight;
  });
  const oracle = await CorsOracle.attach(br.context, page);
  const runs = cases.map((c, i) => ({ ...c, url: `${srv.apiOrigin}/hostile/${first + i}?lab=cut${i}x`, nonce: `cut${i}x` }));
  const results = await page.evaluate(async (list) => {
    const out = [];
    for (const r of list) {
      try {
        const res = await fetch(r.url, { method: r.method ?? 'GET', headers: r.headers ?? {}, cache: 'no-store', redirect: 'follow' });
        await res.text(); // read to the end: DevTools reports the load finished
        out.push(true);
      } catch {
        out.push(false);
      }
    }
    return out;
  }, runs.map(({ url, method, headers }) => ({ url, method, headers })));
  const chromium = [];
  for (const r of runs) chromium.push(await oracle.verdict(r.nonce));
  const expected = chromium.filter((v) => v.corsError).length;
  let stored = [];
  await waitFor(async () => {
    stored = (await readStoredRecords(panel, tabId)).filter((rec) => rec.kind === 'failure' && /lab=cut\d+x/.test(rec.url ?? ''));
    return stored.length >= expected;
  }, { timeout: 20000, what: `${expected} cut-value findings in storage` });
  await new Promise((r) => setTimeout(r, 500));
  stored = (await readStoredRecords(panel, tabId)).filter((rec) => rec.kind === 'failure' && /lab=cut\d+x/.test(rec.url ?? ''));
  const rows = [];
  runs.forEach((r, i) => {
    const v = chromium[i];
    const mine = stored.find((rec) => new URL(rec.url).searchParams.get('lab') === r.nonce);
    rows.push([r.what, v.corsError ?? 'pass', mine?.reason ?? 'pass', results[i] ? 'ok' : 'failed']);
    assert.equal(mine?.reason ?? null, v.corsError ?? null, `${r.what}: CORS Lens said ${mine?.reason}, Chromium ${v.corsError} (${v.errorText ?? ''})`);
    if (mine && v.failedParameter) {
      // What is kept is Chromium's value, cut and marked when long.
      const kept = mine.failedParameter.replace(/… \[\d+ bytes cut\]$/, '');
      assert.ok(v.failedParameter.startsWith(kept), `${r.what}: kept failedParameter is a prefix of Chromium's`);
      if (v.failedParameter.length > 9000) assert.match(mine.failedParameter, /bytes cut\]$/, `${r.what}: marked`);
      assert.ok(mine.failedParameter.length < 9000, `${r.what}: cut to the cap`);
    }
  });
  console.table(rows);
  // The bug's own case is a mismatch in Chromium, as in CORS Lens.
  assert.equal(chromium[0].corsError, 'AllowOriginMismatch');
  assert.ok(chromium.some((v) => !v.corsError), 'some cases pass in Chromium');
});
