// make bench: the command-line tool on a 100 MB HAR (BENCH_HAR_MB=N for
// another size), written to target/bench/big.har: cross-origin GETs of four
// kinds (no ACAO, allowed, `*` refused, another origin) with 8 KB bodies,
// as a real export holds them. Prints the time beside its budget; never
// asserted (docs/performance.md).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUDGET_S = 10;
const mb = Number(process.env.BENCH_HAR_MB || 100);
const bin = path.join(root, 'target/release/cors-lens');
const file = path.join(root, 'target/bench/big.har');
const page = 'http://127.0.0.1:8000';
const api = 'http://localhost:9000';
const h = (pairs) => pairs.map(([name, value]) => ({ name, value }));
const body = 'x'.repeat(8000);
function entry(i) {
  const kind = i % 4;
  const url = `${api}/api/${['no-acao', 'ok', 'wildcard', 'mismatch'][kind]}?n=${i}`;
  const acao = [[], [['Access-Control-Allow-Origin', page], ['Vary', 'Origin']], [['Access-Control-Allow-Origin', '*']], [['Access-Control-Allow-Origin', 'http://other.test']]][kind];
  return {
    pageref: 'page_1',
    startedDateTime: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
    time: 3,
    request: { method: 'GET', url, httpVersion: 'HTTP/1.1', cookies: [], headers: h([['Origin', page], ['Referer', `${page}/`], ['Sec-Fetch-Mode', 'cors'], ['Accept', '*/*']]), queryString: [], headersSize: -1, bodySize: 0 },
    response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', cookies: [], headers: h([...acao, ['Content-Type', 'text/plain']]), content: { size: body.length, mimeType: 'text/plain', text: body }, redirectURL: '', headersSize: -1, bodySize: body.length, ...(kind === 1 ? {} : { _error: 'net::ERR_FAILED' }) },
    cache: {},
    timings: { send: 0, wait: 1, receive: 1 },
    _resourceType: 'fetch',
    _initiator: { type: 'script', url: `${page}/app.js` },
  };
}
/** Writes a HAR of about `mb` MB to `file`; returns {bytes, entries}. The
 *  end-to-end test of the standalone page reads one too (har.test.mjs). */
export function writeBigHar(file, mb) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, '{"log":{"version":"1.2","creator":{"name":"bench","version":"1"},"pages":[],"entries":[\n');
  let written = 0;
  let n = 0;
  while (written < mb * 1024 * 1024) {
    const s = (n ? ',\n' : '') + JSON.stringify(entry(n));
    fs.writeSync(fd, s);
    written += s.length;
    n += 1;
  }
  fs.writeSync(fd, ']}}\n');
  fs.closeSync(fd);
  return { bytes: written, entries: n };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { bytes: written, entries: n } = writeBigHar(file, mb);
  const t0 = process.hrtime.bigint();
  let out = '';
  try {
    execFileSync(bin, ['check', '--format', 'json', file], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  } catch (e) {
    // Exit 1: failures found (they are, by construction).
    if (e.status !== 1) throw e;
    out = String(e.stderr);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`cli: ${(written / 1048576).toFixed(0)} MB HAR, ${n} entries: ${s.toFixed(2)} s (budget <= ${BUDGET_S} s)`);
  if (out) console.log(`  ${out.trim()}`);
}
