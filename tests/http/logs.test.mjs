// The FastCGI program's log (cgi-bin/reqlog.h): one line per message,
// time (ISO 8601 UTC), level, request id, route, method and path, and a
// request's last line with its status and duration. A path holding a
// line break stays inside its own line: a request cannot forge one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startStack } from '../lib/stack.mjs';

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (error|warn|info) (req=\d+-\d+ route=\S+ [A-Z]+ \S+( status=\d{3} ms=\d+\.\d{3}|: .*)|pid=\d+: .*)$/;

const stacks = [];
after(async () => { for (const s of stacks) await s.stop(); });

const lines = (s) => s.fcgiLog.join('').split('\n').filter((l) => l !== '');
const settle = () => new Promise((r) => setTimeout(r, 200)); // stderr is a pipe

test('--access-log: every request ends with its line, and a path cannot forge one', async () => {
  const s = await startStack({ workers: 2, args: ['--access-log'] });
  stacks.push(s);
  assert.equal((await fetch(`${s.base}/concerts/1`)).status, 200);
  const forged = '/nope%0A2026-01-01T00:00:00.000Z%20error%20pid=1:%20forged%0D%0Ax';
  assert.equal((await fetch(s.base + forged)).status, 404);
  await settle();
  const log = lines(s);
  for (const l of log) assert.match(l, LINE);
  assert.ok(log.some((l) => /^\S+ info pid=\d+: 2 workers on unix:/.test(l)), log.join('\n'));
  const page = log.find((l) => / GET \/concerts\/1 /.test(l));
  assert.match(page, / info req=\d+-\d+ route=\/concerts\/# GET \/concerts\/1 status=200 ms=\d+\.\d{3}$/);
  assert.ok(!log.some((l) => l.startsWith('2026-01-01T00:00:00.000Z') || l.startsWith('x')), log.join('\n'));
  const nope = log.find((l) => l.includes('/nope'));
  assert.match(nope, / info req=\d+-\d+ route=- GET \/nope\\n2026-01-01T00:00:00\.000Z\\x20error\\x20pid=1:\\x20forged\\r\\nx status=404 ms=/);
  // Each request has its own id.
  const ids = log.filter((l) => l.includes(' req=')).map((l) => /req=(\S+)/.exec(l)[1]);
  assert.equal(new Set(ids).size, ids.length);
});

test('without --access-log only a request worth a look gets a line', async () => {
  const s = await startStack({ workers: 1 });
  stacks.push(s);
  for (let i = 0; i < 3; i++) assert.equal((await fetch(`${s.base}/`)).status, 200);
  await settle();
  const log = lines(s);
  assert.deepEqual(log.filter((l) => l.includes(' req=')), [], log.join('\n'));
  for (const l of log) assert.match(l, LINE);
});

test("nginx's production access log keeps no query string: no ticket code, e-mail or token in a log file", async () => {
  const s = await startStack({ workers: 1, privateLog: true });
  stacks.push(s);
  const secret = 'ABCD2345EFGH6789JKLM2345NPQR';
  for (const path of [`/admin/refund?code=${secret}`, '/admin/buyer?email=secret-buyer%40example.com',
    '/concerts/1/queue.json?token=q1.1.1.1.1.secrettoken']) {
    await fetch(s.base + path, { headers: { referer: `${s.base}/x?code=${secret}` } });
  }
  await fetch(`${s.base}/concerts/1`);
  await settle();
  const log = readFileSync(s.privateLog, 'utf8');
  assert.match(log, /"GET \/concerts\/1 HTTP\/1\.1" 200 /, 'requests are logged');
  assert.match(log, /"GET \/admin\/refund HTTP\/1\.1" \d{3} /, 'the path without its query');
  assert.doesNotMatch(log, new RegExp(`${secret}|secret-buyer|secrettoken`), log);
});
