// The complete fix, on real servers, for every failing scenario of the matrix.
//
// 1. Every failing scenario of tests/fixtures/{scenarios,preflight-scenarios,
//    matrix-scenarios}.json is run from the lab page in Chromium with the built
//    extension (the lab's API server is the misconfigured server): Chromium's
//    verdict must be the table's `expect`, and the finding the extension stored
//    is what the panel shows.
// 2. The built wasm core plans the complete fix for that finding
//    (fixPlan(record, 'en'): the changes in order) and writes the snippets
//    (fixSnippets(record, stack, 'en')).
// 3. For each stack (nginx, Apache, Express, Caddy when installed): the first
//    snippet (the fix the change list describes) is put in place of the server's
//    CORS block, the server reloaded once, and the same request (kind, method,
//    credentials, request headers; through a cross-origin redirect when the
//    finding's origin is `null`; to an error page when the failing answer had
//    an error status) sent again from the same page: Chromium must let it
//    through at once. For the scenarios that need three changes or more, every
//    snippet (every variant and flavor) is applied.
// Scenarios whose fix is where a redirect leads (no header change) are counted
// apart, as are those whose headers pass and whose redirect the browser then
// refuses. Prints how many scenarios needed 1, 2, 3+ changes.
//
// Needs `make build` (www/pkg) and scripts/setup-servers.sh.

import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { startLab, launchWithExtension, openLab, tabIdFor, currentServiceWorker, readStoredFindings, CorsOracle, waitFor, table, ROOT } from '../e2e/helpers.mjs';
import { RealServer, caddyInstalled, PLACEMENTS } from './servers.mjs';

const STACKS = ['nginx', 'apache', 'express', ...(caddyInstalled() ? ['caddy'] : [])];

/**
 * Where no configuration can make the request pass because the server refuses
 * the request before any configuration runs. Each is checked to happen
 * exactly so (the server answers the raw request line with this status), and
 * printed; the explanation's change list stays right for the other servers.
 */
const SERVER_LIMITS = {
  'nginx/preflight-method-patch-lowercase': {
    why: "nginx refuses a method in lowercase ('patch') while reading the request line, before any location or add_header runs",
    method: 'patch',
    status: 400,
  },
  'express/preflight-method-patch-lowercase': {
    why: "Node's HTTP parser refuses a method in lowercase ('patch') before Express sees the request",
    method: 'patch',
    status: 400,
  },
};
const limitsSeen = [];

/** The status line a server gives a raw request with this method (no client normalises it). */
function rawStatus(port, method, urlPath) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`${method} ${urlPath} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => (data += d));
    socket.on('end', () => resolve(Number((/^HTTP\/1\.[01] (\d{3})/.exec(data) || [])[1]) || null));
    socket.on('error', () => resolve(null));
    socket.setTimeout(3000, () => socket.destroy());
  });
}

let lab;
let br;
let page;
let oracle;
let core;
let tabId;
let redirector;
let seq = 0;
/** { scenario, record, plan } of each scenario a header change fixes */
const captured = [];
const skipped = [];
const rows = [];
const byCount = new Map();
let applied = 0;
const t0 = Date.now();

async function loadCore() {
  const pkg = path.join(ROOT, 'www/pkg');
  const js = path.join(pkg, 'cors_lens.js');
  if (!fs.existsSync(js)) throw new Error(`no ${js}: run \`make build\``);
  const mod = await import(js);
  await mod.default({ module_or_path: fs.readFileSync(path.join(pkg, 'cors_lens_bg.wasm')) });
  if (typeof mod.fixPlan !== 'function') throw new Error('www/pkg/cors_lens.js exports no fixPlan: rebuild with `make build`');
  return mod;
}

/** A server on another origin (http://localhost:<port>) whose 302 passes CORS and
 *  leads to `?to=`: the next hop then carries `Origin: null`, as in the lab. */
async function startRedirector(pageOrigin) {
  const server = http.createServer((req, res) => {
    const to = new URL(req.url, 'http://x.invalid').searchParams.get('to');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': pageOrigin,
        'Access-Control-Allow-Methods': req.headers['access-control-request-method'] || 'GET',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || 'Content-Type',
      });
      return res.end();
    }
    res.writeHead(302, { Location: to, 'Access-Control-Allow-Origin': pageOrigin, 'Cache-Control': 'no-store' });
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://localhost:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

