// attack.test.mjs — the operator's box office attacked over real HTTP
// (nginx, workers, SQLite) and the real CLI, as a hostile buyer, a staff
// member reaching too far and a careless operator would (issue 11's
// attack): another buyer's ticket and cancel form, CSRF on the door and
// refund forms, a staff account on /admin/, a revoked role, and a
// cancelled performance whose refunds were interrupted at the door.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue, ROOT } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 3, settings: { queue_capacity: 1000, max_holds: 10 } }); });
after(async () => { await stack?.stop(); });

const seatId = (perf, section, row, number) =>
  stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf} AND section = '${section}' AND row_label = '${row}' AND number = ${number}`);

// A signed-up buyer admitted to concert 1, with the session's CSRF token.
async function admitted(tag, concert = 1) {
  const c = new Client(stack.base);
  c.email = uniqueEmail(tag);
  assert.equal((await c.signup(c.email)).status, 303);
  await joinQueue(c, concert);
  c.csrf = csrfOf((await c.get('/wallet')).text);
  return c;
}
async function charge(c, amount) {
  const key = /name="key" value="([^"]+)"/.exec((await c.get('/wallet')).text)[1];
  assert.equal((await c.post('/wallet/charge', { amount: String(amount), key, csrf: c.csrf })).status, 303);
}
// Buys one seat; its hold id, ticket id and code.
async function buy(c, perf, seat) {
  const h = await c.post(`/performances/${perf}/holds`, { seat, csrf: c.csrf });
  assert.equal(h.status, 303);
  assert.equal((await c.post(`${h.location}/pay`, { csrf: c.csrf })).status, 303);
  const hold = h.location.split('/').pop();
  const [id, code] = stack.sql(`SELECT id, code FROM ticket WHERE hold_id = ${hold}`).split('|');
  return { hold, id, code };
}
// The door's code box for performance perf; its CSRF token.
async function doorCsrf(c, perf) {
  const page = await c.get(`/door?performance=${perf}&door=Main`);
  assert.equal(page.status, 200);
  return csrfOf(page.text);
}
const checkins = () => Number(stack.sql('SELECT count(*) FROM checkin'));

test('another buyer\'s ticket, cancel form and CSRF token get them nothing', async () => {
  const a = await admitted('owner');
  const b = await admitted('other');
  await charge(a, 200000);
  const t = await buy(a, 1, seatId(1, 'Balcony', 'A', 1));
  const balance = stack.sql(`SELECT balance FROM user WHERE email = '${a.email}'`);

  assert.equal((await b.get(`/tickets/${t.id}`)).status, 404);
  assert.doesNotMatch(b.last.text, new RegExp(t.code.slice(0, 4)));
  assert.equal((await b.get(`/holds/${t.hold}/cancel`)).status, 404);
  assert.equal((await b.post(`/holds/${t.hold}/cancel`, { csrf: b.csrf })).status, 404);
  // the owner's own form posted with another session's token (a forged form)
  assert.equal((await a.post(`/holds/${t.hold}/cancel`, { csrf: b.csrf })).status, 403);
  assert.equal(stack.sql(`SELECT refunded_at IS NULL FROM ticket WHERE id = ${t.id}`), '1');
  assert.equal(stack.sql(`SELECT balance FROM user WHERE email = '${a.email}'`), balance);
});

test('staff reach the door only; CSRF guards the door and refunds; revoke works on the next request', async () => {
  const a = await admitted('buyer');
  await charge(a, 200000);
  const t = await buy(a, 1, seatId(1, 'Balcony', 'A', 2));
  const staff = await admitted('staff');
  stack.admin('grant', staff.email, 'staff');
  for (const path of ['/admin/', '/admin/buyer?email=x%40example.com', '/admin/refund',
    `/admin/refund?code=${t.code}`, '/admin/performances/1/sales.csv'])
    assert.equal((await staff.get(path)).status, 403, path);
  const door = await doorCsrf(staff, 1);
  assert.equal((await staff.post('/admin/refund', { code: t.code, csrf: door })).status, 403);

  assert.equal((await staff.post('/door', { performance: '1', door: 'Main', code: t.code, csrf: '' })).status, 403);
  assert.equal((await staff.post('/door', { performance: '1', door: 'Main', code: t.code, csrf: a.csrf })).status, 403);
  assert.equal(checkins(), 0, 'a forged door form lets nobody in');

  const op = await admitted('operator');
  stack.admin('grant', op.email, 'operator');
  assert.equal((await op.get('/admin/refund')).status, 200);
  assert.equal((await op.post('/admin/refund', { code: t.code, csrf: '' })).status, 403);
  assert.equal((await op.post('/admin/refund', { code: t.code, csrf: a.csrf })).status, 403);
  assert.equal(stack.sql(`SELECT refunded_at IS NULL FROM ticket WHERE id = ${t.id}`), '1', 'a forged refund form refunds nothing');

  stack.admin('revoke', staff.email, 'staff');
  const late = await staff.post('/door', { performance: '1', door: 'Main', code: t.code, csrf: door });
  assert.equal(late.status, 403, 'the same session, after revoke');
  assert.equal((await staff.get('/door')).status, 403);
  assert.equal(checkins(), 0);
});

test('a cancelled performance lets nobody in, even before cancel-performance finished its refunds', async () => {
  const a = await admitted('cancelled');
  await charge(a, 200000);
  const t = await buy(a, 2, seatId(2, 'Balcony', 'A', 1));
  const staff = await admitted('door');
  stack.admin('grant', staff.email, 'staff');
  const csrf = await doorCsrf(staff, 2);
  // What cancel-performance leaves when it stops between its first
  // transaction (the performance cancelled) and its refund batches (killed,
  // or the database stayed busy: "run cancel-performance again to finish").
  stack.sql('UPDATE performance SET cancelled_at = unixepoch() WHERE id = 2');
  assert.equal(stack.sql(`SELECT refunded_at IS NULL FROM ticket WHERE id = ${t.id}`), '1');

  const page = await staff.post('/door', { performance: '2', door: 'Main', code: t.code, csrf });
  assert.equal(page.status, 410);
  assert.doesNotMatch(page.text, /ADMITTED/);
  assert.match(page.text, /CANCELLED/);
  assert.match(page.text, /This performance was cancelled/);
  assert.equal(checkins(), 0);

  const token = await fetch(`${stack.base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: staff.email, password: 'correct horse battery' }) }).then((r) => r.json());
  const api = await fetch(`${stack.base}/api/v1/checkins`, { method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token.token}` },
    body: JSON.stringify({ code: t.code, door: 'Side' }) });
  const body = await api.json();
  assert.equal(api.status, 410);
  assert.equal(body.error.code, 'performance_cancelled');
  assert.equal(typeof body.error.cancelledAt, 'number');
  assert.equal(checkins(), 0);

  // the schema itself refuses it, whichever program tries
  assert.throws(() => stack.sql(`INSERT INTO checkin(ticket, door, at, staff_user) VALUES (${t.id}, 'x', 1, 1)`),
    /this performance is cancelled/);
  // finishing the cancellation refunds it, as before
  assert.match(stack.admin('cancel-performance', '2'), /refunded 1 tickets/);
});

test('operators and staff reach their pages by links from every page; buyers see no such link', async () => {
  const links = (html) => ({ admin: /<a href="\/admin\/">/.test(html), door: /<a href="\/door">/.test(html) });
  const buyer = await admitted('nav-buyer');
  assert.deepEqual(links((await buyer.get('/bookings')).text), { admin: false, door: false });
  const staff = await admitted('nav-staff');
  stack.admin('grant', staff.email, 'staff');
  assert.deepEqual(links((await staff.get('/bookings')).text), { admin: false, door: true });
  const op = await admitted('nav-operator');
  stack.admin('grant', op.email, 'operator');
  for (const path of ['/', '/bookings', '/wallet'])
    assert.deepEqual(links((await op.get(path)).text), { admin: true, door: true }, path);
  // from the box office to its every page, and back
  const admin = (await op.get('/admin/')).text;
  for (const href of ['/admin/refund', '/door', '/admin/performances/1/sales.csv', '/admin/buyer'])
    assert.ok(admin.includes(`"${href}"`), href);
  stack.admin('revoke', staff.email, 'staff');
  assert.deepEqual(links((await staff.get('/bookings')).text), { admin: false, door: false }, 'after revoke');
});

test('backup --overwrite onto the live database or its -wal refuses, and the sale goes on in the one file', async () => {
  const { statSync, symlinkSync, existsSync } = await import('node:fs');
  const { join, basename } = await import('node:path');
  const c = await admitted('backup');
  const inode = statSync(stack.db).ino;
  symlinkSync(stack.db, join(stack.dir, 'also-the-db'));
  // by its name, by another spelling of it, by a link; and the files
  // SQLite keeps beside it, the -journal even while it does not exist
  for (const target of [stack.db, `${stack.dir}/./${basename(stack.db)}`, join(stack.dir, 'also-the-db'),
    `${stack.db}-wal`, `${stack.db}-shm`, `${stack.db}-journal`]) {
    assert.throws(() => stack.admin('backup', target, '--overwrite'), (e) => {
      assert.equal(e.status, 1);
      assert.match(String(e.stderr), /is the live database or belongs to it/);
      assert.match(String(e.stderr), /no backup was written/);
      return true;
    }, target);
  }
  assert.equal(statSync(stack.db).ino, inode, 'the live file was not replaced');
  assert.ok(!existsSync(`${stack.db}-journal`), 'no hot journal made');
  // a sale after it lands in the file every program reads
  await charge(c, 12345);
  assert.equal(stack.sql(`SELECT balance FROM user WHERE email = '${c.email}'`), '12345');
  assert.equal(stack.sql('PRAGMA integrity_check'), 'ok');
});

test('the operator\'s pages say which zone their times are in', async () => {
  const op = await admitted('zone-operator');
  stack.admin('grant', op.email, 'operator');
  const zone = stack.admin('get', 'timezone').trim();
  for (const path of ['/admin/', `/admin/buyer?email=${encodeURIComponent(op.email)}`, '/admin/refund'])
    assert.ok((await op.get(path)).text.includes(`(${zone})`), path);
});

test('the check-in API names the field that is wrong: a bad door without performanceId is the door', async () => {
  const staff = await admitted('api-door');
  stack.admin('grant', staff.email, 'staff');
  const { token } = await fetch(`${stack.base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: staff.email, password: 'correct horse battery' }) }).then((r) => r.json());
  const post = (body) => fetch(`${stack.base}/api/v1/checkins`, { method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
  for (const door of ['a\u0007b', ' ', 'x'.repeat(41)]) {
    const r = await post({ code: '7KQ2M9XD3B0FW8RT6HJNPZ5CAE50', door });
    assert.equal(r.status, 422);
    assert.equal(r.body.error.code, 'invalid_field');
    assert.match(r.body.error.message, /^door is a name/, JSON.stringify(door));
  }
  const r = await post({ code: '7KQ2M9XD3B0FW8RT6HJNPZ5CAE50', performanceId: 0, door: 'Main' });
  assert.match(r.body.error.message, /^performanceId/);
  assert.equal(checkins(), 0);
});

