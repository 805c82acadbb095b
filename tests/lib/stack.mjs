// stack.mjs — starts the real thing for a test: a fresh SQLite file with
// the demo catalogue, boxoffice.fcgi workers on a unix socket and nginx on
// a free port, all in a temporary folder; and a small cookie-keeping
// client that talks to it as a browser would (forms, CSRF, redirects).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'build');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts a stack. settings: { key: value } applied with boxoffice-admin set;
// settingsFirst: the same, before the demo catalogue exists (the currency
// cannot change once there are prices);
// fcgiBin: another build of the workers (build/faults/boxoffice.fcgi);
// env: extra environment for the workers; args: extra boxoffice.fcgi
// options; realIpFrom: turn on the real_ip sample of nginx/boxoffice.conf,
// trusting this proxy address; nginxWorkers: nginx's worker_processes
// (default $NGINX_WORKERS or 1); extraConf: text pasted into nginx's http
// block (the benchmark's baseline server), or a function of { dir, port,
// sock } returning it (a server that needs the stack's folder or the
// workers' socket); dbDir: a folder of the caller's for the database alone
// (a small tmpfs, say), left in place by stop(); metricsAllow: turn on the
// /metrics sample of nginx/boxoffice.conf with this address in place of
// loopback; netns: run nginx in this network namespace (ip netns),
// listening on every address there, and reach it at host (make scale's
// primary); accessLog: nginx logs every request to stack.accessLog
// (tools/nginx-conf.sh ACCESS_LOG); privateLog: the site's own production
// access log (its format, without query strings) to stack.privateLog.
// realIpFrom may list several proxies,
// space-separated. stack.restart() starts
// the workers and nginx again on the same folder, database and port
// (after they were stopped or killed).
export async function startStack({ workers = 3, settings = {}, settingsFirst = {},
  loginRate = '100000r/s', fcgiBin = join(BIN, 'boxoffice.fcgi'), env = {}, args = [], realIpFrom = '',
  nginxWorkers, extraConf = '', dbDir, metricsAllow = '', netns = '', host = '127.0.0.1',
  accessLog = false, privateLog = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'boxoffice-'));
  const db = join(dbDir || dir, 'boxoffice.db');
  const sock = join(dir, 'fcgi.sock');
  const admin = (...a) =>
    execFileSync(join(BIN, 'boxoffice-admin'), ['--db', db, ...a.map(String)], { encoding: 'utf8' });
  admin('init');
  for (const [k, v] of Object.entries(settingsFirst)) admin('set', k, v);
  admin('demo');
  for (const [k, v] of Object.entries(settings)) admin('set', k, v);
  const port = await freePort();
  const confArgs = [dir, String(port), sock, loginRate];
  if (typeof extraConf === 'function') extraConf = extraConf({ dir, port, sock });
  if (extraConf) {
    writeFileSync(join(dir, 'extra.conf'), extraConf);
    confArgs.push(join(dir, 'extra.conf'));
  }
  const confEnv = { ...process.env, REAL_IP_FROM: realIpFrom, METRICS_ALLOW: metricsAllow };
  if (netns) confEnv.LISTEN_HOST = '0.0.0.0';
  if (accessLog) confEnv.ACCESS_LOG = join(dir, 'access.log');
  if (privateLog) confEnv.PRIVATE_LOG = join(dir, 'private.log');
  // The default test rate lets a hundred sign-ups arrive at once; a test
  // of the limit itself names its rate and keeps the site's burst.
  if (loginRate === '100000r/s') confEnv.LOGIN_BURST = '100000';
  if (nginxWorkers) confEnv.NGINX_WORKERS = String(nginxWorkers);
  const conf = execFileSync(join(ROOT, 'tools', 'nginx-conf.sh'), confArgs, { encoding: 'utf8', env: confEnv });
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const base = `http://${host}:${port}`;
  const stack = {
    dir, db, sock, port, base, admin, fcgi: null, nginx: null, fcgiLog: [],
    accessLog: accessLog ? join(dir, 'access.log') : null,
    privateLog: privateLog ? join(dir, 'private.log') : null,
    sql(query) { return execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim(); },
    // Starts the workers and nginx; resolves when the site answers 200.
    async restart() {
      const fcgi = spawn(fcgiBin.startsWith('/') ? fcgiBin : join(ROOT, fcgiBin),
        ['--listen', `unix:${sock}`, '--workers', String(workers), '--db', db,
          '--templates', join(ROOT, 'templates'), '--catalogs', join(ROOT, 'build', 'locale'),
          ...args.map(String)],
        { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
      fcgi.stderr.on('data', (d) => stack.fcgiLog.push(String(d)));
      // ip netns exec execs nginx itself: the pid stays nginx's.
      const nginxArgv = ['nginx', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'nginx-error.log')];
      const nginx = netns ? spawn('ip', ['netns', 'exec', netns, ...nginxArgv], { stdio: ['ignore', 'ignore', 'pipe'] })
        : spawn(nginxArgv[0], nginxArgv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
      stack.fcgi = fcgi;
      stack.nginx = nginx;
      for (let i = 0; i < 100; i++) {
        await sleep(50);
        try { if ((await fetch(base + '/')).status === 200) return true; } catch { /* not yet */ }
      }
      return false;
    },
    async stop() {
      const { fcgi, nginx } = stack;
      fcgi.kill('SIGTERM');
      nginx.kill('SIGQUIT');
      // A process killed by a signal has a signalCode and no exitCode.
      await Promise.all([fcgi, nginx].map((p) => p.exitCode !== null || p.signalCode !== null ? null :
        new Promise((r) => p.on('exit', r))));
      if (!process.env.KEEP_TMP) rmSync(dir, { recursive: true, force: true });
    },
  };
  if (!(await stack.restart())) {
    const log = existsSync(join(dir, 'nginx-error.log')) ? readFileSync(join(dir, 'nginx-error.log'), 'utf8') : '';
    await stack.stop();
    throw new Error(`stack did not start:\n${stack.fcgiLog.join('')}\n${log}`);
  }
  return stack;
}

// The value of the csrf hidden field in a page.
export function csrfOf(html) {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  return m ? m[1] : null;
}

// A browser-like client: keeps cookies, does not follow redirects unless
// asked, posts urlencoded forms.
export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); this.last = null; }

  cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }

  keep(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim(), value = pair.slice(i + 1).trim();
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method, path, { body, headers = {}, follow = false } = {}) {
    let res = await fetch(this.base + path, {
      method, body, redirect: 'manual',
      headers: { cookie: this.cookieHeader(), ...headers },
    });
    this.keep(res);
    let text = await res.text();
    let out = { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
    if (follow && out.status >= 300 && out.status < 400 && out.location) {
      const next = await this.get(out.location, { follow: true });
      next.redirectedFrom = out;
      return next;
    }
    if (method === 'GET') this.last = out;
    return out;
  }

  get(path, opts = {}) { return this.request('GET', path, opts); }

  // Posts fields as a form; csrf defaults to the token of the last page.
  post(path, fields = {}, opts = {}) {
    const f = { ...fields };
    if (!('csrf' in f) && this.last) f.csrf = csrfOf(this.last.text);
    if (f.csrf === undefined || f.csrf === null) delete f.csrf;
    return this.request('POST', path, {
      ...opts,
      body: new URLSearchParams(f).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.headers || {}) },
    });
  }

  async signup(email, password = 'correct horse battery') {
    await this.get('/signup');
    return this.post('/signup', { email, password });
  }

  async login(email, password = 'correct horse battery') {
    await this.get('/login');
    return this.post('/login', { email, password });
  }
}

// Sends bytes as they are and returns the raw response (for requests fetch
// would refuse to send: short bodies, broken framing).
export function rawRequest(port, data, { halfClose = true } = {}) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let out = '';
    sock.on('data', (d) => { out += d; });
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.setTimeout(10000, () => { sock.destroy(); resolve(out); });
    sock.write(data, () => { if (halfClose) sock.end(); });
  });
}

export function uniqueEmail(tag = 'buyer') {
  return `${tag}-${process.pid}-${Math.random().toString(36).slice(2, 10)}@example.com`;
}

// Joins the queue of a concert from its page; returns the redirect.
export async function joinQueue(client, concertId) {
  await client.get(`/concerts/${concertId}`);
  return client.post(`/concerts/${concertId}/queue`, {});
}
