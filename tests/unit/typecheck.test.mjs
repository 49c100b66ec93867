// The type check of the shipped JavaScript (tsconfig.json, run by `make
// lint`) catches what it is there for: the extension is copied into a
// scratch folder, each case misspells one name in it, the real `tsc` runs on
// the copy and must fail on each of those lines; the unchanged copy must pass. Needs
// `make build` first (the .d.ts files of www/pkg).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

/**
 * A copy of what the type check reads, inside the repository (target/) so
 * that node_modules/@types is found as from the root.
 * @returns {string} the copy's folder
 */
function copyProject() {
  fs.mkdirSync(path.join(ROOT, 'target'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, 'target/typecheck-'));
  fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  fs.cpSync(path.join(ROOT, 'extension'), path.join(dir, 'extension'), { recursive: true });
  const pkg = path.join(ROOT, 'www/pkg');
  const declarations = fs.existsSync(pkg) ? fs.readdirSync(pkg).filter((f) => f.endsWith('.d.ts') || f.endsWith('.js')) : [];
  assert.ok(declarations.some((f) => f.endsWith('.d.ts')), 'www/pkg has no .d.ts: run `make build` first');
  fs.mkdirSync(path.join(dir, 'www/pkg'), { recursive: true });
  // The pages' own modules the extension imports (www/save.js).
  for (const f of fs.readdirSync(path.join(ROOT, 'www')).filter((f) => f.endsWith('.js'))) fs.copyFileSync(path.join(ROOT, 'www', f), path.join(dir, 'www', f));
  for (const f of declarations) fs.copyFileSync(path.join(pkg, f), path.join(dir, 'www/pkg', f));
  return dir;
}

/**
 * Runs tsc on the copy.
 * @param {string} dir
 * @returns {{ok: boolean, output: string}}
 */
function typecheck(dir) {
  try {
    execFileSync(process.execPath, [TSC, '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, output: '' };
  } catch (err) {
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/**
 * Replaces exactly one occurrence of `from` in one file of the copy.
 * @param {string} dir
 * @param {{file: string, from: string, to: string}} mutation
 */
function mutate(dir, { file, from, to }) {
  const p = path.join(dir, file);
  const text = fs.readFileSync(p, 'utf8');
  assert.equal(text.split(from).length, 2, `${file} should hold ${from} exactly once`);
  fs.writeFileSync(p, text.replace(from, to));
}

const cases = [
  {
    name: 'a misspelt message type fails',
    mutation: { file: 'extension/panel.js', from: 'message(Msg.SUBSCRIBE,', to: 'message(Msg.SUBSCRIBED,' },
    error: /extension\/panel\.js\(\d+,\d+\): error TS2551: Property 'SUBSCRIBED' does not exist/,
  },
  {
    name: 'a misspelt field of a stored record fails',
    mutation: { file: 'extension/panel.js', from: '.find((r) => r.pageUrl)', to: '.find((r) => r.pageURL)' },
    error: /extension\/panel\.js\(\d+,\d+\): error TS2551: Property 'pageURL' does not exist on type 'StoredRecord'/,
  },
  {
    name: 'a misspelt export of the wasm package fails',
    mutation: { file: 'extension/panel.js', from: '  exportJson, ', to: '  exportJSON, ' },
    error: /extension\/panel\.js\(\d+,\d+\): error TS2\d+: .*'exportJSON'/,
  },
  {
    name: 'a misspelt extension API fails',
    mutation: { file: 'extension/devtools.js', from: 'api.runtime.connect(', to: 'api.runtime.conect(' },
    error: /extension\/devtools\.js\(\d+,\d+\): error TS2551: Property 'conect' does not exist/,
  },
];

test('the unchanged extension passes the type check', () => {
  const dir = copyProject();
  try {
    const { ok, output } = typecheck(dir);
    assert.ok(ok, output);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// One copy holds every misspelling (tsc reports each): one run, not one per case.
test('each misspelling fails the type check on its own line', async (t) => {
  const dir = copyProject();
  try {
    for (const { mutation } of cases) mutate(dir, mutation);
    const { ok, output } = typecheck(dir);
    assert.equal(ok, false, 'tsc passed the misspelt copy');
    for (const { name, error } of cases) await t.test(name, () => assert.match(output, error));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
