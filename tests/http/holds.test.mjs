// holds.test.mjs — holds, wallet and payment over real HTTP with several
// workers: no seat sold twice, no money lost, expiry at the exact second,
// and every hostile input refused with nothing changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue, ROOT } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 4, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

const seatId = (perf, section, row, number) =>
  stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf} AND section = '${section}' AND row_label = '${row}' AND number = ${number}`);
const userId = (c) => stack.sql(`SELECT user_id FROM queue_ticket WHERE token IN (${[...c.tokens].map((t) => `'${t}'`).join(',') || "''"})`);

// A signed-up buyer admitted to concert 1, with the session's CSRF token.
async function admitted(tag, concert = 1) {
  const c = new Client(stack.base);
  const email = uniqueEmail(tag);
  assert.equal((await c.signup(email)).status, 303);
  const joined = await joinQueue(c, concert);
  assert.equal(joined.status, 303, `${email} joins the line: ${joined.status} ${joined.text?.slice(0, 300)}`);
  c.email = email;
  c.uid = stack.sql(`SELECT id FROM user WHERE email = '${email}'`);
  c.csrf = csrfOf((await c.get('/wallet')).text);
  return c;
}
// n buyers admitted to concert 1 at once, as browsers (session cookie and
// CSRF token), made by boxoffice-admin loadtest-buyers: 120 sign-ups
// through the site would be 120 scrypt hashes queued in front of the
// race, and on a busy machine nginx's timeout answers some of them 504
// before the race begins.
function admittedMany(n, tag) {
  return stack.admin('loadtest-buyers', n, 1).trim().split('\n').map((line) => {
    const [session, csrf] = line.split('\t');
    const c = new Client(stack.base);
    c.cookies.set('bo_s', session);
    c.csrf = csrf;
    c.email = tag;
    return c;
  });
}
const hold = (c, perf, seat) => c.post(`/performances/${perf}/holds`, { seat, csrf: c.csrf });
const pay = (c, holdPath) => c.post(`${holdPath}/pay`, { csrf: c.csrf });
async function charge(c, amount) {
  const page = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(page.text)[1];
  return c.post('/wallet/charge', { amount: String(amount), key, csrf: c.csrf });
}
const balance = (c) => Number(stack.sql(`SELECT balance FROM user WHERE id = ${c.uid}`));
const ledgerSum = (c) => Number(stack.sql(`SELECT coalesce(sum(amount), 0) FROM ledger WHERE user_id = ${c.uid}`));

test('120 buyers hold one seat at the same moment: exactly one gets it', async () => {
  const buyers = admittedMany(120, 'race');
  const seat = seatId(1, 'VIP', 'B', 7);
  const answers = await Promise.all(buyers.map((c) => hold(c, 1, seat)));
  const won = answers.filter((r) => r.status === 303);
  assert.equal(won.length, 1, 'one winner');
  assert.match(won[0].location, /^\/holds\/\d+$/);
  const lost = answers.filter((r) => r.status === 409);
  assert.equal(lost.length, 119, 'everyone else is told, clearly');
  for (const r of lost.slice(0, 3)) assert.match(r.text, /Someone just took this seat \(VIP · Row B · Seat 7\) — pick another/);
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE seat_id = ${seat} AND state IN ('HELD','PAID')`), '1');
  // and every seat map shows it taken
  const map = await buyers[5].get('/performances/1');
  assert.match(map.text, new RegExp(`value="${seat}" disabled class="t"`));
});

test('60 concurrent payments of one hold: one debit, one payment, one ticket', async () => {
  const c = await admitted('payer');
  assert.equal((await charge(c, 500000)).status, 303);
  const h = (await hold(c, 1, seatId(1, 'R', 'A', 1))).location;
  const answers = await Promise.all(Array.from({ length: 60 }, () => pay(c, h)));
  assert.ok(answers.every((r) => r.status === 303 && r.location === h), 'every click lands on the same ticket');
  const hid = h.split('/').pop();
  assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE hold_id = ${hid}`), '1');
  assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE hold_id = ${hid}`), '1');
  assert.equal(balance(c), 500000 - 132000);
  assert.equal(balance(c), ledgerSum(c));
  assert.match((await c.get('/bookings')).text, /R · Row A · Seat 1/);
});

