// bookings.test.mjs — the buyer's tickets page (/bookings) and the pages
// around a paid seat, over real HTTP (nginx, workers, SQLite): a ticket
// used at the door says when and where and offers no cancel (and the
// refusal is titled for what happened); seats held and not paid are
// listed as "Awaiting payment" with their deadline and a way to pay; the
// tickets run by show (the next show first, seats in hall order) and the
// pages of the list (page and API) cut that order without losing a seat;
// a paid hold names its ticket code, not the payment as a ticket number;
// the wallet counts the seats a payment paid for and writes one minus sign;
// the waiting room groups its numbers ("1,000 buyers shop").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack, staff;
before(async () => {
  stack = await startStack({ workers: 2, settings: { queue_capacity: 1000, max_holds: 10 } });
  staff = uniqueEmail('staff');
  const c = new Client(stack.base);
  assert.equal((await c.signup(staff)).status, 303);
  stack.admin('grant', staff, 'operator');
});
after(async () => { if (process.env.SHOWLOG) console.error(stack?.fcgiLog.join('')); await stack?.stop(); });

async function admitted(tag, concert = 1) {
  const c = new Client(stack.base);
  c.email = uniqueEmail(tag);
  assert.equal((await c.signup(c.email)).status, 303);
  await joinQueue(c, concert);
  c.uid = Number(stack.sql(`SELECT id FROM user WHERE email = '${c.email}'`));
  c.csrf = csrfOf((await c.get('/wallet')).text);
  return c;
}
async function charge(c, amount) {
  const key = /name="key" value="([^"]+)"/.exec((await c.get('/wallet')).text)[1];
  assert.equal((await c.post('/wallet/charge', { amount: String(amount), key, csrf: c.csrf })).status, 303);
}
// Holds the seats (several: one order) from the map's form; the redirect.
async function hold(c, perf, seats) {
  const body = new URLSearchParams([...seats.map((s) => ['seat', String(s)]), ['csrf', c.csrf]]).toString();
  const r = await c.request('POST', `/performances/${perf}/holds`,
    { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 303, r.text);
  return r.location;
}
const pay = async (c, path) => assert.equal((await c.post(`${path}/pay`, { csrf: c.csrf })).status, 303);
const freeSeats = (perf, n, order = 'ASC') => stack.sql(`SELECT id FROM seat s WHERE performance_id = ${perf}
  AND NOT EXISTS (SELECT 1 FROM hold h WHERE h.seat_id = s.id AND h.state IN ('HELD','PAID'))
  ORDER BY id ${order} LIMIT ${n}`).split('\n').map(Number);
const perfsOf = (concert) => stack.sql(`SELECT id FROM performance WHERE concert_id = ${concert}
  AND starts_at > unixepoch() ORDER BY starts_at`).split('\n').map(Number);
const holdIds = (html) => [...html.matchAll(/<h2><a href="\/holds\/(\d+)">/g)].map((m) => Number(m[1]));
async function api(method, path, { token, body } = {}) {
  const res = await fetch(stack.base + path, { method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json().catch(() => null) };
}
const tokenOf = async (email) => (await api('POST', '/api/v1/sessions', { body: { email, password: 'correct horse battery' } })).body.token;

test('a ticket used at the door says when and where, offers no cancel, and a cancel says why in its title', async () => {
  const c = await admitted('used');
  await charge(c, 1000000);
  const [perf] = perfsOf(1);
  const [seat] = freeSeats(perf, 1);
  const path = await hold(c, perf, [seat]);
  await pay(c, path);
  const id = Number(path.split('/').pop());
  const before = await c.get('/bookings');
  assert.match(before.text, new RegExp(`href="/holds/${id}/cancel"`), 'cancellable before the door');

  const code = stack.sql(`SELECT code FROM ticket WHERE hold_id = ${id}`);
  const ci = await api('POST', '/api/v1/checkins', { token: await tokenOf(staff), body: { code, door: 'North gate' } });
  assert.equal(ci.status, 200, JSON.stringify(ci.body));
  const at = stack.sql(`SELECT strftime('%H:%M', at + 9 * 3600, 'unixepoch') FROM checkin`);

  const list = await c.get('/bookings');
  assert.match(list.text, new RegExp(`Used at <time datetime="[^"]+">${at} KST</time>, door North gate`));
  assert.doesNotMatch(list.text, new RegExp(`href="/holds/${id}/cancel"`), 'no cancel on a used ticket');
  assert.doesNotMatch(list.text, /Cancel and refund/);

  const form = await c.get(`/holds/${id}/cancel`);
  assert.equal(form.status, 409);
  assert.match(form.text, /<h1>Already used at the door<\/h1>/);
  assert.doesNotMatch(form.text, /Someone was faster/);
  const post = await c.post(`/holds/${id}/cancel`, { csrf: c.csrf });
  assert.equal(post.status, 409);
  assert.match(post.text, /<h1>Already used at the door<\/h1>/);
});

test('held, unpaid seats are listed as awaiting payment with their deadline and a link to pay; paid, they leave the list', async () => {
  const c = await admitted('awaiting');
  const [p1, p2] = perfsOf(1);
  const single = await hold(c, p1, freeSeats(p1, 1));
  const order = await hold(c, p2, freeSeats(p2, 2));
  assert.match(single, /^\/holds\/\d+$/);
  assert.match(order, /^\/orders\/\d+$/);
  const page = await c.get('/bookings');
  assert.equal(page.status, 200);
  assert.match(page.text, /<h2 id="awaiting-h">Awaiting payment<\/h2>/);
  assert.match(page.text, new RegExp(`href="${single}">Go to payment`));
  assert.match(page.text, new RegExp(`href="${order}">Go to payment`));
  for (const [path, table] of [[single, 'hold'], [order, 'hold_order']]) {
    const id = path.split('/').pop();
    const hhmm = stack.sql(`SELECT strftime('%H:%M', expires_at + 9 * 3600, 'unixepoch') FROM ${table} WHERE id = ${id}`);
    assert.match(page.text, new RegExp(`by <strong><time datetime="[^"]+">${hhmm} KST</time></strong>`), `${path}'s deadline`);
  }
  assert.match(page.text, /No tickets yet/, 'held is not bought');
  // Each entry names its seats and what they cost together.
  const orderId = order.split('/').pop();
  for (const l of stack.sql(`SELECT s.section || ' · Row ' || s.row_label || ' · Seat ' || s.number
    FROM hold h JOIN seat s ON s.id = h.seat_id WHERE h.order_id = ${orderId}`).split('\n')) {
    assert.ok(page.text.includes(`<li>${l}</li>`), l);
  }
  const orderTotal = Number(stack.sql(`SELECT sum(price) FROM hold WHERE order_id = ${orderId}`));
  assert.match(page.text, new RegExp(`Pay ₩${orderTotal.toLocaleString('en-US')} by`));

  await charge(c, 1000000);
  await pay(c, single);
  await pay(c, order);
  const after = await c.get('/bookings');
  assert.doesNotMatch(after.text, /Awaiting payment/);
  assert.equal(holdIds(after.text).length, 3);
});

test('tickets run by show, the next first, seats in hall order; past shows last; pages (and the API\'s) cut that order', async () => {
  const c = await admitted('order');
  await charge(c, 1000000);
  const [early, late] = perfsOf(1);
  // Bought in the wrong order: the later show first, its seats backwards
  // (all held first: paying the last live hold ends the queue turn).
  const lateSeats = freeSeats(late, 2, 'DESC');
  const held = [];
  for (const s of lateSeats) held.push(await hold(c, late, [s]));
  held.push(await hold(c, early, freeSeats(early, 1)));
  for (const p of held) await pay(c, p);

  // A show of last year, bought long ago, written straight in (the
  // schema's own ticket as the trigger makes it).
  const perfPast = stack.sql(`INSERT INTO performance(concert_id, starts_at, sale_opens_at, sale_closes_at)
    VALUES (1, 1700000000, 1690000000, 1699000000) RETURNING id`);
  const seatPast = stack.sql(`INSERT INTO seat(performance_id, section, row_label, number, price) VALUES (${perfPast}, 'Floor', 'A', 1, 0) RETURNING id`);
  const payPast = stack.sql(`INSERT INTO payment(user_id, amount, created_at) VALUES (${c.uid}, 0, 1690000000) RETURNING id`);
  const holdPast = Number(stack.sql(`INSERT INTO hold(performance_id, seat_id, user_id, state, price, expires_at, created_at, payment_id)
    VALUES (${perfPast}, ${seatPast}, ${c.uid}, 'PAID', 0, 1690000300, 1690000000, ${payPast}) RETURNING id`));
  stack.sql(`INSERT INTO ticket(hold_id, performance_id, code, created_at) VALUES (${holdPast}, ${perfPast}, printf('%028d', ${holdPast}), 1690000000)`);

  const seatOfHold = (h) => Number(stack.sql(`SELECT seat_id FROM hold WHERE id = ${h}`));
  const perfOfHold = (h) => Number(stack.sql(`SELECT performance_id FROM hold WHERE id = ${h}`));
  const page = await c.get('/bookings');
  const ids = holdIds(page.text);
  assert.equal(ids.length, 4);
  assert.deepEqual(ids.map(perfOfHold), [early, late, late, Number(perfPast)], 'next show first, the past one last');
  assert.deepEqual(ids.slice(1, 3).map(seatOfHold), [...lateSeats].sort((a, b) => a - b), 'seats in hall order');

  // The API walks the same order two at a time, each seat once.
  const token = await tokenOf(c.email);
  const walked = [];
  let cursor = null;
  for (let i = 0; i < 5; i++) {
    const r = await api('GET', `/api/v1/bookings?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
    assert.equal(r.status, 200);
    walked.push(...r.body.bookings.map((b) => b.reservationId));
    cursor = r.body.nextCursor;
    if (!cursor) break;
  }
  assert.deepEqual(walked, ids, 'the pages cut the same order');
});

test('the page cut falls inside a show: 52 seats of the next show and 3 of a later one over two pages, none lost or repeated', async () => {
  const c = await admitted('cut');
  await charge(c, 1000000);
  const [early, late] = perfsOf(1);
  const held = [];
  for (const s of freeSeats(late, 3)) held.push(await hold(c, late, [s]));
  for (const p of held) await pay(c, p);
  const lateHolds = held.map((p) => Number(p.split('/').pop()));
  // 52 seats of the earlier show in one payment (an order), bought after
  // the later show's, written in backwards.
  const seats52 = freeSeats(early, 52);
  const payId = stack.sql(`INSERT INTO payment(user_id, amount, created_at) VALUES (${c.uid}, 0, 1700000000) RETURNING id`);
  stack.sql(`INSERT INTO hold(performance_id, seat_id, user_id, state, price, expires_at, created_at, payment_id)
    SELECT ${early}, id, ${c.uid}, 'PAID', 0, 1900000000, 1700000000, ${payId} FROM seat WHERE id IN (${seats52.join(',')}) ORDER BY id DESC;
    INSERT INTO ticket(hold_id, performance_id, code, created_at)
    SELECT h.id, ${early}, printf('%028d', h.id), 1700000000 FROM hold h WHERE h.payment_id = ${payId}`);
  const seatOfHold = new Map(stack.sql(`SELECT id, seat_id FROM hold WHERE user_id = ${c.uid}`).split('\n')
    .map((l) => l.split('|').map(Number)));

  const page1 = await c.get('/bookings');
  const older = /href="(\/bookings\?before=\d+)" rel="next"/.exec(page1.text)?.[1];
  assert.ok(older, 'a link to the rest');
  const page2 = await c.get(older);
  assert.equal(page2.status, 200);
  assert.doesNotMatch(page2.text, /rel="next"/, 'the last page');
  const one = holdIds(page1.text), two = holdIds(page2.text);
  assert.equal(one.length, 50);
  assert.equal(two.length, 5);
  assert.deepEqual(one.map((h) => seatOfHold.get(h)), seats52.slice(0, 50), 'page 1: the next show\'s first 50 seats in hall order');
  assert.deepEqual(two.map((h) => seatOfHold.get(h)), [...seats52.slice(50), ...lateHolds.map((h) => seatOfHold.get(h))],
    'page 2: its last 2, then the later show');
  assert.equal(new Set([...one, ...two]).size, 55);
  // A cursor that is none of the buyer's seats reads nothing.
  const stranger = await c.get(`/bookings?before=${lateHolds[0] + 100000}`);
  assert.equal(stranger.status, 200);
  assert.equal(holdIds(stranger.text).length, 0);
});

test('a paid seat\'s page names its payment as a payment and shows the ticket code the door reads, with the ways to the ticket', async () => {
  const c = await admitted('paid-page');
  await charge(c, 1000000);
  const [perf] = perfsOf(1);
  const path = await hold(c, perf, freeSeats(perf, 1));
  await pay(c, path);
  const id = path.split('/').pop();
  const page = await c.get(path);
  const payment = stack.sql(`SELECT payment_id FROM hold WHERE id = ${id}`);
  const [ticket, code] = stack.sql(`SELECT id, code FROM ticket WHERE hold_id = ${id}`).split('|');
  assert.match(page.text, new RegExp(`<p class="stamp">Paid .+? · payment no\\. ${payment}</p>`));
  assert.doesNotMatch(page.text, /ticket no\./);
  assert.match(page.text, new RegExp(`Ticket code <code>${code.match(/.{4}/g).join('-')}</code>`));
  assert.match(page.text, /<svg[^>]*>.*<\/svg>/s, 'its QR code');
  assert.match(page.text, new RegExp(`href="/tickets/${ticket}">Printable ticket</a>`));
});

test('the wallet names how many seats a payment was for, in each language, and writes one minus sign', async () => {
  const c = await admitted('wallet-words');
  await charge(c, 1000000);
  const [perf] = perfsOf(1);
  const order = await hold(c, perf, freeSeats(perf, 3));
  assert.match(order, /^\/orders\/\d+$/);
  assert.equal((await c.post(`${order}/pay`, { csrf: c.csrf })).status, 303);
  const total = Number(stack.sql(`SELECT amount FROM payment WHERE user_id = ${c.uid}`));
  const money = (n) => `₩${n.toLocaleString('en-US')}`;
  const en = await c.get('/wallet');
  const cells = (html) => [...html.matchAll(/<tr role="row">(.*?)<\/tr>/g)]
    .map((m) => [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1])).filter((r) => r.length);
  const rows = cells(en.text);
  assert.deepEqual(rows.map((r) => r.slice(1, 3)), [
    [`Payment · <a href="${order}">Winter Symphony Gala · 3 tickets</a>`, `−${money(total)}`],
    ['Top-up', '+₩1,000,000'],
  ]);
  assert.doesNotMatch(en.text, /-₩/, 'never a hyphen');
  const ko = await c.get('/wallet', { headers: { 'accept-language': 'ko-KR,ko;q=0.9' } });
  assert.match(ko.text, new RegExp(`<a href="${order}">Winter Symphony Gala · 티켓 3장</a>`));
});

test('the waiting room groups the number of buyers let in at a time, in English and Korean', async () => {
  const t = Math.floor(Date.now() / 1000);
  const concert = stack.admin('add-concert', 'Grouped Night', 'Band', 'Hall').trim();
  // The sale opens in ten minutes: the pre-queue is open, the buyer waits.
  stack.admin('add-performance', concert, `@${t + 30 * 86400}`, `@${t + 600}`, `@${t + 29 * 86400}`, 'GA:A-B:5:10000');
  const c = new Client(stack.base);
  assert.equal((await c.signup(uniqueEmail('grouped'))).status, 303);
  await joinQueue(c, concert);
  const en = await c.get(`/concerts/${concert}/queue`);
  assert.equal(en.status, 200);
  assert.match(en.text, /1,000 buyers shop at a time/);
  const ko = await c.get(`/concerts/${concert}/queue`, { headers: { 'accept-language': 'ko-KR,ko;q=0.9' } });
  assert.match(ko.text, /1,000명/);
  assert.doesNotMatch(ko.text, /1000명/);
});
