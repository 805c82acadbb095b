// crash_after_commit.test.mjs — a worker that dies right after its commit,
// before its answer leaves: the client sees 502 ("a retry is safe"), and
// the retry with the same Idempotency-Key must get the first result at
// once — not 409 request_in_flight, not seat_taken for the buyer's own
// seat — with nothing done twice.
//
// The workers are the fault build (build/faults/boxoffice.fcgi) with
// BOXOFFICE_FAULT=after_commit: every keyed write that commits kills its
// worker right after the commit (core/idempotency.c, idem_commit). The
// retry goes to the same running site (nginx and a respawned worker, as in
// production): a replay commits nothing, so it passes no fault point and
// answers. Each buyer: reserve a seat, charge the wallet, pay — each one
// killed after its commit, each one retried with its key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, uniqueEmail } from '../lib/stack.mjs';
import { report, LONG } from './report.mjs';

const BUYERS = LONG ? 40 : 4;
const PASSWORD = 'correct horse battery';
const CHARGE = 500000;

let stack;
before(async () => {
  stack = await startStack({
    workers: 4,
    fcgiBin: 'build/faults/boxoffice.fcgi',
    env: { BOXOFFICE_FAULT: 'after_commit' },
    settings: { queue_capacity: 1000 },
  });
});
after(async () => { await stack?.stop(); });

async function api(method, path, { token, queue, key, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (queue) headers['x-queue-token'] = queue;
  if (key) headers['idempotency-key'] = key;
  const started = performance.now();
  const res = await fetch(stack.base + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* a 502 page */ }
  return { status: res.status, headers: res.headers, text, body: json, ms: performance.now() - started };
}

async function buyer(tag) {
  const email = uniqueEmail(tag);
  const browser = new Client(stack.base);
  assert.equal((await browser.signup(email)).status, 303);
  const s = await api('POST', '/api/v1/sessions', { body: { email, password: PASSWORD } });
  assert.equal(s.status, 201, s.text);
  const t = await api('POST', '/api/v1/tokens', { token: s.body.token, body: { concertId: 1 } });
  assert.equal(t.status, 201, t.text);
  assert.equal(t.body.state, 'active');
  return { token: s.body.token, queue: t.body.token, uid: s.body.userId };
}

const n = (sql) => Number(stack.sql(sql));
const figures = { crashes: 0, retries: 0, replayed_first_result: 0, in_flight_409: 0, seat_taken_409: 0,
  done_twice: 0, retry_ms: [] };

// Sends a keyed write that must die after its commit, then its retry.
async function crashThenRetry(what, method, path, opts) {
  const first = await api(method, path, opts);
  assert.equal(first.status, 502, `${what}: the worker died after its commit (${first.status} ${first.text.slice(0, 200)})`);
  figures.crashes++;
  const retry = await api(method, path, opts);
  figures.retries++;
  figures.retry_ms.push(retry.ms);
  if (retry.status === 409 && retry.body?.error?.code === 'request_in_flight') figures.in_flight_409++;
  if (retry.status === 409 && retry.body?.error?.code === 'seat_taken') figures.seat_taken_409++;
  assert.notEqual(retry.status, 409, `${what}: the retry is refused: ${retry.text}`);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true', `${what}: the retry is a replay (${retry.status} ${retry.text})`);
  figures.replayed_first_result++;
  return retry;
}

test('a write killed after its commit: the retry with its key answers the first result at once', async () => {
  for (let i = 0; i < BUYERS; i++) {
    const b = await buyer(`crash${i}`);
    const seat = n(`SELECT s.id FROM seat s WHERE s.performance_id = 1 AND NOT EXISTS
      (SELECT 1 FROM hold h WHERE h.seat_id = s.id) ORDER BY s.id LIMIT 1`);
    const price = n(`SELECT price FROM seat WHERE id = ${seat}`);

    // the reservation
    const r = await crashThenRetry('reservation', 'POST', '/api/v1/reservations',
      { token: b.token, queue: b.queue, key: `res-${i}`, body: { performanceId: 1, seatId: seat } });
    assert.equal(r.status, 201, r.text);
    const held = n(`SELECT id FROM hold WHERE user_id = ${b.uid}`); // exactly one row, or this throws on a list
    assert.equal(r.body.reservationId, held, 'the hold the first request made');
    assert.equal(r.body.state, 'held');
    assert.equal(n(`SELECT count(*) FROM hold WHERE user_id = ${b.uid}`), 1, 'one hold');

    // the charge: its key is also its ledger key
    const c = await crashThenRetry('charge', 'POST', '/api/v1/balance/charge',
      { token: b.token, key: `charge-${i}`, body: { amount: CHARGE } });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.body.balance, CHARGE);
    assert.equal(c.body.charged, CHARGE);
    assert.equal(n(`SELECT count(*) FROM ledger WHERE user_id = ${b.uid}`), 1, 'one ledger row');
    assert.equal(n(`SELECT balance FROM user WHERE id = ${b.uid}`), CHARGE);

    // the payment
    const p = await crashThenRetry('payment', 'POST', '/api/v1/payments',
      { token: b.token, key: `pay-${i}`, body: { reservationId: held } });
    assert.equal(p.status, 201, p.text);
    const paid = n(`SELECT id FROM payment WHERE hold_id = ${held}`);
    assert.equal(p.body.paymentId, paid, 'the payment the first request made');
    assert.equal(p.body.reservation.state, 'paid');
    assert.equal(n(`SELECT count(*) FROM payment WHERE user_id = ${b.uid}`), 1, 'one payment');
    assert.equal(n(`SELECT count(*) FROM ledger WHERE user_id = ${b.uid} AND kind = 'PAYMENT'`), 1, 'one debit');
    assert.equal(n(`SELECT balance FROM user WHERE id = ${b.uid}`), CHARGE - price);

    // and a later replay of the reservation shows it as it is now: paid
    const again = await api('POST', '/api/v1/reservations',
      { token: b.token, queue: b.queue, key: `res-${i}`, body: { performanceId: 1, seatId: seat } });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.body.reservationId, held);
    assert.equal(again.body.state, 'paid', 'the same resource, in its current state');
  }
  figures.done_twice = n(`SELECT (SELECT count(*) - count(DISTINCT seat_id) FROM hold WHERE state IN ('HELD','PAID'))
    + (SELECT count(*) - count(DISTINCT hold_id) FROM payment)`);
  assert.equal(figures.done_twice, 0);
  assert.equal(stack.sql('PRAGMA integrity_check'), 'ok');
  assert.equal(n(`SELECT count(*) FROM user u WHERE balance <> coalesce((SELECT sum(amount) FROM ledger l WHERE l.user_id = u.id), 0)`), 0,
    'balance = ledger for every buyer');
});

after(() => {
  const ms = figures.retry_ms.sort((a, b) => a - b);
  report('crash_after_commit', {
    crashes: figures.crashes,
    retries: figures.retries,
    replayed_first_result: figures.replayed_first_result,
    in_flight_409: figures.in_flight_409,
    seat_taken_409: figures.seat_taken_409,
    done_twice: figures.done_twice,
    retry_ms_p50: ms.length ? Math.round(ms[Math.floor(ms.length / 2)]) : null,
    retry_ms_max: ms.length ? Math.round(ms[ms.length - 1]) : null,
  });
});