test('a storm of charges and payments across 20 buyers loses no money', async () => {
  const buyers = await Promise.all(Array.from({ length: 20 }, (_, i) => admitted(`storm${i}`)));
  const seats = stack.sql("SELECT id FROM seat WHERE performance_id = 2 AND section = 'S' ORDER BY id LIMIT 60").split('\n');
  const work = [];
  buyers.forEach((c, i) => {
    for (let k = 0; k < 3; k++) work.push(charge(c, 40000 + 1000 * i + k));
    for (let k = 0; k < 3; k++) {
      work.push((async () => {
        const r = await hold(c, 2, seats[i * 3 + k]);
        if (r.status !== 303) return;
        // The first hold of each buyer is paid after a top-up that has
        // landed, so some seats are sold whatever order the rest takes.
        if (k === 0) await charge(c, 150000);
        await Promise.all([pay(c, r.location), pay(c, r.location), charge(c, 5000)]);
      })());
    }
  });
  await Promise.all(work);
  let charged = 0, balances = 0;
  for (const c of buyers) {
    assert.ok(balance(c) >= 0);
    assert.equal(balance(c), ledgerSum(c), `balance = sum of ledger for ${c.email}`);
    charged += Number(stack.sql(`SELECT coalesce(sum(amount), 0) FROM ledger WHERE user_id = ${c.uid} AND kind = 'CHARGE'`));
    balances += balance(c);
  }
  const ids = buyers.map((c) => c.uid).join(',');
  const revenue = Number(stack.sql(`SELECT coalesce(sum(amount), 0) FROM payment WHERE user_id IN (${ids})`));
  assert.equal(charged, balances + revenue, 'total charged = balances + revenue');
  assert.equal(stack.sql(`SELECT count(*) FROM payment p JOIN hold h ON h.id = p.hold_id WHERE h.state <> 'PAID'`), '0');
  assert.ok(revenue > 0, 'some seats were paid');
});

test('a hold lasts to the second: held one second before, free at the deadline (cron)', async () => {
  const a = await admitted('edge-a');
  const b = await admitted('edge-b');
  const seat = seatId(1, 'S', 'C', 4);
  const h = (await hold(a, 1, seat)).location;
  const hid = h.split('/').pop();
  const deadline = Number(stack.sql(`SELECT expires_at FROM hold WHERE id = ${hid}`));
  const expire = (now) => execFileSync(join(ROOT, 'build', 'boxoffice-expire'), ['--db', stack.db, '--now', String(now)], { encoding: 'utf8' });
  const state = () => stack.sql(`SELECT state FROM hold WHERE id = ${hid}`);
  // (earlier tests' unpaid holds lapse too; this one must not, yet)
  assert.match(expire(deadline - 1), /holds_expired=\d+ /);
  assert.equal(state(), 'HELD');
  assert.equal((await hold(b, 1, seat)).status, 409, 'still held');
  assert.match(expire(deadline), /holds_expired=[1-9]\d* /);
  assert.equal(state(), 'EXPIRED');
  const r = await hold(b, 1, seat);
  assert.equal(r.status, 303, 'free at the deadline');
  const page = await a.get(h);
  assert.match(page.text, /This hold expired/);
  assert.equal((await pay(a, h)).status, 410);
});

test('a payment racing the deadline succeeds fully or fails fully', async () => {
  stack.admin('set', 'hold_seconds', '10');
  try {
    const c = await admitted('deadline');
    assert.equal((await charge(c, 300000)).status, 303);
    const h = (await hold(c, 1, seatId(1, 'Balcony', 'A', 9))).location;
    const hid = h.split('/').pop();
    const deadline = Number(stack.sql(`SELECT expires_at FROM hold WHERE id = ${hid}`)) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now() - 400)));
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      new Promise((r) => setTimeout(r, i * 50)).then(() => pay(c, h))));
    const paid = stack.sql(`SELECT state FROM hold WHERE id = ${hid}`) === 'PAID';
    const payments = Number(stack.sql(`SELECT count(*) FROM payment WHERE hold_id = ${hid}`));
    if (paid) {
      assert.equal(payments, 1);
      assert.equal(balance(c), 300000 - 66000);
      assert.ok(answers.some((r) => r.status === 303));
    } else {
      assert.equal(payments, 0);
      assert.equal(balance(c), 300000);
      assert.ok(answers.every((r) => r.status === 410));
    }
    assert.equal(balance(c), ledgerSum(c));
    assert.ok(answers.every((r) => r.status === 303 || r.status === 410), answers.map((r) => r.status).join());
  } finally {
    stack.admin('set', 'hold_seconds', '300');
  }
});

test('bad amounts are refused on the form and charge nothing', async () => {
  const c = await admitted('amounts');
  for (const amount of ['0', '-1', '+5', ' 5', '1e3', '0x10', '1.5', '9223372036854775807',
    '99999999999999999999', '', '1000001', '５', '1,000']) {
    const r = await charge(c, amount);
    assert.equal(r.status, 422, `amount ${JSON.stringify(amount)}`);
    assert.match(r.text, /Enter a whole amount from 1 to ₩1,000,000/);
  }
  assert.equal(balance(c), 0);
  assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${c.uid}`), '0');
});

test('a double-submitted charge form charges once', async () => {
  const c = await admitted('double');
  const page = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(page.text)[1];
  const form = { amount: '70000', key, csrf: c.csrf };
  const answers = await Promise.all([c.post('/wallet/charge', form), c.post('/wallet/charge', form), c.post('/wallet/charge', form)]);
  assert.ok(answers.every((r) => r.status === 303));
  assert.equal(balance(c), 70000);
  assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${c.uid}`), '1');
  const other = await c.post('/wallet/charge', { ...form, amount: '80000' });
  assert.equal(other.status, 409, 'the same form for another amount');
  assert.equal(balance(c), 70000);
});

