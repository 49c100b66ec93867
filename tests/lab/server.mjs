// CORS Lens test lab: three loopback origins that reproduce every scenario of
// tests/fixtures/scenarios.json.
//
//   page origin   http://127.0.0.1:P   serves /lab.html (the demo page), /lab.js,
//                                      /scenarios.json, /config.json, and the
//                                      paths of the same-origin scenarios
//   API origin    http://localhost:A   answers each scenario path per the table
//   third origin  http://localhost:T   final hop of the redirect scenarios
//   refused       http://localhost:R   a port reserved then closed: nothing listens
//
// No npm dependencies (node:http only). Run directly with
//   node tests/lab/server.mjs [--page-port N] [--api-port N] [--third-port N]
// to print the origins and keep serving until Ctrl-C.

import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCENARIOS_PATH = path.resolve(here, '../fixtures/scenarios.json');
/** Preflighted requests (method, request headers, OPTIONS answer): a table of its own,
 *  since the shared scenarios.json describes simple GET requests only. */
export const PREFLIGHT_SCENARIOS_PATH = path.resolve(here, '../fixtures/preflight-scenarios.json');

/** The scenario matrix (issue 6): simple and preflighted requests in one table, same shape
 *  as the two above, plus `cachedPreflight` runs (a warm-up fills the preflight cache). */
export const MATRIX_SCENARIOS_PATH = path.resolve(here, '../fixtures/matrix-scenarios.json');

export function loadMatrixScenarios(file = MATRIX_SCENARIOS_PATH) {
  return loadScenarios(file);
}

/** What still breaks once CORS passes (issue 12): each row's `notice` is the
 *  notice expected (`{kind, detail}`) or `null` on its passing control; a row
 *  with `expect` is a refusal served from a cache, its `cacheNote` the header
 *  the explanation must quote. Same shape as the tables above otherwise, plus
 *  the kind `fetch-nocors`. */
export const NOTICE_SCENARIOS_PATH = path.resolve(here, '../fixtures/notice-scenarios.json');

export function loadNoticeScenarios(file = NOTICE_SCENARIOS_PATH) {
  return loadScenarios(file);
}

/** Local Network Access (tests/e2e/lna.test.mjs): the same shape; they fail only in a
 *  browser that counts the page as public (`lnaBrowserArgs` there), so no other table holds them. */
export const LNA_SCENARIOS_PATH = path.resolve(here, '../fixtures/lna-scenarios.json');

export function loadLnaScenarios(file = LNA_SCENARIOS_PATH) {
  return loadScenarios(file);
}

/** `{origin}` = the page origin, `{port}` = the page port (for case and scheme variants of the origin);
 *  with the lab's origins, `{pageHost}`, `{apiHost}`, `{thirdHost}` = their host:port (redirect targets). */
export function substitute(value, pageOrigin, origins = {}) {
  const port = new URL(pageOrigin).port;
  let out = String(value).replaceAll('{origin}', pageOrigin).replaceAll('{port}', port);
  for (const [name, origin] of [['pageHost', origins.pageOrigin], ['apiHost', origins.apiOrigin], ['thirdHost', origins.thirdOrigin]]) {
    if (origin) out = out.replaceAll(`{${name}}`, new URL(origin).host);
  }
  return out;
}

export function loadScenarios(file = SCENARIOS_PATH) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function loadPreflightScenarios(file = PREFLIGHT_SCENARIOS_PATH) {
  return loadScenarios(file);
}

// A 1x1 transparent PNG, so that <img> scenarios load a real image.
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** pathname of a scenario path ("/api/x?q=1" -> "/api/x"), as the URL parser sees it */
export function scenarioPathname(p) {
  return new URL(p, 'http://lab.invalid').pathname;
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address().port);
    });
  });
}

/** Listen on 127.0.0.1 (port 0 = random), and best effort on ::1 with the same port,
 *  so that "localhost" resolves to a listening socket whatever address family is tried first. */
async function listenLoopback(handler, port) {
  const servers = [];
  const v4 = http.createServer(handler);
  const p = await listen(v4, port, '127.0.0.1');
  servers.push(v4);
  const v6 = http.createServer(handler);
  try {
    await listen(v6, p, '::1');
    servers.push(v6);
  } catch {
    /* no IPv6 loopback: fine */
  }
  return { port: p, servers };
}

