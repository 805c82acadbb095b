// metrics.test.mjs — GET /metrics on a real stack: what Prometheus reads
// is the whole service (every worker's requests, whichever worker a
// scrape reaches, and the counts of a killed worker), the sale as the
// database has it, the 503s of a database that stayed busy, the expiry
// job's last run and the WAL's size; `promtool check metrics` finds
// nothing to say about a real scrape; nginx answers only the listed
// addresses; the shipped Prometheus config and alert rules pass promtool
// (config, rules, and the rules' unit tests), and a real Prometheus server
// scrapes the stack with the shipped job.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, freePort, Client, csrfOf, uniqueEmail, joinQueue, ROOT } from '../lib/stack.mjs';

const PROM = join(ROOT, 'admin', 'prometheus');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let stack;
before(async () => { stack = await startStack({ workers: 3, settings: { queue_capacity: 1 } }); });
after(async () => { await stack?.stop(); });

async function scrape(s = stack) {
  const r = await fetch(s.base + '/metrics');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return r.text();
}

// The value of one series (name{labels} exactly as written), or undefined.
function value(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function promtoolCheck(text) {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, said: (r.stdout + r.stderr).trim() };
}

// Polls fn until it returns a truthy value (returned) or the time is up.
async function until(fn, ms = 30000, what = 'the condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('every scrape sees every worker\'s requests, and promtool check metrics finds nothing to say', async () => {
  const before = await scrape();
  const base = value(before, 'boxoffice_requests_total{route="/concerts/#",code="2xx"}');
  assert.equal(typeof base, 'number', 'every route is written, even at zero');
  for (let i = 0; i < 30; i++) assert.equal((await fetch(stack.base + '/concerts/1')).status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await fetch(stack.base + '/no/such/page')).status, 404);
  // Each scrape reaches one of the three workers; each must count all 30.
  for (let i = 0; i < 9; i++) {
    const text = await scrape();
    assert.equal(value(text, 'boxoffice_requests_total{route="/concerts/#",code="2xx"}'), base + 30, text);
    assert.equal(value(text, 'boxoffice_request_duration_seconds_count{route="/concerts/#"}'), base + 30);
    assert.equal(value(text, 'boxoffice_request_duration_seconds_bucket{route="/concerts/#",le="+Inf"}'), base + 30);
    assert.ok(value(text, 'boxoffice_request_duration_seconds_sum{route="/concerts/#"}') > 0);
    assert.equal(value(text, 'boxoffice_requests_total{route="other",code="4xx"}'), 5);
    const check = promtoolCheck(text);
    assert.equal(check.status, 0, check.said);
    assert.equal(check.said, '', 'no lint warnings either');
  }
});

