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
// Then one row after another (tests/bench/rows.mjs), each printed as it
// ends:
//
//   baseline  hello.fcgi with plain wrk, measured first and last
//   pages     the concert list, a concert page, the 1,000-seat map plain
//             and gzip (one buyer signed up over HTTP and let in), and
//             nginx serving the seat map's bytes as a static file
//   queue     the waiting room's poll, each request from another of
//             BENCH_WAITING waiting buyers (buyers.lua); the same Lua
//             driver against hello.fcgi
//   waiting   the public queue state as the waiting buyers poll it
//             (through nginx's cache), hello.fcgi and nginx serving the
//             state's bytes from a file, all at BENCH_WAIT_CONNECTIONS; and
//             how many waiting buyers that rate holds (waiting.mjs)
//   API       /api/v1/queue/status (the waiting buyers), the seats of the
//             1,000-seat hall
//   writes    the raw SQLite commit rate with the application's pragmas
//             (build/bench-commits) before and after, with WORKERS
//             writers, and seat holds over HTTP, every request a new seat
//   sell-out  BENCH_SOLD seats sold by as many admitted buyers, each
//             holding and paying over HTTP (sellout.mjs); the same driver
//             against hello.fcgi; the oversold and sold seats read from
//             the database
//   edges     make scale's figures (tests/scale/, root only): the state
//             requests reaching the primary, admissions through edges
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
// BENCH_WAIT_CONNECTIONS (the waiting room's rows, 256),
// BENCH_THREADS (2), BENCH_WAITING (2000), BENCH_SOLD (a multiple of 100 up
// to 2600, default 2000), WORKERS (fcgi workers of each program, default
// the cores), NGINX_WORKERS (1: on 2 cores one nginx worker gave the same
// baseline as two and left the cores to the workers), KEEP_TMP=1 keeps the
// temporary folders. A row that fails says so and the run goes on; the exit
// status is non-zero only when the stack cannot start.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/stack.mjs';
import { loadAverage, machine, pressure } from './proc.mjs';
import { baseValues, baselineFrom, judge, loadBaseline, loadTargets, markdownTable, ratioOf,
  textHeader, textLine, textTable } from './report.mjs';
import { Bench, rowList } from './rows.mjs';

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
  wait_connections: intEnv('BENCH_WAIT_CONNECTIONS', 256, 1, 10000),
  sold: intEnv('BENCH_SOLD', 2000, 100, 2600),
  workers: intEnv('WORKERS', availableParallelism(), 1, 256),
  nginx_workers: intEnv('NGINX_WORKERS', 1, 1, 64),
  rows: (process.env.BENCH_ROWS || '').split(/[\s,]+/).filter(Boolean).join(',') || null,
};
S.threads = Math.min(S.threads, S.connections);
if (S.sold % 100) die(`BENCH_SOLD=${S.sold}: give a multiple of 100 (rows of 100 seats)`);
// The raw commit rows: short, the disk is what they measure.
S.commit_seconds = Math.min(S.seconds, 3);


// The rows BENCH_ROWS names (an id, a prefix of ids before a '-', or a
// section), with the baselines their ratios divide by.
function selectRows(ROWS, spec) {
  if (!spec) return ROWS;
  const words = spec.split(',');
  const unknown = words.filter((w) => !ROWS.some((r) => matches(r, w)));
  if (unknown.length) die(`BENCH_ROWS: no row ${unknown.join(', ')} (rows: ${ROWS.map((r) => r.id).join(', ')}; sections: ${[...new Set(ROWS.map((r) => r.section))].join(', ')})`);
  const want = new Set(ROWS.filter((r) => words.some((w) => matches(r, w))).map((r) => r.id));
  for (const r of ROWS.filter((x) => want.has(x.id))) for (const id of r.uses || []) want.add(id);
  for (const r of ROWS.filter((x) => want.has(x.id))) {
    if (r.base === 'hello256') ['hello-wait-before', 'hello-wait-after'].forEach((id) => want.add(id));
    if (r.base === 'hello' || r.base === 'hello2') ['hello-before', 'hello-after'].forEach((id) => want.add(id));
    if (r.base === 'commits' || r.base === 'commits2') ['commits-before', 'commits-after'].forEach((id) => want.add(id));
  }
  return ROWS.filter((r) => want.has(r.id));
}

function matches(row, word) {
  return row.id === word || row.id.startsWith(word + '-') || row.section.toLowerCase() === word.toLowerCase();
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
    `- wrk: ${s.threads} threads, ${s.connections} connections (the waiting room's rows ${s.wait_connections}), ${s.seconds} s per row (after a 1 s warm-up for the GET rows); raw commits ${s.commit_seconds} s; sell-out: ${s.connections} buyers at once`,
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
- **waiting**: the public queue state (issue 12) as the waiting buyers poll it, each request from another buyer (their cookie and Accept-Encoding, as a browser sends them), through nginx's cache, at BENCH_WAIT_CONNECTIONS; divided by hello.fcgi at the same connections (measured before and after); "static file, the state's bytes" is nginx sending the same bytes from a file (the ceiling). **waiting buyers one machine holds**: the longest line whose polls, at the intervals of core/queue.c queue_poll_after_ms (1 s near the front … 30 s far back), add up to the measured rate (tests/bench/waiting.mjs); the notes show the sum.
- **edges**: make scale run inside the bench (tests/scale/: one primary, three nginx edges on network namespaces, needs root): the most state requests that reached the primary per edge per concert per second, whatever the number of buyers (the notes give each buyer count), and the rate buyers were let in through the edges with no-shows in the line (capacity 3, claim_seconds 10: tiny on purpose, so that a line of 60 moves in a minute).
- **static file**: nginx sending the seat map's own bytes from a file (sendfile; gzip as the site does it): the ceiling of a page of that size here, with no FastCGI at all.
- **writes**: every hold request takes another free seat, so all succeed (303) unless something fails; the database count of HELD rows confirms them. p50/p99 are per request.
- **sell-out**: each buyer's hold then pay as a browser (303s), connections buyers in flight; latency = hold + pay; oversold and sold seats read from the database after the run; "driver ceiling" is the same driver against hello.fcgi.
- **bytes**: one response body as sent. **cpu**: cores busy on average during the row: nginx, the fcgi program (boxoffice or hello), and the driver (wrk, node or bench-commits).
- A GET row checks its request once before (it must answer 200) and once after (SUSPECT when it no longer does); wrk itself counts only answers >= 400.
`;

async function main() {
  checkTools();
  const targets = loadTargets(TARGETS);
  const ROWS = rowList(S);
  const unknownTargets = Object.keys(targets.rows).filter((id) => !ROWS.some((r) => r.id === id));
  if (unknownTargets.length) die(`${TARGETS}: no row ${unknownTargets.join(', ')}`);
  const baseline = loadBaseline(BASELINE);
  const selected = selectRows(ROWS, S.rows);
  const report = {
    date: new Date().toISOString(), machine: machine(),
    settings: { ...S },
    load: { before: loadAverage(), after: null }, pressure: { before: pressure(), after: null },
    noise_band: targets.noise_band, work_band: targets.work_band,
    baseline: baseline ? { date: baseline.taken.date, note: baseline.taken.note } : null,
    rows: [],
  };
  if (Number(report.load.before.split(' ')[0]) > 1) {
    console.error(`bench: load average ${report.load.before}: other programs are busy, the numbers will be low and noisy`);
  }
  mkdirSync(OUT, { recursive: true });
  const bench = new Bench(S, join(OUT, 'bench.log'));
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