/** A port on which nothing listens (reserved then released). */
async function closedPort() {
  const s = net.createServer();
  const p = await listen(s, 0, '127.0.0.1');
  await new Promise((r) => s.close(r));
  return p;
}

function closeAll(servers) {
  return Promise.all(
    servers.map(
      (s) =>
        new Promise((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections?.();
        }),
    ),
  );
}

/** Group [[name, value], ...] (with {origin} substituted) into setHeader calls.
 *  A name given twice becomes an array: Node then sends two separate header lines. */
function applyHeaders(res, headers, pageOrigin, origins) {
  const grouped = new Map();
  for (const [name, value] of headers || []) {
    const v = substitute(value, pageOrigin, origins);
    const key = name.toLowerCase();
    if (!grouped.has(key)) grouped.set(key, { name, values: [] });
    grouped.get(key).values.push(v);
  }
  for (const { name, values } of grouped.values()) {
    res.setHeader(name, values.length === 1 ? values[0] : values);
  }
}

function bodyFor(scenario, headers) {
  const ct = (headers || []).find(([n]) => n.toLowerCase() === 'content-type');
  if (ct && /^image\/png/i.test(ct[1])) return PNG_1X1;
  if (ct && /json/i.test(ct[1])) return Buffer.from(JSON.stringify({ scenario: scenario.id, ok: true }) + '\n');
  return Buffer.from(`scenario ${scenario.id}\n`);
}

function sendScenarioResponse(res, scenario, origins, warm = false) {
  const { status = 200, headers = [] } = (warm ? scenario.warmResponse : scenario.response) || {};
  res.statusCode = status;
  res.setHeader('Cache-Control', 'no-store');
  applyHeaders(res, headers, origins.pageOrigin, origins);
  res.end(bodyFor(scenario, headers));
}

