// Bench: the wasm engine in Node, through the boundary the service worker
// uses, beside the core alone (natively and in wasm), the ways across the
// boundary that were measured against the shipped one, the package sizes and
// the worker's memory. Prints figures beside their budgets; asserts nothing.
// Run by `make bench` (after `make build`, the bench build of the engine in
// target/bench/pkg and the native bench's target/bench/native.json).
//
// Times are medians over batches of BATCH requests (three events each):
// short batches keep most of them clear of the other processes sharing this
// machine's two cores, and every variant runs each batch in turn, so all see
// the same load.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../', import.meta.url);
const PKG = new URL('www/pkg/', ROOT);
const BENCH_PKG = new URL('target/bench/pkg/', ROOT);
const REQUESTS = 100000;
const BATCH = 100;
const KB = 1024;

const PAGE = 'http://127.0.0.1:8080';
/** The events of request i, as webRequest hands them over (crate/core/src/workload.rs builds the same). */
function events(i) {
  const requestId = String(i);
  const url = `http://localhost:8081/api/items/${i}?q=search`;
  const common = { requestId, url, method: 'GET', type: 'xmlhttprequest', tabId: 1, initiator: PAGE, timeStamp: 1e12 + i };
  const requestHeaders = [
    { name: 'Origin', value: PAGE }, { name: 'Sec-Fetch-Mode', value: 'cors' }, { name: 'Sec-Fetch-Site', value: 'cross-site' },
    { name: 'Accept', value: 'application/json' }, { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156' },
    ...Array.from({ length: 10 }, (_, n) => ({ name: `X-Extra-${n}`, value: 'value' })),
  ];
  const fail = i % 3 === 0;
  const responseHeaders = [
    { name: 'Content-Type', value: 'application/json' },
    { name: 'Access-Control-Allow-Origin', value: fail ? 'http://other.example' : PAGE },
    { name: 'Vary', value: 'Origin' }, { name: 'Cache-Control', value: 'no-store' },
    { name: 'Date', value: 'Wed, 25 Nov 2026 16:00:00 GMT' },
  ];
  return [
    ['onSendHeaders', { ...common, requestHeaders }],
    ['onHeadersReceived', { ...common, statusCode: 200, responseHeaders }],
    fail ? ['onErrorOccurred', { ...common, error: 'net::ERR_FAILED' }] : ['onCompleted', { ...common, statusCode: 200 }],
  ];
}
const batchEvents = (first, count) => Array.from({ length: count }, (_, k) => events(first + k)).flat();

const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / KB).toFixed(1)} KB`;
const verdict = (ok) => (ok ? 'holds' : 'MISSED');

async function loadShipped() {
  const { default: init, Engine } = await import(new URL('extension/engine.js', ROOT));
  const exports = await init({ module_or_path: readFileSync(new URL('cors_lens_engine_bg.wasm', PKG)) });
  return { Engine, memory: exports.memory };
}

/**
 * `--memory`: the worker's memory after REQUESTS requests of one tab, in a
 * process of its own: the shipped engine, the records kept as the worker
 * keeps them (its last 500 distinct findings per tab), then a full GC.
 */
async function memory() {
  const { Engine, memory: wasmMemory } = await loadShipped();
  const engine = new Engine();
  const kept = new Map();
  let findings = 0;
  for (let first = 0; first < REQUESTS; first += BATCH) {
    for (const [listener, details] of batchEvents(first, BATCH)) {
      const record = engine.ingest(listener, details);
      if (record === undefined) continue;
      findings++;
      kept.delete(record.key);
      kept.set(record.key, record);
      if (kept.size > 500) kept.delete(kept.keys().next().value);
    }
  }
  globalThis.gc();
  const heap = process.memoryUsage().heapUsed;
  const wasm = wasmMemory.buffer.byteLength;
  console.log(JSON.stringify({ events: REQUESTS * 3, findings, kept: kept.size, inFlight: engine.inFlight, heap, wasm }));
}

function sizes() {
  const file = (dir, name) => readFileSync(new URL(name, dir));
  const worker = file(PKG, 'cors_lens_engine_bg.wasm');
  const workerJs = Buffer.concat([file(PKG, 'cors_lens_engine.js'), file(new URL('extension/', ROOT), 'engine.js')]);
  const panel = file(PKG, 'cors_lens_bg.wasm');
  const panelJs = file(PKG, 'cors_lens.js');
  console.log('package sizes (gzip -9):');
  console.log(`  worker's package (www/pkg/cors_lens_engine_bg.wasm, loaded on every wake of the worker): ${kb(worker.length)}, ${kb(gz(worker))} gzipped; budget ≤ 100 KB gzipped: ${verdict(gz(worker) <= 100 * KB)}`);
  console.log(`    its JavaScript (the glue and extension/engine.js): ${kb(workerJs.length)}, ${kb(gz(workerJs))} gzipped`);
  console.log(`  panel's package (www/pkg/cors_lens_bg.wasm: renderer, explanations, every stack's fixes, both languages, exports): ${kb(panel.length)}, ${kb(gz(panel))} gzipped; its glue ${kb(gz(panelJs))} gzipped`);
}

