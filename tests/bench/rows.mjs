// rows.mjs — what each row of make bench measures, and how: the list of
// rows (rowList) and the benchmark's context (Bench: the stack, the
// hello.fcgi baseline, the setups the rows share, the measurement of one
// row). tests/bench/bench.mjs runs them and writes the report.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, ROOT, freePort, joinQueue, startStack } from '../lib/stack.mjs';
import { BUYERS_LUA, runCommits, runSellout, runWrk } from './drivers.mjs';
import { Counters, childCpuSeconds, treeCpuSeconds } from './proc.mjs';
import { POLL_POLICY, buyersHeld, rateNeeded } from './waiting.mjs';
import { cannotRun as scaleCannotRun, runScale, settings as scaleSettings } from '../scale/scale.mjs';

const BIN = join(ROOT, 'build');

// ---- the rows, in the order they run and are shown
//
// base: what the ratio divides by (report.mjs BASES); baseline_of: this
// row is itself a baseline of that kind; needs: what must be running
// (Bench.down; default 'app'). run(ctx) answers the measured fields of
// the row or throws; the row then says why and the run goes on.

export function rowList(S) {
  return [
    { id: 'hello-before', section: 'baseline', name: 'hello.fcgi, before', path: '/', unit: 'req/s',
      base: 'hello', baseline_of: 'hello', needs: 'hello', run: (c) => c.hello() },
    { id: 'concert-list', section: 'pages', name: 'concert list', path: '/', unit: 'req/s',
      base: 'hello', run: (c) => c.page('/') },
    { id: 'concert-page', section: 'pages', name: 'concert page', path: '/concerts/1', unit: 'req/s',
      base: 'hello', run: (c) => c.page('/concerts/1') },
    { id: 'seat-map', section: 'pages', name: '1,000-seat map', path: '/performances/1', unit: 'req/s',
      base: 'hello', run: (c) => c.page('/performances/1', { buyer: true }) },
    { id: 'seat-map-gzip', section: 'pages', name: '1,000-seat map, gzip', path: '/performances/1',
      unit: 'req/s', base: 'hello', run: (c) => c.page('/performances/1', { buyer: true, gzip: true }) },
    { id: 'static-map', section: 'pages', name: 'static file, the map\'s bytes', path: '/bench-static/map.html',
      unit: 'req/s', base: 'hello', needs: 'hello', run: (c) => c.staticMap(false) },
    { id: 'static-map-gzip', section: 'pages', name: 'static file, the map\'s bytes, gzip',
      path: '/bench-static/map.html', unit: 'req/s', base: 'hello', needs: 'hello', run: (c) => c.staticMap(true) },
    { id: 'queue-driver', section: 'queue', name: 'hello.fcgi, Lua driver', path: '/ (as the poll)',
      unit: 'req/s', base: 'hello', needs: 'hello', run: (c) => c.queueDriver() },
    { id: 'queue-poll', section: 'queue', name: `poll, ${S.waiting.toLocaleString('en-US')} waiting buyers`,
      path: '/concerts/C/queue.json?token=T', unit: 'req/s', base: 'hello', run: (c) => c.queuePoll() },
    { id: 'queue-state', section: 'queue', name: 'the line\'s public state (what the waiting room polls)',
      path: '/concerts/C/queue/state.json', unit: 'req/s', base: 'hello', run: (c) => c.queueState() },
    { id: 'admissions', section: 'queue', name: `turns through a line of ${Math.max(40, Math.round(S.waiting / 5))}, half no-shows`,
      path: '(API status, form leave, cron --now)', unit: 'turns/s', base: null, run: (c) => c.admissions() },
    { id: 'api-queue-status', section: 'API', name: `queue status, ${S.waiting.toLocaleString('en-US')} waiting`,
      path: '/api/v1/queue/status', unit: 'req/s', base: 'hello', run: (c) => c.apiQueueStatus() },
    // The waiting room as issue 12 has it: every waiting buyer polls the
    // concert's public state, which nginx serves from one copy a second
    // old; at BENCH_WAIT_CONNECTIONS, with a hello baseline of its own.
    { id: 'hello-wait-before', section: 'waiting', name: `hello.fcgi, ${S.wait_connections} conns, before`,
      path: '/', unit: 'req/s', base: 'hello256', baseline_of: 'hello256', needs: 'hello',
      run: (c) => c.hello(S.wait_connections) },
    { id: 'state-poll', section: 'waiting', name: `queue state, ${S.waiting.toLocaleString('en-US')} waiting buyers`,
      path: '/concerts/C/queue/state.json', unit: 'req/s', base: 'hello256', run: (c) => c.statePoll() },
    { id: 'state-static', section: 'waiting', name: 'static file, the state\'s bytes',
      path: '/bench-static/state.json', unit: 'req/s', base: 'hello256', needs: 'hello', uses: ['state-poll'],
      run: (c) => c.stateStatic() },
    { id: 'hello-wait-after', section: 'waiting', name: `hello.fcgi, ${S.wait_connections} conns, after`,
      path: '/', unit: 'req/s', base: 'hello256', baseline_of: 'hello256', needs: 'hello',
      run: (c) => c.hello(S.wait_connections) },
    { id: 'buyers-per-machine', section: 'waiting', name: 'waiting buyers one machine holds',
      path: '(the state\'s rate, the poll intervals)', unit: 'buyers', base: null, needs: 'none', uses: ['state-poll'],
      run: (c) => c.buyersPerMachine() },
    { id: 'api-seats', section: 'API', name: 'seats, 1,000-seat hall', path: '/api/v1/performances/1/seats',
      unit: 'req/s', base: 'hello', run: (c) => c.apiSeats() },
    { id: 'commits-before', section: 'writes', name: 'raw commits, before', path: '(tests/bench/commits.c)',
      unit: 'commits/s', base: 'commits', baseline_of: 'commits', needs: 'none', run: (c) => c.commits(1) },
    { id: 'commits-writers', section: 'writes', name: `raw commits, ${S.workers} writers`,
      path: '(tests/bench/commits.c)', unit: 'commits/s', base: 'commits', needs: 'none', run: (c) => c.commits(S.workers) },
    { id: 'holds', section: 'writes', name: 'seat holds (form POST)', path: '/performances/P/holds',
      unit: 'holds/s', base: 'commits', run: (c) => c.holds() },
    { id: 'commits-after', section: 'writes', name: 'raw commits, after', path: '(tests/bench/commits.c)',
      unit: 'commits/s', base: 'commits', baseline_of: 'commits', needs: 'none', run: (c) => c.commits(1) },
    { id: 'sellout-ceiling', section: 'sell-out', name: 'driver ceiling (hello.fcgi)', path: '(the same requests)',
      unit: 'purchases/s', base: 'hello2', needs: 'hello', run: (c) => c.selloutCeiling() },
    { id: 'sellout', section: 'sell-out', name: 'purchases (hold + pay)', path: '/performances/P/holds, /holds/H/pay',
      unit: 'purchases/s', base: 'commits2', run: (c) => c.sellout() },
    { id: 'sellout-orders', section: 'sell-out', name: 'three-seat orders (hold 3 together + pay once)',
      path: '/performances/P/holds (3 seats), /orders/O/pay', unit: 'orders/s', base: 'commits2',
      run: (c) => c.selloutOrders() },
    { id: 'oversell', section: 'sell-out', name: 'oversold seats', path: '(database)', unit: 'seats',
      base: null, run: (c) => c.oversell() },
    { id: 'sold', section: 'sell-out', name: 'sold seats', path: '(database)', unit: 'seats',
      base: 'of', run: (c) => c.sold() },
    // make scale (tests/scale/): one primary, three edges, on network
    // namespaces; its short form when BENCH_SECONDS < 5.
    { id: 'edge-primary', section: 'edges', name: 'state requests at the primary, per edge and concert',
      path: '(make scale)', unit: 'req/s', base: null, needs: 'none', run: (c) => c.edgePrimary() },
    { id: 'edge-admissions', section: 'edges', name: 'admissions through the edges, with no-shows',
      path: '(make scale)', unit: 'buyers/s', base: null, needs: 'none', run: (c) => c.edgeAdmissions() },
    { id: 'hello-after', section: 'baseline', name: 'hello.fcgi, after', path: '/', unit: 'req/s',
      base: 'hello', baseline_of: 'hello', needs: 'hello', run: (c) => c.hello() },
  ];
}

