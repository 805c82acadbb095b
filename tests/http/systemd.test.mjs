// systemd.test.mjs — the deployment: `make install DESTDIR=…` lays out an
// installed tree, and systemd 252's own checker reads the units there as
// a booting system would (`systemd-analyze verify --root`: every key
// known, every ExecStart= executable present, every dependency found),
// without a running systemd. `systemd-analyze security --offline` scores
// the hardening. PREFIX is honoured in the units, the nginx sample and
// the cron file.
//
// The socket hand-over itself is run for real: systemd-socket-activate
// (systemd's tool for exactly this) holds the socket, starts the workers
// at the first connection with the socket on fd 0 as StandardInput=socket
// does, and nginx serves a page through it.
//
// The unit folders of the machine's own systemd (/lib/systemd/system:
// sockets.target, sysinit.target, …) are copied into the tree, since
// --root looks for everything under it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, existsSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/stack.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const UNITS = ['boxoffice.socket', 'boxoffice.service', 'boxoffice-expire.service', 'boxoffice-expire.timer',
  'boxoffice-backup.service', 'boxoffice-backup.timer'];
let dir;

// Installs into a fresh tree under dir; returns its path.
function install(name, ...vars) {
  const dest = join(dir, name);
  execFileSync('make', ['-s', '--no-print-directory', 'install', `DESTDIR=${dest}`, ...vars],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  mkdirSync(join(dest, 'lib/systemd'), { recursive: true });
  execFileSync('cp', ['-a', '/lib/systemd/system', join(dest, 'lib/systemd/')]);
  return dest;
}

function verify(dest, units) {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${dest}`, ...units],
    { encoding: 'utf8' });
  assert.notEqual(r.error?.code, 'ENOENT', 'systemd-analyze is missing: run tools/deps.sh (systemd)');
  return { status: r.status, out: (r.stdout + r.stderr).trim() };
}

const unit = (dest, name) => readFileSync(join(dest, 'etc/systemd/system', name), 'utf8');

before(() => { dir = mkdtempSync(join(tmpdir(), 'boxoffice-install-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

test('make install lays out binaries, templates, static files, samples and units', () => {
  const d = install('default');
  for (const bin of ['boxoffice.fcgi', 'boxoffice-admin', 'boxoffice-expire'])
    assert.ok(statSync(join(d, 'usr/local/bin', bin)).mode & 0o111, `${bin} is executable`);
  for (const f of ['templates/home.html', 'static/style.css', 'static/openapi.json',
    'nginx/boxoffice.conf', 'boxoffice.cron', 'README.md', 'prometheus/prometheus.yml',
    'prometheus/alerts.yml'])
    assert.ok(existsSync(join(d, 'usr/local/share/boxoffice', f)), f);
  for (const u of UNITS)
    assert.equal(statSync(join(d, 'etc/systemd/system', u)).mode & 0o777, 0o644, u);
});

test('systemd-analyze verify finds nothing to say about the installed units', () => {
  const d = install('verify');
  const r = verify(d, UNITS);
  assert.equal(r.out, '', r.out);
  assert.equal(r.status, 0);
});

test('the check is real: a misspelt key and a missing binary are reported', () => {
  const d = install('broken');
  writeFileSync(join(d, 'etc/systemd/system/boxoffice.service'),
    unit(d, 'boxoffice.service').replace('ProtectHome=yes', 'ProtectHom=yes'));
  rmSync(join(d, 'usr/local/bin/boxoffice-expire'));
  const r = verify(d, UNITS);
  assert.match(r.out, /Unknown key 'ProtectHom'/);
  assert.match(r.out, /boxoffice-expire is not executable/);
});

test('the units say what the deployment needs', () => {
  const d = install('content');
  const socket = unit(d, 'boxoffice.socket');
  assert.match(socket, /^ListenStream=\/run\/boxoffice\/boxoffice\.sock$/m);
  assert.match(socket, /^SocketGroup=www-data$/m);
  assert.match(socket, /^SocketMode=0660$/m);
  assert.match(socket, /^WantedBy=sockets\.target$/m);
  const service = unit(d, 'boxoffice.service');
  for (const line of ['StandardInput=socket', 'StandardOutput=journal', 'User=boxoffice',
    'StateDirectory=boxoffice', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes',
    'NoNewPrivileges=yes', 'RestrictAddressFamilies=AF_UNIX'])
    assert.match(service, new RegExp(`^${line}$`, 'm'), line);
  // The workers take the socket from fd 0: no --listen.
  const exec = service.match(/^ExecStart=(.*)$/m)[1].split(' ');
  assert.ok(!exec.includes('--listen'));
  assert.equal(exec[0], '/usr/local/bin/boxoffice.fcgi');
  const templates = exec[exec.indexOf('--templates') + 1];
  assert.ok(existsSync(join(d, templates, 'home.html')), 'the templates are where the unit says');
  assert.equal(exec[exec.indexOf('--db') + 1], '/var/lib/boxoffice/boxoffice.db', 'the database is in StateDirectory');
  const timer = unit(d, 'boxoffice-expire.timer');
  assert.match(timer, /^OnCalendar=minutely$/m);
  assert.match(unit(d, 'boxoffice-expire.service'), /^ExecStart=\/usr\/local\/bin\/boxoffice-expire --db \/var\/lib\/boxoffice\/boxoffice\.db$/m);
  // The nightly backup: one file a weekday, in a folder of its own.
  assert.match(unit(d, 'boxoffice-backup.service'), /^ExecStart=\/usr\/local\/bin\/boxoffice-admin --db \/var\/lib\/boxoffice\/boxoffice\.db backup --overwrite \/var\/lib\/boxoffice-backups\/boxoffice-%%a\.db$/m);
  assert.match(unit(d, 'boxoffice-backup.service'), /^StateDirectory=boxoffice boxoffice-backups$/m);
  assert.match(unit(d, 'boxoffice-backup.timer'), /^OnCalendar=\*-\*-\* 04:30:00$/m);
  // nginx serves the static files from where they were installed.
  const nginx = readFileSync(join(d, 'usr/local/share/boxoffice/nginx/boxoffice.conf'), 'utf8');
  for (const [, path] of nginx.matchAll(/alias (\S+);/g))
    assert.ok(existsSync(join(d, path)), `nginx alias ${path}`);
  // … and includes the queue state's cache policy from there too.
  const includes = [...nginx.matchAll(/^\s*include (\/\S+);/gm)].map((m) => m[1]);
  assert.ok(includes.some((p) => p.endsWith('/queue-state.conf')), 'the queue state include');
  for (const path of includes) assert.ok(existsSync(join(d, path)), `nginx include ${path}`);
  assert.match(nginx, /server unix:\/run\/boxoffice\/boxoffice\.sock;/, 'nginx reaches the socket unit');
});

test('the hardening scores as safe (systemd-analyze security, exposure at most 1.5 of 10)', () => {
  const d = install('security');
  for (const u of ['boxoffice.service', 'boxoffice-expire.service', 'boxoffice-backup.service']) {
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', `--root=${d}`, '--threshold=15', u],
      { encoding: 'utf8' });
    const level = r.stdout.match(/Overall exposure level for \S+: ([\d.]+)/);
    assert.equal(r.status, 0, `${u}: ${level?.[0] ?? r.stdout + r.stderr}`);
  }
});

test('PREFIX is honoured in the units, the nginx sample and the cron file', () => {
  const d = install('opt', 'PREFIX=/opt/boxoffice');
  assert.ok(existsSync(join(d, 'opt/boxoffice/bin/boxoffice.fcgi')));
  assert.match(unit(d, 'boxoffice.service'), /^ExecStart=\/opt\/boxoffice\/bin\/boxoffice\.fcgi .*--templates \/opt\/boxoffice\/share\/boxoffice\/templates$/m);
  assert.match(readFileSync(join(d, 'opt/boxoffice/share/boxoffice/nginx/boxoffice.conf'), 'utf8'),
    /alias \/opt\/boxoffice\/share\/boxoffice\/static\/;/);
  assert.match(readFileSync(join(d, 'opt/boxoffice/share/boxoffice/boxoffice.cron'), 'utf8'),
    /\/opt\/boxoffice\/bin\/boxoffice-expire/);
  for (const u of UNITS) assert.doesNotMatch(unit(d, u), /\/usr\/local/, u);
  const r = verify(d, UNITS);
  assert.equal(r.out, '', r.out);
  assert.equal(r.status, 0);
});

test('the workers serve through nginx on a socket handed over as fd 0, started by the first connection', async () => {
  const d = join(dir, 'activate');
  mkdirSync(d);
  const db = join(d, 'boxoffice.db'), sock = join(d, 'boxoffice.sock');
  execFileSync(join(ROOT, 'build/boxoffice-admin'), ['--db', db, 'demo']);
  const log = [];
  // --inetd: the socket as standard input (and output), not $LISTEN_FDS;
  // without --accept it is the listening socket, as StandardInput=socket
  // gives it with Accept=no.
  const workers = spawn('systemd-socket-activate', ['--inetd', '-l', sock,
    join(ROOT, 'build/boxoffice.fcgi'), '--workers', '2', '--db', db, '--templates', join(ROOT, 'templates')],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  workers.stderr.on('data', (b) => log.push(String(b)));
  const port = await freePort();
  writeFileSync(join(d, 'nginx.conf'),
    execFileSync(join(ROOT, 'tools/nginx-conf.sh'), [d, String(port), sock], { encoding: 'utf8' }));
  const nginx = spawn('nginx', ['-p', d, '-c', join(d, 'nginx.conf'), '-e', join(d, 'nginx-error.log')],
    { stdio: 'ignore' });
  const stopped = (p) => (p.exitCode !== null ? null : new Promise((r) => p.on('exit', r)));
  try {
    let page = null;
    for (let i = 0; i < 200 && page?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try { page = await fetch(`http://127.0.0.1:${port}/`); } catch { /* not yet */ }
    }
    assert.equal(page?.status, 200, log.join(''));
    assert.match(await page.text(), /Winter Symphony Gala/);
    // The master's lines may arrive a moment after a worker has answered.
    for (let i = 0; i < 50 && !/2 workers on fd 0/.test(log.join('')); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(log.join(''), /Listening on .*boxoffice\.sock/);
    assert.match(log.join(''), /2 workers on fd 0/);
  } finally {
    workers.kill('SIGTERM');
    nginx.kill('SIGQUIT');
    await Promise.all([stopped(workers), stopped(nginx)]);
  }
});
