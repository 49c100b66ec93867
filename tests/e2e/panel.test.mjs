// The findings table and its detail pane in the REAL DevTools window: keys
// typed into DevTools (CDP Input events, as a user's), sorting, the filter,
// Clear, Preserve log across a navigation, the toolbar badge, the detail
// pane's tabs and copy buttons, and the DevTools theme.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLab,
  launchWithExtension,
  openLab,
  attachDevTools,
  showExtensionPanel,
  findPanelTarget,
  TargetSession,
  readPanelViaTarget,
  tabIdFor,
  waitFor,
  sleep,
  freshTab,
} from './helpers.mjs';

let lab;
let br;
let page;
let bs; // browser-level CDP session
let dt; // DevTools front end
let panel; // the panel iframe
let tabId;

const KEYS = {
  ArrowDown: 40,
  ArrowUp: 38,
  ArrowRight: 39,
  ArrowLeft: 37,
  Enter: 13,
  Escape: 27,
  Home: 36,
  End: 35,
};

/** A key typed into the DevTools window: it reaches the focused element of the panel. */
async function press(key) {
  const code = KEYS[key];
  // Enter carries its text: a button is activated by the character, as when typed.
  const down = key === 'Enter' ? { type: 'keyDown', text: '\r', unmodifiedText: '\r' } : { type: 'rawKeyDown' };
  await dt.send('Input.dispatchKeyEvent', { ...down, key, code: key, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code });
  await dt.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code: key, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code });
}

const inPanel = (expr) => panel.evaluate(expr);
const rowsNow = () => readPanelViaTarget(panel, { details: false });
/** The selected row: its aria-rowindex and data, and whether the pane is open. */
const selection = () =>
  inPanel(`(() => {
    const r = document.querySelector('#findings [role="row"][aria-selected="true"]');
    const d = document.querySelector('#findings .detail');
    return {
      index: r ? Number(r.getAttribute('aria-rowindex')) : null,
      url: r?.querySelector('.c-url')?.textContent ?? null,
      open: !!d && !d.hidden,
      detailUrl: d?.querySelector('.f-url')?.textContent ?? null,
      focused: document.activeElement?.getAttribute('role') ?? document.activeElement?.tagName ?? null,
      activedescendant: document.querySelector('#findings [role="grid"]').getAttribute('aria-activedescendant'),
    };
  })()`);
const badge = () => br.serviceWorker.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId);

async function attachPanel() {
  await showExtensionPanel(dt, { extensionId: br.extensionId });
  const target = await findPanelTarget(bs, br.extensionId);
  panel = await TargetSession.attach(bs, target.targetId);
  await panel.send('Runtime.enable');
  await waitFor(() => inPanel(`!!document.querySelector('#findings [role="grid"]')`), { what: 'the findings view' });
}

async function run(ids) {
  for (const id of ids) await page.evaluate((s) => window.runScenario(s), id);
}

before(async () => {
  lab = await startLab();
  br = await launchWithExtension({ devtools: true });
  page = await freshTab(br.context);
  await openLab(br.context, lab, { page });
  tabId = await tabIdFor(br.serviceWorker, lab.labUrl);
  // Three failures, a warning and a problem that is not CORS.
  await run(['fetch-no-acao', 'acao-other-origin', 'preflight-method-disallowed', 'ok-acac-whitespace', 'refused-connection']);
  bs = await br.browser.newBrowserCDPSession();
  dt = await attachDevTools(bs);
  await attachPanel();
  await waitFor(async () => (await rowsNow()).rows === 5, { what: 'five rows', timeout: 15000 });
});

after(async () => {
  await panel?.detach();
  await dt?.detach();
  await br?.close();
  await lab?.close();
});

