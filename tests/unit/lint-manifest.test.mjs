// The manifest lint (scripts/lint-manifest.mjs) fails on each thing that would
// open the extension to pages or other extensions, and on a CSP looser than
// the documented one: each case is the real manifest with one change, linted
// from a temporary directory that holds the files it names.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scripts/lint-manifest.mjs');
const REAL = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-lint-'));
for (const entry of ['extension', 'icons', '_locales']) fs.symlinkSync(path.join(ROOT, entry), path.join(tmp, entry));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Lints `manifest` (an object) written to the temporary directory; returns {status, output}. */
function lint(manifest) {
  const file = path.join(tmp, 'manifest.json');
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
  const r = spawnSync(process.execPath, [SCRIPT, file], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

const withCsp = (csp) => ({ ...REAL, content_security_policy: { extension_pages: csp } });
const GOOD_CSP = REAL.content_security_policy.extension_pages;

test('the real manifest, copied, passes (so each failure below is its one change)', () => {
  const r = lint(REAL);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /manifest lint: ok/);
});

test('the repository manifest passes with no argument', () => {
  const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

const failing = [
  { name: 'web_accessible_resources', manifest: { ...REAL, web_accessible_resources: [{ resources: ['www/pkg/*'], matches: ['<all_urls>'] }] }, says: /web_accessible_resources is forbidden/ },
  { name: 'externally_connectable', manifest: { ...REAL, externally_connectable: { matches: ['https://example.com/*'] } }, says: /externally_connectable is forbidden/ },
  { name: 'content_scripts', manifest: { ...REAL, content_scripts: [{ matches: ['<all_urls>'], js: ['extension/compat.js'] }] }, says: /content_scripts is forbidden/ },
  { name: 'an empty content_scripts list', manifest: { ...REAL, content_scripts: [] }, says: /content_scripts is forbidden/ },
  { name: 'a CSP without connect-src', manifest: withCsp(GOOD_CSP.replace("; connect-src 'self'", '')), says: /connect-src 'self'/ },
  { name: 'a CSP without default-src', manifest: withCsp(GOOD_CSP.replace("; default-src 'self'", '')), says: /default-src 'self'/ },
  { name: 'a CSP without base-uri', manifest: withCsp(GOOD_CSP.replace("; base-uri 'none'", '')), says: /base-uri 'none'/ },
  { name: 'a CSP without form-action', manifest: withCsp(GOOD_CSP.replace("; form-action 'none'", '')), says: /form-action 'none'/ },
  { name: 'a CSP that connects anywhere', manifest: withCsp(GOOD_CSP.replace("connect-src 'self'", "connect-src 'self' *")), says: /connect-src 'self'/ },
  { name: 'a CSP with an undocumented directive', manifest: withCsp(`${GOOD_CSP}; img-src *`), says: /img-src is not documented/ },
  { name: "a CSP with 'unsafe-eval'", manifest: withCsp(GOOD_CSP.replace("'wasm-unsafe-eval'", "'unsafe-eval'")), says: /must not allow eval/ },
  { name: 'a sandbox CSP', manifest: { ...REAL, content_security_policy: { ...REAL.content_security_policy, sandbox: 'sandbox allow-scripts' } }, says: /sandbox/ },
];

for (const { name, manifest, says } of failing) {
  test(`the lint fails on ${name}`, () => {
    const r = lint(manifest);
    assert.equal(r.status, 1, `exit status; output: ${r.output}`);
    assert.match(r.output, says);
  });
}
