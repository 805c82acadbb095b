// orders.test.mjs — orders of several seats under races, over real HTTP
// (nginx + 4 workers + one SQLite file): buyers racing for overlapping
// seat sets never share a seat and every order is whole or absent; best
// available requests at once never get the same seat; the seat-map forms
// (pick several without JavaScript, hold, the order page, pay once,
// release one or all); the buyer's own seats on the map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 4, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

const PASSWORD = 'correct horse battery';
const seatsOf = (perf, section, row) => stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf}
  AND section = '${section}' AND row_label = '${row}' ORDER BY id`).split('\n').map(Number);

async function apiCall(method, path, token, body, queue) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  if (queue) headers['x-queue-token'] = queue;
  const r = await fetch(stack.base + path, { method, headers, body: body && JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}
// A signed-up buyer admitted to the concert through the API.
async function apiBuyer(tag, concert) {
  const email = uniqueEmail(tag);
  const c = new Client(stack.base);
  assert.equal((await c.signup(email)).status, 303);
  const s = await fetch(`${stack.base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }) }).then((r) => r.json());
  const t = await apiCall('POST', '/api/v1/tokens', s.token, { concertId: concert });
  assert.equal(t.body.state, 'active');
  return { token: s.token, queue: t.body.token, uid: s.userId };
}
// A signed-up buyer admitted to the concert in the browser.
async function admitted(tag, concert = 1) {
  const c = new Client(stack.base);
  const email = uniqueEmail(tag);
  assert.equal((await c.signup(email)).status, 303);
  await joinQueue(c, concert);
  c.uid = stack.sql(`SELECT id FROM user WHERE email = '${email}'`);
  c.csrf = csrfOf((await c.get('/wallet')).text);
  return c;
}
async function charge(c, amount) {
  const page = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(page.text)[1];
  return c.post('/wallet/charge', { amount: String(amount), key, csrf: c.csrf });
}
// A form body with a field repeated (URLSearchParams keeps the order).
const form = (pairs) => new URLSearchParams(pairs).toString();
const postForm = (c, path, pairs) => c.request('POST', path, { body: form(pairs),
  headers: { 'content-type': 'application/x-www-form-urlencoded' } });

