// cli.test.mjs — the three programs read their command lines alike
// (core/cli.h, getopt_long): --db=PATH and --db PATH both work for
// boxoffice-admin, boxoffice-expire and boxoffice.fcgi; an unknown option,
// a missing value or a value given to a flag is said in one style
// ("PROGRAM: …" and the usage on standard error) with exit status 2; --help
// prints the usage on standard output. And boxoffice.fcgi refuses to start
// on a template using a key its page does not declare, naming the file,
// the line and the key. Real binaries, real SQLite files; each run in an
// empty folder, so that the default var/boxoffice.db does not exist there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/stack.mjs';

const BIN = {
  admin: join(ROOT, 'build', 'boxoffice-admin'),
  expire: join(ROOT, 'build', 'boxoffice-expire'),
  fcgi: join(ROOT, 'build', 'boxoffice.fcgi'),
};
const NAME = { admin: 'boxoffice-admin', expire: 'boxoffice-expire', fcgi: 'boxoffice.fcgi' };
let dir, db;

const env = { ...process.env };
delete env.BOXOFFICE_DB;
const run = (prog, args) => spawnSync(BIN[prog], args, { cwd: dir, encoding: 'utf8', env });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'boxoffice-cli-'));
  db = join(dir, 'test.db');
});
after(() => rmSync(dir, { recursive: true, force: true }));

// Starts boxoffice.fcgi with args; resolves with what it said once it is
// serving (or with its exit status and words when it stops first).
function fcgi(args) {
  return new Promise((resolve) => {
    const p = spawn(BIN.fcgi, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 10000);
    p.stderr.on('data', (d) => {
      err += d;
      if (/ workers on /.test(err)) p.kill('SIGTERM');
    });
    p.on('exit', (status) => { clearTimeout(timer); resolve({ status, err }); });
  });
}

test('boxoffice-admin: --db=PATH and --db PATH', () => {
  let r = run('admin', [`--db=${db}`, 'init']);
  assert.equal(r.status, 0, r.stderr);
  r = run('admin', ['--db', db, 'set', 'max_holds', '3']);
  assert.equal(r.status, 0, r.stderr);
  r = run('admin', [`--db=${db}`, 'get', 'max_holds']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '3\n');
  // The options end at the command: what follows is the command's.
  r = run('admin', ['--db', db, 'add-concert', 'A', '--db', 'C']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\n$/);
});

test('boxoffice-expire: --db=PATH and --db PATH (and --now=EPOCH)', () => {
  for (const args of [[`--db=${db}`], ['--db', db], [`--db=${db}`, '--now=1798108200'], ['--db', db, '--now', '1798108200']]) {
    const r = run('expire', args);
    assert.equal(r.status, 0, `${args}: ${r.stderr}`);
    assert.match(r.stdout, /^expire: now=\d+ /);
    if (args.some((a) => a.includes('1798108200'))) assert.match(r.stdout, /^expire: now=1798108200 /);
  }
});

test('boxoffice.fcgi: --db=PATH and --db PATH', async () => {
  const templates = join(ROOT, 'templates');
  for (const args of [
    [`--db=${db}`, `--listen=unix:${join(dir, 'a.sock')}`, '--workers=1', `--templates=${templates}`],
    ['--db', db, '--listen', `unix:${join(dir, 'b.sock')}`, '--workers', '1', '--templates', templates],
  ]) {
    const r = await fcgi(args);
    assert.match(r.err, / info pid=\d+: 1 workers on unix:/, r.err);
  }
  // Without it, the default var/boxoffice.db, which this folder lacks.
  const r = await fcgi(['--workers=1']);
  assert.equal(r.status, 1);
  assert.match(r.err, /cannot open var\/boxoffice\.db/);
});

for (const prog of ['admin', 'expire', 'fcgi']) {
  test(`${NAME[prog]}: a mistake on the command line gives the usage and exit 2`, () => {
    for (const [args, said] of [
      [['--bogus'], "unknown option '--bogus'"],
      [['--bogus=1'], "unknown option '--bogus'"],
      [['-x'], "unknown option '-x'"],
      [['--db'], "option '--db' needs a value"],
      [['--help=yes'], "option '--help' takes no value"],
    ]) {
      const r = run(prog, args);
      assert.equal(r.status, 2, `${args}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(`${NAME[prog]}: ${said}\nusage: ${NAME[prog]} `), `${args}:\n${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    for (const help of ['--help', '-h']) {
      const r = run(prog, [help]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: ${NAME[prog].replace('.', '\\.')} `));
      assert.match(r.stdout, /--db PATH|--db {2,}/);
    }
  });
}

test('the programs\' own checks keep that style', () => {
  const cases = [
    ['admin', [], 'no command given'],
    ['admin', ['frobnicate'], "unknown command 'frobnicate'"],
    ['admin', ['--db', db, 'get'], 'get takes 1 argument, not 0'],
    ['expire', ['--now', 'soon'], "--now takes Unix seconds, not 'soon'"],
    ['expire', ['extra'], "unexpected argument 'extra'"],
    ['fcgi', ['--workers', '0'], "--workers takes a whole number from 1 to 256, not '0'"],
    ['fcgi', ['--socket-mode=0999'], "--socket-mode takes octal permissions such as 0660, not '0999'"],
    ['fcgi', ['--client-timeout=forever'], "--client-timeout takes seconds from 1 to 3600, not 'forever'"],
  ];
  for (const [prog, args, said] of cases) {
    const r = run(prog, args);
    assert.equal(r.status, 2, `${prog} ${args}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`${NAME[prog]}: ${said}\nusage: ${NAME[prog]} `), `${prog} ${args}:\n${r.stderr}`);
  }
});

test('boxoffice.fcgi does not start on a template using a key its page does not declare', async () => {
  const templates = join(dir, 'templates');
  cpSync(join(ROOT, 'templates'), templates, { recursive: true });
  const page = join(templates, 'hold.html');
  const lines = readFileSync(page, 'utf8').split('\n');
  lines.splice(2, 0, '<p>{{balence}}</p>'); // now line 3
  writeFileSync(page, lines.join('\n'));
  const r = await fcgi([`--db=${db}`, '--workers=1', `--templates=${templates}`, `--listen=unix:${join(dir, 'c.sock')}`]);
  assert.equal(r.status, 1, r.err);
  assert.match(r.err, /error pid=\d+: \S*templates\/hold\.html:3: unknown key 'balence'/);
  assert.doesNotMatch(r.err, /workers on/);
});
