// admin_times.test.mjs — the operator types people's time: boxoffice-admin
// add-performance reads "2026-12-24 19:30" in the venue's zone (the
// timezone setting), ISO 8601 with an offset and Unix seconds; refuses a
// time the zone skips or repeats and changes nothing then; prints the id
// alone on stdout and the times as understood on stderr. A real binary on
// a real SQLite file (no HTTP needed); expected instants from GNU date.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../build/boxoffice-admin', import.meta.url).pathname;
let dir, db, concert;

const admin = (...args) => spawnSync(BIN, ['--db', db, ...args], { encoding: 'utf8' });
const sql = (q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
const performances = () => Number(sql('SELECT count(*) FROM performance'));

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'boxoffice-times-'));
  db = join(dir, 'test.db');
  assert.equal(admin('init').status, 0);
  const r = admin('add-concert', 'Times Test', 'The Clocks', 'Hall');
  assert.equal(r.status, 0, r.stderr);
  concert = r.stdout.trim();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('venue times in Asia/Seoul (the default zone) are stored as their instants and printed back', () => {
  const r = admin('add-performance', concert, '2026-12-24 19:30', '2026-11-01T10:00',
    '2026-12-24T17:30:00', 'A:A-B:5:10000');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\n$/, 'stdout is the id alone, for scripts');
  const id = r.stdout.trim();
  assert.equal(sql(`SELECT starts_at || ' ' || sale_opens_at || ' ' || sale_closes_at FROM performance WHERE id = ${id}`),
    '1798108200 1793494800 1798101000');
  assert.match(r.stderr, /in Asia\/Seoul/);
  assert.match(r.stderr, /starts +2026-12-24 19:30 KST/);
  assert.match(r.stderr, /sale opens +2026-11-01 10:00 KST/);
  assert.match(r.stderr, /sale closes +2026-12-24 17:30 KST/);
});

test('offsets and Unix seconds are still accepted, and printed in the venue zone', () => {
  const r = admin('add-performance', concert, '2026-12-24T10:30Z', '0', '1798101000',
    'A:A-B:5:10000');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(`SELECT starts_at FROM performance WHERE id = ${r.stdout.trim()}`), '1798108200');
  assert.match(r.stderr, /starts +2026-12-24 19:30 KST/);
  assert.match(r.stderr, /sale opens +1970-01-01 09:00 KST/);
});

test('in America/New_York a skipped or repeated time is refused, naming the candidates, and nothing is added', () => {
  assert.equal(admin('set', 'timezone', 'America/New_York').status, 0);
  const n = performances();

  const ambiguous = admin('add-performance', concert, '2026-11-01 01:30', '2026-10-01 10:00',
    '2026-10-31 10:00', 'A:A-B:5:10000');
  assert.equal(ambiguous.status, 2);
  assert.match(ambiguous.stderr, /STARTS: 2026-11-01 01:30 is ambiguous in America\/New_York/);
  assert.match(ambiguous.stderr, /01:30 EDT \(UTC-04:00\) = @1793511000/);
  assert.match(ambiguous.stderr, /01:30 EST \(UTC-05:00\) = @1793514600/);

  const gap = admin('add-performance', concert, '2026-12-24 19:30', '2026-03-08 02:30',
    '2026-12-01 10:00', 'A:A-B:5:10000');
  assert.equal(gap.status, 2);
  assert.match(gap.stderr, /SALE_OPENS: 2026-03-08 02:30 does not exist in America\/New_York/);
  assert.match(gap.stderr, /02:00 EST straight to 2026-03-08 03:00 EDT/);
  assert.equal(performances(), n, 'nothing was added');

  // The offset the message suggests settles it.
  const chosen = admin('add-performance', concert, '2026-11-01T01:30-05:00', '2026-10-01 10:00',
    '2026-10-31 10:00', 'A:A-B:5:10000');
  assert.equal(chosen.status, 0, chosen.stderr);
  assert.equal(sql(`SELECT starts_at FROM performance WHERE id = ${chosen.stdout.trim()}`), '1793514600');
  assert.match(chosen.stderr, /starts +2026-11-01 01:30 EST/);
  assert.match(chosen.stderr, /sale opens +2026-10-01 10:00 EDT/);
  assert.equal(admin('set', 'timezone', 'Asia/Seoul').status, 0);
});

test('bad times and a sale out of order are refused with what was understood', () => {
  const n = performances();
  const compact = admin('add-performance', concert, '20261224', '@1793494800', '@1798101000', 'A:A-B:5:10000');
  assert.equal(compact.status, 2);
  assert.match(compact.stderr, /STARTS: "20261224" looks like a compact date, not Unix seconds/);
  const words = admin('add-performance', concert, 'next friday', '@1793494800', '@1798101000', 'A:A-B:5:10000');
  assert.equal(words.status, 2);
  assert.match(words.stderr, /"next friday" is not a time: write 2026-12-24 19:30 \(in Asia\/Seoul\)/);
  const order = admin('add-performance', concert, '2026-12-24 19:30', '2026-12-25 10:00',
    '2026-12-24 18:00', 'A:A-B:5:10000');
  assert.equal(order.status, 2);
  assert.match(order.stderr, /it opens 2026-12-25 10:00 KST, closes 2026-12-24 18:00 KST, and the performance starts 2026-12-24 19:30 KST/);
  assert.equal(performances(), n, 'nothing was added');
});

test('add-performance --help explains the time forms', () => {
  const r = admin('add-performance', '--help');
  assert.equal(r.status, 0);
  for (const form of ['2026-12-24 19:30', '2026-12-24T19:30+09:00', '@1798108200', "'timezone' setting"])
    assert.ok(r.stdout.includes(form), form);
});
