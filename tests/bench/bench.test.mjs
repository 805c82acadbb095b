// bench.test.mjs — the benchmark's own parts, without benchmarking (no
// timing is asserted): the work counter preloaded into the workers
// (count.c), wrk's JSON from the Lua done() hook (report.lua, buyers.lua),
// how a run is judged (report.mjs: ratios, targets, the committed
// baseline), and the waiting buyers' arithmetic (waiting.mjs). make bench-check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/stack.mjs';
import { BUYERS_LUA, runCommits, runWrk } from './drivers.mjs';
import { Counters } from './proc.mjs';
import { baselineFrom, judge, loadTargets } from './report.mjs';
import { POLL_POLICY, buyersHeld, pollRate } from './waiting.mjs';

const BIN = join(ROOT, 'build');

function tmp(t) {
  const dir = mkdtempSync(join(tmpdir(), 'boxoffice-benchtest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the preloaded counter sees each commit of bench-commits: 3 statements, its pages, its fsync', async (t) => {
  const dir = tmp(t);
  const c = new Counters(join(dir, 'counters'));
  c.create();
  const before = c.read();
  const r = await runCommits(join(BIN, 'bench-commits'), join(dir, 'a.db'), 1, 1,
    { LD_PRELOAD: join(BIN, 'bench-count.so'), BENCH_COUNTERS: c.path });
  assert.ok(r.commits > 0);
  const per = Counters.per(before, c.read(), r.commits);
  // BEGIN IMMEDIATE, INSERT, COMMIT (plus a few at open, spread thin)
  assert.ok(per.statements >= 3 && per.statements < 3.5, `statements per commit ${per.statements}`);
  assert.ok(per.pages >= 1 && per.pages < 2, `pages per commit ${per.pages}`);
  assert.ok(per.syncs >= 1, `fsyncs per commit ${per.syncs}`);
  assert.ok(per.vm_ops > 0);
});

test('a statement that returns rows is one execution of several steps, and writes nothing', async (t) => {
  const dir = tmp(t);
  const db = join(dir, 't.db');
  execFileSync(join(BIN, 'boxoffice-admin'), ['--db', db, 'demo'], { stdio: 'ignore' });
  const c = new Counters(join(dir, 'counters'));
  c.create();
  const out = execFileSync(join(BIN, 'boxoffice-admin'), ['--db', db, 'settings'], { encoding: 'utf8',
    env: { ...process.env, LD_PRELOAD: join(BIN, 'bench-count.so'), BENCH_COUNTERS: c.path } });
  const n = c.read();
  const settings = out.trim().split('\n').length;
  assert.ok(n.statements > 0, JSON.stringify(n));
  assert.ok(n.steps >= n.statements + settings, JSON.stringify(n));
  assert.equal(n.pages, 0);
});

test('without BENCH_COUNTERS the counter only passes calls on', async (t) => {
  const dir = tmp(t);
  const c = new Counters(join(dir, 'counters'));
  c.create();
  const r = await runCommits(join(BIN, 'bench-commits'), join(dir, 'a.db'), 1, 1,
    { LD_PRELOAD: join(BIN, 'bench-count.so') });
  assert.ok(r.commits > 0);
  assert.deepEqual(Object.values(c.read()), [0, 0, 0, 0, 0]);
});

// A tiny server for wrk: 200 for /ok…, 404 for anything else.
async function server(t) {
  const srv = createServer((req, res) => {
    res.statusCode = req.url.startsWith('/ok') ? 200 : 404;
    res.end('x');
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  return `http://127.0.0.1:${srv.address().port}`;
}

test('wrk reports through done() as JSON: requests, percentiles, answers >= 400', async (t) => {
  const base = await server(t);
  const ok = await runWrk({ url: base + '/ok', seconds: 1, threads: 1, connections: 2 });
  assert.ok(ok.requests > 0);
  assert.equal(ok.errors.status, 0);
  for (const p of ['p50', 'p90', 'p99', 'p999']) assert.equal(typeof ok.latency_us[p], 'number');
  assert.ok(ok.latency_us.p50 <= ok.latency_us.p99);
  const missing = await runWrk({ url: base + '/nothing', seconds: 1, threads: 1, connections: 2 });
  assert.equal(missing.errors.status, missing.requests);
});

test('buyers.lua: every request as another buyer, successes counted in the JSON', async (t) => {
  const dir = tmp(t);
  const base = await server(t);
  const file = join(dir, 'buyers.txt');
  writeFileSync(file, 'ok1\tc1\tq1\nbad\tc2\tq2\n');
  const w = await runWrk({ url: base + '/', seconds: 1, threads: 1, connections: 1, script: BUYERS_LUA,
    args: [`file=${file}`, 'threads=1', 'path=/{session}', 'ok_status=200'] });
  // buyer 1 gets 200, buyer 2 a 404, in turn
  assert.ok(w.script.ok > 0 && w.script.other > 0);
  assert.ok(Math.abs(w.script.ok - w.script.other) <= 1, JSON.stringify(w.script));
  assert.equal(w.errors.status, w.script.other);
});

const TARGETS = { noise_band: 0.15, work_band: 0.10, rows: { page: { ratio_min: 0.5, p99_max_ms: 10 } } };

function rows() {
  const r = (id, value, extra = {}) => ({ id, name: id, section: 's', unit: 'req/s', value, p99_ms: 5,
    base: 'hello', baseline_of: null, work: null, notes: [], error: null, ...extra });
  return [
    r('hello-before', 1000, { baseline_of: 'hello' }),
    r('page', 600, { work: { statements: 5, pages: 0 } }),
    r('hello-after', 1400, { baseline_of: 'hello' }),
  ];
}

test('ratios divide by the mean of the baselines; targets say met or MISSED', () => {
  const rs = rows();
  const sum = judge(rs, TARGETS, null);
  assert.equal(rs[1].ratio, 0.5); // 600 / mean(1000, 1400)
  assert.equal(rs[1].target.met, true);
  rs[1].p99_ms = 11;
  judge(rs, TARGETS, null);
  assert.equal(rs[1].target.met, false);
  assert.match(rs[1].target.text, /p99 ≤ 10 ms MISSED/);
  assert.deepEqual(sum.missed, []);
  assert.deepEqual(sum.disturbed, ['hello 1,000 vs 1,400']); // 40% apart
  rs[2].value = 1100;
  assert.deepEqual(judge(rs, TARGETS, null).disturbed, []);
});

test('the committed baseline flags a ratio beyond the noise band and any change of work', () => {
  const rs = rows();
  judge(rs, TARGETS, null);
  const base = baselineFrom({ rows: rs, date: 'd', machine: {}, load: {}, settings: {} }, 'test');
  assert.deepEqual(base.rows.page, { name: 'page', ratio: 0.5, work: { statements: 5, pages: 0 } });
  // within ±15%: quiet
  let now = rows();
  now[1].value = 660; // ratio 0.55, +10%
  let sum = judge(now, TARGETS, base);
  assert.deepEqual(sum.changed, []);
  // beyond: flagged
  now = rows();
  now[1].value = 720; // ratio 0.6, +20%
  sum = judge(now, TARGETS, base);
  assert.deepEqual(sum.changed, ['page']);
  assert.match(now[1].vs_baseline.text, /\+20% CHANGED/);
  // the same ratio, one more statement per request: flagged
  now = rows();
  now[1].work = { statements: 6, pages: 0 };
  sum = judge(now, TARGETS, base);
  assert.deepEqual(sum.changed, ['page']);
  assert.match(now[1].vs_baseline.text, /statements 5 → 6 CHANGED/);
});

test('a misspelt target is refused, not ignored', (t) => {
  const dir = tmp(t);
  assert.ok(loadTargets(join(ROOT, 'tests', 'bench', 'targets.json')).rows['queue-poll']);
  const bad = join(dir, 't.json');
  writeFileSync(bad, JSON.stringify({ ...TARGETS, rows: { page: { ratio_minimum: 1 } } }));
  assert.throws(() => loadTargets(bad), /unknown target "ratio_minimum"/);
});

test('waiting buyers per machine: the poll intervals are the site\'s, and the sum is written out', () => {
  // core/queue.c queue_poll_after_ms is the policy; waiting.mjs must say the same.
  const c = readFileSync(join(ROOT, 'core', 'queue.c'), 'utf8');
  const body = /queue_poll_after_ms\(int64_t ahead\)\s*\{([^}]*)\}/.exec(c);
  assert.ok(body, 'queue_poll_after_ms is in core/queue.c');
  const bands = [...body[1].matchAll(/ahead < (\d+) \? (\d+)/g)].map((m) => ({ below: Number(m[1]), ms: Number(m[2]) }));
  const last = /: (\d+);\s*$/.exec(body[1].trim());
  assert.deepEqual([...bands, { below: Infinity, ms: Number(last?.[1]) }], POLL_POLICY);

  assert.equal(pollRate(1000000), 20 + 40 + 180 + 600 + 990000 / 30);
  const m = buyersHeld(pollRate(1000000));
  assert.equal(m.buyers, 1000000);
  assert.match(m.lines.at(-1), /990,000 buyers from place 10,001/);
  assert.equal(buyersHeld(30).buyers, 20 + 10 * 2, 'a short line: the front full, the next band part full');
  assert.equal(buyersHeld(1000).buyers, 10000 + 160 * 30);
});

test('the waiting room\'s rows divide by hello.fcgi at their own connections', () => {
  const rs = [
    { id: 'hello-wait-before', baseline_of: 'hello256', base: 'hello256', value: 10000 },
    { id: 'state-poll', base: 'hello256', value: 30000, p99_ms: 8 },
    { id: 'hello-wait-after', baseline_of: 'hello256', base: 'hello256', value: 10000 },
    { id: 'hello-before', baseline_of: 'hello', base: 'hello', value: 20000 },
  ];
  const targets = { noise_band: 0.15, work_band: 0.1, rows: { 'state-poll': { ratio_min: 2.5, p99_max_ms: 10 } } };
  const sum = judge(rs, targets, null);
  assert.equal(rs[1].ratio, 3);
  assert.equal(rs[1].target.met, true);
  assert.deepEqual(sum.missed, []);
});
