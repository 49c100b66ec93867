// scripts/package.mjs on small extension trees made here: which files a
// package holds (derived from the manifest and the pages), the per-browser
// manifests, the single version, the zip writer (read back by Python's
// zipfile, an independent reader) and reproducibility whatever the files'
// dates, permissions and creation order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { browserManifest, packagedFiles, sha256, unzip, verifyPackages, version, writePackages, zip } from '../../scripts/package.mjs';

const MANIFEST = {
  manifest_version: 3,
  name: '__MSG_extName__',
  version: '1.2.3',
  default_locale: 'en',
  minimum_chrome_version: '121',
  icons: { 16: 'icons/a.png' },
  background: { service_worker: 'ext/worker.js', scripts: ['ext/worker.js'], type: 'module' },
  devtools_page: 'ext/devtools.html',
  browser_specific_settings: { gecko: { id: 'x@example.invalid', data_collection_permissions: { required: ['none'] } } },
};

/** A small built extension, plus the files a package must leave out. */
const TREE = {
  'manifest.json': JSON.stringify(MANIFEST),
  'Cargo.toml': '[workspace.package]\nedition = "2021"\nversion = "1.2.3"\n',
  'package.json': '{"name":"x","private":true}',
  'crate/core/Cargo.toml': '[package]\nname = "a"\nversion.workspace = true\n',
  'crate/wasm/Cargo.toml': '[package]\nname = "b"\nversion.workspace = true\n',
  'crate/core/src/lib.rs': '//! not shipped\n',
  '_locales/en/messages.json': '{"extName":{"message":"X"}}',
  '_locales/fr/messages.json': '{"extName":{"message":"X"}}',
  'icons/a.png': 'png',
  'icons/unused.png': 'not referenced',
  'ext/worker.js': "import init from '../www/pkg/glue.js';\nimport { api } from './compat.js';\n",
  'ext/compat.js': 'export const api = globalThis.browser;\n//# sourceMappingURL=compat.js.map\n',
  'ext/compat.js.map': '{}',
  'ext/devtools.html': '<!doctype html><script type="module" src="devtools.js"></script>',
  'ext/devtools.js': "api.devtools.panels.create('X', '/icons/a.png', '/www/panel.html');\n",
  'www/panel.html': '<link rel="stylesheet" href="panel.css"><script type="module" src="../ext/panel.js"></script>',
  'www/panel.css': 'h1 { background: url("img/bg.png"); } .x { background: url(data:image/png;base64,AA==); }',
  'www/img/bg.png': 'png',
  'ext/panel.js': "import init, { render } from '../www/pkg/glue.js';\n",
  'www/pkg/glue.js': "export default function init() { return new URL('glue_bg.wasm', import.meta.url); }\n",
  'www/pkg/glue_bg.wasm': '\0asm',
  'tests/e2e/x.test.mjs': 'test',
};
const PACKAGED = [
  '_locales/en/messages.json',
  '_locales/fr/messages.json',
  'ext/compat.js',
  'ext/devtools.html',
  'ext/devtools.js',
  'ext/panel.js',
  'ext/worker.js',
  'icons/a.png',
  'manifest.json',
  'www/img/bg.png',
  'www/panel.css',
  'www/panel.html',
  'www/pkg/glue.js',
  'www/pkg/glue_bg.wasm',
];

