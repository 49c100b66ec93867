// Real web servers for the fix-snippet tests: Debian's nginx, apache2 and caddy,
// and npm's express, each run as a foreground process on loopback high ports
// with its configuration in a temporary folder.
//
// A server's configuration is a fixed template with named slots, the
// placements of the snippets (`nginx-http`, `nginx-location`,
// `apache-location`, `caddyfile-site`, `js-imports`, `express-app`). A test
// fills the slots with a misconfiguration, then with the parts of a fix
// snippet: the snippet replaces the bad block, the rest of the file stays.
//
// Every server answers on http://localhost:<port> (127.0.0.1 and ::1):
//   /api/data       200, JSON          (static mode: a file; proxy mode: from the upstream)
//   /api/missing    404
//   /__gen/<n>      204 or 410 once configuration generation <n> is live
// In proxy mode /api/ is proxied to an upstream listener of the same server
// that itself adds `Access-Control-Allow-Origin: <page origin>`: the realistic
// way a response ends up with the header twice.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const BINARIES = {
  nginx: '/usr/sbin/nginx',
  apache: '/usr/sbin/apache2',
  caddy: '/usr/bin/caddy',
  express: path.join(ROOT, 'node_modules/express/package.json'),
};

const APACHE_MODULES = '/usr/lib/apache2/modules';

/** The placements each stack's template has, in the order they appear. */
export const PLACEMENTS = {
  nginx: ['nginx-http', 'nginx-location'],
  apache: ['apache-location'],
  caddy: ['caddyfile-site'],
  express: ['js-imports', 'express-app'],
};

export function available(stack) {
  return fs.existsSync(BINARIES[stack]);
}

/** Whether Debian's caddy package is installed (setup-servers.sh installs it when it can). */
export function caddyInstalled() {
  return fs.existsSync(BINARIES.caddy);
}

export async function freePort() {
  const s = net.createServer();
  await new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', resolve);
  });
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** GET http://127.0.0.1:<port><path> from Node; resolves {status, headers, body} or null when nothing answers. */
export function probe(port, urlPath, { headers = {}, timeout = 2000 } = {}) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { Host: `localhost:${port}`, Connection: 'close', ...headers }, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** Replace each `##SLOT <id>` line with slots[id] (indented like the marker); every given slot must exist. */
export function fill(template, slots, stack) {
  const used = new Set();
  const out = template.replace(/^([ \t]*)##SLOT ([\w-]+)[ \t]*$/gm, (_, indent, id) => {
    used.add(id);
    const code = slots[id];
    if (code === undefined || code === null || code === '') return `${indent}${stack === 'express' ? '//' : '#'} (${id}: nothing here)`;
    return String(code)
      .split('\n')
      .map((l) => (l.length ? indent + l : l))
      .join('\n');
  });
  const unknown = Object.keys(slots).filter((k) => !used.has(k) && slots[k]);
  if (unknown.length) {
    throw new Error(`${stack}: no placement ${unknown.map((u) => JSON.stringify(u)).join(', ')} in the test's template (it has ${PLACEMENTS[stack].join(', ')})`);
  }
  return out;
}

const DATA = JSON.stringify({ ok: true, from: 'cors-lens fix test' }) + '\n';

function makeDocroot(dir) {
  const www = path.join(dir, 'www');
  fs.mkdirSync(path.join(www, 'api'), { recursive: true });
  fs.writeFileSync(path.join(www, 'api', 'data'), DATA);
  fs.writeFileSync(path.join(www, 'api', 'data.json'), DATA);
  // Root-run servers drop privileges (nginx workers: nobody, apache: www-data).
  for (const p of [dir, www, path.join(www, 'api')]) fs.chmodSync(p, 0o755);
  return www;
}

// ---------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------

function nginxConf({ dir, port, upstreamPort, pageOrigin, mode, gen }) {
  const www = path.join(dir, 'www');
  const api =
    mode === 'proxy'
      ? `            proxy_pass http://127.0.0.1:${upstreamPort};`
      : `            try_files $uri =404;`;
  return `# cors-lens fix test: nginx, generation ${gen}
worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
${process.getuid?.() === 0 ? 'user nobody nogroup;\n' : ''}events { worker_connections 256; }
http {
    default_type application/json;
    access_log off;
    log_not_found off;
    keepalive_timeout 0;
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;

    ##SLOT nginx-http

    server {
        listen 127.0.0.1:${port};
        listen [::1]:${port};
        server_name localhost;
        root ${www};

        location = /__gen/${gen} { return 204; }

        location /api/ {
            ##SLOT nginx-location
${api}
        }
    }

    # The upstream application: it sets the CORS header itself.
    server {
        listen 127.0.0.1:${upstreamPort};
        root ${www};
        location / {
            add_header Access-Control-Allow-Origin "${pageOrigin}" always;
            try_files $uri =404;
        }
    }
}
`;
}

