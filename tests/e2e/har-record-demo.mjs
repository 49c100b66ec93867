// Writes tests/fixtures/har/demo.har: the demo lab's run (window.runDemo(),
// one scenario per reason, warnings, controls) in real Chromium, recorded as
// Chromium's Network panel exports it (har-recorder.mjs), with fixed ports so
// the file is stable. Secret-bearing headers are replaced by `[redacted]`.
//   node tests/e2e/har-record-demo.mjs
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startLab, baseArgs, CHROMIUM, ROOT } from './helpers.mjs';
import { CdpHarRecorder } from './har-recorder.mjs';

const SECRET = /^(cookie|set-cookie|authorization|proxy-authorization|x-api-key)$/i;
const lab = await startLab({ pagePort: 18480, apiPort: 18481, thirdPort: 18482 });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: baseArgs() });
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const recorder = await CdpHarRecorder.attach(context, page);
  await page.goto(lab.labUrl);
  await page.waitForFunction(() => typeof window.runDemo === 'function');
  const results = await page.evaluate(() => window.runDemo());
  await new Promise((r) => setTimeout(r, 500));
  const har = recorder.har();
  for (const e of har.log.entries) {
    for (const h of [...e.request.headers, ...e.response.headers]) if (SECRET.test(h.name)) h.value = '[redacted]';
  }
  const file = path.join(ROOT, 'tests/fixtures/har/demo.har');
  fs.writeFileSync(file, JSON.stringify(har, null, 1) + '\n');
  console.log(`${file}: ${har.log.entries.length} entries, ${results.length} demo scenarios`);
} finally {
  await browser.close();
  await lab.close();
}
