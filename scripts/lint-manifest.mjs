// Checks manifest.json against what both browsers need and what we promise:
// the files it names exist, the CSP is exactly the documented one (wasm
// allowed, nothing loaded or sent anywhere but the extension itself), the
// permissions are exactly the documented ones, nothing opens the extension to
// pages or other extensions, and every __MSG_ key exists.
//
//   node scripts/lint-manifest.mjs [path/to/manifest.json]
//
// The files a manifest names are looked for beside it (default: the
// repository's manifest.json). Exits 1, listing the problems, when any.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifestPath = process.argv[2] ? resolve(process.argv[2]) : join(repo, 'manifest.json');
const root = dirname(manifestPath);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const problems = [];
const need = (cond, text) => cond || problems.push(text);

need(manifest.manifest_version === 3, 'manifest_version must be 3');
const csp = manifest.content_security_policy?.extension_pages ?? '';
need(csp.includes("'wasm-unsafe-eval'"), "CSP must allow 'wasm-unsafe-eval'");
need(!/'unsafe-eval'|'unsafe-inline'|https?:/.test(csp), 'CSP must not allow eval, inline scripts or remote code');
// The extension pages' policy, directive by directive (docs/permissions.md):
// scripts and wasm from the package only, every other load and every
// connection to the extension itself, no <base> and no form submission.
const CSP = {
  'script-src': "'self' 'wasm-unsafe-eval'",
  'object-src': "'self'",
  'default-src': "'self'",
  'connect-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'none'",
};
const directives = new Map();
for (const part of csp.split(';')) {
  const [name, ...values] = part.trim().split(/\s+/);
  if (!name) continue;
  need(!directives.has(name.toLowerCase()), `CSP names ${name} twice`);
  directives.set(name.toLowerCase(), values.join(' '));
}
for (const [name, value] of Object.entries(CSP)) {
  need(directives.get(name) === value, `CSP must say \`${name} ${value}\` (has ${directives.has(name) ? `\`${name} ${directives.get(name)}\`` : 'none'})`);
}
for (const name of directives.keys()) need(name in CSP, `CSP directive ${name} is not documented in docs/permissions.md`);
need(!manifest.content_security_policy?.sandbox, 'no sandboxed pages (content_security_policy.sandbox)');
// Nothing that lets a page or another extension reach in, or our code run in
// pages: the extension only observes, and "nothing leaves the browser" is
// then the browser's rule, not only our promise.
const FORBIDDEN = {
  web_accessible_resources: 'would let web pages load files of the extension (and detect it)',
  externally_connectable: 'would let web pages or other extensions message the worker',
  content_scripts: 'would run extension code inside web pages',
};
for (const [key, why] of Object.entries(FORBIDDEN)) need(!(key in manifest), `${key} is forbidden: it ${why}`);
const documented = ['storage'];
need(JSON.stringify(manifest.permissions) === JSON.stringify(documented),
  `permissions must be exactly ${documented} (each is justified in docs/permissions.md)`);
// webRequest is asked for only to capture before DevTools opens: holding it
// slows every page load in Chromium (docs/performance.md).
const optional = ['webRequest'];
need(JSON.stringify(manifest.optional_permissions) === JSON.stringify(optional),
  `optional_permissions must be exactly ${optional} (docs/permissions.md)`);
need(JSON.stringify(manifest.host_permissions) === '["<all_urls>"]', 'host_permissions must be <all_urls>');
need(manifest.background?.type === 'module', 'the background script must be a module');
// The repository's manifest names the worker for both browsers; a store
// package's (scripts/package.mjs, docs/store.md) keeps only its browser's key.
const bg = manifest.background ?? {};
need(bg.service_worker || bg.scripts, 'the manifest must name the background worker (service_worker, scripts or both)');
need(!bg.scripts || (bg.scripts.length === 1 && (!bg.service_worker || bg.service_worker === bg.scripts[0])),
  'Chromium (service_worker) and Firefox (scripts) must run the same worker');
need(manifest.browser_specific_settings?.gecko?.id, 'Firefox needs browser_specific_settings.gecko.id');
for (const file of [bg.service_worker ?? bg.scripts?.[0], manifest.devtools_page, ...Object.values(manifest.icons ?? {})]) {
  need(file && existsSync(join(root, file)), `missing file: ${file}`);
}
for (const locale of ['en', 'fr']) {
  const messages = JSON.parse(readFileSync(join(root, '_locales', locale, 'messages.json'), 'utf8'));
  for (const [, key] of JSON.stringify(manifest).matchAll(/__MSG_(\w+)__/g)) {
    need(messages[key], `_locales/${locale} lacks ${key}`);
  }
}
need(existsSync(join(repo, 'docs', 'permissions.md')), 'docs/permissions.md must justify each permission');

if (problems.length) {
  console.error(`manifest lint: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('manifest lint: ok');