test('door scans, operator refunds, buyer cancels and cancel-performance all at once: money whole, nobody in twice or on a dead code', async () => {
  const perf = 3; // concert 2's first date: this test cancels it
  const buyer = await admitted('storm', 2);
  await charge(buyer, 1000000);
  await charge(buyer, 1000000);
  const seats = stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf} ORDER BY id LIMIT 8`).split('\n');
  // all held first: paying the last live hold ends the queue turn
  const holds = [];
  for (const seat of seats) {
    const h = await buyer.post(`/performances/${perf}/holds`, { seat, csrf: buyer.csrf });
    assert.equal(h.status, 303);
    holds.push(h.location.split('/').pop());
  }
  const tickets = [];
  for (const hold of holds) {
    assert.equal((await buyer.post(`/holds/${hold}/pay`, { csrf: buyer.csrf })).status, 303);
    const [id, code] = stack.sql(`SELECT id, code FROM ticket WHERE hold_id = ${hold}`).split('|');
    tickets.push({ hold, id, code });
  }
  const staff = await admitted('storm-door', 2);
  stack.admin('grant', staff.email, 'staff');
  const { token } = await fetch(`${stack.base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: staff.email, password: 'correct horse battery' }) }).then((r) => r.json());
  const op = await admitted('storm-operator', 2);
  stack.admin('grant', op.email, 'operator');
  const opCsrf = csrfOf((await op.get('/admin/refund')).text);
  const scan = (code, door) => fetch(`${stack.base}/api/v1/checkins`, { method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ code, door }) }).then((r) => r.status);
  const cancelPerformance = new Promise((resolve) => execFile(join(ROOT, 'build', 'boxoffice-admin'),
    ['--db', stack.db, 'cancel-performance', String(perf)], (err, out) => resolve(err ? err.code : 0)));
  const answers = await Promise.all([cancelPerformance, ...tickets.flatMap((t) => [
    scan(t.code, 'North'), scan(t.code, 'South'),
    op.post('/admin/refund', { code: t.code, csrf: opCsrf }).then((r) => r.status),
    buyer.post(`/holds/${t.hold}/cancel`, { csrf: buyer.csrf }).then((r) => r.status),
  ])]);
  assert.equal(answers[0], 0, 'cancel-performance finished');
  for (const a of answers.slice(1)) assert.ok([200, 303, 403, 409, 410].includes(a), `answer ${a}`);
  // every ticket refunded exactly once, whoever did it; in at most once
  assert.equal(stack.sql(`SELECT count(*) FROM ticket WHERE performance_id = ${perf} AND refunded_at IS NULL`), '0');
  assert.equal(stack.sql(`SELECT count(*) FROM ledger l JOIN hold h ON h.id = l.hold_id
    WHERE h.performance_id = ${perf} AND l.kind = 'REFUND'`), String(tickets.length));
  // a code let in after its refund or its performance's cancellation: none
  assert.equal(stack.sql(`SELECT count(*) FROM checkin ci JOIN ticket t ON t.id = ci.ticket
    JOIN performance p ON p.id = t.performance_id
    WHERE t.performance_id = ${perf} AND (ci.at > t.refunded_at OR ci.at > p.cancelled_at)`), '0');
  assert.equal(stack.sql(`SELECT count(*) FROM user u WHERE u.balance <>
    (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.user_id = u.id)`), '0', 'balance = sum(ledger)');
  const charged = Number(stack.sql("SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'CHARGE'"));
  const balances = Number(stack.sql('SELECT coalesce(sum(balance), 0) FROM user'));
  const gross = Number(stack.sql('SELECT coalesce(sum(amount), 0) FROM payment'));
  const refunds = Number(stack.sql("SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'REFUND'"));
  assert.equal(charged, balances + gross - refunds, 'total charged = balances + gross sales - refunds');
  // and the audit trail has a row for every refund, cancellation and the cancel
  const audit = stack.admin('audit', '200');
  assert.match(audit, new RegExp(`cancel_performance\\s+performance ${perf}`));
  for (const t of tickets)
    assert.match(audit, new RegExp(`(refund|cancel)\\s+ticket ${t.code.match(/.{4}/g).join('-')}`));
});

test('revoke staff from an operator says the door stays open to them, and how to close it', async () => {
  const op = await admitted('revoke-operator');
  stack.admin('grant', op.email, 'operator');
  const run = (...args) => {
    const r = spawnSync(join(ROOT, 'build', 'boxoffice-admin'), ['--db', stack.db, ...args], { encoding: 'utf8' });
    return { status: r.status, err: r.stderr, out: r.stdout };
  };
  let r = run('revoke', op.email, 'staff');
  assert.equal(r.status, 1);
  assert.match(r.err, new RegExp(`does not hold the role staff itself, but is an operator, which includes it: revoke ${op.email} operator to take both away; nothing changed`));
  stack.admin('grant', op.email, 'staff');
  r = run('revoke', op.email, 'staff');
  assert.equal(r.status, 0);
  assert.match(r.out, /is no longer staff/);
  assert.match(r.err, /no longer holds the role staff itself, but is an operator/);
  assert.equal((await op.get('/door')).status, 200, 'what the message warns of');
  r = run('revoke', op.email, 'operator');
  assert.equal(r.status, 0);
  assert.equal(r.err, '');
  assert.equal((await op.get('/door')).status, 403);
});