// context: where the apache-location placement is: 'location' (<Location "/api/">),
// 'directory' (<Directory ".../www/api">) or 'htaccess' (www/api/.htaccess).
function apacheConf({ dir, port, upstreamPort, pageOrigin, mode, gen, context = 'location' }) {
  const www = path.join(dir, 'www');
  const mods = ['mpm_event', 'authz_core', 'headers', 'setenvif', 'rewrite', 'mime', 'dir', 'alias', 'proxy', 'proxy_http'];
  const root = process.getuid?.() === 0;
  const api =
    mode === 'proxy'
      ? `    ProxyPass "http://127.0.0.1:${upstreamPort}/api/"\n    ProxyPassReverse "http://127.0.0.1:${upstreamPort}/api/"`
      : `    ForceType application/json`;
  return `# cors-lens fix test: apache2, generation ${gen}
ServerRoot "${dir}"
ServerName localhost
DefaultRuntimeDir "${dir}/run"
PidFile "${dir}/run/httpd.pid"
ErrorLog "${dir}/error.log"
LogLevel warn
${mods.map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`).join('\n')}
${root ? 'User www-data\nGroup www-data\n' : ''}Listen 127.0.0.1:${port}
Listen [::1]:${port}
Listen 127.0.0.1:${upstreamPort}
KeepAlive Off
StartServers 1
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32
TypesConfig /etc/mime.types
DocumentRoot "${www}"
<Directory />
    Require all denied
</Directory>
<Directory "${www}">
    Require all granted
    AllowOverride ${context === 'htaccess' ? 'All' : 'None'}
</Directory>
${context === 'directory' ? `<Directory "${www}/api">\n    ##SLOT apache-location\n</Directory>\n` : ''}
<VirtualHost 127.0.0.1:${port} [::1]:${port}>
    ServerName localhost
    DocumentRoot "${www}"
    Redirect gone /__gen/${gen}
    <Location "/api/">
${context === 'location' ? '    ##SLOT apache-location\n' : ''}${api}
    </Location>
</VirtualHost>

# The upstream application: it sets the CORS header itself.
<VirtualHost 127.0.0.1:${upstreamPort}>
    ServerName upstream
    DocumentRoot "${www}"
    <Location "/api/">
        ForceType application/json
        Header always set Access-Control-Allow-Origin "${pageOrigin}"
    </Location>
