// A HAR recorder on the DevTools protocol's network events, writing what
// Chromium's Network panel exports ("Export HAR"): one entry per hop, the raw
// request and response headers the network service saw (the *ExtraInfo
// events, as DevTools shows them, CORS-refused responses included), the
// preflight as an entry of its own (`_resourceType: "preflight"`),
// `_initiator`, `_resourceType`, and `response._error` for a failed request.
// Nothing here judges CORS: the file is read back by the CORS Lens core.

export class CdpHarRecorder {
  static async attach(context, page) {
    const r = new CdpHarRecorder();
    r.session = await context.newCDPSession(page);
    r.requests = new Map(); // requestId -> { hops: [...], reqExtra: [], respExtra: [], ... }
    const get = (id) => {
      let q = r.requests.get(id);
      if (!q) {
        q = { id, hops: [], reqExtra: [], respExtra: [], order: r.requests.size };
        r.requests.set(id, q);
      }
      return q;
    };
    r.session.on('Network.requestWillBeSent', (e) => {
      const q = get(e.requestId);
      const last = q.hops.at(-1);
      if (e.redirectResponse && last) {
        last.status = e.redirectResponse.status;
        last.statusText = e.redirectResponse.statusText;
        last.responseHeaders = e.redirectResponse.headers;
        last.redirectURL = e.request.url;
      }
      if (!q.wallTime) {
        q.wallTime = e.wallTime;
        q.timestamp = e.timestamp;
      }
      q.type = e.type;
      q.initiator = e.initiator;
      q.hops.push({
        url: e.request.url,
        method: e.request.method,
        provisionalHeaders: e.request.headers,
        startedMs: q.wallTime * 1000 + (e.timestamp - q.timestamp) * 1000,
      });
    });
    r.session.on('Network.requestWillBeSentExtraInfo', (e) => get(e.requestId).reqExtra.push(e.headers));
    r.session.on('Network.responseReceivedExtraInfo', (e) =>
      get(e.requestId).respExtra.push({ status: e.statusCode, headers: e.headers }),
    );
    r.session.on('Network.responseReceived', (e) => {
      const q = get(e.requestId);
      const last = q.hops.at(-1);
      if (last) {
        last.status = e.response.status;
        last.statusText = e.response.statusText;
        last.responseHeaders = e.response.headers;
      }
      q.type = e.type || q.type;
    });
    r.session.on('Network.loadingFailed', (e) => {
      const q = get(e.requestId);
      q.error = e.errorText;
      q.type = e.type || q.type;
    });
    await r.session.send('Network.enable');
    return r;
  }

  /** The HAR 1.2 document of everything recorded so far. */
  har() {
    const pairs = (h) => Object.entries(h || {}).flatMap(([name, value]) => String(value).split('\n').map((v) => ({ name, value: v })));
    const entries = [];
    for (const q of [...this.requests.values()].sort((a, b) => a.order - b.order)) {
      q.hops.forEach((hop, i) => {
        const last = i === q.hops.length - 1;
        const respExtra = q.respExtra[i];
        const status = respExtra?.status ?? hop.status ?? 0;
        const headers = pairs(respExtra?.headers ?? hop.responseHeaders);
        // DevTools' export takes `redirectURL` from the `Location` header.
        const location = headers.find((h) => h.name.toLowerCase() === 'location')?.value;
        const response = {
          status,
          statusText: hop.statusText || '',
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers,
          content: { size: 0, mimeType: 'x-unknown' },
          redirectURL: status >= 300 && status < 400 ? location || '' : '',
          headersSize: -1,
          bodySize: -1,
        };
        if (last && q.error) response._error = q.error;
        entries.push({
          startedDateTime: new Date(hop.startedMs).toISOString(),
          time: 0,
          request: {
            method: hop.method,
            url: hop.url,
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: pairs(q.reqExtra[i] ?? hop.provisionalHeaders),
            queryString: [],
            headersSize: -1,
            bodySize: 0,
          },
          response,
          cache: {},
          timings: { send: 0, wait: 0, receive: 0 },
          _initiator: q.initiator ? { type: q.initiator.type, url: q.initiator.url } : undefined,
          _resourceType: String(q.type || 'other').toLowerCase(),
          pageref: 'page_1',
        });
      });
    }
    entries.sort((a, b) => a.startedDateTime.localeCompare(b.startedDateTime));
    return { log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, pages: [{ id: 'page_1', title: '', startedDateTime: entries[0]?.startedDateTime ?? new Date(0).toISOString(), pageTimings: {} }], entries } };
  }

  async detach() {
    await this.session.detach().catch(() => {});
  }
}
