// Bench: the built wasm engine in Node, through the same boundary the service
// worker uses (one webRequest details object in, a record or undefined out).
// Prints figures; asserts nothing. Run by `make bench` after `make build`.
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';

const pkg = new URL('../www/pkg/', import.meta.url);
const { default: init, Engine } = await import(new URL('cors_lens.js', pkg));
const wasm = readFileSync(new URL('cors_lens_bg.wasm', pkg));
const exports = await init({ module_or_path: wasm });

const PAGE = 'http://127.0.0.1:8080';
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

const n = 100000;
const all = Array.from({ length: n }, (_, i) => events(i)).flat();
const engine = new Engine();
// Warm up on separate ids, then measure.
for (const [l, d] of Array.from({ length: 500 }, (_, i) => events(n + i)).flat()) engine.ingest(l, d);
let findings = 0;
const t0 = performance.now();
for (const [listener, details] of all) if (engine.ingest(listener, details) !== undefined) findings++;
const ms = performance.now() - t0;
const size = statSync(new URL('cors_lens_bg.wasm', pkg)).size;
console.log(`engine (wasm in Node ${process.version}): ${n} requests, ${all.length} events, ${findings} findings`);
console.log(`  ${ms.toFixed(0)} ms total, ${((ms * 1000) / all.length).toFixed(2)} µs per event, ${Math.round(all.length / (ms / 1000))} events/s`);
const mem = process.memoryUsage();
console.log(`  wasm linear memory ${(exports.memory.buffer.byteLength / 2 ** 20).toFixed(1)} MB, ${engine.inFlight} requests in flight; Node heap ${(mem.heapUsed / 2 ** 20).toFixed(1)} MB (the ${all.length} event objects included), RSS ${(mem.rss / 2 ** 20).toFixed(1)} MB`);
console.log(`wasm package: ${size} bytes, ${gzipSync(wasm, { level: 9 }).length} gzipped`);
