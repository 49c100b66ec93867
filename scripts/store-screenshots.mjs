// The store images (docs/store.md, "Screenshots and images"), from the
// screenshots `make demo` saves in target/demo/:
// - each `target/demo/<name>.png` fitted into 1280×800 and 640×400 (the two
//   sizes the Chrome Web Store takes; AMO takes any, 1280×800 recommended):
//   scaled down when larger, never up, centred on the panel's background;
// - the Chrome Web Store's small promo tile (440×280), one per locale: the
//   icon, the extension's name and its description from _locales.
// Drawn by headless Chromium (playwright-core, no image library): each
// image is a page of exactly the target size, screenshot at a device scale
// factor of 1. Every output is checked: PNG, the right size, no alpha
// channel (the Chrome Web Store asks for 24-bit PNG).
//
//   node scripts/store-screenshots.mjs [--in target/demo] [--out dist/store]

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOT_SIZES = [
  [1280, 800],
  [640, 400],
];
export const PROMO_TILE = [440, 280];
const BACKGROUND = '#f3f4f6';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? path.resolve(process.argv[at + 1]) : fallback;
};

/** Width, height, bit depth and colour type from a PNG's IHDR; throws when it is not a PNG. */
export function pngInfo(buf) {
  if (buf.length < 33 || buf.toString('latin1', 1, 4) !== 'PNG' || buf.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), bitDepth: buf[24], colorType: buf[25] };
}

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const dataUrl = (file) => `data:image/png;base64,${fs.readFileSync(file).toString('base64')}`;

async function render(page, [width, height], html, file) {
  await page.setViewportSize({ width, height });
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;width:${width}px;height:${height}px;overflow:hidden;background:${BACKGROUND}}</style></head><body>${html}</body></html>`);
  await page.evaluate(() => Promise.all([...document.images].map((i) => i.decode())));
  await page.screenshot({ path: file, type: 'png', omitBackground: false });
  const info = pngInfo(fs.readFileSync(file));
  if (info.width !== width || info.height !== height) throw new Error(`${file}: ${info.width}×${info.height}, expected ${width}×${height}`);
  if (info.colorType !== 2) throw new Error(`${file}: PNG colour type ${info.colorType} (an alpha channel or a palette); the store wants 24-bit RGB`);
  return file;
}

/** One screenshot fitted into a store size: scaled down to fit, never up, centred. */
const fitted = (src, [width, height]) => {
  const { width: w, height: h } = pngInfo(fs.readFileSync(src));
  const scale = Math.min(1, width / w, height / h);
  return `<img src="${dataUrl(src)}" style="position:absolute;left:${Math.round((width - w * scale) / 2)}px;top:${Math.round((height - h * scale) / 2)}px;width:${Math.round(w * scale)}px;height:${Math.round(h * scale)}px">`;
};

/** The small promo tile: icon, name, description (in one locale). */
const tile = (lang) => {
  const messages = JSON.parse(fs.readFileSync(path.join(ROOT, '_locales', lang, 'messages.json'), 'utf8'));
  return `<div lang="${lang}" style="box-sizing:border-box;height:100%;padding:28px;display:flex;flex-direction:column;justify-content:center;gap:14px;font-family:'DejaVu Sans',Arial,sans-serif;color:#1f2937">
  <div style="display:flex;align-items:center;gap:16px"><img src="${dataUrl(path.join(ROOT, 'icons', 'icon-128.png'))}" width="72" height="72">
  <span style="font-size:34px;font-weight:bold">${escapeHtml(messages.extName.message)}</span></div>
  <p style="margin:0;font-size:19px;line-height:1.35">${escapeHtml(messages.extDescription.message)}</p></div>`;
};

async function main() {
  const input = arg('--in', path.join(ROOT, 'target', 'demo'));
  const out = arg('--out', path.join(ROOT, 'dist', 'store'));
  const shots = fs.existsSync(input) ? fs.readdirSync(input).filter((f) => f.endsWith('.png')).sort() : [];
  if (!shots.length) throw new Error(`no screenshots in ${path.relative(process.cwd(), input) || input}: run \`make demo\` first`);
  fs.mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--force-color-profile=srgb', '--hide-scrollbars'] });
  const written = [];
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    for (const shot of shots) {
      const name = path.basename(shot, '.png');
      for (const size of SCREENSHOT_SIZES) {
        written.push(await render(page, size, fitted(path.join(input, shot), size), path.join(out, `${name}-${size[0]}x${size[1]}.png`)));
      }
    }
    for (const lang of fs.readdirSync(path.join(ROOT, '_locales')).sort()) {
      written.push(await render(page, PROMO_TILE, tile(lang), path.join(out, `promo-tile-${lang}-${PROMO_TILE[0]}x${PROMO_TILE[1]}.png`)));
    }
  } finally {
    await browser.close();
  }
  for (const f of written) {
    const { width, height } = pngInfo(fs.readFileSync(f));
    console.log(`${path.relative(process.cwd(), f)}  ${width}×${height}`);
  }
  console.log(`store images: ${written.length} written from ${shots.length} screenshot(s)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`store images: ${e.message}`);
    process.exit(1);
  });
}
