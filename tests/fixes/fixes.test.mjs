// Fixes that work, tested on real servers.
//
// For each stack (Debian's nginx, apache2 and caddy when installed, npm's
// express) and each misconfiguration of tests/fixes/cases.mjs:
//   1. start the server misconfigured, fetch from the page origin in Chromium
//      with the built extension loaded, and check Chromium's own verdict
//      (Network.loadingFailed.corsErrorStatus) is the expected reason;
//   2. take the finding the extension stored for that request (what the panel
//      shows) and ask the built wasm core for its fixes: fixSnippets(record,
//      stack, 'en'), the function the panel calls;
//   3. for every snippet returned (every variant and flavor): put its parts at
//      their placements in place of the bad block, reload the server, repeat
//      the request, and check Chromium lets it through (no CORS error, the
//      page's fetch resolves).
// The French snippets of one case per stack are applied too (localised
// comments must still parse). Prints a table and
// `verified: N (stack, reason) pairs, M snippets`.
//
// Needs `make build` (www/pkg) and scripts/setup-servers.sh; a missing server
// binary fails the test.

import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchWithExtension, currentServiceWorker, readStoredFindings, CorsOracle, waitFor, table, ROOT } from '../e2e/helpers.mjs';
import { RealServer, startPageServer, caddyInstalled, probe, PLACEMENTS } from './servers.mjs';
import { cases } from './cases.mjs';

const STACKS = ['nginx', 'apache', 'express', ...(caddyInstalled() ? ['caddy'] : [])];
/** An origin no fix may let in (except the wildcard one). */
const STRANGER = 'http://stranger.example';
/** The case per stack whose French snippets are applied too. */
const FRENCH_CASE = 'no-cors-config';

let page;
let pageServer;
let browser;
let oracle;
let core;
let tabId;
let nonceSeq = 0;
const rows = [];
const verifiedPairs = new Set();
const failedPairs = new Set();
let snippetsVerified = 0;
const problems = [];
const t0 = Date.now();

async function loadCore() {
  const pkg = path.join(ROOT, 'www/pkg');
  const js = path.join(pkg, 'cors_lens.js');
  if (!fs.existsSync(js)) throw new Error(`no ${js}: run \`make build\``);
  const mod = await import(js);
  await mod.default({ module_or_path: fs.readFileSync(path.join(pkg, 'cors_lens_bg.wasm')) });
  return mod;
}

before(async () => {
  core = await loadCore();
  pageServer = await startPageServer();
  browser = await launchWithExtension();
  page = await browser.context.newPage();
  await page.goto(pageServer.url);
  oracle = await CorsOracle.attach(browser.context, page);
  const sw = await currentServiceWorker(browser.context, browser.extensionId);
  const tabs = await sw.evaluate(() => chrome.tabs.query({}));
  const tab = tabs.find((t) => (t.url || t.pendingUrl || '').startsWith(pageServer.origin));
  if (!tab) throw new Error(`no tab for ${pageServer.url}`);
  tabId = tab.id;
});

after(async () => {
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (rows.length) {
    console.log(
      `\nFix snippets on real servers (page origin ${pageServer?.origin}):\n` +
        table(['stack', 'case', 'reason', 'variant', 'flavor', 'lang', 'misconfigured verdict', 'after fix', 'another origin'], rows),
    );
  }
  for (const p of problems) console.log(`\nSNIPPET PROBLEM ${p}`);
  console.log(`\nstacks: ${STACKS.join(', ')}${caddyInstalled() ? '' : " (caddy: Debian's package is not installed here)"}; ${secs} s`);
  console.log(`verified: ${verifiedPairs.size} (stack, reason) pairs, ${snippetsVerified} snippets${failedPairs.size ? `; FAILED: ${[...failedPairs].join(', ')}` : ''}`);
  await oracle?.detach();
  await browser?.close();
  await pageServer?.close();
});

/** Fetch `url` from the page; returns what the page saw and Chromium's verdict. */
async function request(url, { method, credentials, headers }) {
  const nonce = `fix${process.pid}-${++nonceSeq}`;
  const full = `${url}?lab=${nonce}`;
  const seen = await page.evaluate(
    async ({ full, method, credentials, headers }) => {
      const init = { method, credentials, cache: 'no-store', headers: { ...(headers || {}) } };
      if (method !== 'GET' && method !== 'HEAD') {
        init.headers['Content-Type'] = 'application/json';
        init.body = '{"x":1}';
      }
      try {
        const r = await fetch(full, init);
        await r.text();
        return { resolved: true, status: r.status };
      } catch (e) {
        return { resolved: false, error: String(e) };
      }
    },
    { full, method, credentials, headers },
  );
  const verdict = await oracle.verdict(nonce);
  return { nonce, url: full, seen, verdict };
}

const verdictText = (v) => (v.corsError ? v.corsError : v.state === 'finished' ? `passed (${v.status})` : `${v.state} ${v.errorText || ''}`);

/** The failure record the extension stored for that request (what the panel shows). */
async function storedRecord(nonce) {
  return waitFor(
    async () => {
      const sw = await currentServiceWorker(browser.context, browser.extensionId);
      const list = await readStoredFindings(sw, tabId);
      return list.find((r) => r.reason && typeof r.url === 'string' && r.url.includes(`lab=${nonce}`));
    },
    { timeout: 10000, what: `the extension's stored finding for lab=${nonce}` },
  );
}

/** placement -> code for one snippet (parts at the same placement are joined in order). */
function slotsOf(snippet) {
  const slots = {};
  for (const p of snippet.parts) slots[p.placement] = slots[p.placement] ? `${slots[p.placement]}\n${p.code}` : p.code;
  return slots;
}

