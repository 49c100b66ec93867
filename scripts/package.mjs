// The store packages (`make package`, docs/store.md): from the built
// extension (the repository root once `make build` ran), one zip per browser
// holding only the files the extension loads, and the source archive AMO's
// reviewers rebuild it from. Byte-for-byte reproducible: fixed timestamps,
// permissions and file order, written by the small zip writer below (no
// dependency).
//
//   node scripts/package.mjs [--out dist]   write the three archives, print their sha256
//   node scripts/package.mjs --verify       rebuild them from a scratch copy whose files have
//                                           other dates, permissions and creation order: same sha256?
//   node scripts/package.mjs --list         print the packaged files
//
// The file list is derived, not kept by hand: the files the manifest names,
// every locale, then what each page, script and style sheet references
// (`<script src>`, `<link href>`, `import … from`, `import()`,
// `new URL(…, import.meta.url)`, root-absolute paths like '/www/panel.html',
// CSS `url()`), followed transitively. A reference to a missing file, outside
// the extension or to a remote URL stops the build.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BROWSERS = ['chrome', 'firefox'];

/** File types a package may hold: anything else found by the crawl is an error. */
const PACKAGED_TYPES = new Set(['.json', '.png', '.js', '.html', '.css', '.wasm']);

// ---------------------------------------------------------------------------
// Which files
// ---------------------------------------------------------------------------

const read = (root, rel) => fs.readFileSync(path.join(root, rel), 'utf8');

