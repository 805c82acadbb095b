// admin_backup.test.mjs — boxoffice-admin backup while buyers pay, and the
// restore drill. A storm of buyers joins, tops up, holds and pays over the
// JSON API (tests/torture/burst.mjs) while the backup is taken with the
// real binary; the copy must open, pass integrity_check, keep balance =
// ledger and hold every purchase acknowledged before the backup began.
// Then the drill an operator follows: restore is refused while the
// workers run; restored into a fresh path, a new stack serves it and the
// seats sold in the backup are still sold. Also: no overwrite unless
// told, progress on a large file, files that are not our database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, ROOT } from '../lib/stack.mjs';
import { setupSale, runBurst, verify } from '../torture/burst.mjs';

const BIN = join(ROOT, 'build', 'boxoffice-admin');
let stack, dir;

const admin = (db, ...args) => spawnSync(BIN, ['--db', db, ...args.map(String)], { encoding: 'utf8' });
const sql = (db, q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
// The real binary, without blocking the event loop the storm runs on.
const adminAsync = (db, ...args) => new Promise((resolve) => {
  const p = spawn(BIN, ['--db', db, ...args.map(String)]);
  let stdout = '', stderr = '';
  p.stdout.on('data', (d) => { stdout += d; });
  p.stderr.on('data', (d) => { stderr += d; });
  p.on('exit', (status) => resolve({ status, stdout, stderr }));
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'boxoffice-backup-'));
  stack = await startStack({ workers: 2 });
});

after(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a backup taken while buyers pay is whole: integrity, balance = ledger, every earlier purchase', async () => {
  const sale = setupSale(stack, { buyers: 40, blocks: 1 });
  const copy = join(dir, 'copy.db');
  let done = false, result = null, acksBefore = null, purchasesBefore = 0;
  const storm = runBurst(sale, { lanes: 8, stop: () => done });
  // Whatever was acknowledged before the backup starts must be in it.
  const backup = (async () => {
    while (stormTally() < 15) await new Promise((r) => setTimeout(r, 50));
    acksBefore = [...currentAcks()];
    purchasesBefore = stormTally();
    result = await adminAsync(stack.db, 'backup', copy);
    // Let the storm go on a little after the copy, then stop it.
    await new Promise((r) => setTimeout(r, 500));
    done = true;
  })();
  // runBurst keeps its tally private until it ends: follow it in the database.
  function stormTally() { return Number(stack.sql("SELECT count(*) FROM hold WHERE state = 'PAID'")); }
  function currentAcks() {
    // The acknowledged purchases so far, read back as burst's verify() wants them.
    return stack.sql(`SELECT h.user_id, h.id, p.id, h.seat_id FROM payment p JOIN hold h ON h.id = p.hold_id`)
      .split('\n').filter(Boolean).map((l) => {
        const [user, hold, pay] = l.split('|').map(Number);
        return { kind: 'pay', user, a: hold, b: pay };
      });
  }
  const [tally] = await Promise.all([storm, backup]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`written to ${copy}: \\d+ pages of 4096 bytes .*integrity_check ok`));
  assert.ok(purchasesBefore >= 15 && tally.purchases > purchasesBefore, 'buyers paid before and after');

  // The copy: one standalone file that passes the checks on its own.
  assert.ok(!existsSync(copy + '-wal'), 'no -wal beside the copy');
  assert.equal(sql(copy, 'PRAGMA journal_mode'), 'delete');
  const v = verify({ db: copy }, acksBefore);
  assert.equal(v.integrity, 'ok');
  assert.equal(v.balance_not_ledger, 0, 'balance = ledger for every buyer');
  assert.equal(v.oversold, 0);
  assert.equal(v.lost, 0, 'every purchase paid before the backup began is in it');
  assert.ok(v.sold >= purchasesBefore);
  // And the live database went on selling past what the copy holds.
  const live = verify(stack, []);
  assert.ok(live.sold > purchasesBefore && live.integrity === 'ok');
  assert.equal(readdirSync(dir).filter((f) => f.includes('.partial-')).length, 0, 'no partial file left');
});

test('backup refuses to overwrite a file unless told, and leaves it untouched', () => {
  const path = join(dir, 'taken.db');
  writeFileSync(path, 'precious');
  const r = admin(stack.db, 'backup', path);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /taken\.db exists already; nothing was written \(add --overwrite to replace it\)/);
  assert.equal(statSync(path).size, 8);
  const o = admin(stack.db, 'backup', path, '--overwrite');
  assert.equal(o.status, 0, o.stderr);
  assert.equal(sql(path, 'PRAGMA integrity_check'), 'ok');
});

