// lists.test.mjs — long lists over real HTTP: a buyer with thousands of
// ledger rows gets the wallet history a page at a time (50, newest first,
// an Older link by keyset ?before=ID), and so do the tickets; a bad
// ?before= is a clear 400; the history names the concert a payment was for.
// (The API's pages: api.test.mjs, checked against static/openapi.json.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 2, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

async function admitted(tag, concert = 1) {
  const c = new Client(stack.base);
  const email = uniqueEmail(tag);
  assert.equal((await c.signup(email)).status, 303);
  await joinQueue(c, concert);
  c.uid = Number(stack.sql(`SELECT id FROM user WHERE email = '${email}'`));
  c.csrf = csrfOf((await c.get('/wallet')).text);
  return c;
}

// n top-ups of 1 … n won written straight into the ledger (the schema's
// triggers check the chain and move the balance as for any other row).
function manyCharges(uid, n) {
  stack.sql(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})
    INSERT INTO ledger(user_id, kind, amount, balance_after, created_at)
    SELECT ${uid}, 'CHARGE', i, i * (i + 1) / 2, 1700000000 + i FROM k ORDER BY i`);
}
const rowsOf = (html) => [...html.matchAll(/<td class="num amount"[^>]*>\+₩([\d,]+)<\/td>/g)].map((m) => Number(m[1].replace(/,/g, '')));
const olderOf = (html) => /href="(\/wallet\?before=\d+)#history" rel="next"/.exec(html)?.[1];

test('5,000 ledger rows: the wallet shows 50 a page, newest first, and the Older links walk them all once', async () => {
  const c = await admitted('long-history');
  manyCharges(c.uid, 5000);
  const first = await c.get('/wallet');
  assert.equal(first.status, 200);
  assert.ok(first.text.length < 40_000, `one page, not the whole ledger (${first.text.length} bytes)`);
  assert.match(first.text, /id="balance">₩12,502,500</, 'the balance is the whole ledger\'s');
  assert.deepEqual(rowsOf(first.text), Array.from({ length: 50 }, (_, i) => 5000 - i), 'the newest 50');
  let next = olderOf(first.text);
  assert.ok(next, 'an Older link');
  const seen = rowsOf(first.text);
  let pages = 1;
  while (next) {
    const page = await c.get(next);
    assert.equal(page.status, 200);
    assert.match(page.text, /Back to the newest/);
    seen.push(...rowsOf(page.text));
    next = olderOf(page.text);
    pages++;
    assert.ok(pages <= 100);
  }
  assert.equal(pages, 100);
  assert.deepEqual(seen, Array.from({ length: 5000 }, (_, i) => 5000 - i), 'every row once, newest first');

  // the operator's look at the buyer still lists the whole ledger
  const email = stack.sql(`SELECT email FROM user WHERE id = ${c.uid}`);
  assert.match(stack.admin('buyer', email), /ledger, newest first \(5000\)/);
});

test('a bad ?before= is a 400 that says so; a page past the oldest row is empty', async () => {
  const c = await admitted('bad-before');
  for (const bad of ['abc', '0', '-1', '01', '1.5', '', '99999999999999999999']) {
    for (const path of ['/wallet', '/bookings']) {
      const r = await c.get(`${path}?before=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, `${path}?before=${bad}`);
      assert.match(r.text, /This page of the list does not exist/);
    }
  }
  const past = await c.get('/wallet?before=1');
  assert.equal(past.status, 200);
  assert.match(past.text, /Nothing yet/);
});

test('the history names the concert a payment was for; the tickets come a page at a time', async () => {
  const c = await admitted('named');
  const key = /name="key" value="([^"]+)"/.exec((await c.get('/wallet')).text)[1];
  assert.equal((await c.post('/wallet/charge', { amount: '1000000', key, csrf: c.csrf })).status, 303);
  const seats = stack.sql(`SELECT id FROM seat WHERE performance_id = 1 AND section = 'VIP' ORDER BY id DESC LIMIT 3`).split('\n');
  const held = [];
  for (const seat of seats) { // all held first: paying the last one ends the turn
    const h = await c.post('/performances/1/holds', { seat, csrf: c.csrf });
    assert.match(h.location, /^\/holds\/\d+$/);
    held.push(h.location);
  }
  for (const h of held) assert.equal((await c.post(`${h}/pay`, { csrf: c.csrf })).status, 303);
  const wallet = await c.get('/wallet');
  assert.equal((wallet.text.match(/Payment · <a href="\/holds\/\d+">Winter Symphony Gala · 1 ticket<\/a>/g) || []).length, 3);

  // 55 paid seats: 52 more in one payment (an order) of the later date,
  // written straight into the database, each with its ticket as the
  // schema's trigger would make it. The first page (50) has the 3 of the
  // first date and ends in the middle of the order; the second has its
  // last 5 seats (the order by show: bookings.test.mjs).
  const seats52 = stack.sql(`SELECT id FROM seat WHERE performance_id = 2 ORDER BY id LIMIT 52`).split('\n');
  const pay = stack.sql(`INSERT INTO payment(user_id, amount, created_at) VALUES (${c.uid}, 0, 1700000000) RETURNING id`);
  stack.sql(`INSERT INTO hold(performance_id, seat_id, user_id, state, price, expires_at, created_at, payment_id)
    SELECT 2, id, ${c.uid}, 'PAID', 0, 1900000000, 1700000000, ${pay} FROM seat WHERE id IN (${seats52.join(',')}) ORDER BY id;
    INSERT INTO ticket(hold_id, performance_id, code, created_at)
    SELECT h.id, 2, printf('%028d', h.id), 1700000000 FROM hold h WHERE h.payment_id = ${pay}`);
  const page1 = await c.get('/bookings');
  const ids = (html) => [...html.matchAll(/<a href="\/holds\/(\d+)">/g)].map((m) => Number(m[1]));
  assert.equal((page1.text.match(/class="card ticket paid"/g) || []).length, 50);
  const older = /href="(\/bookings\?before=\d+)" rel="next"/.exec(page1.text)?.[1];
  assert.ok(older, 'a link to more tickets');
  const page2 = await c.get(older);
  assert.equal((page2.text.match(/class="card ticket paid"/g) || []).length, 5, 'the order\'s last 5 seats');
  assert.doesNotMatch(page2.text, /rel="next"/, 'the last page');
  assert.equal((page2.text.match(/Winter Symphony Gala · /g) || []).length, 5);
  const all = [...ids(page1.text), ...ids(page2.text)];
  assert.equal(new Set(all).size, 55, 'every seat once, none lost at the cut');
});
