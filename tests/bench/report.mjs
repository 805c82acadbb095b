// report.mjs — what the benchmark makes of its measured rows: the ratios
// to the baselines of the same run, the targets (tests/bench/targets.json),
// the comparison with the committed baseline report
// (tests/bench/baseline.json, ratios and work counts only, never absolute
// figures), and the tables (console text, markdown). No I/O but reading
// the two data files: bench.mjs measures, this judges and writes.
import { readFileSync, existsSync } from 'node:fs';

// What a row's ratio divides its value by (row.base):
//   hello     the mean req/s of the hello.fcgi rows (row.baseline_of = 'hello')
//   hello2    the same, for a value that makes two requests (a purchase)
//   hello256  the mean req/s of the hello.fcgi rows at the waiting room's
//             connections (row.baseline_of = 'hello256'; BENCH_WAIT_CONNECTIONS)
//   commits   the mean of the raw commit rows of one writer
//   commits2  the same, for a value that is two write transactions
//   of        row.of, the whole the value is part of (seats sold of seats)
export const BASES = ['hello', 'hello2', 'hello256', 'commits', 'commits2', 'of'];

const TARGET_KEYS = {
  ratio_min: (r, x) => [r.ratio, r.ratio === null ? null : r.ratio >= x, `ratio ≥ ${x}`],
  p99_max_ms: (r, x) => [r.p99_ms, r.p99_ms === null ? null : r.p99_ms <= x, `p99 ≤ ${x} ms`],
  value_min: (r, x) => [r.value, r.value === null ? null : r.value >= x, `≥ ${x}`],
  value_max: (r, x) => [r.value, r.value === null ? null : r.value <= x, `≤ ${x}`],
};

// Reads targets.json: { noise_band, work_band, rows: { id: { key: limit } } }.
// Throws on a key it does not know (a misspelt target must not pass
// silently); names ids it has no row for in .unknown (checked by bench.mjs
// against its rows).
export function loadTargets(path) {
  const t = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof t.noise_band !== 'number' || typeof t.work_band !== 'number' ||
      typeof t.rows !== 'object') {
    throw new Error(`${path}: needs noise_band, work_band (numbers) and rows (an object)`);
  }
  for (const [id, spec] of Object.entries(t.rows)) {
    for (const [k, v] of Object.entries(spec)) {
      if (!(k in TARGET_KEYS)) throw new Error(`${path}: row ${id}: unknown target "${k}" (known: ${Object.keys(TARGET_KEYS).join(', ')})`);
      if (typeof v !== 'number') throw new Error(`${path}: row ${id}: ${k} must be a number`);
    }
  }
  return t;
}