test('a worker killed with -9: its counts stay, its restart is counted', async () => {
  const before = await scrape();
  const restarts = value(before, 'boxoffice_worker_restarts_total');
  const pids = execFileSync('pgrep', ['-P', String(stack.fcgi.pid)], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(pids.length, 3);
  const served = value(before, 'boxoffice_requests_total{route="/metrics",code="2xx"}');
  process.kill(Number(pids[0]), 'SIGKILL');
  const after = await until(async () => {
    // The signal may land just after the worker took a scrape's
    // connection: nginx then answers 502, and the next scrape is served.
    const r = await fetch(stack.base + '/metrics');
    const t = await r.text();
    return r.status === 200 && value(t, 'boxoffice_worker_restarts_total') === restarts + 1 ? t : null;
  }, 30000, 'the restart to be counted');
  // Nothing the dead worker counted is lost: the counters live in the
  // master's shared pages.
  assert.ok(value(after, 'boxoffice_requests_total{route="/metrics",code="2xx"}') > served);
});

// A buyer admitted to concert 1, with the session's CSRF token.
async function buyer(tag) {
  const c = new Client(stack.base);
  c.email = uniqueEmail(tag);
  assert.equal((await c.signup(c.email)).status, 303);
  await joinQueue(c, 1);
  c.csrf = csrfOf((await c.get('/wallet')).text);
  return c;
}
async function charge(c, amount) {
  const page = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(page.text)[1];
  return c.post('/wallet/charge', { amount: String(amount), key, csrf: c.csrf });
}
const seatId = (perf, n) => stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf} ORDER BY id LIMIT 1 OFFSET ${n}`);

test('the sale as the database has it: the line, live holds, seats sold, gross sales, check-ins, refunds', async () => {
  const perf = Number(stack.sql('SELECT min(id) FROM performance WHERE concert_id = 1'));
  const first = await buyer('first');   // queue_capacity 1: let in
  const second = await buyer('second'); // waits behind
  assert.equal((await charge(first, 900000)).status, 303);
  const h1 = await first.post(`/performances/${perf}/holds`, { seat: seatId(perf, 0), csrf: first.csrf });
  const h2 = await first.post(`/performances/${perf}/holds`, { seat: seatId(perf, 1), csrf: first.csrf });
  assert.equal(h1.status, 303);
  assert.equal(h2.status, 303);
  assert.equal((await first.post(`${h1.location}/pay`, { csrf: first.csrf })).status, 303);
  const text = await scrape();
  assert.equal(value(text, 'boxoffice_queue_active{concert="1"}'), 1);
  assert.equal(value(text, 'boxoffice_queue_waiting{concert="1"}'), 1);
  assert.equal(value(text, 'boxoffice_queue_admitted_total{concert="1"}'), 1);
  assert.equal(value(text, 'boxoffice_queue_called_total{concert="1"}'), 1, 'called, then came in');
  assert.equal(value(text, 'boxoffice_queue_called{concert="1"}'), 0);
  assert.equal(value(text, `boxoffice_holds_live{performance="${perf}"}`), 1);
  assert.equal(value(text, `boxoffice_seats_sold_total{performance="${perf}"}`), 1);
  const price = Number(stack.sql(`SELECT amount FROM payment WHERE hold_id = ${h1.location.split('/').pop()}`));
  assert.ok(price > 0);
  assert.equal(value(text, `boxoffice_gross_sales_total{performance="${perf}"}`), price);
  assert.equal(value(text, `boxoffice_checkins_total{performance="${perf}"}`), 0);
  // The paid seat let in at the door (staff, through the API).
  stack.admin('grant', second.email, 'staff');
  const login = await fetch(stack.base + '/api/v1/sessions', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: second.email, password: 'correct horse battery' }) });
  assert.equal(login.status, 201);
  const { token } = await login.json();
  const code = stack.sql(`SELECT code FROM ticket WHERE hold_id = ${h1.location.split('/').pop()}`);
  const door = await fetch(stack.base + '/api/v1/checkins', { method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ code }) });
  assert.equal(door.status, 200, await door.text());
  const later = await scrape();
  assert.equal(value(later, `boxoffice_checkins_total{performance="${perf}"}`), 1);
  assert.equal(value(later, `boxoffice_seats_sold_total{performance="${perf}"}`), 1);
  assert.equal(value(later, `boxoffice_refunds_total{performance="${perf}"}`), 0);
  // Two seats ordered together and paid with one payment: each is sold.
  const section = stack.sql(`SELECT section FROM seat WHERE performance_id = ${perf} ORDER BY id DESC LIMIT 1`);
  const order = await first.post(`/performances/${perf}/best`, { section, count: '2', csrf: first.csrf });
  assert.match(order.location || '', /^\/orders\/\d+$/, `${order.status} ${order.text.slice(0, 200)}`);
  assert.equal((await first.post(`${order.location}/pay`, { csrf: first.csrf })).status, 303);
  const orderId = order.location.split('/').pop();
  assert.equal(stack.sql(`SELECT count(DISTINCT payment_id) FROM hold WHERE order_id = ${orderId}`), '1', 'one payment');
  const both = Number(stack.sql(`SELECT sum(price) FROM hold WHERE order_id = ${orderId} AND payment_id IS NOT NULL`));
  const ordered = await scrape();
  assert.equal(value(ordered, `boxoffice_seats_sold_total{performance="${perf}"}`), 3);
  assert.equal(value(ordered, `boxoffice_gross_sales_total{performance="${perf}"}`), price + both);
  // The other seat paid, then refunded by the operator: sold and gross
  // count the sale, the refund families what went back.
  assert.equal((await first.post(`${h2.location}/pay`, { csrf: first.csrf })).status, 303);
  const hold2 = h2.location.split('/').pop();
  const price2 = Number(stack.sql(`SELECT amount FROM payment WHERE hold_id = ${hold2}`));
  stack.admin('refund', stack.sql(`SELECT code FROM ticket WHERE hold_id = ${hold2}`));
  const refunded = await scrape();
  assert.equal(value(refunded, `boxoffice_seats_sold_total{performance="${perf}"}`), 4);
  assert.equal(value(refunded, `boxoffice_gross_sales_total{performance="${perf}"}`), price + both + price2);
  assert.equal(value(refunded, `boxoffice_refunds_total{performance="${perf}"}`), 1);
  assert.equal(value(refunded, `boxoffice_refund_amount_total{performance="${perf}"}`), price2);
  assert.equal(value(refunded, `boxoffice_holds_live{performance="${perf}"}`), 0);
  // Every concert and performance is written, at zero too.
  for (const id of stack.sql('SELECT id FROM concert').split('\n'))
    assert.equal(typeof value(text, `boxoffice_queue_waiting{concert="${id}"}`), 'number');
  for (const id of stack.sql('SELECT id FROM performance').split('\n'))
    assert.equal(typeof value(text, `boxoffice_seats_sold_total{performance="${id}"}`), 'number');
});

test('an answer refused because the database stayed busy is counted as such', async () => {
  const c = await buyer('busy');
  const page = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(page.text)[1];
  const before = await scrape();
  const busy0 = value(before, 'boxoffice_db_busy_total');
  // Another connection holds the write lock past the workers' busy
  // timeout (5 s): the top-up waits, then is refused with 503.
  const sh = spawn('sqlite3', [stack.db], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  sh.stdout.on('data', (d) => { out += d; });
  sh.stdin.write("BEGIN IMMEDIATE; SELECT 'locked';\n");
  await until(() => out.includes('locked'), 10000, 'sqlite3 to take the write lock');
  const r = await c.post('/wallet/charge', { amount: '1000', key, csrf: c.csrf });
  sh.stdin.end('ROLLBACK;\n');
  await new Promise((res) => sh.on('exit', res));
  assert.equal(r.status, 503);
  const text = await scrape();
  assert.equal(value(text, 'boxoffice_db_busy_total'), busy0 + 1);
  assert.equal(value(text, 'boxoffice_requests_total{route="/wallet/charge",code="5xx"}'),
    value(before, 'boxoffice_requests_total{route="/wallet/charge",code="5xx"}') + 1);
});

test('the expiry job\'s last run and the WAL\'s size', async () => {
  const walFile = stack.db + '-wal';
  const walNow = () => (existsSync(walFile) ? statSync(walFile).size : 0);
  let text = await scrape();
  assert.equal(value(text, 'boxoffice_expire_last_run_timestamp_seconds'), 0, 'never ran');
  // The tests above wrote: the WAL is as large as the file says.
  assert.ok(walNow() > 0);
  assert.equal(value(text, 'boxoffice_wal_bytes'), walNow());
  const t0 = Math.floor(Date.now() / 1000);
  const out = execFileSync(join(ROOT, 'build', 'boxoffice-expire'), ['--db', stack.db], { encoding: 'utf8' });
  const t1 = Math.ceil(Date.now() / 1000);
  text = await scrape();
  const last = value(text, 'boxoffice_expire_last_run_timestamp_seconds');
  assert.ok(last >= t0 && last <= t1, `${last} within [${t0}, ${t1}]`);
  assert.match(out, /^expire: /);
  // The checkpoint emptied the WAL; what is left is the note of the run.
  assert.equal(value(text, 'boxoffice_wal_bytes'), walNow());
});

test('nginx answers /metrics only to the listed addresses', async (t) => {
  // This stack lists another address (the sample line of the site) in
  // place of loopback: the test's own requests come from 127.0.0.1.
  const other = await startStack({ workers: 1, metricsAllow: '192.0.2.20' });
  t.after(() => other.stop());
  for (const path of ['/metrics', '/metrics?x=1', '//metrics', '/./metrics', '/%6Detrics', '/concerts/../metrics']) {
    const r = await fetch(other.base + path);
    assert.equal(r.status, 403, path);
    assert.doesNotMatch(await r.text(), /boxoffice_/, path);
  }
  for (const path of ['/metrics/', '/metrics.txt', '/Metrics']) {
    const r = await fetch(other.base + path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(await r.text(), /boxoffice_/, path);
  }
  // The default site: loopback may read it.
  assert.match(await scrape(), /^boxoffice_db_readable 1$/m);
});

test('admin/prometheus: promtool checks the config and the rules, and each alert fires in its unit test', () => {
  const run = (...args) => spawnSync('promtool', args, { cwd: PROM, encoding: 'utf8' });
  let r = run('check', 'config', 'prometheus.yml');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  r = run('check', 'rules', 'alerts.yml');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: 6 rules found/);
  for (const alert of ['BoxofficeQueueStalled', 'BoxofficeErrorRate', 'BoxofficeWalGrowing', 'BoxofficeExpiryNotRunning'])
    assert.match(readFileSync(join(PROM, 'alerts_test.yml'), 'utf8'), new RegExp(`alertname: ${alert}\\n`), alert);
  r = run('test', 'rules', 'alerts_test.yml');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test('a real Prometheus server scrapes the stack with the shipped job', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'boxoffice-prometheus-'));
  const port = await freePort();
  // The shipped config, its target this stack and its interval short.
  const conf = readFileSync(join(PROM, 'prometheus.yml'), 'utf8')
    .replace("targets: ['127.0.0.1:80']", `targets: ['127.0.0.1:${stack.port}']`)
    .replace('scrape_interval: 15s', 'scrape_interval: 1s')
    .replace('evaluation_interval: 15s', 'evaluation_interval: 1s');
  assert.match(conf, new RegExp(`127\\.0\\.0\\.1:${stack.port}`));
  writeFileSync(join(dir, 'prometheus.yml'), conf);
  copyFileSync(join(PROM, 'alerts.yml'), join(dir, 'alerts.yml'));
  let log = '';
  const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  prom.stderr.on('data', (d) => { log += d; });
  t.after(async () => {
    if (prom.exitCode === null && prom.signalCode === null) {
      prom.kill('SIGTERM');
      await new Promise((r) => prom.on('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const query = async (q) => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
      if (r.status !== 200) return [];
      return (await r.json()).data.result;
    } catch { return []; } // not listening yet
  };
  const up = await until(async () => {
    const res = await query('up{job="boxoffice"}');
    return res.length === 1 && res[0].value[1] === '1' ? res : null;
  }, 90000, `Prometheus to scrape the stack (its log:\n${log.slice(-2000)})`);
  assert.equal(up[0].metric.instance, `127.0.0.1:${stack.port}`);
  // A series of ours, as the stack has it (the seats sold by the test
  // above).
  const perf = stack.sql('SELECT min(id) FROM performance WHERE concert_id = 1');
  const sold = await until(async () => {
    const res = await query(`boxoffice_seats_sold_total{performance="${perf}"}`);
    return res.length === 1 ? res : null;
  }, 30000, 'boxoffice_seats_sold_total');
  assert.equal(sold[0].value[1], stack.sql(`SELECT count(*) FROM hold WHERE performance_id = ${perf} AND payment_id IS NOT NULL`));
  // The shipped rules are loaded and healthy.
  const rules = await (await fetch(`http://127.0.0.1:${port}/api/v1/rules`)).json();
  const names = rules.data.groups.flatMap((g) => g.rules.map((x) => `${x.name}:${x.health}`));
  for (const a of ['BoxofficeQueueStalled', 'BoxofficeErrorRate', 'BoxofficeWalGrowing', 'BoxofficeExpiryNotRunning'])
    assert.ok(names.includes(`${a}:ok`) || names.includes(`${a}:unknown`), `${a} in ${names}`);
});
