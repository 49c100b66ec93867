// A loopback server for the stress tests (flood, caps, lifecycle, hostile, panic):
// a page origin (127.0.0.1) that serves small pages, and an API origin
// (localhost, another port) whose answers pass or fail CORS on purpose, with
// fixed URLs so that findings group. `hostile` answers are written raw on the
// socket: header bytes no HTTP library would send.
//
//   page  GET /page.html            an empty page with window.burst(urls, batch)
//   api   GET /pass...              200 with Access-Control-Allow-Origin: *
//   api   GET /fail...              200 without the header (MissingAllowOriginHeader)
//   api   GET /hostile/<n>          200 with raw header lines `hostile[n]` (a list of [name, bytes];
//                                   a `:status` line sets another status, e.g. `302 Found`)
//   api   OPTIONS /hostile/<n>      204 with `preflight[n]` when given (else the default answer)

import http from 'node:http';
import net from 'node:net';

const PAGE = `<!doctype html><meta charset="utf-8"><title>stress</title><body>stress page
<script>
// Fires every URL with fetch, \`batch\` at a time; resolves to the number of
// requests that succeeded, failed, and the errors seen.
window.burst = async (urls, batch = 100) => {
  let ok = 0, failed = 0;
  for (let i = 0; i < urls.length; i += batch) {
    const results = await Promise.allSettled(urls.slice(i, i + batch).map((u) => fetch(u, { cache: 'no-store' })));
    for (const r of results) r.status === 'fulfilled' ? ok++ : failed++;
  }
  return { ok, failed };
};
</script>`;

export async function startStress({ hostile = [], preflight = [] } = {}) {
  const counts = { pass: 0, fail: 0, hostile: 0 };
  const page = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(PAGE);
  });
  const sockets = new Set();
  const api = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      let end;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const [, method, target] = /^(\S+) (\S+)/.exec(head) ?? [];
        const lines = [];
        const hostileN = target?.startsWith('/hostile/') ? Number(target.split('/')[2].split('?')[0]) : -1;
        if (method === 'OPTIONS' && preflight[hostileN]) {
          lines.push('HTTP/1.1 204 No Content');
          for (const [name, value] of preflight[hostileN]) lines.push(`${name}: ${Buffer.from(value).toString('latin1')}`);
        } else if (method === 'OPTIONS') {
          lines.push('HTTP/1.1 204 No Content', 'Access-Control-Allow-Origin: *', 'Access-Control-Allow-Headers: *');
        } else if (target?.startsWith('/pass')) {
          counts.pass++;
          lines.push('HTTP/1.1 200 OK', 'Access-Control-Allow-Origin: *');
        } else if (target?.startsWith('/hostile/')) {
          counts.hostile++;
          const answer = hostile[hostileN] ?? [];
          // A `:status` line sets the status line (`302 Found`).
          const status = answer.find(([name]) => name === ':status');
          lines.push(`HTTP/1.1 ${status ? Buffer.from(status[1]).toString('latin1') : '200 OK'}`);
          for (const [name, value] of answer) if (name !== ':status') lines.push(`${name}: ${Buffer.from(value).toString('latin1')}`);
        } else {
          counts.fail++;
          lines.push('HTTP/1.1 200 OK');
        }
        lines.push('Content-Type: text/plain', 'Cache-Control: no-store', 'Content-Length: 2', 'Connection: keep-alive');
        socket.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\nok`, 'latin1'));
      }
    });
  });
  await new Promise((r) => page.listen(0, '127.0.0.1', r));
  await new Promise((r) => api.listen(0, '127.0.0.1', r));
  const pageOrigin = `http://127.0.0.1:${page.address().port}`;
  const apiOrigin = `http://localhost:${api.address().port}`;
  return {
    pageOrigin,
    apiOrigin,
    pageUrl: `${pageOrigin}/page.html`,
    counts,
    close: async () => {
      page.closeAllConnections?.();
      await new Promise((r) => page.close(r));
      await new Promise((r) => {
        api.close(r);
        // keep-alive sockets would hold close() open
        for (const s of sockets) s.destroy();
      });
    },
  };
}
