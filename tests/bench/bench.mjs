// bench.mjs — `make bench`: how fast is boxoffice, compared with the
// cheapest thing this machine can do of the same kind, and how much work
// does each request ask of SQLite?
//
//   node tests/bench/bench.mjs                 run (make bench)
//   node tests/bench/bench.mjs --write-baseline [NOTE]
//                                              var/bench/report.json becomes
//                                              tests/bench/baseline.json
//                                              (make bench-baseline)
//
// It starts one stack with tests/lib/stack.mjs (a demo database, the
// boxoffice.fcgi workers with build/bench-count.so preloaded, one nginx)
// and, behind the same nginx on a second port, build/hello.fcgi (the same
// prefork model with a fixed page: tests/bench/hello.c) and a static file.
// Then one row after another (ROWS below), each printed as it ends:
//
//   baseline  hello.fcgi with plain wrk, measured first and last
//   pages     the concert list, a concert page, the 1,000-seat map plain
//             and gzip (one buyer signed up over HTTP and let in), and
//             nginx serving the seat map's bytes as a static file
//   queue     the waiting room's poll, each request from another of
//             BENCH_WAITING waiting buyers (buyers.lua); the same Lua
//             driver against hello.fcgi
//   API       /api/v1/queue/status (the waiting buyers), the seats of the
//             1,000-seat hall
//   writes    the raw SQLite commit rate with the application's pragmas
//             (build/bench-commits) before and after, with WORKERS
//             writers, and seat holds over HTTP, every request a new seat
//   sell-out  BENCH_SOLD seats sold by as many admitted buyers, each
//             holding and paying over HTTP (sellout.mjs); the same driver
//             against hello.fcgi; the oversold and sold seats read from
//             the database
//
// Every wrk run reports through a Lua done() hook (report.lua), not
// wrk's text. Ratios divide by the baselines of the same run; targets come
// from targets.json; each run is compared with the committed baseline
// report (baseline.json) by ratios and work counts only. The report goes
// to var/bench/report.md and var/bench/report.json; what failed rows said
// in full to var/bench/bench.log.
//
// Settings (environment): BENCH_SECONDS (per row, default 5), BENCH_ROWS
// (ids, id prefixes or sections, comma-separated: a subset for development;
// the baselines they divide by run too), BENCH_CONNECTIONS (64),
// BENCH_THREADS (2), BENCH_WAITING (2000), BENCH_SOLD (a multiple of 100 up
// to 2600, default 2000), WORKERS (fcgi workers of each program, default
// the cores), NGINX_WORKERS (1: on 2 cores one nginx worker gave the same
// baseline as two and left the cores to the workers), KEEP_TMP=1 keeps the
// temporary folders. A row that fails says so and the run goes on; the exit
// status is non-zero only when the stack cannot start.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, ROOT, freePort, joinQueue, startStack } from '../lib/stack.mjs';
import { BUYERS_LUA, runCommits, runSellout, runWrk } from './drivers.mjs';
import { Counters, childCpuSeconds, loadAverage, machine, pressure, treeCpuSeconds } from './proc.mjs';
import { baseValues, baselineFrom, judge, loadBaseline, loadTargets, markdownTable, ratioOf,
  textHeader, textLine, textTable } from './report.mjs';

const BIN = join(ROOT, 'build');
const HERE = join(ROOT, 'tests', 'bench');
const OUT = join(ROOT, 'var', 'bench');
const REPORT_JSON = join(OUT, 'report.json');
const REPORT_MD = join(OUT, 'report.md');
const TARGETS = join(HERE, 'targets.json');
const BASELINE = join(HERE, 'baseline.json');

function die(msg) {
  console.error(`bench: ${msg}`);
  process.exit(1);
}

function intEnv(name, def, min, max) {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) die(`${name}=${v}: give a whole number from ${min} to ${max}`);
  return n;
}

// ---- make bench-baseline