// ---- small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const exited = (p) => p.exitCode !== null || p.signalCode !== null;

// One GET as sent on the wire (node:http: no decompression, no cookie
// jar): { status, location, headers, body (Buffer) }.
function httpGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location || '',
        headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error('no answer in 10 s')));
    req.end();
  });
}

// ["Name: value", …] → { name: value }
const headerObject = (list) => Object.fromEntries(list.map((h) => {
  const i = h.indexOf(':');
  return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
}));

// Runs fn once per context (a memoized setup step); a failed setup fails
// every row that needs it, with the same message.
function once(fn) {
  let p = null;
  return () => (p ||= fn());
}
// ---- the benchmark's context: the stack, the setups the rows share, and
// the measurement of one row

export class Bench {
  // S: the settings (bench.mjs); log: where failures are told in full.
  constructor(S, log) {
    this.S = S;
    this.dir = mkdtempSync(join(tmpdir(), 'boxoffice-bench-'));
    // What a failed row or a setup said in full (the table has one line).
    this.log = log;
    writeFileSync(this.log, '');
    // The workers' counters, and bench-commits' own (so that a request
    // still finishing in a worker never counts as a raw commit's work).
    this.counters = new Counters(join(this.dir, 'counters'));
    this.counters.create();
    this.commitCounters = new Counters(join(this.dir, 'counters-commits'));
    this.commitCounters.create();
    const preload = join(BIN, 'bench-count.so');
    this.countEnv = { LD_PRELOAD: preload, BENCH_COUNTERS: this.counters.path };
    this.commitEnv = { LD_PRELOAD: preload, BENCH_COUNTERS: this.commitCounters.path };
    this.stack = null;
    this.helloProc = null;
    this.results = new Map(); // id → row, as measured
    this.buyer = once(() => this.makeBuyer());
    this.admitted = once(() => this.admitBuyer());
    this.mapBody = once(() => this.fetchMap());
    this.queue = once(() => this.makeQueue());
    this.sale = once(() => this.makeSale());
    this.sellers = once(() => this.selloutSetup());
    this.soldOut = once(() => this.runSellout());
    this.scaled = once(() => this.runScaled());
    this.ordersSold = once(() => this.runSelloutOrders());
  }

