// turn_rule.test.mjs — the queue turn and the holds, over real HTTP, in
// the pages and in the API (issue 8, defect 4). The rule:
//   1. a live hold carries the right to pay until it lapses, even after the
//      buyer's turn has ended (the turn limits how many shop at once; a
//      buyer with a hold has already chosen);
//   2. leaving the queue on purpose ("I am done") releases the buyer's live
//      holds of that concert, in the same transaction as the leave: the
//      seats are free for the next buyer at once, and paying them is 410.
// A turn "ends" here by moving its deadline into the past in the database
// (lazy expiry counts it over at once), then boxoffice-expire writes it
// down, as cron would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue, ROOT } from '../lib/stack.mjs';

const PASSWORD = 'correct horse battery';
let stack;
before(async () => { stack = await startStack({ workers: 3, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

const now = () => Math.floor(Date.now() / 1000);
const sql = (q) => stack.sql(q);
const taken = new Set();
// A seat of the performance no other test here uses.
function freeSeat(perf) {
  const id = sql(`SELECT id FROM seat WHERE performance_id = ${perf} AND id NOT IN (${[...taken].join(',') || 0}) ORDER BY id LIMIT 1`);
  taken.add(id);
  return id;
}

// A buyer with a browser session (admitted to concert 1) and an API token.
async function buyer(tag) {
  const c = new Client(stack.base);
  const email = uniqueEmail(tag);
  assert.equal((await c.signup(email)).status, 303);
  assert.equal((await joinQueue(c, 1)).location, '/concerts/1#turn', 'admitted at once');
  c.uid = sql(`SELECT id FROM user WHERE email = '${email}'`);
  c.csrf = csrfOf((await c.get('/wallet')).text);
  const s = await fetch(`${stack.base}/api/v1/sessions`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
  });
  c.token = (await s.json()).token;
  return c;
}

async function api(c, method, path, body, headers = {}) {
  const res = await fetch(stack.base + path, {
    method,
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json', ...headers },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
async function apiQueueToken(c, concert = 1) {
  const t = await api(c, 'POST', '/api/v1/tokens', { concertId: concert });
  assert.equal(t.status, 201);
  return t.body.token;
}

// Holds seat in the browser; the hold's page path.
async function holdInPage(c, perf, seat) {
  const r = await c.post(`/performances/${perf}/holds`, { seat, csrf: c.csrf });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.match(r.location, /^\/holds\/\d+$/);
  return r.location;
}
async function chargeInPage(c, amount) {
  const page = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(page.text)[1];
  assert.equal((await c.post('/wallet/charge', { amount: String(amount), key, csrf: c.csrf })).status, 303);
}
// The buyer's turn at concert 1 ends: its deadline passes.
function endTurn(c) {
  sql(`UPDATE queue_ticket SET expires_at = ${now() - 1} WHERE user_id = ${c.uid} AND concert_id = 1 AND state = 'ACTIVE'`);
  execFileSync(join(ROOT, 'build', 'boxoffice-expire'), ['--db', stack.db], { encoding: 'utf8' });
  assert.equal(sql(`SELECT state FROM queue_ticket WHERE user_id = ${c.uid} AND concert_id = 1`), 'EXPIRED');
}
const seatFreeOnMap = (html, seat) => new RegExp(`value="${seat}">`).test(html);
const seatTakenOnMap = (html, seat) => new RegExp(`value="${seat}" disabled class="t"`).test(html);

test('the pages: a live hold is paid after the turn has ended', async () => {
  const c = await buyer('lapsed-html');
  const seat = freeSeat(1);
  const path = await holdInPage(c, 1, seat);
  await chargeInPage(c, 500000);
  endTurn(c);
  assert.equal((await c.get('/performances/1')).location, '/concerts/1', 'the turn is over: no more shopping');

  const page = await c.get(path);
  assert.equal(page.status, 200);
  assert.match(page.text, /id="hold-rule">You may pay until then even if your turn in the queue ends first/, 'the rule, on the hold page');
  assert.match(page.text, new RegExp(`action="${path}/pay"`), 'and its Pay button');
  const paid = await c.post(`${path}/pay`, { csrf: csrfOf(page.text) });
  assert.equal(paid.status, 303);
  assert.equal(paid.location, path);
  const hid = path.split('/').pop();
  assert.equal(sql(`SELECT state FROM hold WHERE id = ${hid}`), 'PAID');
  assert.equal(sql(`SELECT count(*) FROM payment WHERE hold_id = ${hid}`), '1');

  // the waiting room says so too
  const room = await c.get('/concerts/1/queue');
  assert.match(room.text, /Your place has lapsed/);
  assert.match(room.text, /still yours to pay until its hold runs out/);
});

test('the API: a live reservation is paid after the turn has ended', async () => {
  const c = await buyer('lapsed-api');
  const queue = await apiQueueToken(c);
  const seat = Number(freeSeat(1));
  const r = await api(c, 'POST', '/api/v1/reservations', { performanceId: 1, seatId: seat }, { 'x-queue-token': queue });
  assert.equal(r.status, 201);
  assert.equal((await api(c, 'POST', '/api/v1/balance/charge', { amount: 500000 })).status, 200);
  endTurn(c);
  const st = await api(c, 'GET', '/api/v1/queue/status', undefined, { 'x-queue-token': queue });
  assert.equal(st.body.state, 'expired');
  const more = await api(c, 'POST', '/api/v1/reservations', { performanceId: 1, seatId: Number(freeSeat(1)) }, { 'x-queue-token': queue });
  assert.equal(more.status, 403, 'no more holds without a turn');

  const p = await api(c, 'POST', '/api/v1/payments', { reservationId: r.body.reservationId });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal(p.body.reservation.state, 'paid');
  assert.equal(sql(`SELECT count(*) FROM payment WHERE hold_id = ${r.body.reservationId}`), '1');
});

test('leaving the queue on purpose releases the holds of that concert, at once and for good', async () => {
  const c = await buyer('leaver');
  const other = await buyer('next-buyer');
  await chargeInPage(c, 900000);
  // two seats of concert 1 on its two dates, held in the page and through the API,
  // and one seat of concert 2, which leaving concert 1 must not touch
  const seatA = freeSeat(1), seatB = Number(freeSeat(2)), seatC = freeSeat(3);
  const pathA = await holdInPage(c, 1, seatA);
  const queue = await apiQueueToken(c);
  const b = await api(c, 'POST', '/api/v1/reservations', { performanceId: 2, seatId: seatB }, { 'x-queue-token': queue });
  assert.equal(b.status, 201);
  await joinQueue(c, 2);
  const pathC = await holdInPage(c, 3, seatC);
  assert.ok(seatTakenOnMap((await other.get('/performances/1')).text, seatA), 'held: taken for the others');

  // the concert page lists the seats, and its leave asks first, naming them
  const concert = await c.get('/concerts/1');
  assert.match(concert.text, /<a href="\/concerts\/1\/queue\/leave">Leave the queue…<\/a>\s*<span class="hint">You will be asked first: leaving releases the 2 seats you hold unpaid/);
  const asked = await c.post('/concerts/1/queue/leave', { csrf: csrfOf(concert.text) });
  assert.equal(asked.location, '/concerts/1/queue/leave', 'not without confirming');
  assert.equal(sql(`SELECT state FROM hold WHERE id = ${pathA.split('/').pop()}`), 'HELD');
  const left = await c.post('/concerts/1/queue/leave', { csrf: csrfOf(concert.text), confirm: '1' });
  assert.equal(left.status, 303);
  assert.equal(left.location, '/concerts/1');
  assert.match((await c.get(left.location)).text, /You left the queue; any seat you held unpaid is free again/);

  // released, in the same transaction as the leave
  const hidA = pathA.split('/').pop();
  assert.equal(sql(`SELECT state FROM hold WHERE id = ${hidA}`), 'RELEASED');
  assert.equal(sql(`SELECT state FROM hold WHERE id = ${b.body.reservationId}`), 'RELEASED');
  assert.equal(sql(`SELECT state FROM queue_ticket WHERE user_id = ${c.uid} AND concert_id = 1`), 'EXPIRED');
  assert.equal(sql(`SELECT state FROM hold WHERE id = ${pathC.split('/').pop()}`), 'HELD', 'another concert is not left');

  // the seat map shows them free to the next buyer, who takes one
  const map = await other.get('/performances/1');
  assert.ok(seatFreeOnMap(map.text, seatA), 'free on the seat map');
  const seats2 = await api(other, 'GET', '/api/v1/performances/2/seats', undefined, { 'x-queue-token': await apiQueueToken(other) });
  assert.equal(seats2.body.seats.find((s) => s.id === seatB).available, true, 'free in the API seat list');
  assert.equal((await other.post('/performances/1/holds', { seat: seatA, csrf: other.csrf })).status, 303);

  // paying them is 410, in the page and in the API; nothing charged
  const page = await c.get(pathA);
  assert.match(page.text, /You released this seat/);
  const payA = await c.post(`${pathA}/pay`, { csrf: c.csrf });
  assert.equal(payA.status, 410);
  assert.match(payA.text, /released before it was paid \(leaving the queue releases the seats you held\)/);
  const payB = await api(c, 'POST', '/api/v1/payments', { reservationId: b.body.reservationId });
  assert.equal(payB.status, 410);
  assert.equal(payB.body.error.code, 'reservation_expired');
  assert.equal((await api(c, 'GET', `/api/v1/reservations/${b.body.reservationId}`)).body.state, 'released');
  assert.equal(sql(`SELECT balance FROM user WHERE id = ${c.uid}`), '900000');
  assert.equal(sql(`SELECT count(*) FROM payment WHERE user_id = ${c.uid}`), '0');
});

test('the waiting room: the rule beside its Leave button, and leaving while waiting releases too', async () => {
  // One slot: the first buyer shops; the second waits, holding a seat
  // from an earlier turn that has ended.
  const first = await buyer('slot-holder');
  const waiter = await buyer('waiter');
  const seat = freeSeat(1);
  const path = await holdInPage(waiter, 1, seat);
  endTurn(waiter);
  stack.admin('set', 'queue_capacity', String(Number(sql(`SELECT count(*) FROM queue_ticket WHERE concert_id = 1 AND state = 'ACTIVE' AND expires_at > ${now()}`))));
  try {
    assert.equal((await joinQueue(waiter, 1)).location, '/concerts/1/queue', 'waiting');
    const room = await waiter.get('/concerts/1/queue');
    assert.match(room.text, /You are in line/);
    assert.match(room.text, /id="q-rule">A seat you hold stays yours to pay until its hold runs out, even after your turn ends. Leaving the queue on purpose means you are done: it also gives back every seat you still hold unpaid for this concert/);
    assert.match(room.text, /<a href="\/concerts\/1\/queue\/leave">Leave the queue and release the 1 seat you hold unpaid…<\/a>/);
    assert.equal(sql(`SELECT state FROM hold WHERE id = ${path.split('/').pop()}`), 'HELD', 'still held while waiting');
    const left = await waiter.post('/concerts/1/queue/leave', { csrf: csrfOf(room.text), confirm: '1' });
    assert.equal(left.status, 303);
    assert.equal(sql(`SELECT state FROM hold WHERE id = ${path.split('/').pop()}`), 'RELEASED');
    assert.ok(seatFreeOnMap((await first.get('/performances/1')).text, seat));
  } finally {
    stack.admin('set', 'queue_capacity', '1000');
  }
});
