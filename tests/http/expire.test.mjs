// expire.test.mjs — boxoffice-expire's exit status and summary around its
// WAL checkpoint, on real SQLite files: a checkpoint that active readers
// keep from finishing is normal on a live site (exit 0, the summary says
// so, the next run finishes it); a checkpoint that fails for real (here the
// disk will take no more: a file size limit the database must outgrow)
// exits non-zero with a message, where it used to exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/stack.mjs';

const ADMIN = join(ROOT, 'build', 'boxoffice-admin');
const EXPIRE = join(ROOT, 'build', 'boxoffice-expire');

function demoDb(t) {
  const dir = mkdtempSync(join(tmpdir(), 'boxoffice-expire-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'boxoffice.db');
  execFileSync(ADMIN, ['--db', db, 'demo']);
  return db;
}

// An sqlite3 shell on db that stays open; run(sql) resolves once it ran.
function shell(t, db) {
  const p = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '', n = 0;
  p.stdout.on('data', (d) => { out += d; });
  t.after(() => { p.stdin.end(); p.kill(); });
  return {
    run(sql) {
      const mark = `done-${++n}`;
      p.stdin.write(`${sql}\nSELECT '${mark}';\n`);
      return new Promise((resolve) => {
        const look = () => (out.includes(mark) ? resolve(out) : setTimeout(look, 10));
        look();
      });
    },
  };
}

const expire = (db, prefix = []) => {
  const [cmd, ...args] = [...prefix, EXPIRE, '--db', db];
  return spawnSync(cmd, args, { encoding: 'utf8' });
};

test('a checkpoint held back by a reader is not a failure: exit 0, and the summary says so', async (t) => {
  const db = demoDb(t);
  const reader = shell(t, db);
  await reader.run('BEGIN; SELECT count(*) FROM seat;'); // a read transaction stays open
  execFileSync(ADMIN, ['--db', db, 'set', 'queue_capacity', '21']); // a commit after its snapshot
  const busy = expire(db);
  assert.equal(busy.status, 0, busy.stderr);
  assert.match(busy.stdout, /^expire: .* checkpoint=partial copied=\d+\/[1-9]\d* \(readers active; the next run goes on\)\n$/);
  await reader.run('COMMIT;');
  const next = expire(db);
  assert.equal(next.status, 0, next.stderr);
  assert.match(next.stdout, / checkpoint=complete\n$/);
});

test('a checkpoint that really fails (the database may not grow: file size limit) exits non-zero with a message', async (t) => {
  const db = demoDb(t);
  assert.equal(expire(db).status, 0); // statistics now fresh: the next run only checkpoints
  const limit = statSync(db).size;
  // Another connection keeps the WAL (no checkpoint on close) and writes
  // more into it than the database file may grow by.
  const other = shell(t, db);
  await other.run(`PRAGMA wal_autocheckpoint = 0;
    INSERT INTO concert(title, artist, venue, description) VALUES ('Pad', 'Pad', 'Pad', hex(zeroblob(1000000)));`);
  // The expiry job may not write files beyond the database's present size
  // (SIGXFSZ ignored: the write fails with EFBIG, as on a full disk).
  const r = expire(db, ['bash', '-c', 'trap "" XFSZ; exec prlimit --fsize=$0 "$@"', String(limit)]);
  assert.notEqual(r.status, 0, `exit status ${r.status}: ${r.stdout}`);
  assert.match(r.stderr, /^boxoffice: checkpoint: (disk I\/O error|database or disk is full)/m);
  assert.match(r.stderr, /boxoffice-expire: tidying the database failed/);
  assert.doesNotMatch(r.stdout, /checkpoint=complete/);
  // Without the limit the same job succeeds: nothing was left half-done.
  const ok = expire(db);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, / checkpoint=complete\n$/);
});
