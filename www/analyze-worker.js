// Reads a HAR file in chunks (File.stream) and judges it with the core, off
// the page's thread: the page shows the progress and stays responsive.
// Messages out: {type: 'progress', got, size}, {type: 'judging'},
// {type: 'done', result}, {type: 'error', message}.
import init, { analyzeHar } from './pkg/cors_lens.js';

const ready = init();

self.onmessage = async ({ data: { file, lang } }) => {
  try {
    await ready;
    const reader = file.stream().getReader();
    const chunks = [];
    let got = 0;
    let told = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      if (got - told > 1 << 20 || got === file.size) {
        told = got;
        self.postMessage({ type: 'progress', got, size: file.size });
      }
    }
    const bytes = new Uint8Array(got);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    chunks.length = 0;
    self.postMessage({ type: 'judging' });
    self.postMessage({ type: 'done', result: analyzeHar(bytes, lang) });
  } catch (err) {
    self.postMessage({ type: 'error', message: err?.message ?? String(err) });
  }
};