before(async () => {
  core = await loadCore();
  lab = await startLab();
  br = await launchWithExtension();
  page = await openLab(br.context, lab, { page: br.context.pages()[0] });
  oracle = await CorsOracle.attach(br.context, page);
  tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  redirector = await startRedirector(lab.pageOrigin);
});

after(async () => {
  if (rows.length) console.log('\nComplete fix on real servers (first snippet; every snippet for 3+ changes):\n' + table(['stack', 'scenario', 'reason', 'changes', 'snippet', 'after one reload'], rows));
  for (const s of skipped) console.log(`not a header fix: ${s}`);
  for (const l of limitsSeen) console.log(`server limit (checked): ${l}`);
  const n = (k) => byCount.get(k) || 0;
  const more = [...byCount.entries()].filter(([k]) => k >= 3).reduce((a, [, v]) => a + v, 0);
  console.log(`\nchanges per failing scenario: 1 change: ${n(1)}, 2 changes: ${n(2)}, 3+ changes: ${more}; not fixed by headers: ${skipped.length}`);
  console.log(`stacks: ${STACKS.join(', ')}; ${applied} snippets applied, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await redirector?.close();
  await oracle?.detach();
  await br?.close();
  await lab?.close();
});

const failing = () =>
  [...lab.scenarios, ...lab.preflightScenarios, ...lab.matrixScenarios].filter((s) => s.expect && s.kind !== 'fetch-same-origin');

test('every failing scenario: Chromium agrees, and the core plans its complete fix', { timeout: 900000 }, async (t) => {
  for (const s of failing()) {
    await t.test(s.id, { timeout: 45000 }, async () => {
      const stored = async () => readStoredFindings(await currentServiceWorker(br.context, br.extensionId), tabId);
      const before = new Set((await stored()).map((r) => r.requestId));
      const result = await page.evaluate((id) => window.runScenario(id), s.id);
      const v = await oracle.verdict(result.nonce);
      assert.equal(v.corsError, s.expect, `${s.id}: Chromium's verdict`);
      // The run's record: its nonce in the URL, or, when the redaction took the
      // nonce for a random token (`acac-title-True-…` mixes cases and digits),
      // the one new record for the scenario's path.
      const pathname = new URL(s.path, 'http://x.invalid').pathname;
      const record = await waitFor(
        async () => {
          const list = await stored();
          return (
            list.find((r) => String(r.url).includes(`lab=${result.nonce}`)) ||
            list.find((r) => !before.has(r.requestId) && String(r.url).includes(pathname) && String(r.url).includes('[redacted'))
          );
        },
        { timeout: 30000, what: `the stored finding for ${s.id}` },
      );
      assert.equal(record.reason, s.expect);
      const plan = core.fixPlan(record, 'en');
      if (!plan.complete) {
        // Where a redirect leads: no header change makes the request pass.
        assert.ok(/Redirect|Scheme/.test(record.reason) || s.response?.status >= 300, `${s.id}: incomplete plan ${JSON.stringify(plan)}`);
        skipped.push(`${s.id} (${record.reason}; ${plan.changes.length} header change(s), then ${plan.changes.length ? 'the redirect target' : 'the redirect target only'})`);
        return;
      }
      assert.ok(plan.changes.length > 0, `${s.id}: a complete plan with no change`);
      byCount.set(plan.changes.length, (byCount.get(plan.changes.length) || 0) + 1);
      captured.push({ scenario: s, record, plan });
    });
  }
  assert.ok(captured.some((c) => c.plan.changes.length >= 3), 'scenarios that need three changes or more');
});