test('the table is a grid newest first, with a row per finding and the counts a screen reader announces', async () => {
  const st = await rowsNow();
  const stored = await br.serviceWorker.evaluate((k) => chrome.storage.session.get(k).then((o) => o[k]), `findings:${tabId}`);
  assert.deepEqual(
    [...st.findings, ...st.notices].map((r) => r.url).sort(),
    stored.map((r) => r.url).sort(),
  );
  // Newest first: the order the records were stored in, reversed.
  const shown = await inPanel(`[...document.querySelectorAll('#findings [role="row"][aria-rowindex]')].filter((r) => r.getAttribute('aria-rowindex') !== '1').map((r) => r.querySelector('.c-url').textContent)`);
  assert.deepEqual(shown, stored.map((r) => r.url).reverse());
  const grid = await inPanel(`(() => {
    const g = document.querySelector('#findings [role="grid"]');
    return {
      rowcount: g.getAttribute('aria-rowcount'),
      label: g.getAttribute('aria-label'),
      headers: [...g.querySelectorAll('[role="columnheader"]')].map((h) => h.textContent.trim()),
      sort: g.querySelector('[data-col="time"]').getAttribute('aria-sort'),
      cells: g.querySelectorAll('[role="row"][aria-rowindex="2"] [role="gridcell"]').length,
      unnamed: [...document.querySelectorAll('button, select, input:not([type=file]), [role="separator"]')]
        .filter((el) => !(el.getAttribute('aria-label') || el.textContent.trim() || el.labels?.length || el.getAttribute('title')))
        .map((el) => el.outerHTML.slice(0, 80)),
    };
  })()`);
  assert.equal(grid.rowcount, '6', 'aria-rowcount counts the header row and every row, not only those in the DOM');
  assert.equal(grid.label, 'Findings');
  assert.deepEqual(grid.headers, ['Severity', 'Method', 'URL', 'Status', 'Type', 'Page origin', 'Reason', 'Count', 'Time']);
  assert.equal(grid.sort, 'descending');
  assert.equal(grid.cells, 9);
  assert.deepEqual(grid.unnamed, [], 'every control has an accessible name');
  assert.equal(await badge(), '3', 'the badge counts the three CORS failures, not the warning or the notice');
});

test('the keyboard moves through rows, opens and closes the detail pane, and reaches its tabs', async () => {
  await inPanel(`document.querySelector('#findings [role="grid"]').focus()`);
  await press('Home');
  let s = await selection();
  assert.equal(s.index, 2, 'Home selects the first row');
  assert.equal(s.focused, 'grid');
  assert.equal(s.activedescendant, 'cl-row-selected');
  assert.equal(s.open, false);
  await press('ArrowDown');
  await press('ArrowDown');
  s = await selection();
  assert.equal(s.index, 4);
  await press('ArrowUp');
  assert.equal((await selection()).index, 3);
  await press('Enter');
  s = await selection();
  assert.equal(s.open, true, 'Enter opens the detail pane');
  assert.equal(s.detailUrl, s.url, 'the pane shows the selected row');
  await press('ArrowDown');
  s = await selection();
  assert.equal(s.index, 4);
  assert.equal(s.detailUrl, s.url, 'the open pane follows the selection');
  await press('Escape');
  assert.equal((await selection()).open, false, 'Escape closes it');
  await press('ArrowRight');
  assert.equal((await selection()).open, true, 'the right arrow opens it');
  await press('End');
  assert.equal((await selection()).index, 6, 'End selects the last row');

  // The tabs: a failure's, reached from the grid, moved through with arrows.
  await inPanel(`document.querySelector('#findings [role="row"][data-kind="failure"]').click()`);
  await inPanel(`document.querySelector('#findings .detail [role="tab"][aria-selected="true"]').focus()`);
  const tabs = () =>
    inPanel(`(() => {
      const d = document.querySelector('#findings .detail');
      const sel = d.querySelector('[role="tab"][aria-selected="true"]');
      const shown = [...d.querySelectorAll('[role="tabpanel"]')].filter((p) => !p.hidden).map((p) => p.id);
      return { selected: sel.getAttribute('data-tab'), focused: document.activeElement.getAttribute('data-tab'), shown, controls: sel.getAttribute('aria-controls'), list: d.querySelector('[role="tablist"]') !== null };
    })()`);
  let t = await tabs();
  assert.equal(t.selected, 'explanation');
  assert.ok(t.list, 'a tablist');
  await press('ArrowRight');
  t = await tabs();
  assert.deepEqual([t.selected, t.focused, t.shown], ['fix', 'fix', ['cl-panel-fix']]);
  assert.equal(t.controls, 'cl-panel-fix');
  await press('ArrowRight');
  assert.equal((await tabs()).selected, 'headers');
  await press('ArrowLeft');
  await press('ArrowLeft');
  assert.equal((await tabs()).selected, 'explanation');
  await press('Escape');
  s = await selection();
  assert.equal(s.open, false, 'Escape in the pane closes it');
  assert.equal(s.focused, 'grid', 'and gives the focus back to the table');
});

