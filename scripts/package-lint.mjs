// Lints the store packages that `make package` wrote (docs/store.md):
// - the Firefox zip, unpacked, with Mozilla's `web-ext lint` (the checks AMO
//   runs on upload): no error, and no warning or notice outside ALLOWED, each
//   of which docs/store.md justifies. An allowed warning that no longer
//   appears fails too, so the list and the docs stay true.
// - the Chrome zip's manifest, unpacked, with scripts/lint-manifest.mjs.
//
//   node scripts/package-lint.mjs [--dist dist]

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, extract, version } from './package.mjs';

/** The web-ext lint messages we accept, by code; docs/store.md says why for each. */
export const ALLOWED = {
  // data_collection_permissions (Firefox 140+, Android 142+) declared with a
  // minimum version of 128: older versions ignore the key, which says that
  // nothing is collected.
  KEY_FIREFOX_UNSUPPORTED_BY_MIN_VERSION: /data_collection_permissions/,
  KEY_FIREFOX_ANDROID_UNSUPPORTED_BY_MIN_VERSION: /data_collection_permissions/,
};

const args = process.argv.slice(2);
const distAt = args.indexOf('--dist');
const dist = distAt >= 0 ? path.resolve(args[distAt + 1]) : path.join(ROOT, 'dist');
const v = version();
const zipFor = (browser) => {
  const file = path.join(dist, `cors-lens-${v}-${browser}.zip`);
  if (!fs.existsSync(file)) throw new Error(`no ${path.relative(ROOT, file)}: run \`make package\` first`);
  return file;
};

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-lint-'));
const problems = [];
try {
  // Firefox: web-ext lint, JSON output.
  const firefox = extract(zipFor('firefox'), path.join(scratch, 'firefox'));
  const webExt = path.join(ROOT, 'node_modules', '.bin', 'web-ext');
  const run = spawnSync(webExt, ['lint', '--source-dir', firefox, '--output', 'json', '--no-config-discovery', '--no-input'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, NO_UPDATE_NOTIFIER: '1' },
  });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`web-ext lint did not answer in JSON (exit ${run.status}): ${run.stdout.slice(0, 500)}${run.stderr.slice(0, 2000)}`);
  }
  const seen = new Set();
  for (const kind of ['errors', 'warnings', 'notices']) {
    for (const m of report[kind] ?? []) {
      const text = `${m.code}: ${m.message}${m.file ? ` (${m.file})` : ''}`;
      console.log(`web-ext lint ${kind.slice(0, -1)}: ${text}`);
      const allowed = kind !== 'errors' && ALLOWED[m.code]?.test(`${m.message} ${m.description}`);
      if (allowed) seen.add(m.code);
      else problems.push(`web-ext lint ${kind.slice(0, -1)} not justified in docs/store.md: ${text}`);
    }
  }
  for (const code of Object.keys(ALLOWED)) {
    if (!seen.has(code)) problems.push(`web-ext lint no longer says ${code}: take it out of ALLOWED in scripts/package-lint.mjs and docs/store.md`);
  }
  const store = fs.readFileSync(path.join(ROOT, 'docs', 'store.md'), 'utf8');
  for (const code of Object.keys(ALLOWED)) {
    if (!store.includes(code)) problems.push(`docs/store.md does not justify ${code}`);
  }
  const { errors, warnings, notices } = report.summary ?? {};
  console.log(`web-ext lint (${path.basename(zipFor('firefox'))}): ${errors} errors, ${warnings} warnings, ${notices} notices; ${seen.size} warning(s) justified in docs/store.md`);

  // Chrome: the project's manifest lint on the packaged manifest.
  const chrome = extract(zipFor('chrome'), path.join(scratch, 'chrome'));
  try {
    const out = execFileSync('node', [path.join(ROOT, 'scripts', 'lint-manifest.mjs'), path.join(chrome, 'manifest.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(`${path.basename(zipFor('chrome'))}: ${out.trim()}`);
  } catch (e) {
    problems.push(`the Chrome package's manifest fails scripts/lint-manifest.mjs: ${e.stderr || e.message}`);
  }
} catch (e) {
  problems.push(e.message);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

if (problems.length) {
  console.error(`package lint: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('package lint: ok');