  note(text) { appendFileSync(this.log, text.endsWith('\n') ? text : text + '\n'); }

  async start() {
    const sock = join(this.dir, 'hello.sock');
    this.helloProc = spawn(join(BIN, 'hello.fcgi'), ['--listen', `unix:${sock}`, '--workers', String(this.S.workers)],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    this.helloProc.stderr.on('data', (d) => this.note(`hello.fcgi: ${d}`));
    mkdirSync(join(this.dir, 'static'));
    this.helloPort = await freePort();
    // The baseline server: hello.fcgi, and the seat map's bytes as a file
    // (gzip as the site does it for text/html).
    const extraConf = `
    # The benchmark's baselines (tests/bench/bench.mjs).
    server {
        listen 127.0.0.1:${this.helloPort};
        location /bench-static/ {
            alias ${this.dir}/static/;
            gzip on;
        }
        location / {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:${sock};
            fastcgi_keep_conn off;
        }
    }`;
    this.stack = await startStack({
      workers: this.S.workers, nginxWorkers: this.S.nginx_workers, loginRate: '100000r/s', extraConf,
      env: this.countEnv,
      // A turn through the queue outlasts the run (a waiting buyer keeps
      // the place anyway: no heartbeat), a hold does not lapse before it is paid;
      // a load-test buyer holds up to 50 seats.
      settings: { active_ttl: 86400, hold_seconds: 3600, max_holds: 50 },
    });
    this.helloBase = `http://127.0.0.1:${this.helloPort}`;
    for (let i = 0; i < 100; i++) {
      try { if ((await httpGet(this.helloBase + '/')).status === 200) return; } catch { /* not yet */ }
      await sleep(50);
    }
    throw new Error(`hello.fcgi does not answer on ${this.helloBase}`);
  }

  async stop() {
    if (this.helloProc && !exited(this.helloProc)) {
      this.helloProc.kill('SIGTERM');
      await new Promise((r) => exited(this.helloProc) ? r() : this.helloProc.on('exit', r));
    }
    if (this.stack) await this.stack.stop();
    if (process.env.KEEP_TMP) console.error(`bench: kept ${this.dir} and ${this.stack?.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  // Why the stack cannot serve a row that needs NEEDS ('app': nginx and
  // boxoffice.fcgi, 'hello': nginx and hello.fcgi, 'none'), or null.
  down(needs) {
    const gone = (name, p) => `${name} exited (${p.signalCode || `status ${p.exitCode}`}); see ${this.log}`;
    if (needs !== 'none' && exited(this.stack.nginx)) return gone('nginx', this.stack.nginx);
    if (needs === 'app' && exited(this.stack.fcgi)) {
      this.note(`boxoffice.fcgi said:\n${this.stack.fcgiLog.join('')}`);
      return gone('boxoffice.fcgi', this.stack.fcgi);
    }
    if (needs === 'hello' && exited(this.helloProc)) return gone('hello.fcgi', this.helloProc);
    return null;
  }

  admin(...args) {
    try {
      return execFileSync(join(BIN, 'boxoffice-admin'), ['--db', this.stack.db, ...args.map(String)],
        { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`boxoffice-admin ${args[0]}: ${String(e.stderr || e.message).trim()}`);
    }
  }

  sql(query) {
    return execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 5000', this.stack.db, query],
      { encoding: 'utf8' }).trim();
  }

  // A concert with one small date on sale (joining its queue needs one);
  // answers its id.
  newConcert(title) {
    const c = Number(this.admin('add-concert', title, 'Load test', 'Bench Hall').trim());
    this.newPerformance(c, 'GA:A-E:10:10000');
    return c;
  }

  // A date of CONCERT on sale now: { perf, first, count } (its seats).
  newPerformance(concert, ...blocks) {
    const now = Math.floor(Date.now() / 1000);
    const perf = Number(this.admin('add-performance', concert, now + 30 * 86400, now - 3600,
      now + 29 * 86400, ...blocks).trim());
    const [first, count] = this.sql(`SELECT min(id), count(*) FROM seat WHERE performance_id = ${perf}`)
      .split('|').map(Number);
    return { perf, first, count };
  }

  // N load-test buyers (boxoffice-admin loadtest-buyers: one shared scrypt
  // hash, a session, a queue ticket of CONCERT, BALANCE in the wallet)
  // written to a file: lines SESSION CSRF QUEUE_TOKEN.
  buyersFile(name, n, concert, balance = 0) {
    const file = join(this.dir, name);
    writeFileSync(file, this.admin('loadtest-buyers', n, concert, ...(balance ? [balance] : [])));
    return file;
  }

  // The benchmark's own buyer, signed up over HTTP as a browser would.
  async makeBuyer() {
    const client = new Client(this.stack.base);
    const r = await client.signup(`bench-${process.pid}@example.com`, 'correct horse battery staple');
    const session = client.cookies.get('bo_s');
    if (!session) throw new Error(`POST /signup answered ${r.status} and set no session cookie`);
    return { client, session };
  }

  // The buyer let in through the queue of concert 1 (the seat map needs it).
  async admitBuyer() {
    const b = await this.buyer();
    const r = await joinQueue(b.client, 1);
    if (r.status !== 303) throw new Error(`POST /concerts/1/queue answered ${r.status}, not 303`);
    return b;
  }

  async fetchMap() {
    const b = await this.admitted();
    const r = await httpGet(this.stack.base + '/performances/1', { Cookie: `bo_s=${b.session}` });
    if (r.status !== 200) throw new Error(`GET /performances/1 answered ${r.status}${r.location ? ' to ' + r.location : ''}`);
    return r.body;
  }

  // The waiting buyers of a new concert: its first queue_capacity buyers
  // are let in at once, the rest wait.
  async makeQueue() {
    const cap = Number(this.admin('get', 'queue_capacity').trim());
    const concert = this.newConcert('Bench Queue');
    console.error(`bench: queue: ${this.S.waiting} waiting load-test buyers`);
    const all = readFileSync(this.buyersFile('queue-all.txt', this.S.waiting + cap, concert), 'utf8')
      .split('\n').filter(Boolean);
    const file = join(this.dir, 'queue-waiting.txt');
    writeFileSync(file, all.slice(cap).join('\n') + '\n');
    const [session, , token] = all[cap].split('\t');
    return { concert, file, session, token };
  }

  // The concert of the write rows, every buyer let in at once.
  async makeSale() {
    this.admin('set', 'queue_capacity', 100000);
    return this.newConcert('Bench Sale');
  }

  // Runs fn (a driver) and answers { result, cpu, work }: cores busy on
  // average in the nginx tree, the fcgi program's tree and the driver; the
  // work counters' change (build/bench-count.so) per unit, where
  // units(result) says how many units the result stands for (none: no
  // work counted). server: 'app' (nginx and boxoffice.fcgi), 'hello'
  // (nginx and hello.fcgi), 'nginx' (nginx alone) or null (no server).
  // After fn, the workers' counters are read once they stand still: the
  // requests wrk left in flight finish and count here, not in the next row.
  async measured(server, fn, units, counters = this.counters) {
    const fcgiPid = server === 'app' ? this.stack.fcgi.pid : server === 'hello' ? this.helloProc.pid : null;
    const nginxPid = server ? this.stack.nginx.pid : null;
    const c0 = counters.read();
    const n0 = treeCpuSeconds([nginxPid]), f0 = fcgiPid ? treeCpuSeconds([fcgiPid]) : 0;
    const d0 = childCpuSeconds(), t0 = performance.now();
    const result = await fn();
    const wall = (performance.now() - t0) / 1000;
    const n1 = treeCpuSeconds([nginxPid]), f1 = fcgiPid ? treeCpuSeconds([fcgiPid]) : 0;
    const d1 = childCpuSeconds();
    const c1 = server === 'app' ? await settled(counters) : counters.read();
    const cores = (a, b) => Math.round(((b - a) / wall) * 100) / 100;
    const u = units ? units(result) : 0;
    return {
      result,
      cpu: { nginx: nginxPid ? cores(n0, n1) : null, fcgi: fcgiPid ? cores(f0, f1) : null, driver: cores(d0, d1) },
      work: u > 0 ? Counters.per(c0, c1, u) : null,
      counted: [c0, c1],
    };
  }

  // A wrk row of GETs: one request first, which must answer `status` (and
  // pass check(answer) when given), a 1 s warm-up, the run, and the same
  // request after, which must still answer alike (a lost session or turn
  // would otherwise pass unseen: wrk counts only answers >= 400).
  async wrkRow({ url, headers = [], script, args = [], checkUrl = url, checkHeaders = headers,
    status = 200, check, server, connections = this.S.connections }) {
    const probe = () => httpGet(checkUrl, headerObject(checkHeaders));
    const pre = await probe();
    if (pre.status !== status) throw new Error(`answers ${pre.status}${pre.location ? ' to ' + pre.location : ''}, not ${status}`);
    const notes = [];
    const problem = check && check(pre);
    if (problem) notes.push(problem);
    const opts = { url, headers, script, args, threads: this.S.threads, connections };
    await runWrk({ ...opts, seconds: 1 }).catch((e) => this.note(`warm-up: ${e.message}`));
    const m = await this.measured(server, () => runWrk({ ...opts, seconds: this.S.seconds }),
      (w) => server === 'app' ? w.requests : 0);
    const w = m.result;
    const post = await probe().catch((e) => ({ status: e.message }));
    // Figures of wrong answers are not the page's: the row has failed,
    // with what was measured kept for whoever looks.
    let error = null;
    if (post.status !== status) error = `answers ${post.status} after the run, not ${status}`;
    else if (w.errors.status > w.requests / 100) error = `${w.errors.status} of ${w.requests} answers >= 400`;
    return {
      value: Math.round(w.rps), p50_ms: w.p50_ms, p99_ms: w.p99_ms, requests: w.requests,
      seconds: w.seconds, bytes: pre.body.length, cpu: m.cpu, work: m.work,
      work_unit: m.work ? 'request' : null, notes: [...notes, ...wrkNotes(w)], error,
    };
  }

  // ---- the rows

  hello(connections = this.S.connections) {
    return this.wrkRow({ url: this.helloBase + '/', server: 'hello', connections });
  }

  async page(path, { buyer = false, gzip = false } = {}) {
    const headers = [];
    if (buyer) headers.push(`Cookie: bo_s=${(await this.admitted()).session}`);
    if (gzip) headers.push('Accept-Encoding: gzip');
    return this.wrkRow({
      url: this.stack.base + path, headers, server: 'app',
      check: gzip ? (r) => r.headers['content-encoding'] === 'gzip' ? null : 'SUSPECT: not gzipped' : null,
    });
  }

  async staticMap(gzip) {
    const body = await this.mapBody();
    writeFileSync(join(this.dir, 'static', 'map.html'), body);
    return this.wrkRow({ url: this.helloBase + '/bench-static/map.html', server: 'nginx',
      headers: gzip ? ['Accept-Encoding: gzip'] : [],
      check: (r) => gzip || r.body.length === body.length ? null : 'SUSPECT: not the map\'s size' });
  }

  async queueDriver() {
    const q = await this.queue();
    return this.wrkRow({ url: this.helloBase + '/', server: 'hello', script: BUYERS_LUA,
      args: this.pollArgs(q) });
  }

  pollArgs(q) {
    return [`file=${q.file}`, `threads=${this.S.threads}`, `path=/concerts/${q.concert}/queue.json?token={queue}`,
      'header=Cookie: bo_s={session}'];
  }

  async queuePoll() {
    const q = await this.queue();
    return this.wrkRow({
      url: this.stack.base + '/', server: 'app', script: BUYERS_LUA, args: this.pollArgs(q),
      checkUrl: `${this.stack.base}/concerts/${q.concert}/queue.json?token=${q.token}`,
      checkHeaders: [`Cookie: bo_s=${q.session}`],
      check: (r) => {
        const state = JSON.parse(r.body.toString()).state;
        return state === 'waiting' ? null : `SUSPECT: the first waiting buyer's poll says "${state}"`;
      },
    });
  }

  // The waiting room's poll since issue 12: one public state per concert,
  // kept by nginx for a second (nginx/queue-state.conf).
  async queueState() {
    const q = await this.queue();
    return this.wrkRow({
      url: `${this.stack.base}/concerts/${q.concert}/queue/state.json`, server: 'app',
      check: (r) => JSON.parse(r.body.toString()).state === 'open' ? null : 'SUSPECT: the line is not open',
    });
  }

  // The admission rate with no-shows (issue 12): a line of buyers, every
  // other one (past the first queue_capacity, who are in at once) never
  // comes back. Those who do look (the API's status: a called buyer comes
  // in), take the turn and leave at once (the form), which calls the next;
  // cron runs a claim window later each round (--now: the clock moves,
  // not the test), passing over the no-shows. Turns per second of the
  // whole thing, and the end of the line reached with nobody skipped.
  async admissions() {
    const cap = Number(this.admin('get', 'queue_capacity').trim());
    const claim = Number(this.admin('get', 'claim_seconds').trim());
    const n = Math.max(40, Math.round(this.S.waiting / 5));
    const concert = this.newConcert('Bench No-shows');
    const buyers = readFileSync(this.buyersFile('noshows.txt', n, concert), 'utf8').split('\n').filter(Boolean)
      .map((l, i) => { const [session, csrf, token] = l.split('\t'); return { session, csrf, token, noShow: i >= cap && i % 2 === 1, done: false }; });
    const base = this.stack.base;
    const live = () => Number(this.sql(`SELECT count(*) FROM queue_ticket WHERE concert_id = ${concert}
      AND state IN ('WAITING','ACTIVE')`));
    let t = Math.floor(Date.now() / 1000), turns = 0, rounds = 0;
    const started = performance.now();
    const look = () => Promise.all(buyers.filter((b) => !b.noShow && !b.done).map(async (b) => {
        const r = await httpGet(`${base}/api/v1/queue/status`, { Authorization: `Bearer ${b.session}`, 'X-Queue-Token': b.token });
        if (r.status !== 200 || JSON.parse(r.body.toString()).state !== 'active') return;
        const left = await fetch(`${base}/concerts/${concert}/queue/leave`, { method: 'POST', redirect: 'manual',
          headers: { cookie: `bo_s=${b.session}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: `csrf=${encodeURIComponent(b.csrf)}` });
        if (left.status !== 303) throw new Error(`leaving the queue answered ${left.status}`);
        b.done = true;
        turns++;
      }));
    while (live() > 0 && rounds++ < 4 * n) {
      // Everyone who comes back looks until nobody more is let in (each
      // leave calls the next at once); then cron, a claim window later.
      for (let before = -1; before !== turns;) { before = turns; await look(); }
      t += claim + 1;
      execFileSync(join(BIN, 'boxoffice-expire'), ['--db', this.stack.db, '--now', String(t)], { stdio: 'ignore' });
    }
    const seconds = (performance.now() - started) / 1000;
    const [serving, passed] = this.sql(`SELECT (SELECT serving FROM queue_counter WHERE concert_id = ${concert}),
      (SELECT count(*) FROM queue_ticket WHERE concert_id = ${concert} AND admitted_at IS NULL AND called_at IS NOT NULL)`)
      .split('|').map(Number);
    const notes = [`${turns} turns and ${passed} no-shows passed over after claim_seconds (${claim} s) in ${rounds} rounds, ${seconds.toFixed(1)} s`];
    if (serving !== n || turns + passed !== n) notes.push(`SUSPECT: serving ${serving} of ${n}, ${turns + passed} ended`);
    return { value: turns / seconds, requests: turns, seconds, notes };
  }

  async apiQueueStatus() {
    const q = await this.queue();
    return this.wrkRow({
      url: this.stack.base + '/', server: 'app', script: BUYERS_LUA,
      args: [`file=${q.file}`, `threads=${this.S.threads}`, 'path=/api/v1/queue/status',
        'header=Authorization: Bearer {session}', 'header=X-Queue-Token: {queue}'],
      checkUrl: `${this.stack.base}/api/v1/queue/status`,
      checkHeaders: [`Authorization: Bearer ${q.session}`, `X-Queue-Token: ${q.token}`],
    });
  }

  // The waiting room's poll as buyers make it: the concert's public state,
  // each request from another waiting buyer (their session cookie, as a
  // browser sends it, and its Accept-Encoding), through nginx's cache.
  async statePoll() {
    const q = await this.queue();
    const path = `/concerts/${q.concert}/queue/state.json`;
    const row = await this.wrkRow({
      url: this.stack.base + '/', server: 'app', script: BUYERS_LUA, connections: this.S.wait_connections,
      args: [`file=${q.file}`, `threads=${this.S.threads}`, `path=${path}`, 'header=Cookie: bo_s={session}',
        'header=Accept-Encoding: gzip, deflate, br'],
      checkUrl: this.stack.base + path, checkHeaders: [`Cookie: bo_s=${q.session}`],
      check: (r) => {
        let j = null;
        try { j = JSON.parse(r.body.toString()); } catch { /* below */ }
        this.stateBody = r.body;
        return j && j.concertId === q.concert && typeof j.serving === 'number' ? null :
          `SUSPECT: not the concert's state: ${r.body.toString().slice(0, 80)}`;
      },
    });
    row.notes.push(`${row.work ? row.work.statements : '?'} SQLite statements per poll`);
    return row;
  }

  // nginx sending the state's own bytes from a file: the ceiling.
  async stateStatic() {
    if (!this.stateBody) throw new Error('state-poll did not answer: no bytes to serve');
    writeFileSync(join(this.dir, 'static', 'state.json'), this.stateBody);
    return this.wrkRow({ url: this.helloBase + '/bench-static/state.json', server: 'nginx',
      connections: this.S.wait_connections,
      check: (r) => r.body.length === this.stateBody.length ? null : 'SUSPECT: not the state\'s size' });
  }

  // From the state's rate and the poll intervals (core/queue.c
  // queue_poll_after_ms): the longest line this machine serves.
  async buyersPerMachine() {
    const poll = this.results.get('state-poll');
    if (!poll || poll.error || !poll.value) throw new Error('state-poll did not measure a rate');
    const { buyers, lines } = buyersHeld(poll.value);
    const goal = 1000000;
    return {
      value: buyers,
      notes: [`at ${poll.value.toLocaleString('en-US')} polls/s: ${lines.join('; ')}`,
        `a million waiting buyers poll ${Math.round(rateNeeded(goal)).toLocaleString('en-US')} times a second`,
        `intervals: ${POLL_POLICY.map((b) => `${b.ms / 1000} s below ${Number.isFinite(b.below) ? b.below.toLocaleString('en-US') : 'any'} ahead`).join(', ')}`],
    };
  }

  // make scale's run (tests/scale/scale.mjs), once for both rows.
  async runScaled() {
    const why = scaleCannotRun();
    if (why) throw new Error(`make scale ${why}`);
    const short = this.S.seconds < 5;
    console.error(`bench: edges: make scale${short ? ' (short)' : ''}, about ${short ? 'half a minute' : 'two minutes'}`);
    return runScale(scaleSettings(short), (m) => this.note(`scale: ${m}`));
  }

  async edgePrimary() {
    const r = await this.scaled();
    const failed = r.checks.filter((c) => !c.ok);
    return {
      value: Math.max(...r.polls.map((p) => p.primary_per_edge_concert_second)),
      seconds: r.polls.reduce((a, p) => a + p.seconds, 0),
      notes: [...r.polls.map((p) => `${p.buyers.toLocaleString('en-US')} buyers polling every ${p.interval_ms} ms: ` +
        `${p.sent.toLocaleString('en-US')} polls at 3 edges, ${p.primary_state_requests} at the primary in ${p.seconds} s ` +
        `(${p.primary_per_edge_concert_second}/s per edge per concert)`),
        ...failed.map((c) => `CHECK FAILED: ${c.name}: ${c.detail}`)],
      error: failed.length ? `${failed.length} checks of make scale failed` : null,
    };
  }

  async edgeAdmissions() {
    const L = (await this.scaled()).line;
    return {
      value: L.admissions_per_second, seconds: L.seconds,
      notes: [`${L.present} present buyers and ${L.no_shows} no-shows (claim_seconds ${L.claim_seconds}), ` +
        `${L.capacity} in at a time, through 3 edges: ${L.admitted} let in and ${L.held} seats held in ${L.seconds} s; ` +
        `at most ${L.max_in} in at once`],
    };
  }

  // The benchmark's buyer through the API: its session is also a bearer
  // token; POST /api/v1/tokens answers the queue ticket it already has.
  async apiSeats() {
    const b = await this.admitted();
    const res = await fetch(this.stack.base + '/api/v1/tokens', {
      method: 'POST', body: JSON.stringify({ concertId: 1 }),
      headers: { authorization: `Bearer ${b.session}`, 'content-type': 'application/json' },
    });
    const token = (await res.json().catch(() => ({}))).token;
    if (!token) throw new Error(`POST /api/v1/tokens answered ${res.status} without a token`);
    return this.wrkRow({ url: this.stack.base + '/api/v1/performances/1/seats', server: 'app',
      headers: [`Authorization: Bearer ${b.session}`, `X-Queue-Token: ${token}`] });
  }

  // The raw commit rate of WRITERS processes on a new file, counted as the
  // workers are (their pages and syncs per commit are the floor of a write).
  async commits(writers) {
    const db = join(this.dir, `commits-${writers}.db`);
    try {
      const m = await this.measured(null,
        () => runCommits(join(BIN, 'bench-commits'), db, this.S.commit_seconds, writers, this.commitEnv),
        (r) => r.commits, this.commitCounters);
      return {
        value: Math.round(m.result.per_second), seconds: m.result.seconds, requests: m.result.commits,
        cpu: m.cpu, work: m.work, work_unit: 'commit',
        notes: [writers === 1 ? 'BEGIN IMMEDIATE; INSERT 1 row; COMMIT' :
          `one process per fcgi worker; ${m.result.busy} busy`],
      };
    } finally {
      for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
    }
  }

  // Seat holds over HTTP on a hall big enough that every request of the
  // run finds its own free seat: request i takes seat first + i as buyer
  // i mod buyers (no buyer over max_holds). No warm-up: it would use seats.
  async holds() {
    const sale = await this.sale();
    // Seats for 1.2 times the raw rate (at least 3,000/s: the shared disk
    // varies) over the run, in blocks of 26 rows of 200, at most 15 blocks.
    const raw = Math.max(this.results.get('commits-before')?.value || 0, 3000);
    const blocks = Math.min(15, Math.floor((raw * this.S.seconds * 1.2) / 5200) + 1);
    const { perf, first, count } = this.newPerformance(sale,
      ...Array.from({ length: blocks }, (_, i) => `H${i + 1}:A-Z:200:10000`));
    const maxHolds = Number(this.admin('get', 'max_holds').trim());
    const buyers = Math.ceil(count / maxHolds);
    console.error(`bench: writes: a hall of ${count} seats, ${buyers} load-test buyers`);
    const file = this.buyersFile('holders.txt', buyers, sale);
    const m = await this.measured('app', () => runWrk({
      url: this.stack.base + '/', script: BUYERS_LUA, threads: this.S.threads, connections: this.S.connections,
      seconds: this.S.seconds,
      args: [`file=${file}`, `threads=${this.S.threads}`, 'method=POST', `path=/performances/${perf}/holds`,
        'body=seat={seat}&csrf={csrf}', 'header=Cookie: bo_s={session}', `seat_first=${first}`,
        `seats=${count}`, 'ok_status=303', 'ok_location=/holds/'],
    }));
    const w = m.result, s = w.script || {};
    if (!s.ok) throw new Error(`no hold succeeded: ${s.other ?? '?'} other answers${wrkNotes(w).map((n) => '; ' + n).join('')}`);
    const held = Number(this.sql(`SELECT count(*) FROM hold WHERE performance_id = ${perf} AND state = 'HELD'`));
    return {
      value: Math.round(s.ok / w.seconds), p50_ms: w.p50_ms, p99_ms: w.p99_ms, requests: w.requests,
      seconds: w.seconds, cpu: m.cpu,
      // Per hold in the database: the requests wrk left in flight count
      // too (their work was counted once the workers stood still).
      work: Counters.per(...m.counted, held), work_unit: 'hold',
      notes: [`${s.ok} held (303), ${s.other} other answers; ${held} HELD in the database ` +
        `(${held - s.ok} answered after wrk stopped)`, ...(s.wrapped ? [`${s.wrapped} found no free seat`] : []),
        ...wrkNotes(w)],
    };
  }

  // The sell-out's performance: BENCH_SOLD seats in rows of 100, as many
  // admitted buyers with the price in their wallets.
  async selloutSetup() {
    const sale = await this.sale();
    const rows = this.S.sold / 100 | 0;
    const last = String.fromCharCode(64 + rows);
    const p = this.newPerformance(sale, `GA:A-${last}:100:50000`);
    console.error(`bench: sell-out: ${p.count} seats, as many admitted load-test buyers with money`);
    p.file = this.buyersFile('sellers.txt', p.count, sale, 50000);
    return p;
  }

  // The same driver against hello.fcgi (200 to anything), the buyers 5
  // times over: the most this driver, nginx and FastCGI carry here.
  async selloutCeiling() {
    const p = await this.sellers();
    const m = await this.measured('hello', () => runSellout(this.helloBase, p.perf, p.first, p.file,
      this.S.connections, true));
    return selloutFields(m, `sellout.mjs --dry: the buyers 5 times over, ${this.S.connections} at once`);
  }

  async runSellout() {
    const p = await this.sellers();
    const m = await this.measured('app', () => runSellout(this.stack.base, p.perf, p.first, p.file,
      this.S.connections, false), (j) => j.purchases);
    const j = m.result;
    const fails = Object.entries(j.failures).map(([k, v]) => `${k}: ${v}`).join(', ');
    const row = selloutFields(m, `${j.purchases} of ${p.count} in ${j.seconds} s; latency = hold + pay; ` +
      `${j.retries} retries${fails ? '; failed: ' + fails : ''}`);
    row.work_unit = 'purchase';
    // Read back from the database: a seat sold twice, or a payment whose
    // hold is not PAID, is an oversell (anywhere in the database).
    const oversold = Number(this.sql(`SELECT (SELECT count(*) FROM (SELECT seat_id FROM hold
      WHERE state = 'PAID' GROUP BY seat_id HAVING count(*) > 1)) +
      (SELECT count(*) FROM payment p JOIN hold h ON h.id = p.hold_id WHERE h.state <> 'PAID')`));
    const sold = Number(this.sql(`SELECT count(*) FROM hold WHERE performance_id = ${p.perf} AND state = 'PAID'`));
    return { row, oversold, sold, p };
  }

  async sellout() { return (await this.soldOut()).row; }

  // The same sell-out in orders of three seats: BENCH_SOLD seats, a third
  // as many buyers, each holding three seats together and paying once
  // (two write transactions per order, as per single seat).
  async runSelloutOrders() {
    const sale = await this.sale();
    const rows = this.S.sold / 100 | 0;
    const last = String.fromCharCode(64 + rows);
    const p = this.newPerformance(sale, `GA:A-${last}:100:50000`);
    const buyers = Math.floor(p.count / 3);
    console.error(`bench: sell-out in orders of 3: ${p.count} seats, ${buyers} admitted buyers with money`);
    p.file = this.buyersFile('orderers.txt', buyers, sale, 150000);
    const m = await this.measured('app', () => runSellout(this.stack.base, p.perf, p.first, p.file,
      this.S.connections, false, 3), (j) => j.purchases);
    const j = m.result;
    const fails = Object.entries(j.failures).map(([k, v]) => `${k}: ${v}`).join(', ');
    const row = selloutFields(m, `${j.purchases} orders of 3 (${j.purchases * 3} seats) of ${buyers} in ` +
      `${j.seconds} s; latency = hold 3 + pay once; ${j.retries} retries${fails ? '; failed: ' + fails : ''}`);
    row.work_unit = 'order of 3';
    return { row };
  }

  async selloutOrders() { return (await this.ordersSold()).row; }

  async oversell() {
    const s = await this.soldOut();
    return { value: s.oversold, notes: ['seats with 2+ PAID holds + payments of a hold not PAID'] };
  }

  async sold() {
    const s = await this.soldOut();
    return { value: s.sold, of: s.p.count, notes: [`PAID holds of performance ${s.p.perf}, of ${s.p.count} seats`] };
  }
}

// The counters once two reads 50 ms apart agree (at most 3 s).
async function settled(counters) {
  let last = counters.read();
  for (let i = 0; i < 60; i++) {
    await sleep(50);
    const now = counters.read();
    if (now.steps === last.steps && now.syncs === last.syncs) return now;
    last = now;
  }
  return last;
}

function selloutFields(m, note) {
  const j = m.result;
  return { value: j.per_second, p50_ms: j.p50_ms, p99_ms: j.p99_ms, requests: j.purchases, seconds: j.seconds,
    cpu: m.cpu, work: m.work, work_unit: m.work ? 'purchase' : null, notes: [note] };
}

// What wrk saw go wrong, for the notes.
function wrkNotes(w) {
  const e = w.errors, out = [];
  if (e.status) out.push(`${e.status} answers >= 400`);
  const sock = ['connect', 'read', 'write', 'timeout'].filter((k) => e[k]).map((k) => `${k} ${e[k]}`);
  if (sock.length) out.push(`socket errors: ${sock.join(', ')}`);
  return out;
}

