// run.test.mjs — `make run` (tools/run.sh) supervises what it started: a
// FastCGI master killed with SIGKILL is started again (its orphaned workers
// end with it instead of serving on unsupervised), the site answers 200
// again, and Ctrl-C then stops everything. Runs its own copy on a free port
// with its own var folder (BOXOFFICE_VAR), beside any developer's make run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT } from '../lib/stack.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms).unref());
// until()'s pauses keep the test alive: once run.sh has exited, nothing
// else would, and node would end the test while it still waits for the
// orphans to go (seen on a loaded machine).
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const children = (pid) => {
  try { return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number); } catch { return []; }
};
const comm = (pid) => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { return null; } };
const alive = (pid) => {
  try { return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
};
async function until(fn, ms) {
  for (const end = Date.now() + ms; Date.now() < end; await pause(50)) {
    const v = await fn();
    if (v) return v;
  }
  return null;
}
const status = (base) => fetch(base + '/', { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => 0);

test('make run restarts a FastCGI master killed with SIGKILL; its old workers are gone; Ctrl-C stops everything', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'boxoffice-run-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const run = spawn(join(ROOT, 'tools', 'run.sh'), [],
    { cwd: ROOT, env: { ...process.env, PORT: String(port), WORKERS: '2', BOXOFFICE_VAR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  run.stdout.on('data', (d) => { out += d; });
  run.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => run.on('exit', (code, signal) => r({ code, signal })));
  t.after(async () => {
    if (run.exitCode === null && run.signalCode === null) { run.kill('SIGTERM'); await exited; }
    rmSync(dir, { recursive: true, force: true });
  });
  const master = () => children(run.pid).find((p) => comm(p) === 'boxoffice.fcgi');

  assert.ok(await until(async () => /boxoffice is running/.test(out) && (await status(base)) === 200, 15000),
    `the site answers:\n${out}`);
  const first = master();
  const oldWorkers = children(first);
  assert.equal(oldWorkers.length, 2, 'two workers');

  process.kill(first, 'SIGKILL');
  assert.ok(await until(() => oldWorkers.every((p) => !alive(p)), 10000),
    'the workers of the killed master end with it');
  const second = await until(() => { const m = master(); return m && m !== first && children(m).length === 2 ? m : null; }, 15000);
  assert.ok(second, `a new master with its workers:\n${out}`);
  assert.ok(await until(async () => (await status(base)) === 200, 15000), `the site answers again:\n${out}`);
  assert.match(out, /boxoffice: the FastCGI master \(boxoffice.fcgi\) was killed \(signal 9\); starting it again/);

  const everything = [second, ...children(second), ...children(run.pid)];
  const nginx = Number(readFileSync(join(dir, 'nginx.pid'), 'utf8'));
  everything.push(nginx, ...children(nginx));
  run.kill('SIGINT');
  const end = await Promise.race([exited, sleep(15000).then(() => null)]);
  assert.ok(end, `run.sh ends on Ctrl-C:\n${out}`);
  assert.ok(await until(() => everything.every((p) => !alive(p)), 10000),
    `nothing it started is left: ${everything.filter(alive).map((p) => `${p} ${comm(p)}`).join(', ')}`);
  assert.equal(await status(base), 0, 'the port is closed');
  assert.match(out, /stopping boxoffice/);
  if (process.env.VERBOSE) console.log(out);
});

test('make run stops everything and says so when nginx is killed (its orphaned workers too)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'boxoffice-run-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const run = spawn(join(ROOT, 'tools', 'run.sh'), [],
    { cwd: ROOT, env: { ...process.env, PORT: String(port), WORKERS: '2', BOXOFFICE_VAR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  run.stdout.on('data', (d) => { out += d; });
  run.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => run.on('exit', (code) => r(code)));
  t.after(async () => {
    if (run.exitCode === null && run.signalCode === null) { run.kill('SIGTERM'); await exited; }
    rmSync(dir, { recursive: true, force: true });
  });
  assert.ok(await until(async () => /boxoffice is running/.test(out) && (await status(base)) === 200, 15000),
    `the site answers:\n${out}`);
  const nginx = Number(readFileSync(join(dir, 'nginx.pid'), 'utf8'));
  const master = children(run.pid).find((p) => comm(p) === 'boxoffice.fcgi');
  const everything = [nginx, ...children(nginx), master, ...children(master)];
  process.kill(nginx, 'SIGKILL');
  const code = await Promise.race([exited, sleep(15000).then(() => 'running')]);
  assert.equal(code, 1, `run.sh stops with status 1:\n${out}`);
  assert.match(out, /boxoffice: nginx was killed \(signal 9\); stopping everything/);
  assert.ok(await until(() => everything.every((p) => !alive(p)), 10000),
    `nothing it started is left: ${everything.filter(alive).map((p) => `${p} ${comm(p)}`).join(', ')}`);
  assert.equal(await status(base), 0, 'the port is closed');
});