test('restore is refused while the workers have the database open, and changes nothing', () => {
  const before = stack.sql('SELECT count(*) FROM payment');
  const r = admin(stack.db, 'restore', join(dir, 'copy.db'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /is open in another program \(the workers, boxoffice-expire, sqlite3…\): stop them first; nothing was changed/);
  assert.equal(stack.sql('SELECT count(*) FROM payment'), before);
  assert.equal(readdirSync(join(stack.db, '..')).filter((f) => f.includes('before-restore')).length, 0);
});

test('the restore drill: into a fresh path, a new stack serves it, and the sold seats are still sold', async () => {
  const copy = join(dir, 'copy.db');
  const fresh = mkdtempSync(join(tmpdir(), 'boxoffice-restored-'));
  const db = join(fresh, 'boxoffice.db');
  const r = admin(db, 'restore', copy);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /restored .*copy\.db into .*boxoffice\.db \(schema version \d+/);
  // The restored database's own trail says who put it back, when, from
  // which file (nothing was there before: nothing kept).
  const me = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  const restoreLines = (text) => text.split('\n').filter((l) => /\srestore\s/.test(l));
  let trail = admin(db, 'audit');
  assert.equal(trail.status, 0, trail.stderr);
  let rows = restoreLines(trail.stdout);
  assert.equal(rows.length, 1, trail.stdout);
  assert.match(rows[0], new RegExp(`^\\S.*\\scli:${me}\\s+restore\\s+database ${db}: \\(none\\) -> restored from ${copy} \\(schema version \\d+\\)$`));
  assert.equal(sql(db, "SELECT count(*) FROM audit WHERE action = 'restore' AND at >= unixepoch() - 60"), '1');
  const sold = sql(copy, "SELECT h.seat_id || ' ' || h.performance_id FROM hold h WHERE h.state = 'PAID' ORDER BY h.id LIMIT 1").split(' ').map(Number);
  const soldCount = sql(copy, "SELECT count(*) FROM hold WHERE state = 'PAID'");
  const restored = await startStack({ workers: 1, dbDir: fresh });
  try {
    assert.equal(restored.sql("SELECT count(*) FROM hold WHERE state = 'PAID'"), soldCount);
    assert.equal(restored.sql('PRAGMA integrity_check'), 'ok');
    // A new buyer, admitted, tries the sold seat and a free one over HTTP.
    const concert = Number(restored.sql(`SELECT concert_id FROM performance WHERE id = ${sold[1]}`));
    restored.admin('set', 'queue_capacity', 1000);
    const [line] = restored.admin('loadtest-buyers', 1, concert, 100000).trim().split('\n');
    const [token, , queue] = line.split('\t');
    const hold = (seatId) => fetch(restored.base + '/api/v1/reservations', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-queue-token': queue, 'content-type': 'application/json' },
      body: JSON.stringify({ performanceId: sold[1], seatId }),
    }).then(async (res) => ({ status: res.status, body: await res.json() }));
    const taken = await hold(sold[0]);
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'seat_taken');
    const free = Number(restored.sql(`SELECT s.id FROM seat s WHERE s.performance_id = ${sold[1]}
      AND NOT EXISTS (SELECT 1 FROM hold h WHERE h.seat_id = s.id) LIMIT 1`));
    assert.equal((await hold(free)).status, 201, 'the restored box office sells');
    const sales = restored.admin('--tab', 'sales', sold[1]);
    assert.match(sales, /\t\d+\t\d+\t/);
  } finally {
    await restored.stop();
  }
  // Restoring again over the restored database keeps what it replaces.
  const again = admin(db, 'restore', copy);
  assert.equal(again.status, 0, again.stderr);
  const kept = readdirSync(fresh).filter((f) => f.startsWith('boxoffice.db.before-restore-'));
  assert.equal(kept.length, 1, again.stdout);
  assert.match(again.stdout, /the database it replaced is kept as .*boxoffice\.db\.before-restore-\d{8}-\d{6}/);
  assert.equal(sql(join(fresh, kept[0]), 'PRAGMA integrity_check'), 'ok');
  // The second restore's row names the kept file; the first one's row
  // went with the database it was in (kept), not into the copy put back.
  trail = admin(db, 'audit');
  rows = restoreLines(trail.stdout);
  assert.equal(rows.length, 1, trail.stdout);
  assert.match(rows[0], new RegExp(`: kept as ${join(fresh, kept[0])} -> restored from ${copy} `));
  assert.equal(restoreLines(admin(join(fresh, kept[0]), 'audit').stdout).length, 1);
  rmSync(fresh, { recursive: true, force: true });
});

test('restore refuses what is not a boxoffice database of a known version', () => {
  const db = join(dir, 'target.db');
  const notSqlite = join(dir, 'notes.txt');
  writeFileSync(notSqlite, 'hello');
  let r = admin(db, 'restore', notSqlite);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /is not an SQLite database.*nothing was changed/);
  const other = join(dir, 'other.db');
  sql(other, 'CREATE TABLE t(x)');
  r = admin(db, 'restore', other);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /is not a boxoffice database/);
  const future = join(dir, 'future.db');
  assert.equal(admin(stack.db, 'backup', future).status, 0);
  sql(future, 'PRAGMA user_version = 999');
  r = admin(db, 'restore', future);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /schema version 999; this program knows versions 1 to \d+/);
  assert.ok(!existsSync(db), 'nothing was created');
});

test('a large database shows the backup\'s progress', () => {
  const db = join(dir, 'large.db');
  assert.equal(admin(db, 'init').status, 0);
  // About 10 MB of filler in a table of its own: pages to copy.
  sql(db, 'CREATE TABLE filler(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) INSERT INTO filler SELECT randomblob(4000) FROM n;');
  const r = admin(db, 'backup', join(dir, 'large-copy.db'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /backup: \d+% \(\d+ of \d+ pages\)\n/);
  assert.match(r.stderr, /backup: 100% \((\d+) of \1 pages\)\n/);
});

test('PATH may name the day: strftime conversions, as the nightly timer uses them', () => {
  const r = admin(stack.db, 'backup', join(dir, 'night-%Y.db'), '--overwrite');
  assert.equal(r.status, 0, r.stderr);
  const file = join(dir, `night-${new Date().getFullYear()}.db`);
  assert.ok(existsSync(file), r.stdout);
  assert.equal(sql(file, 'PRAGMA integrity_check'), 'ok');
});