if (process.argv[2] === '--write-baseline') {
  if (!existsSync(REPORT_JSON)) die(`no ${REPORT_JSON}: run make bench first`);
  const report = JSON.parse(readFileSync(REPORT_JSON, 'utf8'));
  if (report.settings.rows) die(`the last run measured only BENCH_ROWS=${report.settings.rows}: a baseline needs a full run`);
  const failed = report.rows.filter((r) => r.error).map((r) => r.id);
  const b = baselineFrom(report, process.argv.slice(3).join(' '));
  writeFileSync(BASELINE, JSON.stringify(b, null, 2) + '\n');
  console.log(`bench: ${BASELINE} now holds the ratios of the run of ${report.date}` +
    (failed.length ? ` (without the failed rows ${failed.join(', ')})` : ''));
  process.exit(0);
}
if (process.argv.length > 2) die('usage: bench.mjs [--write-baseline [NOTE]] (settings: see the top of tests/bench/bench.mjs)');

const S = {
  seconds: intEnv('BENCH_SECONDS', 5, 1, 600),
  connections: intEnv('BENCH_CONNECTIONS', 64, 1, 10000),
  threads: intEnv('BENCH_THREADS', 2, 1, 64),
  waiting: intEnv('BENCH_WAITING', 2000, 1, 1000000),
  sold: intEnv('BENCH_SOLD', 2000, 100, 2600),
  workers: intEnv('WORKERS', availableParallelism(), 1, 256),
  nginx_workers: intEnv('NGINX_WORKERS', 1, 1, 64),
  rows: (process.env.BENCH_ROWS || '').split(/[\s,]+/).filter(Boolean).join(',') || null,
};
S.threads = Math.min(S.threads, S.connections);
if (S.sold % 100) die(`BENCH_SOLD=${S.sold}: give a multiple of 100 (rows of 100 seats)`);
// The raw commit rows: short, the disk is what they measure.
const COMMIT_SECONDS = Math.min(S.seconds, 3);

// ---- the rows, in the order they run and are shown
//
// base: what the ratio divides by (report.mjs BASES); baseline_of: this
// row is itself a baseline of that kind; needs: what must be running
// (Bench.down; default 'app'). run(ctx) answers the measured fields of
// the row or throws; the row then says why and the run goes on.

const ROWS = [
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
  { id: 'api-queue-status', section: 'API', name: `queue status, ${S.waiting.toLocaleString('en-US')} waiting`,
    path: '/api/v1/queue/status', unit: 'req/s', base: 'hello', run: (c) => c.apiQueueStatus() },
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
  { id: 'oversell', section: 'sell-out', name: 'oversold seats', path: '(database)', unit: 'seats',
    base: null, run: (c) => c.oversell() },
  { id: 'sold', section: 'sell-out', name: 'sold seats', path: '(database)', unit: 'seats',
    base: 'of', run: (c) => c.sold() },
  { id: 'hello-after', section: 'baseline', name: 'hello.fcgi, after', path: '/', unit: 'req/s',
    base: 'hello', baseline_of: 'hello', needs: 'hello', run: (c) => c.hello() },
];

// The rows BENCH_ROWS names (an id, a prefix of ids before a '-', or a
// section), with the baselines their ratios divide by.
function selectRows(spec) {
  if (!spec) return ROWS;
  const words = spec.split(',');
  const unknown = words.filter((w) => !ROWS.some((r) => matches(r, w)));
  if (unknown.length) die(`BENCH_ROWS: no row ${unknown.join(', ')} (rows: ${ROWS.map((r) => r.id).join(', ')}; sections: ${[...new Set(ROWS.map((r) => r.section))].join(', ')})`);
  const want = new Set(ROWS.filter((r) => words.some((w) => matches(r, w))).map((r) => r.id));
  for (const r of ROWS.filter((x) => want.has(x.id))) {
    if (r.base === 'hello' || r.base === 'hello2') ['hello-before', 'hello-after'].forEach((id) => want.add(id));
    if (r.base === 'commits' || r.base === 'commits2') ['commits-before', 'commits-after'].forEach((id) => want.add(id));
  }
  return ROWS.filter((r) => want.has(r.id));
}

