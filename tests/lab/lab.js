// Lab page logic. Exposes:
//   window.labReady            promise resolved once config and scenarios are loaded
//   window.runScenario(id)     -> Promise<{id, ok, error?, status?, url}>  (settles once the request did)
//   window.runAll(which)       -> Promise<[result, ...]>  (sequential; 'simple' | 'preflight' | 'matrix' | 'notices' | 'all')
//   window.scenarioUrl(id)     -> the URL the next run of that scenario will request
//   window.demoScenarios       the demo's groups: [{title, ids}] (every reason, the causes the
//                              browser never names, warnings, other problems, passing controls)
//   window.runDemo()           -> Promise<[result, ...]>  (every demo scenario, sequential)
// Every run appends a unique "lab=<nonce>" query parameter so that each request
// has its own URL (no memory-cache hits for images, one finding per run).
'use strict';
(function () {
  let config = null;
  let scenarios = [];
  let seq = 0;
  const TIMEOUT_MS = 15000;

  function byId(id) {
    const s = scenarios.find((x) => x.id === id) || lna.find((x) => x.id === id);
    if (!s) throw new Error('unknown scenario ' + id);
    return s;
  }

  function baseFor(s) {
    if (s.refused) return config.refusedOrigin;
    if (s.kind === 'fetch-same-origin') return config.pageOrigin;
    return config.apiOrigin;
  }

  function buildUrl(s, nonce) {
    const raw = baseFor(s) + s.path + (s.path.includes('?') ? '&' : '?') + 'lab=' + nonce;
    return new URL(raw).href; // what the browser will actually request
  }

  function withTimeout(promise) {
    let timer;
    return Promise.race([
      promise,
      new Promise((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, error: 'timeout' }), TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  function doFetch(url, s) {
    // cache: 'no-store' also bypasses Chromium's preflight cache, which the cachedPreflight runs need.
    const init = { credentials: s.credentials === 'include' ? 'include' : 'omit', cache: s.cachedPreflight ? 'default' : 'no-store' };
    // The "fix" that hides the data: no CORS error, an opaque response.
    if (s.kind === 'fetch-nocors') init.mode = 'no-cors';
    if (s.method) init.method = s.method;
    if (s.requestHeaders && s.requestHeaders.length) init.headers = s.requestHeaders;
    return fetch(url, init).then(
      (r) => r.text().then(() => ({ ok: true, status: r.status })),
      (e) => ({ ok: false, error: String(e) }),
    );
  }

  function doXhr(url, s) {
    return new Promise((resolve) => {
      const x = new XMLHttpRequest();
      x.open(s.method || 'GET', url);
      x.withCredentials = s.credentials === 'include';
      for (const [name, value] of s.requestHeaders || []) x.setRequestHeader(name, value);
      x.onload = () => resolve({ ok: true, status: x.status });
      x.onerror = () => resolve({ ok: false, error: 'XMLHttpRequest network error' });
      x.send();
    });
  }

  function doImg(url, s, crossorigin) {
    return new Promise((resolve) => {
      const img = new Image();
      if (crossorigin) img.crossOrigin = s.credentials === 'include' ? 'use-credentials' : 'anonymous';
      img.onload = () => resolve({ ok: true });
      img.onerror = () => resolve({ ok: false, error: 'image failed to load' });
      img.alt = s.id;
      document.getElementById('images').appendChild(img);
      img.src = url;
    });
  }

  function show(id, result) {
    const cell = document.querySelector('tr[data-id="' + CSS.escape(id) + '"] td.result');
    if (!cell) return;
    cell.textContent = result.ok ? 'loaded' + (result.status ? ' (' + result.status + ')' : '') : 'blocked: ' + result.error;
    cell.className = 'result ' + (result.ok ? 'ok' : 'blocked');
  }

  async function runScenario(id) {
    await window.labReady;
    const s = byId(id);
    // Lowercase: an id in mixed case with the time's digits would look like
    // a random token, which the extension redacts from URLs (acac-title-True).
    const nonce = id.toLowerCase() + '-' + Date.now().toString(36) + '-' + seq++;
    const url = buildUrl(s, nonce);
    if (s.cachedPreflight) {
      // Warm-up: the same URL once, so that its preflight lands in the cache
      // (Access-Control-Max-Age); the run below then goes without a preflight.
      const warm = await withTimeout(doFetch(url, s));
      if (!warm.ok) return { id, url, nonce, ok: false, error: 'warm-up failed: ' + warm.error };
    }
    let p;
    switch (s.kind) {
      case 'fetch':
      case 'fetch-nocors':
      case 'fetch-same-origin':
        p = doFetch(url, s);
        break;
      case 'xhr':
        p = doXhr(url, s);
        break;
      case 'img-crossorigin':
        p = doImg(url, s, true);
        break;
      case 'img-nocors':
        p = doImg(url, s, false);
        break;
      default:
        return { id, ok: false, error: 'unknown kind ' + s.kind, url };
    }
    const result = Object.assign({ id, url, nonce }, await withTimeout(p));
    show(id, result);
    return result;
  }

  /** Runs scenarios in order: which = 'simple' (scenarios.json, the default),
   *  'preflight' (preflight-scenarios.json) or 'all'. */
  async function runAll(which = 'simple') {
    await window.labReady;
    const list = which === 'all' ? scenarios : which === 'preflight' ? preflighted : which === 'matrix' ? matrix : which === 'notices' ? noticed : simple;
    const out = [];
    for (const s of list) out.push(await runScenario(s.id));
    return out;
  }

  function renderRows(list, tbody) {
    for (const s of list) {
      const tr = document.createElement('tr');
      tr.dataset.id = s.id;
      const btnCell = document.createElement('td');
      const btn = document.createElement('button');
      btn.textContent = 'Run';
      btn.addEventListener('click', () => runScenario(s.id));
      btnCell.appendChild(btn);
      const cells = [
        ['id', s.id],
        ['desc', s.description],
        ['expect', (s.expect || '— (no CORS error)') + (s.notice ? ' · notice ' + s.notice.kind : '')],
        ['result', ''],
      ].map(([cls, text]) => {
        const td = document.createElement('td');
        td.className = cls;
        td.textContent = text; // descriptions can carry markup: text only
        return td;
      });
      tr.append(btnCell, ...cells);
      tbody.appendChild(tr);
    }
  }

  /**
   * The demo's groups: one scenario for each reason the core reports (the
   * first of each `expect` in the tables), then the cases the browser never
   * names, the warnings, the problems that are not CORS and passing controls.
   */
  function demoGroups() {
    const firstOfEach = [];
    const seen = new Set();
    for (const s of scenarios) {
      if (s.expect && !s.hostile && !seen.has(s.expect)) {
        seen.add(s.expect);
        firstOfEach.push(s.id);
      }
    }
    const known = (ids) => ids.filter((id) => scenarios.some((s) => s.id === id));
    return [
      { title: 'Every reason CORS Lens reports', ids: firstOfEach },
      { title: 'Causes the browser never names (an error status without CORS headers, authentication before CORS, a rejected method)', ids: known(['status-404-no-acao', 'status-500-no-acao', 'preflight-404-no-acao', 'preflight-401-with-acao', 'preflight-method-disallowed']) },
      { title: 'Warnings on responses that passed', ids: known(['ok-credentials', 'ok-acac-whitespace', 'ok-redirect-third-null', 'ok-preflight-authorization-wildcard']) },
      {
        title: 'What still breaks once CORS passes (headers the page cannot read, no-cors, cookies, Max-Age, caches)',
        ids: noticed.map((s) => s.id),
      },
      { title: 'Problems that are not CORS', ids: known(['refused-connection', 'redirect-data-url', 'redirect-ws']) },
      { title: 'Passing controls (no finding expected)', ids: known(['ok-same-origin', 'ok-wildcard', 'ok-matching-origin', 'ok-img-nocors', 'ok-preflight-put']) },
    ];
  }

  async function runDemo() {
    await window.labReady;
    const out = [];
    for (const group of window.demoScenarios) for (const id of group.ids) out.push(await runScenario(id));
    return out;
  }

  function renderDemo(groups, root) {
    for (const group of groups) {
      const h = document.createElement('h3');
      h.textContent = group.title;
      root.appendChild(h);
      for (const id of group.ids) {
        const b = document.createElement('button');
        b.textContent = id;
        b.title = scenarios.find((s) => s.id === id).description; // text only
        b.addEventListener('click', async () => {
          const r = await runScenario(id);
          b.className = r.ok ? 'ok' : 'blocked';
        });
        root.appendChild(b);
      }
    }
  }

  function render() {
    document.getElementById('origins').textContent =
      'page ' + config.pageOrigin + ' · API ' + config.apiOrigin + ' · third ' + config.thirdOrigin + ' · refused ' + config.refusedOrigin;
    renderRows(simple, document.getElementById('scenarios'));
    renderRows(preflighted, document.getElementById('preflight-scenarios'));
    const matrixBody = document.getElementById('matrix-scenarios');
    if (matrixBody) renderRows(matrix, matrixBody);
    const noticeBody = document.getElementById('notice-scenarios');
    if (noticeBody) renderRows(noticed, noticeBody);
    const lnaBody = document.getElementById('lna-scenarios');
    if (lnaBody) renderRows(lna, lnaBody);
    document.getElementById('run-all').addEventListener('click', () => runAll('simple'));
    document.getElementById('run-preflight').addEventListener('click', () => runAll('preflight'));
    const demo = document.getElementById('demo');
    if (demo) renderDemo(window.demoScenarios, demo);
    document.getElementById('run-demo')?.addEventListener('click', () => runDemo());
  }

  let simple = [];
  let preflighted = [];
  let matrix = [];
  let noticed = [];
  // Local Network Access: run by id only (tests/e2e/lna.test.mjs); kept out of
  // `scenarios` (and so of the demo), since they fail only where the page counts as public.
  let lna = [];
  window.labReady = Promise.all([
    fetch('/config.json').then((r) => r.json()),
    fetch('/scenarios.json').then((r) => r.json()),
    fetch('/preflight-scenarios.json').then((r) => r.json()),
    fetch('/matrix-scenarios.json').then((r) => r.json()),
    fetch('/notice-scenarios.json').then((r) => r.json()),
    fetch('/lna-scenarios.json').then((r) => r.json()),
  ]).then(([c, s, p, m, n, l]) => {
    config = c;
    simple = s;
    preflighted = p;
    matrix = m;
    noticed = n;
    lna = l;
    scenarios = [...s, ...p, ...m, ...n];
    window.labConfig = c;
    window.labScenarios = scenarios;
    window.demoScenarios = demoGroups();
    render();
    return true;
  });
  window.runScenario = runScenario;
  window.runAll = runAll;
  window.runDemo = runDemo;
  window.scenarioUrl = (id) => buildUrl(byId(id), 'preview');
})();