/** Every string value in a JSON value, depth first. */
function strings(value) {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** The references in one file's text: [{spec, fromRoot, relative}] (fromRoot: resolved against the extension root; relative: a module-relative URL even without ./). */
function references(rel, text) {
  const ext = path.extname(rel);
  const found = [];
  const all = (re, fromRoot = false, relative = false) => {
    for (const m of text.matchAll(re)) found.push({ spec: m[2] ?? m[1], fromRoot, relative });
  };
  if (ext === '.html') {
    all(/<(?:script|img|iframe|source|audio|video)\b[^>]*?\bsrc\s*=\s*(["'])([^"']+)\1/gi);
    all(/<link\b[^>]*?\bhref\s*=\s*(["'])([^"']+)\1/gi);
    // Links to the extension's own pages (the panel's help page) are shipped
    // too, or they would break in the installed package; links with a scheme
    // go elsewhere and load nothing.
    for (const m of text.matchAll(/<a\b[^>]*?\bhref\s*=\s*(["'])([^"']+)\1/gi)) {
      if (!/^[a-z][\w+.-]*:/i.test(m[2])) found.push({ spec: m[2], fromRoot: false, relative: false });
    }
  } else if (ext === '.js') {
    all(/\b(?:import|export)\s[^'"`;]*?\bfrom\s*(["'])([^"']+)\1/g);
    all(/\bimport\s*(["'])([^"']+)\1/g);
    all(/\bimport\(\s*(["'])([^"']+)\1\s*\)/g);
    // A URL relative to the module (how wasm-bindgen's glue finds the .wasm).
    all(/\bnew URL\(\s*(["'])([^"']+)\1\s*,\s*import\.meta\.url/g, false, true);
    // Paths handed to extension APIs (devtools.panels.create, runtime.getURL, …).
    all(/(["'])(\/[\w./-]+\.(?:html|js|css|png|json|wasm))\1/g, true);
  } else if (ext === '.css') {
    all(/url\(\s*(["']?)([^"')]+)\1\s*\)/g);
    all(/@import\s+(["'])([^"']+)\1/g);
  }
  // A bare import specifier would not load in an extension page anyway; data: needs no file.
  return found.filter(({ spec, relative }) => !spec.startsWith('data:') && !spec.startsWith('#') && (relative || ext !== '.js' || REMOTE.test(spec) || spec.startsWith('.') || spec.startsWith('/')));
}

/**
 * The files the extension loads, relative to `root`, sorted: the manifest,
 * the files it names, every `_locales/<lang>/messages.json`, and everything
 * they reference, transitively.
 */
export function packagedFiles(root = ROOT) {
  const manifest = JSON.parse(read(root, 'manifest.json'));
  const files = new Set(['manifest.json']);
  const queue = [];
  const problems = [];
  const add = (rel, from) => {
    const abs = path.resolve(root, rel);
    const inside = path.relative(root, abs);
    if (inside.startsWith('..') || path.isAbsolute(inside)) return problems.push(`${from}: ${rel} is outside the extension`);
    const norm = inside.split(path.sep).join('/');
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) return problems.push(`${from}: ${norm} does not exist (run \`make build\`?)`);
    if (!PACKAGED_TYPES.has(path.extname(norm))) return problems.push(`${from}: ${norm} is not a type a package holds`);
    if (!files.has(norm)) {
      files.add(norm);
      queue.push(norm);
    }
  };
  // Manifest values that name a file of the extension (icons, background, devtools_page, …).
  for (const s of strings(manifest)) {
    const rel = s.replace(/^\//, '');
    if (/^[\w./-]+\.\w+$/.test(rel) && fs.existsSync(path.join(root, rel))) add(rel, 'manifest.json');
  }
  if (manifest.default_locale) {
    for (const lang of fs.readdirSync(path.join(root, '_locales')).sort()) add(`_locales/${lang}/messages.json`, 'manifest.json');
  }
  while (queue.length) {
    const rel = queue.shift();
    if (!['.html', '.js', '.css'].includes(path.extname(rel))) continue;
    for (const { spec, fromRoot } of references(rel, read(root, rel))) {
      if (REMOTE.test(spec)) {
        problems.push(`${rel}: remote reference ${spec} (an extension loads nothing remote)`);
        continue;
      }
      const clean = spec.replace(/[?#].*$/, '');
      add(fromRoot || clean.startsWith('/') ? clean.replace(/^\/+/, '') : path.posix.join(path.posix.dirname(rel), clean), rel);
    }
  }
  if (problems.length) throw new Error(`packaging: ${problems.length} problem(s)\n- ${[...new Set(problems)].join('\n- ')}`);
  return [...files].sort();
}

// ---------------------------------------------------------------------------
// One version, two manifests
// ---------------------------------------------------------------------------

/** manifest.json's version, checked against the Cargo workspace's and package.json's (when it has one). */
export function version(root = ROOT) {
  const v = JSON.parse(read(root, 'manifest.json')).version;
  const cargo = read(root, 'Cargo.toml').match(/\[workspace\.package\][^[]*?\bversion\s*=\s*"([^"]+)"/)?.[1];
  const pkg = JSON.parse(read(root, 'package.json')).version;
  const problems = [];
  if (!/^\d+(\.\d+){0,3}$/.test(v ?? '')) problems.push(`manifest.json version ${v} is not 1 to 4 dot-separated integers (what both stores accept)`);
  if (cargo !== v) problems.push(`Cargo.toml [workspace.package] version ${cargo} differs from manifest.json's ${v}`);
  if (pkg !== undefined && pkg !== v) problems.push(`package.json version ${pkg} differs from manifest.json's ${v}`);
  for (const crate of ['crate/core', 'crate/wasm']) {
    if (!/^version\.workspace\s*=\s*true/m.test(read(root, `${crate}/Cargo.toml`))) problems.push(`${crate}/Cargo.toml must take the workspace version (version.workspace = true)`);
  }
  if (problems.length) throw new Error(`version: ${problems.join('; ')}`);
  return v;
}

/**
 * The manifest one store gets (docs/store.md, "What differs between the two
 * packages"): each leaves out the one key its browser flags. Chromium warns
 * "'background.scripts' requires manifest version of 2 or lower" and
 * `web-ext lint` warns BACKGROUND_SERVICE_WORKER_IGNORED; every other key
 * the other browser alone reads (`minimum_chrome_version`,
 * `browser_specific_settings`) is ignored silently (measured in Chromium 156
 * and web-ext 10.7; tests/e2e/package.test.mjs asserts Chromium's side).
 */
export function browserManifest(manifest, browser) {
  const m = structuredClone(manifest);
  const worker = browser === 'chrome' ? m.background?.service_worker : browser === 'firefox' ? m.background?.scripts : undefined;
  if (browser !== 'chrome' && browser !== 'firefox') throw new Error(`unknown browser ${browser}`);
  if (!worker || (browser === 'firefox' && !m.browser_specific_settings?.gecko?.id)) {
    throw new Error(`manifest.json: the ${browser} package needs ${browser === 'chrome' ? 'background.service_worker' : 'background.scripts and browser_specific_settings.gecko.id'}`);
  }
  delete m.background[browser === 'chrome' ? 'scripts' : 'service_worker'];
  return m;
}

// ---------------------------------------------------------------------------
// A deterministic zip writer (and the reader the tests use)
// ---------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** 1980-01-01 00:00:00, the earliest date a zip can hold: no clock, no time zone. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** A regular file, rw-r--r--, made on Unix (so the mode is read). */
const EXTERNAL_ATTRS = (0o100644 << 16) >>> 0;
const MADE_BY = (3 << 8) | 20;

/**
 * A zip of `entries` ([{name, data}]), in the order given: fixed date, fixed
 * permissions, no extra fields, deflate level 9 (stored when that is not
 * smaller). The same entries always give the same bytes (with the same zlib).
 */
export function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(name) || name.split('/').some((part) => part === '.' || part === '..')) throw new Error(`zip: unexpected entry name ${JSON.stringify(name)}`);
    const nameBuf = Buffer.from(name, 'ascii');
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const [method, body] = deflated.length < data.length ? [8, deflated] : [0, data];
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    // extra length, comment length, disk number, internal attributes: 0
    central.writeUInt32LE(EXTERNAL_ATTRS, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, body);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  if (offset > 0xffffffff || entries.length > 0xffff) throw new Error('zip: too large for a zip without zip64');
  return Buffer.concat([...locals, cd, end]);
}

/** The entries of a zip (ours, or any without zip64 and encryption): [{name, data, mode, method}], checked against their CRC. */
export function unzip(buf) {
  const endAt = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error('unzip: no end of central directory');
  const count = buf.readUInt16LE(endAt + 10);
  let p = buf.readUInt32LE(endAt + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('unzip: bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const xlen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const mode = buf.readUInt32LE(p + 38) >>> 16;
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nlen);
    p += 46 + nlen + xlen + clen;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const body = buf.subarray(start, start + csize);
    if (name.endsWith('/')) continue;
    const data = method === 8 ? zlib.inflateRawSync(body) : method === 0 ? Buffer.from(body) : null;
    if (!data) throw new Error(`unzip: ${name}: compression method ${method}`);
    if (crc32(data) !== crc) throw new Error(`unzip: ${name}: CRC mismatch`);
    entries.push({ name, data, mode, method });
  }
  return entries;
}

/** Write a zip's files under `dir` (created); returns `dir`. */
export function extract(zipFile, dir) {
  for (const { name, data } of unzip(fs.readFileSync(zipFile))) {
    const target = path.join(dir, name);
    if (path.relative(dir, target).startsWith('..')) throw new Error(`extract: ${name} escapes ${dir}`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, data);
  }
  return dir;
}

// ---------------------------------------------------------------------------
// The archives
// ---------------------------------------------------------------------------

/** The zip for one browser, from the files under `root`. */
export function browserPackage(root, browser, files = packagedFiles(root)) {
  const manifest = JSON.parse(read(root, 'manifest.json'));
  return zip(
    files.map((name) => ({
      name,
      data: name === 'manifest.json' ? Buffer.from(`${JSON.stringify(browserManifest(manifest, browser), null, 2)}\n`) : fs.readFileSync(path.join(root, name)),
    })),
  );
}

/** Whether `root` is the top of a git work tree (the unpacked source archive is not: it has no history). */
export function isGitCheckout(root) {
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return fs.realpathSync(top) === fs.realpathSync(root);
  } catch {
    return false;
  }
}

/** The committed tree (HEAD) as AMO's source archive: `git archive` stamps every file with the commit's time. */
export function sourceArchive(root, v) {
  return execFileSync('git', ['-c', 'core.autocrlf=false', 'archive', '--format=zip', `--prefix=cors-lens-${v}/`, 'HEAD'], { cwd: root, maxBuffer: 1 << 30 });
}

export const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** Writes the three archives and SHA256SUMS into `out`; returns [{file, bytes, sha256}]. */
export function writePackages(root = ROOT, out = path.join(ROOT, 'dist')) {
  const v = version(root);
  const files = packagedFiles(root);
  fs.mkdirSync(out, { recursive: true });
  /** @type {[string, Buffer][]} */
  const archives = BROWSERS.map((b) => [`cors-lens-${v}-${b}.zip`, browserPackage(root, b, files)]);
  // From the unpacked source archive (AMO's reviewers), the browser zips only.
  if (isGitCheckout(root)) archives.push([`cors-lens-${v}-source.zip`, sourceArchive(root, v)]);
  const written = archives.map(([file, buf]) => {
    fs.writeFileSync(path.join(out, file), buf);
    return { file, bytes: buf.length, sha256: sha256(buf) };
  });
  fs.writeFileSync(path.join(out, 'SHA256SUMS'), written.map((w) => `${w.sha256}  ${w.file}\n`).join(''));
  return written;
}

/**
 * Copies the packaged files (and what the version check reads) into a
 * scratch tree, creating them in reverse order with another date and mode
 * each, builds the browser zips there, and compares them with `out`'s. The
 * source archive is made again from the repository and compared too.
 * Returns the list of differences (empty: reproducible).
 */
export function verifyPackages(root = ROOT, out = path.join(ROOT, 'dist')) {
  const v = version(root);
  const files = packagedFiles(root);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-package-'));
  try {
    const copied = [...files, 'Cargo.toml', 'package.json', 'crate/core/Cargo.toml', 'crate/wasm/Cargo.toml'].reverse();
    copied.forEach((rel, i) => {
      const target = path.join(scratch, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(root, rel), target);
      fs.chmodSync(target, i % 2 ? 0o600 : 0o755);
      const when = new Date(Date.UTC(2001 + i, i % 12, 1 + i, i % 24));
      fs.utimesSync(target, when, when);
    });
    const differences = [];
    const compare = (file, buf) => {
      const written = fs.readFileSync(path.join(out, file));
      if (sha256(written) !== sha256(buf)) differences.push(`${file}: ${sha256(written)} written, ${sha256(buf)} rebuilt`);
    };
    for (const b of BROWSERS) compare(`cors-lens-${v}-${b}.zip`, browserPackage(scratch, b));
    if (isGitCheckout(root)) compare(`cors-lens-${v}-source.zip`, sourceArchive(root, v));
    return differences;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--list')) {
      for (const f of packagedFiles()) console.log(f);
    } else if (args.includes('--verify')) {
      const differences = verifyPackages();
      if (differences.length) throw new Error(`package: not reproducible\n- ${differences.join('\n- ')}`);
      console.log('package: rebuilt from a copy with other dates, permissions and file order: the same bytes');
    } else {
      const outAt = args.indexOf('--out');
      const out = outAt >= 0 ? path.resolve(args[outAt + 1]) : path.join(ROOT, 'dist');
      if (!isGitCheckout(ROOT)) console.log('package: not a git checkout (the unpacked source archive?): the browser zips only');
      else if (execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim()) {
        console.log('package: the work tree has uncommitted changes; the browser zips hold them, the source archive is HEAD');
      }
      const files = packagedFiles();
      for (const w of writePackages(ROOT, out)) console.log(`${w.sha256}  ${path.relative(process.cwd(), path.join(out, w.file))} (${w.bytes} bytes)`);
      console.log(`package: ${files.length} files in each browser zip`);
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