/** The request of a scenario, from the lab page, to `url`. */
async function replay(s, url) {
  const nonce = `cf${process.pid}-${++seq}`;
  const full = `${url}${url.includes('?') ? '&' : '?'}lab=${nonce}`;
  const seen = await page.evaluate(
    async ({ full, s }) => {
      const credentials = s.credentials === 'include' ? 'include' : 'omit';
      if (s.kind === 'xhr') {
        return new Promise((resolve) => {
          const x = new XMLHttpRequest();
          x.open(s.method || 'GET', full);
          x.withCredentials = credentials === 'include';
          for (const [n, v] of s.requestHeaders || []) x.setRequestHeader(n, v);
          x.onload = () => resolve({ resolved: true, status: x.status });
          x.onerror = () => resolve({ resolved: false, error: 'xhr error' });
          x.send();
        });
      }
      if (s.kind === 'img-crossorigin') {
        // The server answers JSON, not an image: the verdict is Chromium's.
        return new Promise((resolve) => {
          const img = new Image();
          img.crossOrigin = credentials === 'include' ? 'use-credentials' : 'anonymous';
          img.onload = img.onerror = () => resolve({ resolved: true, image: true });
          img.src = full;
        });
      }
      try {
        const r = await fetch(full, { method: s.method || 'GET', credentials, cache: 'no-store', headers: s.requestHeaders || [] });
        await r.text();
        return { resolved: true, status: r.status };
      } catch (e) {
        return { resolved: false, error: String(e) };
      }
    },
    { full, s },
  );
  const verdict = await oracle.verdict(nonce);
  return { seen, verdict };
}

const slotsOf = (snippet) => {
  const slots = {};
  for (const p of snippet.parts) slots[p.placement] = slots[p.placement] ? `${slots[p.placement]}\n${p.code}` : p.code;
  return slots;
};

for (const stack of STACKS) {
  test(`${stack}: the complete fix makes Chromium pass in one reload`, { timeout: 1800000 }, async (t) => {
    assert.ok(captured.length > 0, 'the scenarios were captured');
    const server = await RealServer.start(stack, { pageOrigin: lab.pageOrigin });
    try {
      for (const { scenario: s, record, plan } of captured) {
        await t.test(`${stack} ${s.id}`, { timeout: 120000 }, async () => {
          const snippets = core.fixSnippets(record, stack, 'en');
          assert.ok(snippets.length > 0, `${stack} ${s.id}: no snippet`);
          const chosen = plan.changes.length >= 3 ? snippets : snippets.slice(0, 1);
          const failures = [];
          for (const snippet of chosen) {
            const label = `${snippet.variant}${snippet.flavor ? ` (${snippet.flavor})` : ''}`;
            const bad = snippet.parts.filter((p) => !PLACEMENTS[stack].includes(p.placement));
            if (bad.length) {
              failures.push(`${label}: placement ${bad.map((p) => p.placement)} not in the test's template`);
              continue;
            }
            await server.configure(slotsOf(snippet), {});
            applied += 1;
            // An error status stays an error (the page is missing), with the headers.
            const preflightReason = /^Preflight|PreflightResponse$/.test(record.reason);
            const errorPage = !preflightReason && record.status >= 400;
            const target = server.url(errorPage ? '/api/missing' : '/api/data');
            const url = record.origin === 'null' ? `${redirector.origin}/hop?to=${encodeURIComponent(target)}` : target;
            const after = await replay(s, url);
            const ok = after.verdict.state === 'finished' && !after.verdict.corsError && after.seen.resolved;
            const verdict = after.verdict.corsError || (after.verdict.state === 'finished' ? `passed (${after.verdict.status})` : `${after.verdict.state} ${after.verdict.errorText || ''}`);
            const limit = SERVER_LIMITS[`${stack}/${s.id}`];
            if (limit) {
              // The browser's refusal is the server's: it answers the request line itself.
              const status = await rawStatus(server.port, limit.method, '/api/data');
              rows.push([stack, s.id, record.reason, plan.changes.map((c) => c.id).join(' + '), label, `${verdict} (server limit: ${status})`]);
              assert.ok(!ok && status === limit.status, `${stack} ${s.id}: expected the server to refuse '${limit.method}' with ${limit.status} (${limit.why}); Chromium says ${verdict}, the server answered ${status}`);
              limitsSeen.push(`${stack} ${s.id}: ${limit.why} (answered ${status}; Chromium: ${verdict})`);
              continue;
            }
            rows.push([stack, s.id, record.reason, plan.changes.map((c) => c.id).join(' + '), label, verdict]);
            if (!ok) {
              failures.push(`${label}: Chromium says ${verdict} [${after.verdict.failedParameter ?? ''}]; page saw ${JSON.stringify(after.seen)}\nchanges: ${plan.changes.map((c, i) => `${i + 1}. ${c.text}`).join(' ')}\n--- snippet ---\n${snippet.parts.map((p) => `[${p.placement}]\n${p.code}`).join('\n')}\n${server.logs()}`);
            }
          }
          assert.equal(failures.length, 0, failures.join('\n\n'));
        });
      }
    } finally {
      await server.dispose();
    }
  });
}