</VirtualHost>
`;
}

function caddyfile({ dir, port, upstreamPort, adminPort, pageOrigin, mode, gen }) {
  const www = path.join(dir, 'www');
  const api =
    mode === 'proxy'
      ? `    reverse_proxy /api/* 127.0.0.1:${upstreamPort}`
      : `    file_server`;
  return `# cors-lens fix test: caddy, generation ${gen}
{
    admin 127.0.0.1:${adminPort}
    auto_https off
    storage file_system ${dir}/data
}

http://:${port} {
    bind 127.0.0.1 ::1
    root * ${www}
    respond /__gen/${gen} 204
    header /api/* Content-Type application/json
    ##SLOT caddyfile-site
${api}
}

# The upstream application: it sets the CORS header itself.
http://:${upstreamPort} {
    bind 127.0.0.1
    root * ${www}
    header Content-Type application/json
    header Access-Control-Allow-Origin "${pageOrigin}"
    file_server
}
`;
}

function expressApp({ port, gen }) {
  return `// cors-lens fix test: express, generation ${gen}
'use strict';
##SLOT js-imports
const express = require('express');
const http = require('http');

const app = express();
##SLOT express-app

app.get('/__gen/${gen}', (req, res) => res.sendStatus(204));
app.get('/api/data', (req, res) => {
  res.set('Cache-Control', 'no-store');
  res.json({ ok: true, from: 'cors-lens fix test' });
});
app.put('/api/data', (req, res) => {
  res.set('Cache-Control', 'no-store');
  res.json({ ok: true, from: 'cors-lens fix test', method: 'PUT' });
});
app.get('/api/missing', (req, res) => {
  res.status(404).json({ error: 'not found' });
});

let listening = 0;
for (const host of ['127.0.0.1', '::1']) {
  const server = http.createServer(app);
  server.keepAliveTimeout = 0;
  server.on('error', (err) => {
    if (host === '::1' && err.code === 'EADDRNOTAVAIL') return;
    console.error(err);
    process.exit(1);
  });
  server.listen(${port}, host, () => {
    if (++listening === 1) console.log('listening on ${port}');
  });
}
`;
}

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30000, ...opts });
  return { code: r.status, out: `${r.stdout || ''}${r.stderr || ''}`.trim(), error: r.error };
}

/** Pids of the processes whose parent is `pid` (from /proc). */
function childPids(pid) {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Whether process `pid` still exists (and is not a zombie). */
function alive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Server processes still running: ended if the test process goes away first. */
const live = new Set();
let exitHooked = false;
function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  // SIGTERM lets nginx's and apache's masters take their workers down too.
  process.on('exit', () => {
    for (const p of live) p.child.kill('SIGTERM');
  });
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      for (const p of live) p.child.kill('SIGTERM');
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

class Proc {
  constructor(cmd, args, opts) {
    hookExit();
    this.cmd = cmd;
    this.args = args;
    this.output = '';
    this.child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        live.delete(this);
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
      this.child.on('error', (err) => {
        live.delete(this);
        this.output += `\nspawn error: ${err.message}`;
        this.exitCode = -1;
        resolve();
      });
    });
    const keep = (c) => {
      this.output += c;
      if (this.output.length > 20000) this.output = this.output.slice(-20000);
    };
    live.add(this);
    this.child.stdout.setEncoding('utf8').on('data', keep);
    this.child.stderr.setEncoding('utf8').on('data', keep);
  }

  get running() {
    return this.exitCode === undefined;
  }

  async stop(signal = 'SIGTERM') {
    if (!this.running) return;
    this.child.kill(signal);
    const done = await Promise.race([this.exited.then(() => true), sleep(8000).then(() => false)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/**
 * One real server of `stack`. `configure(slots, {mode})` writes the
 * configuration with those slots filled and (re)loads it the way an operator
 * would (nginx: SIGHUP reload; apache: graceful restart; caddy: `caddy
 * reload`; express: restart the node process), then waits until the new
 * generation answers. A configuration the server rejects throws, with the
 * server's own message and the configuration text.
 */
export class RealServer {
  static async start(stack, { pageOrigin }) {
    if (!available(stack)) {
      throw new Error(
        `${stack}: ${BINARIES[stack]} is missing — run scripts/setup-servers.sh${stack === 'express' ? ' / npm ci' : ''} (make test does)`,
      );
    }
    const s = new RealServer();
    s.stack = stack;
    s.pageOrigin = pageOrigin;
    s.dir = fs.mkdtempSync(path.join(os.tmpdir(), `cors-lens-fix-${stack}-`));
    makeDocroot(s.dir);
    fs.mkdirSync(path.join(s.dir, 'tmp'), { recursive: true });
    fs.mkdirSync(path.join(s.dir, 'run'), { recursive: true });
    s.port = await freePort();
    s.upstreamPort = await freePort();
    s.adminPort = await freePort();
    s.gen = 0;
    s.proc = null;
    return s;
  }

  get origin() {
    return `http://localhost:${this.port}`;
  }

  url(p) {
    return `${this.origin}${p}`;
  }

  get configPath() {
    return path.join(this.dir, { nginx: 'nginx.conf', apache: 'httpd.conf', caddy: 'Caddyfile', express: 'app.cjs' }[this.stack]);
  }

  render(slots, mode, context) {
    const ctx = { dir: this.dir, port: this.port, upstreamPort: this.upstreamPort, adminPort: this.adminPort, pageOrigin: this.pageOrigin, mode, gen: this.gen, context };
    const template = { nginx: nginxConf, apache: apacheConf, caddy: caddyfile, express: expressApp }[this.stack](ctx);
    if (this.stack !== 'apache') return fill(template, slots, this.stack);
    // Apache: the placement may be a .htaccess file instead of a block of httpd.conf.
    const htaccess = path.join(this.dir, 'www', 'api', '.htaccess');
    if (context !== 'htaccess') {
      fs.rmSync(htaccess, { force: true });
      return fill(template, slots, this.stack);
    }
    const text = fill('##SLOT apache-location\n', slots, this.stack);
    fs.writeFileSync(htaccess, text, { mode: 0o644 });
    return `${fill(template, {}, this.stack)}\n# --- www/api/.htaccess ---\n${text}`;
  }

  /** The server's error log (and its process output), for failure reports. */
  logs() {
    let log = '';
    try {
      log = fs.readFileSync(path.join(this.dir, 'error.log'), 'utf8').slice(this.logOffset || 0);
    } catch {
      /* none */
    }
    const tail = (s, n = 3000) => (s.length > n ? `…${s.slice(-n)}` : s);
    return [log && `error log:\n${tail(log)}`, this.proc?.output && `process output:\n${tail(this.proc.output)}`].filter(Boolean).join('\n');
  }

  /** Check the configuration with the server's own validator; returns null or the message. */
  validate() {
    const conf = this.configPath;
    let r;
    switch (this.stack) {
      case 'nginx':
        r = run(BINARIES.nginx, ['-t', '-q', '-p', `${this.dir}/`, '-c', conf, '-e', path.join(this.dir, 'error.log')]);
        break;
      case 'apache':
        r = run(BINARIES.apache, ['-t', '-d', this.dir, '-f', conf]);
        break;
      case 'caddy':
        r = run(BINARIES.caddy, ['validate', '--config', conf, '--adapter', 'caddyfile'], { env: this.env() });
        break;
      case 'express':
        r = run(process.execPath, ['--check', conf]);
        break;
    }
    if (r.code === 0) return null;
    return r.out || String(r.error || `exit ${r.code}`);
  }

  env() {
    return { ...process.env, HOME: this.dir, XDG_DATA_HOME: path.join(this.dir, 'data'), XDG_CONFIG_HOME: path.join(this.dir, 'config'), NODE_PATH: path.join(ROOT, 'node_modules') };
  }

  async configure(slots, { mode = 'static', context = 'location' } = {}) {
    this.gen += 1;
    this.mode = mode;
    // logs() shows what the server said since this configuration only.
    try {
      this.logOffset = fs.statSync(path.join(this.dir, 'error.log')).size;
    } catch {
      this.logOffset = 0;
    }
    const text = this.render(slots, mode, context);
    this.configText = text;
    fs.writeFileSync(this.configPath, text.split('\n# --- www/api/.htaccess ---\n')[0]);
    const invalid = this.validate();
    if (invalid) {
      const err = new Error(`${this.stack} rejects the configuration:\n${invalid}\n--- ${path.basename(this.configPath)} ---\n${text}`);
      err.serverRejected = true;
      throw err;
    }
    if (!this.proc || !this.proc.running || this.stack === 'express') {
      await this.restart();
    } else {
      await this.reload();
    }
    await this.waitLive();
  }

  async restart() {
    if (this.proc) await this.proc.stop(this.stack === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
    const conf = this.configPath;
    const opts = { cwd: this.dir, env: this.env() };
    switch (this.stack) {
      case 'nginx':
        this.proc = new Proc(BINARIES.nginx, ['-p', `${this.dir}/`, '-c', conf, '-e', path.join(this.dir, 'error.log'), '-g', 'daemon off;'], opts);
        break;
      case 'apache':
        this.proc = new Proc(BINARIES.apache, ['-d', this.dir, '-f', conf, '-DFOREGROUND'], opts);
        break;
      case 'caddy':
        this.proc = new Proc(BINARIES.caddy, ['run', '--config', conf, '--adapter', 'caddyfile'], opts);
        break;
      case 'express':
        this.proc = new Proc(process.execPath, [conf], opts);
        break;
    }
  }

  async reload() {
    // nginx and apache hand the new configuration to new worker processes;
    // old workers keep accepting connections for a moment. The new
    // generation is live for every connection only once they are gone.
    const oldWorkers = this.stack === 'nginx' || this.stack === 'apache' ? childPids(this.proc.child.pid) : [];
    this.waitGone = oldWorkers;
    switch (this.stack) {
      case 'nginx':
        this.proc.child.kill('SIGHUP');
        break;
      case 'apache':
        // Graceful restart: re-reads httpd.conf, finishes requests in flight.
        this.proc.child.kill('SIGUSR1');
        break;
      case 'caddy': {
        const r = run(BINARIES.caddy, ['reload', '--config', this.configPath, '--adapter', 'caddyfile', '--address', `127.0.0.1:${this.adminPort}`], { env: this.env() });
        if (r.code !== 0) throw new Error(`caddy reload failed:\n${r.out}\n--- Caddyfile ---\n${this.configText}`);
        break;
      }
    }
  }

  /** Wait until generation `gen` answers on both loopback addresses' main port. */
  async waitLive({ timeout = 15000 } = {}) {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (this.proc && !this.proc.running) {
        throw new Error(`${this.stack} exited (code ${this.proc.exitCode}, signal ${this.proc.exitSignal}) after loading generation ${this.gen}\n${this.logs()}\n--- config ---\n${this.configText}`);
      }
      const r = await probe(this.port, `/__gen/${this.gen}`);
      if (r && (r.status === 204 || r.status === 410) && !(this.waitGone || []).some(alive)) {
        if (this.stack !== 'express' || (await probe(this.port, '/api/data'))) return;
      }
      await sleep(25);
    }
    throw new Error(`${this.stack}: generation ${this.gen} not live on port ${this.port} after ${timeout} ms\n${this.logs()}`);
  }

  async stop() {
    if (this.proc) await this.proc.stop(this.stack === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
    this.proc = null;
  }

  async dispose() {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A blank page on http://127.0.0.1:<port>: the page origin the requests come from. */
export async function startPageServer() {
  const server = http.createServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end('<!doctype html><meta charset="utf-8"><title>CORS Lens fix test</title><p>fix test page</p>\n');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections?.();
      }),
  };
}