// The committed baseline report, or null when there is none yet.
export function loadBaseline(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

const mean = (xs) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
const round = (x, d = 2) => x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d;

// The means of the baseline rows measured so far: { hello, hello256, commits }.
export function baseValues(rows) {
  const of = (kind) => mean(rows.filter((r) => r.baseline_of === kind && !r.error && r.value > 0).map((r) => r.value));
  return { hello: of('hello'), hello256: of('hello256'), commits: of('commits') };
}

export function ratioOf(row, bases) {
  if (row.value === null || row.value === undefined || !row.base) return null;
  const div = { hello: bases.hello, hello2: bases.hello && bases.hello / 2, hello256: bases.hello256,
    commits: bases.commits, commits2: bases.commits && bases.commits / 2, of: row.of }[row.base];
  return div > 0 ? round(row.value / div) : null;
}

// { text, met }: met is true, false, or null (not measured, or no target).
export function evaluateTarget(row, spec) {
  if (!spec || !Object.keys(spec).length) return { text: '', met: null };
  const parts = [];
  let met = true;
  for (const [k, limit] of Object.entries(spec)) {
    const [, ok, label] = TARGET_KEYS[k](row, limit);
    parts.push(`${label} ${ok === null ? 'n/a' : ok ? 'met' : 'MISSED'}`);
    if (ok === null && met === true) met = null;
    if (ok === false) met = false;
  }
  return { text: parts.join('; '), met };
}

// A work count moved: beyond band of the old value and by more than a
// quarter of a unit (so that 0.01 → 0.02 statements is not a change).
function workMoved(now, then, band) {
  return Math.abs(now - then) > Math.max(band * Math.abs(then), 0.25);
}

export const COMPARED_WORK = ['statements', 'pages'];

// The row against the same row of the committed baseline: { text, flag }.
// The ratio moves beyond noise_band; the work beyond work_band.
export function compareBaseline(row, old, targets) {
  if (!old) return { text: 'new row', flag: false };
  const parts = [];
  let flag = false;
  if (row.ratio !== null && old.ratio > 0 && !row.baseline_of) {
    const change = row.ratio / old.ratio - 1;
    const beyond = Math.abs(change) > targets.noise_band;
    flag ||= beyond;
    parts.push(`${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(0)}%${beyond ? ' CHANGED' : ''}`);
  }
  if (row.work && old.work) {
    for (const k of COMPARED_WORK) {
      if (typeof old.work[k] !== 'number') continue;
      if (workMoved(row.work[k], old.work[k], targets.work_band)) {
        flag = true;
        parts.push(`${k} ${old.work[k]} → ${row.work[k]} CHANGED`);
      }
    }
  }
  return { text: parts.join('; '), flag };
}

// Fills in ratio, target and vs_baseline of every row; answers the summary.
export function judge(rows, targets, baseline) {
  const bases = baseValues(rows);
  const summary = { failed: [], missed: [], changed: [], bases, disturbed: [] };
  // Two measures of one baseline that differ beyond the noise band: the
  // machine was busy with something else, every ratio of the run is shaky.
  for (const kind of ['hello', 'hello256', 'commits']) {
    const v = rows.filter((r) => r.baseline_of === kind && !r.error && r.value > 0).map((r) => r.value);
    if (v.length > 1 && Math.max(...v) / Math.min(...v) - 1 > targets.noise_band) {
      summary.disturbed.push(`${kind} ${v.map((x) => x.toLocaleString('en-US')).join(' vs ')}`);
    }
  }
  for (const r of rows) {
    r.ratio = ratioOf(r, bases);
    r.target = r.error ? { text: targets.rows[r.id] ? 'n/a (failed)' : '', met: null } :
      evaluateTarget(r, targets.rows[r.id]);
    r.vs_baseline = baseline && !r.error ? compareBaseline(r, baseline.rows[r.id], targets) : null;
    if (r.error) summary.failed.push(r.id);
    if (r.target.met === false) summary.missed.push(r.id);
    if (r.vs_baseline?.flag) summary.changed.push(r.id);
  }
  return summary;
}

// The committed baseline made from a report: ratios and work counts only.
export function baselineFrom(report, note) {
  const rows = {};
  for (const r of report.rows) {
    if (r.error) continue;
    rows[r.id] = { name: r.name, ratio: r.ratio, work: r.work };
  }
  return {
    about: 'The committed baseline of make bench: each row\'s ratio to the baselines of its own run ' +
      'and its work per unit (tests/bench/count.c). Runs are compared with it by these only; ' +
      'written by make bench-baseline from var/bench/report.json.',
    taken: { date: report.date, machine: report.machine, load: report.load, settings: report.settings,
      note: note || '' },
    rows,
  };
}

// ---- formatting

const num = (x, d = 0) => x === null || x === undefined ? '-' :
  x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const ms = (x) => x === null || x === undefined ? '-' : x >= 100 ? num(x, 0) : num(x, x >= 10 ? 1 : 2);
const work = (r, k) => r.work ? num(r.work[k], r.work[k] >= 100 ? 0 : 2) : '-';
const cpu = (r) => r.cpu ? ['nginx', 'fcgi', 'driver'].map((k) => r.cpu[k] === null ? '-' : r.cpu[k].toFixed(2)).join(' / ') : '-';

function cells(r) {
  return {
    row: r.name,
    path: r.path || '',
    value: r.error && r.value === null ? 'FAILED' : num(r.value, r.value !== null && r.value < 10 && r.value % 1 ? 2 : 0),
    unit: r.unit,
    p50: ms(r.p50_ms),
    p99: ms(r.p99_ms),
    ratio: r.ratio === null || r.ratio === undefined ? '-' : r.ratio.toFixed(2),
    target: r.baseline_of ? '(baseline)' : r.target?.text || '',
    vs: r.vs_baseline?.text ?? '',
    bytes: r.bytes ? num(r.bytes) : '-',
    cpu: cpu(r),
    stmts: work(r, 'statements'),
    pages: work(r, 'pages'),
    syncs: work(r, 'syncs'),
    vm: work(r, 'vm_ops'),
    per: r.work ? r.work_unit : '',
    notes: [r.error ? `FAILED: ${r.error}` : '', ...(r.notes || [])].filter(Boolean).join('; '),
  };
}

const MD_COLS = [
  ['row', 'row'], ['path', 'path'], ['value', 'value', 'r'], ['unit', 'unit'], ['p50', 'p50 ms', 'r'],
  ['p99', 'p99 ms', 'r'], ['ratio', 'ratio', 'r'], ['target', 'target'], ['vs', 'vs baseline'],
  ['bytes', 'bytes', 'r'], ['cpu', 'cpu nginx / fcgi / driver', 'r'], ['per', 'work per'],
  ['stmts', 'statements', 'r'], ['pages', 'pages written', 'r'], ['syncs', 'fsyncs', 'r'],
  ['vm', 'VM ops', 'r'], ['notes', 'notes'],
];

const mdEscape = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(rows) {
  const out = [
    `| ${MD_COLS.map((c) => c[1]).join(' | ')} |`,
    `| ${MD_COLS.map((c) => c[2] === 'r' ? '---:' : '---').join(' | ')} |`,
  ];
  let section = null;
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      out.push(`| **${section}** |${' |'.repeat(MD_COLS.length - 1)}`);
    }
    const c = cells(r);
    out.push(`| ${MD_COLS.map(([k]) => k === 'path' && c.path.startsWith('/') ? `\`${c.path}\`` : mdEscape(c[k])).join(' | ')} |`);
  }
  return out.join('\n');
}

const TEXT_COLS = [
  ['row', 'row', 32], ['value', 'value', 9, 'r'], ['unit', 'unit', 12], ['p50', 'p50 ms', 7, 'r'],
  ['p99', 'p99 ms', 7, 'r'], ['ratio', 'ratio', 6, 'r'], ['stmts', 'stmts', 6, 'r'],
  ['pages', 'pages', 6, 'r'], ['syncs', 'fsyncs', 6, 'r'], ['target', 'target', 0],
];

const fit = (s, w, right) => {
  s = String(s);
  if (!w) return s;
  if (s.length > w) s = s.slice(0, w - 1) + '…';
  return right ? s.padStart(w) : s.padEnd(w);
};

export function textHeader() {
  return TEXT_COLS.map(([, h, w, a]) => fit(h, w, a)).join('  ').trimEnd();
}

// One console line for a row (its ratio against the baselines measured so
// far); the error or the notes of a failed or suspect row on the next line.
export function textLine(r) {
  const c = cells(r);
  let line = TEXT_COLS.map(([k, , w, a]) => fit(k === 'target' ? [c.target, c.vs].filter(Boolean).join('; ') : c[k], w, a))
    .join('  ').trimEnd();
  if (r.error) line += `\n    FAILED: ${r.error}`;
  for (const n of r.notes || []) if (/SUSPECT|>= 400|socket errors/.test(n)) line += `\n    ${n}`;
  return line;
}

export function textTable(rows) {
  const out = [textHeader()];
  let section = null;
  for (const r of rows) {
    if (r.section !== section) out.push(`-- ${section = r.section}`);
    out.push(textLine(r));
  }
  return out.join('\n');
}
