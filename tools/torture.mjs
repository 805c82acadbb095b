#!/usr/bin/env node
// torture.mjs — runs the torture suite (tests/torture/, one file at a
// time) and sums it up: node:test's own output, then one line per suite
// with the figures it reported (tests/torture/report.mjs) and one final
// line. Exits with node:test's status.
//
//   node tools/torture.mjs [short|long|soak]     (default: $TORTURE or short)
//
// short runs inside `make check` (the whole folder in under 2 minutes),
// long is `make torture` (about 10 minutes), soak adds the hour of mixed
// load (TORTURE_SOAK_SECONDS shortens it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const size = process.argv[2] || process.env.TORTURE || 'short';
if (!['short', 'long', 'soak'].includes(size)) {
  console.error('usage: node tools/torture.mjs [short|long|soak]');
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), 'boxoffice-torture-'));
const reportFile = join(tmp, 'report.jsonl');
const t0 = Date.now();

const child = spawn(process.execPath, ['--test', '--test-concurrency=1', 'tests/torture/'], {
  cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, TORTURE: size, TORTURE_REPORT: reportFile },
});
// node:test's summary counts, read as its output goes by.
const counts = {};
let pending = '';
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  pending += d;
  const lines = pending.split('\n');
  pending = lines.pop();
  for (const l of lines) {
    const m = /^(?:# |ℹ )(tests|pass|fail|cancelled|skipped) (\d+)$/.exec(l);
    if (m) counts[m[1]] = Number(m[2]);
  }
});
const code = await new Promise((resolve) => child.on('close', (c, sig) => resolve(c ?? (sig ? 1 : 0))));

// One line per report: the suite's name, then its figures as key=value.
const reports = existsSync(reportFile)
  ? readFileSync(reportFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  : [];
rmSync(tmp, { recursive: true, force: true });
const fmt = (v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
console.log('');
for (const { suite, ...figures } of reports) {
  console.log(`torture ${suite}: ${Object.entries(figures).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}`);
}
const sum = (k) => reports.reduce((a, r) => a + (typeof r[k] === 'number' ? r[k] : 0), 0);
const seconds = Math.round((Date.now() - t0) / 1000);
const verdict = code === 0 ? 'all passed' : `FAILED (exit ${code})`;
console.log(`torture (${size}): ${verdict}; ${counts.pass ?? '?'} passed, ${counts.fail ?? '?'} failed, ` +
  `${counts.skipped ?? 0} skipped; ${reports.length} suites reported; kills=${sum('kills')} ` +
  `acknowledged=${sum('acknowledged')} lost=${sum('lost')} oversold=${sum('oversold')}; ${seconds} s`);
process.exit(code);