test('the detail pane: its tabs, the headers the verdict used, and its copy buttons', async () => {
  await inPanel(`document.querySelector('#findings [role="row"][data-reason="MethodDisallowedByPreflightResponse"]').click()`);
  const pane = await inPanel(`(() => {
    const d = document.querySelector('#findings .detail');
    const panel = (id) => d.querySelector('#cl-panel-' + id);
    return {
      tabs: [...d.querySelectorAll('[role="tab"]')].map((t) => t.getAttribute('data-tab')),
      what: panel('explanation').querySelector('.f-what').textContent,
      snippets: panel('fix').querySelectorAll('pre.f-snippet').length,
      snippetCopies: panel('fix').querySelectorAll('button[data-what="snippet"]').length,
      exchanges: [...panel('headers').querySelectorAll('details.f-exchange')].map((x) => x.getAttribute('data-exchange')),
      used: [...panel('headers').querySelectorAll('tr.f-used th')].map((th) => th.textContent.toLowerCase()),
      usedNames: [...panel('headers').querySelectorAll('tr.f-used th')].map((th) => th.getAttribute('aria-label')),
      curl: panel('reproduce').querySelector('pre.f-curl').textContent,
    };
  })()`);
  assert.deepEqual(pane.tabs, ['explanation', 'fix', 'headers', 'reproduce']);
  assert.match(pane.what, /PUT/);
  assert.ok(pane.snippets >= 2 && pane.snippetCopies === pane.snippets, `a copy button per snippet (${pane.snippetCopies}/${pane.snippets})`);
  assert.deepEqual(pane.exchanges, ['preflight']);
  for (const h of ['origin', 'access-control-request-method', 'access-control-allow-methods']) assert.ok(pane.used.includes(h), `${h} highlighted: ${pane.used}`);
  assert.ok(pane.usedNames.every((n) => / \(used by the verdict\)$/.test(n)), `a screen reader hears it: ${pane.usedNames}`);
  assert.match(pane.curl, /-X 'OPTIONS'/);

  // Copy: the clipboard holds what the button says (permission granted, as a user would).
  await bs.send('Browser.grantPermissions', { origin: `chrome-extension://${br.extensionId}`, permissions: ['clipboardReadWrite', 'clipboardSanitizedWrite'] });
  // DevTools' panel frames may write the clipboard but not read it: the lab page reads it.
  await bs.send('Browser.grantPermissions', { origin: lab.pageOrigin, permissions: ['clipboardReadWrite', 'clipboardSanitizedWrite'] });
  const clipboard = async () => {
    await page.bringToFront();
    return page.evaluate(() => navigator.clipboard.readText());
  };
  await inPanel(`document.querySelector('#findings [role="tab"][data-tab="reproduce"]').click()`);
  await inPanel(`document.querySelector('#findings #cl-panel-reproduce button[data-what="curl"]').focus()`);
  await press('Enter');
  await waitFor(async () => (await inPanel(`document.querySelector('#io-status').dataset.kind`)) === 'curl-copied', { what: 'the curl commands copied' }).catch(async (e) => {
    throw new Error(`${e.message}; status: ${await inPanel(`document.querySelector('#io-status').dataset.kind + ' ' + document.activeElement.outerHTML.slice(0, 80)`)}`);
  });
  assert.equal(await clipboard(), pane.curl, 'the clipboard holds the commands shown');
  await inPanel(`document.querySelector('#findings [role="tab"][data-tab="fix"]').click()`);
  await inPanel(`document.querySelector('#findings #cl-panel-fix button[data-what="snippet"]').focus()`);
  await press('Enter');
  await waitFor(async () => (await inPanel(`document.querySelector('#io-status').dataset.kind`)) === 'snippet-copied', { what: 'the snippet copied' });
  assert.equal(await clipboard(), await inPanel(`document.querySelector('#findings #cl-panel-fix pre.f-snippet').textContent`));
});

test('sorting by a column, both ways, and back to newest first', async () => {
  const methods = () => inPanel(`[...document.querySelectorAll('#findings [role="row"][data-pos]')].map((r) => r.querySelector('.c-method').textContent)`);
  const sortBy = (col) => inPanel(`document.querySelector('#findings [data-sort="${col}"]').click()`);
  const ariaSort = (col) => inPanel(`document.querySelector('#findings [data-col="${col}"]').getAttribute('aria-sort')`);
  await sortBy('method');
  const up = await methods();
  assert.deepEqual(up, [...up].sort(), 'ascending');
  assert.equal(await ariaSort('method'), 'ascending');
  assert.equal(await ariaSort('time'), 'none');
  await sortBy('method');
  const down = await methods();
  assert.deepEqual(down, [...up].sort().reverse(), 'descending');
  assert.equal(await ariaSort('method'), 'descending');
  await sortBy('time');
  assert.equal(await ariaSort('time'), 'descending', 'time sorts newest first on the first click');
});

test('the filter narrows the rows as the user types; its kind selector too', async () => {
  const setFilter = (q, kind = 'all') =>
    inPanel(`(() => {
      const f = document.getElementById('filter');
      f.value = ${JSON.stringify(q)};
      f.dispatchEvent(new Event('input'));
      const k = document.getElementById('filter-kind');
      k.value = ${JSON.stringify(kind)};
      k.dispatchEvent(new Event('change'));
      return true;
    })()`);
  await setFilter('reason:AllowOriginMismatch');
  let st = await rowsNow();
  assert.deepEqual(st.findings.map((f) => f.reason), ['AllowOriginMismatch']);
  assert.equal(await inPanel(`document.getElementById('filter-count').textContent`), '1 of 5 shown');
  await setFilter('', 'notices');
  st = await rowsNow();
  assert.equal(st.findings.length, 0);
  assert.equal(st.notices.length, 2);
  await setFilter('', 'failures');
  assert.equal((await rowsNow()).rows, 3);
  await setFilter('');
  assert.equal((await rowsNow()).rows, 5);
});