test('50 buyers race for overlapping seat sets: no seat in two orders, every order whole or absent', async () => {
  const pool = [...seatsOf(2, 'R', 'A'), ...seatsOf(2, 'R', 'B')]; // 60 seats
  const buyers = await Promise.all(Array.from({ length: 50 }, (_, i) => apiBuyer(`race${i}`, 1)));
  // buyer i wants 2 to 4 seats starting at a spot that overlaps its neighbours'
  const wants = buyers.map((_, i) => pool.slice(i, i + 2 + (i % 3)));
  const answers = await Promise.all(buyers.map((b, i) =>
    apiCall('POST', '/api/v1/reservations', b.token, { performanceId: 2, seatIds: wants[i] }, b.queue)));
  const won = answers.map((r, i) => [r, i]).filter(([r]) => r.status === 201);
  const lost = answers.map((r, i) => [r, i]).filter(([r]) => r.status === 409);
  assert.equal(won.length + lost.length, 50, `every answer is 201 or 409: ${answers.map((r) => r.status)}`);
  assert.ok(won.length >= 10, `some orders won (${won.length})`);
  assert.ok(lost.length >= 10, `some lost (${lost.length})`);
  const owner = new Map();
  for (const [r, i] of won) {
    assert.deepEqual(r.body.reservations.map((x) => x.reservationId).length, wants[i].length, 'whole');
    for (const id of wants[i]) {
      assert.ok(!owner.has(id), `seat ${id} in two orders`);
      owner.set(id, i);
    }
  }
  for (const [r, i] of lost) {
    assert.equal(r.body.error.code, 'seat_taken');
    assert.ok(r.body.error.seatIds.length > 0 && r.body.error.seatIds.every((id) => wants[i].includes(id)), 'names its taken seats');
    assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${buyers[i].uid}`), '0', 'absent');
  }
  // and the database agrees: one live hold per seat, every order whole
  assert.equal(stack.sql(`SELECT count(*) FROM (SELECT seat_id FROM hold WHERE state IN ('HELD','PAID')
    GROUP BY seat_id HAVING count(*) > 1)`), '0');
  const sizes = stack.sql(`SELECT o.user_id, count(h.id) FROM hold_order o JOIN hold h ON h.order_id = o.id
    WHERE o.performance_id = 2 GROUP BY o.id`).split('\n').map((l) => l.split('|').map(Number));
  assert.equal(sizes.length, won.length, 'one order per winner, none for the others');
  for (const [uid, n] of sizes) {
    const i = buyers.findIndex((b) => b.uid === uid);
    assert.equal(n, wants[i].length, `order of buyer ${i} is whole`);
  }
});

test('best available at once: 30 requests for two seats never share a seat, each pair side by side', async () => {
  const buyers = await Promise.all(Array.from({ length: 30 }, (_, i) => apiBuyer(`best${i}`, 2)));
  const answers = await Promise.all(buyers.map((b) =>
    apiCall('POST', '/api/v1/reservations', b.token, { performanceId: 4, section: 'Floor', count: 2 }, b.queue)));
  assert.ok(answers.every((r) => r.status === 201 || r.status === 409), answers.map((r) => r.status).join());
  const won = answers.filter((r) => r.status === 201);
  assert.equal(won.length, 25, 'five rows of ten: 25 pairs');
  const seen = new Set();
  for (const r of won) {
    const [a, b] = r.body.reservations;
    assert.equal(a.row, b.row);
    assert.equal(b.number, a.number + 1, 'side by side');
    for (const x of [a, b]) {
      const k = `${x.row}${x.number}`;
      assert.ok(!seen.has(k), `${k} given twice`);
      seen.add(k);
    }
  }
  for (const r of answers.filter((x) => x.status === 409)) assert.equal(r.body.error.code, 'no_adjacent_seats');
  // the front row went first, from its middle
  const rows = won.map((r) => r.body.reservations[0].row).sort();
  assert.deepEqual(rows.slice(0, 5), ['A', 'A', 'A', 'A', 'A']);
});

test('the seat map without JavaScript: pick three, hold together, the order page, pay once', async () => {
  const c = await admitted('pick3');
  const [s1, s2, s3, s4] = seatsOf(1, 'S', 'C');
  // each click adds a seat; the picked ones travel in the form
  let map = await c.get(`/performances/1?add=${s1}`);
  assert.equal(map.status, 200);
  assert.match(map.text, new RegExp(`<input type="hidden" name="seat" value="${s1}">`), 'the pick is kept in the map form');
  map = await c.get(`/performances/1?seat=${s1}&add=${s2}`);
  map = await c.get(`/performances/1?seat=${s1}&seat=${s2}&add=${s3}`);
  for (const s of [s1, s2, s3]) assert.match(map.text, new RegExp(`value="${s}" aria-pressed="true"`), `seat ${s} shown picked`);
  assert.match(map.text, /Your pick: 3 seats/);
  // a click on a picked seat takes it out again
  const fewer = await c.get(`/performances/1?seat=${s1}&seat=${s2}&seat=${s3}&add=${s3}`);
  assert.match(fewer.text, /Your pick: 2 seats/);
  assert.doesNotMatch(fewer.text, new RegExp(`value="${s3}" aria-pressed="true"`));

  // someone takes one of them meanwhile: nothing is held, the page names it, the others stay picked
  const other = await admitted('pick3-other');
  assert.equal((await other.post('/performances/1/holds', { seat: String(s2), csrf: other.csrf })).status, 303);
  const refused = await postForm(c, '/performances/1/holds', [['seat', s1], ['seat', s2], ['seat', s3], ['csrf', c.csrf]]);
  assert.equal(refused.status, 409);
  assert.match(refused.text, /S · Row C · Seat 2/);
  assert.match(refused.text, /none was held/);
  assert.match(refused.text, new RegExp(`value="${s1}" aria-pressed="true"`), 'the others still picked');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${c.uid}`), '0');

  const held = await postForm(c, '/performances/1/holds', [['seat', s1], ['seat', s3], ['seat', s4], ['csrf', c.csrf]]);
  assert.equal(held.status, 303, held.text.slice(0, 300));
  assert.match(held.location, /^\/orders\/\d+$/);
  const order = await c.get(held.location);
  assert.equal(order.status, 200);
  for (const n of [1, 3, 4]) assert.match(order.text, new RegExp(`S · Row C · Seat ${n}\\b`));
  assert.match(order.text, /₩297,000/, 'the total of three seats at ₩99,000');
  assert.match(order.text, /Held for you until/);

  // the map shows them as the buyer's, not taken and not free
  const mine = await c.get('/performances/1');
  for (const s of [s1, s3, s4]) assert.match(mine.text, new RegExp(`value="${s}" disabled class="y"`), `seat ${s} is yours`);
  assert.match(mine.text, new RegExp(`value="${s2}" disabled class="t"`), 'the other buyer\'s is taken');
  // in words too, in the page's language (the grid is cached per language)
  for (const s of [s1, s3, s4]) assert.match(mine.text, new RegExp(`value="${s}" disabled class="y">\\d+<i class="vh">, yours</i>`));
  assert.match(mine.text, new RegExp(`value="${s2}" disabled class="t">2<i class="vh">, taken</i>`));
  const ko = await c.get('/performances/1', { headers: { 'accept-language': 'ko-KR' } });
  for (const s of [s1, s3, s4]) assert.match(ko.text, new RegExp(`value="${s}" disabled class="y">\\d+<i class="vh">, 내 좌석</i>`));
  assert.match(ko.text, new RegExp(`value="${s2}" disabled class="t">2<i class="vh">, 선택 불가</i>`));
  assert.doesNotMatch(ko.text, /, (taken|yours)</, 'no English state word on the Korean map');

  // release one from the order page
  const hid = stack.sql(`SELECT id FROM hold WHERE user_id = ${c.uid} AND seat_id = ${s4}`);
  const rel = await c.post(`${held.location}/release`, { hold: hid, csrf: c.csrf });
  assert.equal(rel.status, 303);
  assert.equal(rel.location, held.location);
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${hid}`), 'RELEASED');

  assert.equal((await charge(c, 500000)).status, 303);
  const ledgerBefore = Number(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${c.uid}`));
  const paid = await c.post(`${held.location}/pay`, { csrf: c.csrf });
  assert.equal(paid.status, 303);
  assert.equal(paid.location, held.location);
  assert.equal(Number(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${c.uid}`)), ledgerBefore + 1, 'one debit');
  assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE user_id = ${c.uid}`), '1', 'one payment');
  assert.equal(stack.sql(`SELECT amount FROM ledger WHERE user_id = ${c.uid} AND kind = 'PAYMENT'`), '-198000');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${c.uid} AND state = 'PAID'`), '2');
  const done = await c.get(held.location);
  assert.match(done.text, /Paid/);
  // a second click pays nothing more
  assert.equal((await c.post(`${held.location}/pay`, { csrf: c.csrf })).status, 303);
  assert.equal(Number(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${c.uid}`)), ledgerBefore + 1);

  // having bought, the way back to the seat map does not say "Join the queue first"
  const back = await c.get('/performances/1', { follow: true });
  assert.doesNotMatch(back.text, /Join the queue first/);
  assert.match(back.text, /You bought your seats/);
});

test('the best available form holds adjacent seats and shows the order', async () => {
  const c = await admitted('best-form', 3);
  const page = await c.get('/performances/6');
  assert.match(page.text, /<form method="post" action="\/performances\/6\/best"/);
  const r = await c.post('/performances/6/best', { section: 'Orchestra', count: '3', csrf: c.csrf });
  assert.equal(r.status, 303, r.text.slice(0, 400));
  assert.match(r.location, /^\/orders\/\d+$/);
  const seats = stack.sql(`SELECT s.row_label || s.number FROM hold h JOIN seat s ON s.id = h.seat_id
    WHERE h.user_id = ${c.uid} ORDER BY s.id`).split('\n');
  assert.deepEqual(seats, ['A7', 'A8', 'A9'], 'the front row, its middle');
  const bad = await c.post('/performances/6/best', { section: 'Orchestra', count: '0', csrf: c.csrf });
  assert.equal(bad.status, 400);
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${c.uid}`), '3', 'nothing more held');
});