function makeTree(changes = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-pkg-unit-'));
  for (const [rel, text] of Object.entries({ ...TREE, ...changes })) {
    if (text === null) continue;
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

test('the package holds what the manifest and the pages reference, and nothing else', () => {
  const root = makeTree();
  assert.deepEqual(packagedFiles(root), PACKAGED);
});

const BROKEN = [
  { name: 'a page loading a missing script', changes: { 'ext/devtools.html': '<script src="gone.js"></script>' }, says: /ext\/gone\.js does not exist/ },
  { name: 'a module importing a missing module', changes: { 'ext/compat.js': "import './missing.js';" }, says: /ext\/missing\.js does not exist/ },
  { name: 'the glue without its wasm', changes: { 'www/pkg/glue_bg.wasm': null }, says: /glue_bg\.wasm does not exist/ },
  { name: 'a remote script', changes: { 'www/panel.html': '<script src="https://cdn.example/x.js"></script>' }, says: /remote reference https:\/\/cdn\.example\/x\.js/ },
  { name: 'a protocol-relative style sheet', changes: { 'www/panel.html': '<link rel="stylesheet" href="//cdn.example/x.css">' }, says: /remote reference/ },
  { name: 'a remote module import', changes: { 'ext/compat.js': "import x from 'https://cdn.example/m.js';" }, says: /remote reference/ },
  { name: 'a reference out of the extension', changes: { 'www/panel.html': '<script src="../../outside.js"></script>' }, says: /outside the extension/ },
  { name: 'a referenced file of a type no package holds', changes: { 'www/panel.html': '<script src="x.mjs"></script>', 'www/x.mjs': '' }, says: /www\/x\.mjs is not a type a package holds/ },
  { name: 'a link to a page of the extension that is missing', changes: { 'www/panel.html': '<a href="help.html">help</a>' }, says: /www\/help\.html does not exist/ },
  { name: 'a link to a docs file no package holds', changes: { 'www/panel.html': '<a href="../docs/first.md">help</a>', 'docs/first.md': '#' }, says: /docs\/first\.md is not a type a package holds/ },
];

test('a link to a page of the extension ships it; links with a scheme or to an anchor ship nothing', () => {
  const root = makeTree({
    'www/panel.html': `${TREE['www/panel.html']}<a href="help.html">help</a><a href="https://developer.mozilla.org/">MDN</a><a href="#top">top</a>`,
    'www/help.html': '<p>help</p>',
  });
  assert.deepEqual(packagedFiles(root), [...PACKAGED, 'www/help.html'].sort());
});
for (const { name, changes, says } of BROKEN) {
  test(`packaging refuses ${name}`, () => {
    assert.throws(() => packagedFiles(makeTree(changes)), says);
  });
}

const MANIFESTS = [
  { browser: 'chrome', removed: 'scripts', kept: 'service_worker' },
  { browser: 'firefox', removed: 'service_worker', kept: 'scripts' },
];
for (const { browser, removed, kept } of MANIFESTS) {
  test(`the ${browser} manifest leaves out background.${removed} and changes nothing else`, () => {
    const m = browserManifest(MANIFEST, browser);
    assert.ok(!(removed in m.background) && kept in m.background);
    const { background: a, ...restA } = m;
    const { background: b, ...restB } = MANIFEST;
    assert.deepEqual(restA, restB);
    assert.deepEqual({ ...a, [removed]: b[removed] }, b);
    assert.ok(removed in MANIFEST.background, 'the source manifest is not modified');
  });
}

test('a manifest a browser cannot run is refused', () => {
  assert.throws(() => browserManifest({ ...MANIFEST, background: { scripts: ['w.js'] } }, 'chrome'), /service_worker/);
  assert.throws(() => browserManifest({ ...MANIFEST, browser_specific_settings: undefined }, 'firefox'), /gecko\.id/);
  assert.throws(() => browserManifest(MANIFEST, 'safari'), /unknown browser/);
});

const VERSIONS = [
  { name: 'all in step', changes: {}, ok: '1.2.3' },
  { name: 'Cargo.toml behind', changes: { 'Cargo.toml': '[workspace.package]\nversion = "1.2.2"\n' }, says: /Cargo\.toml .* 1\.2\.2 differs/ },
  { name: 'package.json with another version', changes: { 'package.json': '{"version":"2.0.0"}' }, says: /package\.json version 2\.0\.0 differs/ },
  { name: 'a crate with its own version', changes: { 'crate/wasm/Cargo.toml': '[package]\nversion = "1.2.3"\n' }, says: /crate\/wasm\/Cargo\.toml must take the workspace version/ },
  { name: 'a version the stores refuse', changes: { 'manifest.json': JSON.stringify({ ...MANIFEST, version: '1.2.3-beta' }), 'Cargo.toml': '[workspace.package]\nversion = "1.2.3-beta"\n' }, says: /not 1 to 4 dot-separated integers/ },
];
for (const { name, changes, ok, says } of VERSIONS) {
  test(`version check: ${name}`, () => {
    const root = makeTree(changes);
    if (ok) assert.equal(version(root), ok);
    else assert.throws(() => version(root), says);
  });
}

test('the zip reads back identically, with a fixed date and rw-r--r-- files, in Python\'s zipfile too', () => {
  const entries = [
    { name: 'a/b.json', data: Buffer.from('{"x":1}'.repeat(50)) },
    { name: 'c.bin', data: Buffer.from([0, 1, 2, 3]) },
    { name: 'empty.txt', data: Buffer.alloc(0) },
  ];
  const buf = zip(entries);
  assert.ok(buf.equals(zip(entries)), 'the same entries give the same bytes');
  assert.deepEqual(unzip(buf).map((e) => [e.name, e.data.toString('hex'), e.mode]), entries.map((e) => [e.name, e.data.toString('hex'), 0o100644]));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-zip-')), 't.zip');
  fs.writeFileSync(file, buf);
  const py = execFileSync('python3', ['-c', `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps([[i.filename, list(i.date_time), i.external_attr >> 16, z.read(i).hex()] for i in z.infolist()]))
`, file], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(py), entries.map((e) => [e.name, [1980, 1, 1, 0, 0, 0], 0o100644, e.data.toString('hex')]));
  assert.throws(() => zip([{ name: '../evil', data: Buffer.alloc(1) }]), /unexpected entry name/);
});

test('the packages are the same bytes whatever the files\' dates, permissions and creation order', () => {
  const a = makeTree();
  const b = makeTree();
  // b: every file with another date and mode.
  for (const [i, rel] of Object.keys(TREE).entries()) {
    fs.chmodSync(path.join(b, rel), i % 2 ? 0o600 : 0o755);
    fs.utimesSync(path.join(b, rel), new Date(1e12 + i * 1e9), new Date(1e12 + i * 1e9));
  }
  const outA = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-out-'));
  const outB = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-out-'));
  const wa = writePackages(a, outA);
  const wb = writePackages(b, outB);
  assert.deepEqual(wa.map((w) => w.file), ['cors-lens-1.2.3-chrome.zip', 'cors-lens-1.2.3-firefox.zip'], 'not a git checkout: no source archive');
  assert.deepEqual(wa, wb);
  assert.deepEqual(verifyPackages(a, outA), []);
  assert.equal(fs.readFileSync(path.join(outA, 'SHA256SUMS'), 'utf8'), wa.map((w) => `${w.sha256}  ${w.file}\n`).join(''));
  // A package that does not match its sources is caught.
  fs.appendFileSync(path.join(a, 'ext/compat.js'), '// changed\n');
  const differences = verifyPackages(a, outA);
  assert.equal(differences.length, 2, differences.join('\n'));
  assert.notEqual(sha256(fs.readFileSync(path.join(outA, wa[0].file))), writePackages(a, outB)[0].sha256);
});