function matches(row, word) {
  return row.id === word || row.id.startsWith(word + '-') || row.section.toLowerCase() === word.toLowerCase();
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

class Bench {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'boxoffice-bench-'));
    // What a failed row or a setup said in full (the table has one line).
    this.log = join(OUT, 'bench.log');
    mkdirSync(OUT, { recursive: true });
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
  }

  note(text) { appendFileSync(this.log, text.endsWith('\n') ? text : text + '\n'); }

  async start() {
    const sock = join(this.dir, 'hello.sock');
    this.helloProc = spawn(join(BIN, 'hello.fcgi'), ['--listen', `unix:${sock}`, '--workers', String(S.workers)],
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
      workers: S.workers, nginxWorkers: S.nginx_workers, loginRate: '100000r/s', extraConf,
      env: this.countEnv,
      // A turn through the queue outlasts the run, a waiting buyer is not
      // dropped between two rows, a hold does not lapse before it is paid;
      // a load-test buyer holds up to 50 seats.
      settings: { active_ttl: 86400, abandon_after: 3600, hold_seconds: 3600, max_holds: 50 },
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
    console.error(`bench: queue: ${S.waiting} waiting load-test buyers`);
    const all = readFileSync(this.buyersFile('queue-all.txt', S.waiting + cap, concert), 'utf8')
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
    status = 200, check, server }) {
    const probe = () => httpGet(checkUrl, headerObject(checkHeaders));
    const pre = await probe();
    if (pre.status !== status) throw new Error(`answers ${pre.status}${pre.location ? ' to ' + pre.location : ''}, not ${status}`);
    const notes = [];
    const problem = check && check(pre);
    if (problem) notes.push(problem);
    const opts = { url, headers, script, args, threads: S.threads, connections: S.connections };
    await runWrk({ ...opts, seconds: 1 }).catch((e) => this.note(`warm-up: ${e.message}`));
    const m = await this.measured(server, () => runWrk({ ...opts, seconds: S.seconds }),
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

  hello() {
    return this.wrkRow({ url: this.helloBase + '/', server: 'hello' });
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
    return [`file=${q.file}`, `threads=${S.threads}`, `path=/concerts/${q.concert}/queue.json?token={queue}`,
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

  async apiQueueStatus() {
    const q = await this.queue();
    return this.wrkRow({
      url: this.stack.base + '/', server: 'app', script: BUYERS_LUA,
      args: [`file=${q.file}`, `threads=${S.threads}`, 'path=/api/v1/queue/status',
        'header=Authorization: Bearer {session}', 'header=X-Queue-Token: {queue}'],
      checkUrl: `${this.stack.base}/api/v1/queue/status`,
      checkHeaders: [`Authorization: Bearer ${q.session}`, `X-Queue-Token: ${q.token}`],
    });
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
        () => runCommits(join(BIN, 'bench-commits'), db, COMMIT_SECONDS, writers, this.commitEnv),
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
    const blocks = Math.min(15, Math.floor((raw * S.seconds * 1.2) / 5200) + 1);
    const { perf, first, count } = this.newPerformance(sale,
      ...Array.from({ length: blocks }, (_, i) => `H${i + 1}:A-Z:200:10000`));
    const maxHolds = Number(this.admin('get', 'max_holds').trim());
    const buyers = Math.ceil(count / maxHolds);
    console.error(`bench: writes: a hall of ${count} seats, ${buyers} load-test buyers`);
    const file = this.buyersFile('holders.txt', buyers, sale);
    const m = await this.measured('app', () => runWrk({
      url: this.stack.base + '/', script: BUYERS_LUA, threads: S.threads, connections: S.connections,
      seconds: S.seconds,
      args: [`file=${file}`, `threads=${S.threads}`, 'method=POST', `path=/performances/${perf}/holds`,
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
    const rows = S.sold / 100 | 0;
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
      S.connections, true));
    return selloutFields(m, `sellout.mjs --dry: the buyers 5 times over, ${S.connections} at once`);
  }

  async runSellout() {
    const p = await this.sellers();
    const m = await this.measured('app', () => runSellout(this.stack.base, p.perf, p.first, p.file,
      S.connections, false), (j) => j.purchases);
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

// ---- the run

function checkTools() {
  for (const tool of ['wrk', 'nginx', 'sqlite3']) {
    try { execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }); }
    catch { die(`${tool} is not installed (see tools/deps.sh)`); }
  }
  for (const bin of ['boxoffice.fcgi', 'boxoffice-admin', 'hello.fcgi', 'bench-commits', 'bench-count.so']) {
    if (!existsSync(join(BIN, bin))) die(`build/${bin} is missing: run make bench`);
  }
}

function header(report) {
  const s = report.settings;
  return [
    `- date: ${report.date}`,
    `- machine: ${report.machine.cores} cores, ${report.machine.cpu}`,
    `- fcgi workers: ${s.workers} (each of boxoffice.fcgi and hello.fcgi); nginx workers: ${s.nginx_workers}`,
    `- wrk: ${s.threads} threads, ${s.connections} connections, ${s.seconds} s per row (after a 1 s warm-up for the GET rows); raw commits ${s.commit_seconds} s; sell-out: ${s.connections} buyers at once`,
    `- load-test data: ${s.waiting} waiting buyers (queue, API); a hall for the holds sized from the raw commit rate, buyers holding up to 50 seats each; ${s.sold} buyers of ${s.sold} seats (sell-out)`,
    ...(s.rows ? [`- rows: only BENCH_ROWS=${s.rows} (and the baselines they divide by)`] : []),
    `- load average before the run: ${report.load.before}; after: ${report.load.after} (other programs running skew the numbers)`,
    `- pressure stall (some, avg10) before: cpu ${report.pressure.before.cpu ?? '?'}%, io ${report.pressure.before.io ?? '?'}%; after: cpu ${report.pressure.after.cpu ?? '?'}%, io ${report.pressure.after.io ?? '?'}%`,
    `- compared with: ${report.baseline ? `tests/bench/baseline.json, taken ${report.baseline.date}${report.baseline.note ? ` (${report.baseline.note})` : ''}; noise band ±${report.noise_band * 100}% on ratios, ±${report.work_band * 100}% on work` : 'no committed baseline (make bench-baseline writes one)'}`,
  ].join('\n');
}

function summaryLine(sum) {
  const say = (label, ids) => `${label}: ${ids.length ? ids.join(', ') : 'none'}`;
  const line = [say('failed rows', sum.failed), say('targets missed', sum.missed),
    say('changed beyond the noise band', sum.changed)].join('; ');
  return sum.disturbed.length ? `${line}\n\nDISTURBED: the baselines moved during the run (${sum.disturbed.join('; ')}): ` +
    'something else used the machine, the ratios are not to be trusted' : line;
}

const NOTES = `
- **ratio**: the value divided by the baselines of the same run. Pages, queue and API rows: by the mean req/s of the two hello.fcgi rows (measured first and last: when they differ much, something else was using the machine). Writes: by the mean of the two raw commit rates of one writer (measured just before and after the holds: the disk is shared). Sell-out purchases: 2 × purchases/s by that mean (a purchase is two write transactions); the driver ceiling: 2 × purchases/s by the hello mean (two requests). Sold seats: by the seats on sale.
- **vs baseline**: the change of the ratio from the committed tests/bench/baseline.json; beyond the noise band it says CHANGED. Absolute figures are never compared (the machine varies); the work counts are, as they do not vary with the machine.
- **work** (statements, pages written, fsyncs, VM ops): counted inside the workers and bench-commits by build/bench-count.so (tests/bench/count.c, preloaded: it wraps sqlite3_step, fsync and fdatasync) over the row, divided by the requests wrk completed (a few requests still in flight when wrk stopped add their work, under 1% at 5 s), the commits, or the purchases. statements: executions started; pages written: database pages appended to the WAL by commits; VM ops: SQLite's virtual machine instructions. They do not move with the noise: a change there is a change of the code.
- **queue** and **API queue status**: every request from another waiting buyer (tests/bench/buyers.lua); "hello.fcgi, Lua driver" is hello driven by the same script: its ratio is what the driver costs. A waiting buyer's poll also writes its last-seen mark at most every 30 s.
- **static file**: nginx sending the seat map's own bytes from a file (sendfile; gzip as the site does it): the ceiling of a page of that size here, with no FastCGI at all.
- **writes**: every hold request takes another free seat, so all succeed (303) unless something fails; the database count of HELD rows confirms them. p50/p99 are per request.
- **sell-out**: each buyer's hold then pay as a browser (303s), connections buyers in flight; latency = hold + pay; oversold and sold seats read from the database after the run; "driver ceiling" is the same driver against hello.fcgi.
- **bytes**: one response body as sent. **cpu**: cores busy on average during the row: nginx, the fcgi program (boxoffice or hello), and the driver (wrk, node or bench-commits).
- A GET row checks its request once before (it must answer 200) and once after (SUSPECT when it no longer does); wrk itself counts only answers >= 400.
`;

async function main() {
  checkTools();
  const targets = loadTargets(TARGETS);
  const unknownTargets = Object.keys(targets.rows).filter((id) => !ROWS.some((r) => r.id === id));
  if (unknownTargets.length) die(`${TARGETS}: no row ${unknownTargets.join(', ')}`);
  const baseline = loadBaseline(BASELINE);
  const selected = selectRows(S.rows);
  const report = {
    date: new Date().toISOString(), machine: machine(),
    settings: { ...S, commit_seconds: COMMIT_SECONDS },
    load: { before: loadAverage(), after: null }, pressure: { before: pressure(), after: null },
    noise_band: targets.noise_band, work_band: targets.work_band,
    baseline: baseline ? { date: baseline.taken.date, note: baseline.taken.note } : null,
    rows: [],
  };
  if (Number(report.load.before.split(' ')[0]) > 1) {
    console.error(`bench: load average ${report.load.before}: other programs are busy, the numbers will be low and noisy`);
  }
  const bench = new Bench();
  let stopping = false;
  const onSignal = async (sig) => {
    if (stopping) return;
    stopping = true;
    console.error(`bench: ${sig}: stopping`);
    await bench.stop().catch(() => {});
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    try {
      await bench.start();
    } catch (e) {
      console.error(`bench: the stack did not start: ${e.message}`);
      return 1;
    }
    console.error(`bench: ${S.seconds} s per row, ${S.connections} connections, ${S.workers} fcgi workers, ` +
      `${S.nginx_workers} nginx worker(s); ${selected.length} rows`);
    console.log(textHeader());
    let section = null;
    for (const def of selected) {
      const row = { id: def.id, section: def.section, name: def.name, path: def.path, unit: def.unit,
        base: def.base, baseline_of: def.baseline_of || null, value: null, p50_ms: null, p99_ms: null,
        requests: null, seconds: null, bytes: null, cpu: null, work: null, work_unit: null, of: null,
        notes: [], error: null };
      const why = bench.down(def.needs || 'app');
      try {
        if (why) throw new Error(why);
        Object.assign(row, await def.run(bench));
      } catch (e) {
        row.error = String(e.message || e).split('\n')[0];
        bench.note(`${def.id}: ${e.stack || e}`);
      }
      report.rows.push(row);
      bench.results.set(row.id, row);
      row.ratio = ratioOf(row, baseValues(report.rows)); // so far: the final one is below
      if (row.section !== section) console.log(`-- ${section = row.section}`);
      console.log(textLine(row));
    }
  } finally {
    report.load.after = loadAverage();
    report.pressure.after = pressure();
    await bench.stop();
  }

  const summary = judge(report.rows, targets, baseline);
  // How close the seat map comes to nginx sending the same bytes.
  for (const [page, file] of [['seat-map', 'static-map'], ['seat-map-gzip', 'static-map-gzip']]) {
    const p = bench.results.get(page), f = bench.results.get(file);
    if (p?.value && f?.value) p.notes.push(`${(p.value / f.value).toFixed(2)} of the static file's rate`);
  }
  report.summary = { failed: summary.failed, missed: summary.missed, changed: summary.changed,
    disturbed: summary.disturbed, hello_mean: summary.bases.hello, commits_mean: summary.bases.commits };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(REPORT_JSON, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(REPORT_MD, ['# boxoffice benchmark', '', header(report), '', summaryLine(summary), '',
    markdownTable(report.rows), '', '## What the columns mean', NOTES].join('\n'));
  console.log(`\nboxoffice benchmark\n${header(report).replace(/^- /gm, '')}\n`);
  console.log(textTable(report.rows));
  console.log(`\n${summaryLine(summary)}\nreport written to ${REPORT_MD} and ${REPORT_JSON}`);
  return 0;
}

process.exitCode = await main();
