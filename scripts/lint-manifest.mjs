// Checks manifest.json against what both browsers need and what we promise:
// the files it names exist, the CSP allows wasm and nothing looser, the
// permissions are exactly the documented ones, and every __MSG_ key exists.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
const problems = [];
const need = (cond, text) => cond || problems.push(text);

need(manifest.manifest_version === 3, 'manifest_version must be 3');
const csp = manifest.content_security_policy?.extension_pages ?? '';
need(csp.includes("'wasm-unsafe-eval'"), "CSP must allow 'wasm-unsafe-eval'");
need(!/'unsafe-eval'|'unsafe-inline'|https?:/.test(csp), 'CSP must not allow eval, inline scripts or remote code');
const documented = ['webRequest', 'storage'];
need(JSON.stringify(manifest.permissions) === JSON.stringify(documented),
  `permissions must be exactly ${documented} (each is justified in docs/permissions.md)`);
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
need(existsSync(join(root, 'docs', 'permissions.md')), 'docs/permissions.md must justify each permission');

if (problems.length) {
  console.error(`manifest lint: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('manifest lint: ok');