test('Preserve log keeps the rows and the badge across a navigation; off, a navigation clears them', async () => {
  await inPanel(`document.getElementById('preserve').click()`);
  await waitFor(() => br.serviceWorker.evaluate(() => chrome.storage.local.get('preserveLog').then((o) => o.preserveLog === true)), { what: 'Preserve log on' });
  await page.reload();
  await page.waitForFunction(() => window.labReady);
  await sleep(800);
  assert.equal((await rowsNow()).rows, 5, 'the rows stay');
  await waitFor(async () => (await badge()) === '3', { what: 'the badge after a preserved navigation' });

  await inPanel(`document.getElementById('preserve').click()`);
  await waitFor(() => br.serviceWorker.evaluate(() => chrome.storage.local.get('preserveLog').then((o) => o.preserveLog === false)), { what: 'Preserve log off' });
  await page.reload();
  await page.waitForFunction(() => window.labReady);
  await waitFor(async () => (await rowsNow()).rows === 0, { what: 'the rows cleared by the navigation' });
  assert.equal(await badge(), '', 'the badge is cleared too');
  const st = await readPanelViaTarget(panel, { details: false });
  assert.equal(st.emptyVisible, true, 'the empty state shows');
  const empty = await inPanel(`document.getElementById('empty').textContent`);
  assert.match(empty, /watches the cross-origin requests/);
  // The link to the help page stays in the package (a docs/ file is not shipped) and the page opens, localised.
  const href = await inPanel(`document.querySelector('#empty a').href`);
  assert.match(href, /^chrome-extension:\/\/[a-p]{32}\/www\/first-finding\.html$/, 'a link to the help page in the package');
  const help = await br.context.newPage();
  try {
    await help.goto(href);
    await help.waitForFunction(() => document.querySelector('[data-i18n="help_watched"]')?.textContent !== '', null, { timeout: 10000 });
    assert.match(await help.textContent('h1'), /first finding/);
    assert.match(await help.textContent('main'), /Reload the page/);
  } finally {
    await help.close();
  }
});

test('Clear empties the table and the badge; a new failure appears at the top', async () => {
  await run(['fetch-no-acao', 'acao-null']);
  await waitFor(async () => (await rowsNow()).rows === 2, { what: 'two new rows' });
  await waitFor(async () => (await badge()) === '2', { what: 'the badge at 2' });
  await inPanel(`document.getElementById('clear').click()`);
  await waitFor(async () => (await rowsNow()).rows === 0, { what: 'an empty table' });
  await waitFor(async () => (await badge()) === '', { what: 'an empty badge' });
  await run(['acao-other-origin']);
  const st = await waitFor(async () => {
    const s = await rowsNow();
    return s.rows === 1 ? s : null;
  }, { what: 'the new failure' });
  assert.equal(st.findings[0].reason, 'AllowOriginMismatch');
});

test('the panel follows the DevTools theme, not the OS', async () => {
  const look = () =>
    inPanel(`({ theme: document.documentElement.dataset.theme ?? null, name: chrome.devtools.panels.themeName, bg: getComputedStyle(document.body).backgroundColor, osDark: matchMedia('(prefers-color-scheme: dark)').matches })`);
  // The OS says dark (emulated): DevTools' default theme still makes the panel light.
  await panel.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: 'dark' }] });
  const light = await look();
  assert.equal(light.osDark, true, 'the OS preference is dark');
  assert.equal(light.theme, 'light');
  assert.equal(light.name, 'default');
  // DevTools' own setting; DevTools reloads its panels after a theme change.
  await dt.evaluate(`(async () => {
    const Common = await import('./core/common/common.js');
    Common.Settings.Settings.instance().moduleSetting('ui-theme').set('dark');
    return true;
  })()`);
  await dt.evaluate('location.reload()').catch(() => {});
  await panel.detach();
  await dt.detach();
  await sleep(1000);
  dt = await attachDevTools(bs);
  await attachPanel();
  const dark = await look();
  assert.equal(dark.name, 'dark');
  assert.equal(dark.theme, 'dark');
  assert.notEqual(dark.bg, light.bg, 'the colours changed');
  // The OS says light: DevTools' dark theme wins.
  await panel.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: 'light' }] });
  const again = await look();
  assert.equal(again.osDark, false, 'the OS preference is light');
  assert.equal(again.theme, 'dark');
  assert.equal(again.bg, dark.bg);
});