/** The header names the verdict reads; the others only travel into the record. */
const VERDICT_HEADERS = new Set(['origin', 'sec-fetch-mode', 'cookie', 'location', 'vary']);
const keep = (list) => list?.filter((h) => VERDICT_HEADERS.has(h.name.toLowerCase()) || h.name.toLowerCase().startsWith('access-control-'));
const verdictOnly = (d) => (d.requestHeaders || d.responseHeaders ? { ...d, requestHeaders: keep(d.requestHeaders), responseHeaders: keep(d.responseHeaders) } : d);

async function speed() {
  const shipped = await loadShipped();
  const { Engine: Wrapper } = await import(new URL('extension/engine.js', ROOT));
  if (!existsSync(fileURLToPath(new URL('cors_lens_engine.js', BENCH_PKG)))) {
    console.log('speed: no bench build in target/bench/pkg (run `make bench`)');
    return;
  }
  const bench = await import(new URL('cors_lens_engine.js', BENCH_PKG));
  await bench.default({ module_or_path: readFileSync(new URL('cors_lens_engine_bg.wasm', BENCH_PKG)) });
  /**
   * The bench build's handle with the packed way cut short or another way
   * out, for the breakdown: `via` as in crate/wasm/src/bench.rs (`via`).
   */
  const VIA = { crossOnly: 0, readOnly: 1, textOut: 2, serdeOut: 3, fedOnly: 4 };
  const cut = (via) =>
    class extends bench.Engine {
      ingestPacked(...args) {
        return this.ingestPackedVia(VIA[via], ...args);
      }
    };
  const SerdeOut = cut('serdeOut');
  const JsOnly = class {
    ingestPacked() {
      return undefined;
    }
  };
  const variants = [
    { name: 'serde-wasm-bindgen in and out (before)', feed: (e) => (l, d) => e.ingestSerde(l, d), engine: () => new bench.Engine() },
    { name: 'serde-wasm-bindgen in, JSON text out', feed: (e) => (l, d) => e.ingestSerdeJson(l, d), engine: () => new bench.Engine() },
    { name: 'Reflect reads in, JSON text out', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new bench.Engine() },
    { name: 'packed in JS, serde-wasm-bindgen out', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new Wrapper(new SerdeOut()) },
    { name: 'packed in JS, JSON text out (shipped)', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new Wrapper(new bench.Engine()) },
    // Not shipped, measured for the decision it would take: the record's
    // exchange would keep only these headers (docs/performance.md).
    { name: 'packed, only the headers the verdict reads', feed: (e) => (l, d) => e.ingest(l, verdictOnly(d)), engine: () => new Wrapper(new bench.Engine()) },
    { name: 'breakdown: packing in JS only', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new Wrapper(new JsOnly()), part: true },
    { name: '  + the string handed to wasm', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new Wrapper(new (cut('crossOnly'))()), part: true },
    { name: '  + read into the core\'s event', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new Wrapper(new (cut('readOnly'))()), part: true },
    { name: '  + fed to the core, no record made', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new Wrapper(new (cut('fedOnly'))()), part: true },
    { name: '  + records made as JSON text', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new Wrapper(new (cut('textOut'))()), part: true },
    { name: '  + records parsed into objects (= shipped)', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new Wrapper(new bench.Engine()) },
    { name: 'the worker\'s package (www/pkg, extension/engine.js)', feed: (e) => (l, d) => e.ingest(l, d), engine: () => new shipped.Engine(), worker: true },
  ];
  for (const v of variants) {
    v.handle = v.engine();
    v.run = v.feed(v.handle);
    v.times = [];
    v.findings = 0;
  }
  const core = { handle: new bench.CoreBench(), times: [], findings: 0 };
  // Warm up on other request ids.
  for (const v of variants) for (const [l, d] of batchEvents(REQUESTS, 500)) v.run(l, d);
  core.handle.prepare(REQUESTS, 500);
  core.handle.run();

  for (let first = 0; first < REQUESTS; first += BATCH) {
    const list = batchEvents(first, BATCH);
    for (const v of variants) {
      const t0 = performance.now();
      for (const [l, d] of list) if (v.run(l, d) !== undefined) v.findings++;
      v.times.push(((performance.now() - t0) * 1000) / list.length);
    }
    core.handle.prepare(first, BATCH);
    const t0 = performance.now();
    core.findings += core.handle.run();
    core.times.push(((performance.now() - t0) * 1000) / list.length);
  }

  const nativeFile = new URL('target/bench/native.json', ROOT);
  const native = existsSync(fileURLToPath(nativeFile)) ? JSON.parse(readFileSync(nativeFile, 'utf8')) : null;
  const coreUs = median(core.times);
  const worker = variants.find((v) => v.worker);
  const workerUs = median(worker.times);
  console.log(`engine (wasm in Node ${process.version}): ${REQUESTS} requests, ${REQUESTS * 3} events, medians of ${core.times.length} batches of ${BATCH * 3} events`);
  const line = (name, us, findings) => console.log(`  ${name.padEnd(56)} ${us.toFixed(2).padStart(6)} µs per event, ${String(Math.round(1e6 / us)).padStart(7)} events/s, ${findings} findings`);
  if (native) line('the core alone, native (crate/core/examples/bench.rs)', native.usPerEvent, 'same');
  line('the core alone, in wasm (events built in wasm)', coreUs, core.findings);
  for (const v of variants) line(v.name, median(v.times), v.part ? '-' : v.findings);
  const boundary = workerUs - coreUs;
  if (native) {
    const ratio = workerUs / native.usPerEvent;
    console.log(`  the core in wasm / native: ${(coreUs / native.usPerEvent).toFixed(2)}×`);
    console.log(`  the worker's engine (wasm, boundary included) / the core natively: ${ratio.toFixed(2)}×; budget ≤ 1.5×: ${verdict(ratio <= 1.5)}`);
  }
  console.log(`  the boundary per event (the worker's package − the core alone in wasm, medians): ${boundary.toFixed(2)} µs; budget ≤ 5 µs: ${verdict(boundary <= 5)}`);
}

if (process.argv.includes('--memory')) {
  await memory();
} else {
  sizes();
  await speed();
  const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--memory'], { encoding: 'utf8' });
  const m = JSON.parse(out);
  const total = m.heap + m.wasm;
  console.log(`worker memory after ${m.events} events in one tab (${m.findings} findings, the last ${m.kept} kept as the worker keeps them, ${m.inFlight} in flight), after a full GC:`);
  console.log(`  wasm linear memory ${(m.wasm / 2 ** 20).toFixed(1)} MB + JS heap ${(m.heap / 2 ** 20).toFixed(1)} MB = ${(total / 2 ** 20).toFixed(1)} MB; budget ≤ 30 MB: ${verdict(total <= 30 * 2 ** 20)}`);
}