function describeSnippet(s) {
  return s.parts.map((p) => `[${p.placement}]\n${p.code}`).join('\n');
}

/** Apply each snippet to the running server and check Chromium lets the request through. */
async function verifySnippets(server, stack, c, misVerdict, snippets, lang) {
  const failures = [];
  for (const s of snippets) {
    const row = [stack, c.id, c.reason, s.variant, s.flavor || '—', lang, misVerdict];
    const label = `${stack} / ${c.reason} (${c.id}) / ${s.variant}${s.flavor ? ` (${s.flavor})` : ''} / ${lang}`;
    try {
      const bad = s.parts.filter((p) => !PLACEMENTS[stack].includes(p.placement));
      if (bad.length) throw new Error(`unknown placement ${bad.map((p) => p.placement).join(', ')}`);
      await server.configure(slotsOf(s), { mode: c.mode, context: c.context });
      const after = await request(server.url(c.path), c);
      const ok = after.verdict.state === 'finished' && !after.verdict.corsError && after.seen.resolved;
      row.push(verdictText(after.verdict));
      if (!ok) {
        throw new Error(
          `Chromium still refuses: ${verdictText(after.verdict)}${after.verdict.failedParameter ? ` (failedParameter ${JSON.stringify(after.verdict.failedParameter)})` : ''}; page saw ${JSON.stringify(after.seen)}\n${server.logs()}\n--- config ---\n${server.configText}`,
        );
      }
      // The fix opens the resource to this page's origin only (`*` only for
      // the wildcard variant), and a reflected origin comes with Vary: Origin.
      const stranger = await probe(server.port, c.path, { headers: { Origin: STRANGER } });
      const strangerAcao = stranger?.headers['access-control-allow-origin'];
      row.push(
        strangerAcao === undefined
          ? 'refused (no header)'
          : strangerAcao === '*'
            ? 'allowed (*)'
            : strangerAcao === STRANGER
              ? 'ALLOWED (reflected)'
              : 'refused (names the page)',
      );
      if (s.variant !== 'wildcard' && (strangerAcao === '*' || strangerAcao === STRANGER)) {
        throw new Error(`the ${s.variant} fix also lets ${STRANGER} read the response (Access-Control-Allow-Origin: ${strangerAcao})`);
      }
      if (s.variant === 'reflect') {
        const own = await probe(server.port, c.path, { headers: { Origin: pageServer.origin } });
        const vary = String(own?.headers.vary || '');
        if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(vary)) {
          throw new Error(`the reflect fix sends no Vary: Origin (Vary: ${JSON.stringify(vary)}): a shared cache could serve one origin's answer to another`);
        }
      }
      snippetsVerified += 1;
    } catch (e) {
      if (row.length === 7) row.push(e.serverRejected ? 'config rejected' : 'error');
      if (row.length === 8) row.push('—');
      failures.push(`${label}\n--- snippet ---\n${describeSnippet(s)}\n--- what happened ---\n${e.message}`);
    }
    rows.push(row);
  }
  return failures;
}

for (const stack of STACKS) {
  test(`${stack}: every generated fix makes Chromium accept the response`, async (t) => {
    const server = await RealServer.start(stack, { pageOrigin: pageServer.origin });
    try {
      for (const c of cases(stack, pageServer.origin)) {
        await t.test(`${stack} ${c.reason} (${c.id})`, async () => {
          const pair = `${stack}/${c.reason}`;
          try {
            // 1. Misconfigured: Chromium must give the expected reason.
            await server.configure(c.slots, { mode: c.mode, context: c.context });
            const before = await request(server.url(c.path), c);
            const misVerdict = verdictText(before.verdict);
            if (before.verdict.corsError !== c.reason) rows.push([stack, c.id, c.reason, '—', '—', '—', misVerdict, 'NOT REPRODUCED', '—']);
            assert.equal(
              before.verdict.corsError,
              c.reason,
              `${stack} ${c.id}: the misconfigured server should make Chromium report ${c.reason}, it reported ${misVerdict}\n--- config ---\n${server.configText}`,
            );
            // 2. The finding the panel shows, and the fixes the core generates for it.
            const record = await storedRecord(before.nonce);
            assert.equal(record.reason, c.reason, `the extension's finding should name ${c.reason}`);
            const langs = c.id === FRENCH_CASE ? ['en', 'fr'] : ['en'];
            const failures = [];
            for (const lang of langs) {
              if (typeof core.fixSnippets !== 'function') {
                throw new Error('www/pkg/cors_lens.js exports no fixSnippets(record, stackId, lang): rebuild with `make build`');
              }
              const snippets = core.fixSnippets(record, stack, lang);
              assert.ok(Array.isArray(snippets) && snippets.length > 0, `fixSnippets(record, '${stack}', '${lang}') returned no snippet for ${c.reason}`);
              // 3. Each snippet in place of the bad block: Chromium must let the request through.
              failures.push(...(await verifySnippets(server, stack, c, misVerdict, snippets, lang)));
            }
            if (failures.length) {
              problems.push(...failures);
              assert.fail(`${failures.length} generated snippet(s) do not fix ${stack} / ${c.reason}:\n\n${failures.join('\n\n')}`);
            }
            verifiedPairs.add(pair);
          } catch (e) {
            failedPairs.add(pair);
            throw e;
          }
        });
      }
    } finally {
      await server.dispose();
    }
    // A pair counts as verified only if every case of it passed.
    for (const p of failedPairs) verifiedPairs.delete(p);
  });
}