function send(res, status, type, body, extra = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

export async function startLab({
  pagePort = 0,
  apiPort = 0,
  thirdPort = 0,
  scenarios = loadScenarios(),
  preflightScenarios = loadPreflightScenarios(),
  matrixScenarios = loadMatrixScenarios(),
  noticeScenarios = loadNoticeScenarios(),
  lnaScenarios = loadLnaScenarios(),
  // The origin the page is served under when it is not the page server's own:
  // a front server proxying to it, under a host name the browser maps to
  // 127.0.0.1 (tests/e2e/lna.test.mjs: https, a URL that tells no address).
  pageOrigin = null,
  log = false,
} = {}) {
  const byPath = { page: new Map(), api: new Map(), third: new Map() };
  for (const s of [...scenarios, ...preflightScenarios, ...matrixScenarios, ...noticeScenarios, ...lnaScenarios]) {
    const where = s.kind === 'fetch-same-origin' ? 'page' : 'api';
    if (!s.refused && byPath[where].has(scenarioPathname(s.path))) throw new Error(`two scenarios share the path ${s.path}`);
    if (s.refused) continue;
    if (s.kind === 'fetch-same-origin') {
      byPath.page.set(scenarioPathname(s.path), s);
    } else {
      byPath.api.set(scenarioPathname(s.path), s);
    }
    if (s.redirectTo) byPath.third.set(scenarioPathname(s.redirectTo), s);
  }

  /** every request any lab origin received: {server, method, url, headers, time} */
  const requests = [];
  const origins = {};
  /** URLs (with their run nonce) already answered once: a cachedPreflight scenario answers
   *  its first actual request (the warm-up) with `warmResponse`. */
  const answered = new Set();

  const makeHandler = (role) => (req, res) => {
    const url = new URL(req.url, 'http://lab.invalid');
    requests.push({ server: role, method: req.method, url: req.url, headers: { ...req.headers }, time: Date.now() });
    if (log) console.error(`[lab:${role}] ${req.method} ${req.url} origin=${req.headers.origin ?? '-'}`);

    if (role === 'page') {
      if (url.pathname === '/' || url.pathname === '/lab.html') {
        return send(res, 200, 'text/html; charset=utf-8', fs.readFileSync(path.join(here, 'lab.html')));
      }
      if (url.pathname === '/lab.js') {
        return send(res, 200, 'text/javascript; charset=utf-8', fs.readFileSync(path.join(here, 'lab.js')));
      }
      if (url.pathname === '/scenarios.json') {
        return send(res, 200, 'application/json', JSON.stringify(scenarios));
      }
      if (url.pathname === '/preflight-scenarios.json') {
        return send(res, 200, 'application/json', JSON.stringify(preflightScenarios));
      }
      if (url.pathname === '/matrix-scenarios.json') {
        return send(res, 200, 'application/json', JSON.stringify(matrixScenarios));
      }
      if (url.pathname === '/notice-scenarios.json') {
        return send(res, 200, 'application/json', JSON.stringify(noticeScenarios));
      }
      if (url.pathname === '/lna-scenarios.json') {
        return send(res, 200, 'application/json', JSON.stringify(lnaScenarios));
      }
      if (url.pathname === '/config.json') {
        return send(res, 200, 'application/json', JSON.stringify(origins));
      }
      if (url.pathname === '/favicon.ico') {
        return send(res, 204, 'image/x-icon', '');
      }
    }

    const scenario = byPath[role].get(url.pathname);
    if (!scenario) {
      return send(res, 404, 'text/plain', `no such lab path on the ${role} origin: ${url.pathname}\n`);
    }
    if (req.method === 'OPTIONS' && scenario.preflight) {
      // The CORS preflight: answered per the scenario's `preflight`, no body.
      res.statusCode = scenario.preflight.status ?? 204;
      res.setHeader('Cache-Control', 'no-store');
      applyHeaders(res, scenario.preflight.headers, origins.pageOrigin);
      return res.end();
    }
    if (role === 'api' && scenario.redirectTo) {
      // First hop: a 302 that itself passes CORS, to a third origin.
      // The query (carrying the run nonce) is kept across the hop.
      const target = origins.thirdOrigin + scenarioPathname(scenario.redirectTo) + url.search;
      res.writeHead(302, {
        Location: target,
        'Access-Control-Allow-Origin': origins.pageOrigin,
        'Cache-Control': 'no-store',
        'Content-Type': 'text/plain',
      });
      return res.end(`redirecting to ${target}\n`);
    }
    const warm = Boolean(scenario.cachedPreflight && scenario.warmResponse) && !answered.has(req.url);
    answered.add(req.url);
    return sendScenarioResponse(res, scenario, origins, warm);
  };

  const page = await listenLoopback(makeHandler('page'), pagePort);
  const api = await listenLoopback(makeHandler('api'), apiPort);
  const third = await listenLoopback(makeHandler('third'), thirdPort);
  const refusedPort = await closedPort();

  Object.assign(origins, {
    pageOrigin: pageOrigin ?? `http://127.0.0.1:${page.port}`,
    apiOrigin: `http://localhost:${api.port}`,
    thirdOrigin: `http://localhost:${third.port}`,
    refusedOrigin: `http://localhost:${refusedPort}`,
  });

  const all = [...page.servers, ...api.servers, ...third.servers];
  return {
    ...origins,
    labUrl: `${origins.pageOrigin}/lab.html`,
    scenarios,
    preflightScenarios,
    matrixScenarios,
    noticeScenarios,
    lnaScenarios,
    pagePort: page.port,
    requests,
    close: () => closeAll(all),
  };
}

// Run directly: print the origins and serve until interrupted.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : 0;
  };
  const lab = await startLab({
    pagePort: arg('--page-port'),
    apiPort: arg('--api-port'),
    thirdPort: arg('--third-port'),
    log: process.argv.includes('--log'),
  });
  console.log(`page origin   ${lab.pageOrigin}`);
  console.log(`API origin    ${lab.apiOrigin}`);
  console.log(`third origin  ${lab.thirdOrigin}`);
  console.log(`refused       ${lab.refusedOrigin} (nothing listens)`);
  console.log(`lab page      ${lab.labUrl}`);
  console.log(`${lab.scenarios.length} scenarios + ${lab.preflightScenarios.length} preflighted + ${lab.matrixScenarios.length} in the matrix + ${lab.noticeScenarios.length} notices + ${lab.lnaScenarios.length} local-network; Ctrl-C to stop`);
  const stop = async () => {
    await lab.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