test('short balance: 402 with a way to top up, and the hold is kept', async () => {
  const c = await admitted('short');
  const h = (await hold(c, 1, seatId(1, 'VIP', 'D', 20))).location;
  const r = await pay(c, h);
  assert.equal(r.status, 402);
  assert.match(r.text, /Top up your wallet/);
  assert.match(r.text, new RegExp(`href="/wallet\\?amount=165000&amp;next=${h}"`));
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${h.split('/').pop()}`), 'HELD');
  assert.equal(balance(c), 0);
});

test('release frees the seat at once; paying a released hold is 410', async () => {
  const a = await admitted('rel-a');
  const b = await admitted('rel-b');
  const seat = seatId(1, 'R', 'J', 30);
  const h = (await hold(a, 1, seat)).location;
  const r = await a.post(`${h}/release`, { csrf: a.csrf });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/performances/1');
  assert.equal((await hold(b, 1, seat)).status, 303, 'someone else can take it now');
  await charge(a, 200000);
  assert.equal((await pay(a, h)).status, 410);
  assert.equal((await a.post(`${h}/release`, { csrf: a.csrf })).status, 410);
  assert.equal(balance(a), 200000);
});

test('another buyer\'s hold cannot be seen, paid or released', async () => {
  const a = await admitted('own-a');
  const b = await admitted('own-b');
  await charge(b, 300000);
  const h = (await hold(a, 1, seatId(1, 'S', 'L', 1))).location;
  assert.equal((await b.get(h)).status, 403);
  assert.equal((await pay(b, h)).status, 403);
  assert.equal((await b.post(`${h}/release`, { csrf: b.csrf })).status, 403);
  assert.equal((await b.get('/holds/999999')).status, 404);
  assert.equal(balance(b), 300000);
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${h.split('/').pop()}`), 'HELD');
});

test('taken, unknown and other performances\' seats; max_holds', async () => {
  const c = await admitted('limits');
  assert.equal((await hold(c, 1, seatId(2, 'VIP', 'A', 1))).status, 404, 'a seat of another date');
  assert.equal((await hold(c, 1, '99999999')).status, 404);
  for (const bad of ['abc', '', '-1', '1.5']) assert.equal((await hold(c, 1, bad)).status, 400, bad);
  const free = stack.sql("SELECT id FROM seat WHERE performance_id = 1 AND section = 'Balcony' AND row_label = 'H' ORDER BY id LIMIT 5").split('\n');
  for (const s of free.slice(0, 4)) assert.equal((await hold(c, 1, s)).status, 303);
  const fifth = await hold(c, 1, free[4]);
  assert.equal(fifth.status, 409);
  assert.match(fifth.text, /You already hold 4 seats for this date/);
  const map = await c.get('/performances/1');
  assert.equal((map.text.match(/<li><a href="\/holds\/\d+">Balcony · Row H/g) || []).length, 4, 'the map lists them');
});

test('a buyer who is not admitted cannot hold', async () => {
  const c = new Client(stack.base);
  await c.signup(uniqueEmail('notin'));
  const csrf = csrfOf((await c.get('/')).text);
  const r = await c.post('/performances/3/holds', { seat: seatId(3, 'Floor', 'A', 1), csrf });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/concerts/2');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE performance_id = 3`), '0');
});

test('every money POST needs the CSRF token', async () => {
  const c = await admitted('csrf');
  await charge(c, 200000);
  const h = (await hold(c, 1, seatId(1, 'VIP', 'C', 3))).location;
  const before = [balance(c), stack.sql('SELECT count(*) FROM hold'), stack.sql('SELECT count(*) FROM ledger')];
  for (const csrf of [undefined, 'x'.repeat(22)]) {
    const f = csrf ? { csrf } : { csrf: null };
    assert.equal((await c.post('/wallet/charge', { amount: '5', key: 'k1', ...f })).status, 403);
    assert.equal((await c.post(`${h}/pay`, f)).status, 403);
    assert.equal((await c.post(`${h}/release`, f)).status, 403);
    assert.equal((await c.post('/performances/1/holds', { seat: seatId(1, 'VIP', 'C', 4), ...f })).status, 403);
  }
  assert.deepEqual([balance(c), stack.sql('SELECT count(*) FROM hold'), stack.sql('SELECT count(*) FROM ledger')], before);
});

test('paying ends the queue turn and lets the next buyer in', async () => {
  stack.admin('set', 'queue_capacity', '1');
  try {
    const a = await admitted('turn-a', 3);
    const b = new Client(stack.base);
    await b.signup(uniqueEmail('turn-b'));
    assert.equal((await joinQueue(b, 3)).location, '/concerts/3/queue');
    await charge(a, 100000);
    const h = (await hold(a, 5, seatId(5, 'Mezzanine', 'A', 1))).location;
    assert.equal((await pay(a, h)).status, 303);
    assert.equal(stack.sql(`SELECT state FROM queue_ticket WHERE user_id = ${a.uid} AND concert_id = 3`), 'DONE');
    assert.equal(JSON.parse((await b.get('/concerts/3/queue.json')).text).state, 'active');
  } finally {
    stack.admin('set', 'queue_capacity', '1000');
  }
});
