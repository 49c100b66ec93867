// A HAR recorder for Firefox on its own network data: the WebDriver BiDi
// `network.*` events (request and response headers as Firefox sent and
// received them, preflights as requests of their own, one event per
// redirect hop), written in the shape of the HAR Firefox's Network Monitor
// exports ("Save All As HAR": `pageref`, entries by start time, one entry per
// hop, no `_resourceType` or `_error`, status 0 and no headers for a request
// that got no response). Firefox's own HAR export cannot be driven headless.

/** A BiDi header (`{name, value: {type, value}}`) as a HAR header. */
const header = (h) => ({ name: h.name, value: h.value?.type === 'string' ? h.value.value : Buffer.from(h.value?.value ?? '', 'base64').toString('latin1') });

export class BidiHarRecorder {
  /** Subscribes `browser` (puppeteer over BiDi) to the network events. */
  static async attach(browser) {
    const r = new BidiHarRecorder();
    r.browser = browser;
    r.hops = new Map(); // `${request}/${redirectCount}` -> hop
    r.handlers = {
      'network.beforeRequestSent': (p) => r.sent(p),
      'network.responseStarted': (p) => r.answered(p),
      'network.responseCompleted': (p) => r.answered(p),
      'network.fetchError': (p) => r.failed(p),
    };
    for (const [m, fn] of Object.entries(r.handlers)) browser.connection.on(m, fn);
    const { subscription } = (await browser.connection.send('session.subscribe', { events: ['network'] })).result;
    r.subscription = subscription;
    return r;
  }

  hop(p) {
    const key = `${p.request.request}/${p.redirectCount ?? 0}`;
    if (!this.hops.has(key)) this.hops.set(key, { request: p.request, time: p.timestamp, response: null, error: null });
    return this.hops.get(key);
  }

  sent(p) {
    const h = this.hop(p);
    h.request = p.request;
    h.time = p.timestamp;
  }

  answered(p) {
    const h = this.hop(p);
    h.response = p.response;
    h.end = p.timestamp;
  }

  failed(p) {
    const h = this.hop(p);
    h.error = p.errorText;
    h.end = p.timestamp;
  }

  /** The HAR of every request seen so far, in Firefox's export shape. */
  har(version = '') {
    const hops = [...this.hops.values()].filter((h) => h.request.url.startsWith('http')).sort((a, b) => a.time - b.time);
    const started = hops[0]?.time ?? Date.now();
    const entries = hops.map((h) => {
      const t = h.request.timings ?? {};
      const since = (from, to) => (t[from] > 0 && t[to] > 0 && t[to] >= t[from] ? t[to] - t[from] : -1);
      const res = h.response;
      const resHeaders = (res?.headers ?? []).map(header);
      const location = resHeaders.find((x) => x.name.toLowerCase() === 'location')?.value ?? '';
      const url = new URL(h.request.url);
      return {
        pageref: 'page_1',
        startedDateTime: new Date(h.time).toISOString(),
        request: {
          bodySize: 0,
          method: h.request.method,
          url: h.request.url,
          httpVersion: 'HTTP/1.1',
          headers: (h.request.headers ?? []).map(header),
          cookies: (h.request.cookies ?? []).map((c) => ({ name: c.name, value: c.value?.value ?? '' })),
          queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
          headersSize: h.request.headersSize ?? -1,
        },
        response: {
          status: res?.status ?? 0,
          statusText: res?.statusText ?? '',
          httpVersion: res ? 'HTTP/1.1' : '',
          headers: resHeaders,
          cookies: [],
          content: { mimeType: res?.mimeType ?? '', size: 0 },
          redirectURL: res && res.status >= 300 && res.status < 400 ? location : '',
          headersSize: res?.headersSize ?? -1,
          bodySize: -1,
        },
        cache: {},
        timings: { blocked: since('fetchStart', 'requestStart'), dns: since('dnsStart', 'dnsEnd'), connect: since('connectStart', 'connectEnd'), ssl: -1, send: 0, wait: since('requestStart', 'responseStart'), receive: since('responseStart', 'responseEnd') },
        // From the events' times: Firefox's fetch timings are mostly 0 here.
        time: h.end >= h.time ? h.end - h.time : 0,
        _securityState: url.protocol === 'https:' ? 'secure' : 'insecure',
        serverIPAddress: '',
        connection: '',
      };
    });
    return {
      log: {
        version: '1.2',
        creator: { name: 'Firefox', version },
        browser: { name: 'Firefox', version },
        pages: [{ startedDateTime: new Date(started).toISOString(), id: 'page_1', title: 'CORS Lens lab', pageTimings: {} }],
        entries,
      },
    };
  }

  async detach() {
    for (const [m, fn] of Object.entries(this.handlers)) this.browser.connection.off(m, fn);
    await this.browser.connection.send('session.unsubscribe', { subscriptions: [this.subscription] }).catch(() => {});
  }
}
