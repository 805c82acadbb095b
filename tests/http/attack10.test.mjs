// attack10.test.mjs — issue 10's new surfaces attacked over real HTTP
// (nginx, workers, one SQLite file) and the real expiry binary, as a
// hostile buyer would: another buyer's order and holds, bad seat lists
// and counts, a cancelled date's seats, a lapsed order, pay racing
// release and boxoffice-expire, an order's seats cancelled twice at once,
// a replayed Idempotency-Key, forged list cursors, the language switch's
// return address (and where it leads from a form's answer), garbage
// language headers, and /api/docs' headers. The last test checks what must hold
// after all of it: balance = sum(ledger) for every buyer, no balance
// below zero, no seat in two live holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue, rawRequest, ROOT } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 3, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

const PASSWORD = 'correct horse battery';
const seatsOf = (perf, section, row) => stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf}
  AND section = '${section}' AND row_label = '${row}' ORDER BY id`).split('\n').map(Number);
const holdsOf = (uid) => stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${uid}`);
const ledgerOf = (uid) => stack.sql(`SELECT count(*) || ':' || coalesce(sum(amount), 0) FROM ledger WHERE user_id = ${uid}`);

async function api(method, path, who, body, headers = {}) {
  const h = { authorization: `Bearer ${who.token}`, 'content-type': 'application/json', ...headers };
  if (who.queue) h['x-queue-token'] = who.queue;
  const r = await fetch(stack.base + path, { method, headers: h,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, body: json, text, headers: r.headers };
}
const reserve = (who, body, headers) => api('POST', '/api/v1/reservations', who, body, headers);
const pay = (who, body, headers) => api('POST', '/api/v1/payments', { token: who.token }, body, headers);

// A signed-up buyer admitted to the concert in the browser and over the
// API: c (the browser, with its CSRF token), token, queue, uid.
async function buyer(tag, concert = 1) {
  const c = new Client(stack.base);
  const email = uniqueEmail(tag);
  assert.equal((await c.signup(email)).status, 303);
  const s = await fetch(`${stack.base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }) }).then((r) => r.json());
  const who = { c, email, token: s.token, uid: s.userId };
  const t = await api('POST', '/api/v1/tokens', who, { concertId: concert });
  assert.equal(t.body.state, 'active');
  who.queue = t.body.token;
  await joinQueue(c, concert);
  c.csrf = csrfOf((await c.get('/wallet')).text);
  return who;
}
async function charge(who, amount) {
  const key = /name="key" value="([^"]+)"/.exec((await who.c.get('/wallet')).text)[1];
  assert.equal((await who.c.post('/wallet/charge', { amount: String(amount), key, csrf: who.c.csrf })).status, 303);
}
const postForm = (c, path, pairs) => c.request('POST', path, { body: new URLSearchParams(pairs).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const expire = (now) => new Promise((resolve) => execFile(join(ROOT, 'build', 'boxoffice-expire'),
  ['--db', stack.db, ...(now ? ['--now', String(now)] : [])], (err) => resolve(err ? err.code : 0)));

test('another buyer\'s order and holds: view, pay, release and the API get nothing and change nothing', async () => {
  const a = await buyer('owner'), b = await buyer('thief');
  await charge(a, 500000);
  await charge(b, 500000);
  const o = await reserve(a, { performanceId: 1, seatIds: seatsOf(1, 'R', 'A').slice(0, 3) });
  assert.equal(o.status, 201);
  const ids = o.body.reservations.map((x) => x.reservationId);
  const order = `/orders/${o.body.orderId}`;
  const before = stack.sql(`SELECT group_concat(state) FROM hold WHERE order_id = ${o.body.orderId}`);

  const view = await b.c.get(order);
  assert.ok([403, 404].includes(view.status), `view: ${view.status}`);
  assert.doesNotMatch(view.text, /Row A/, 'nothing of the order is shown');
  for (const [path, fields] of [[`${order}/pay`, {}], [`${order}/release`, {}], [`${order}/release`, { hold: ids[0] }],
    [`/holds/${ids[0]}/pay`, {}], [`/holds/${ids[0]}/release`, {}]]) {
    const r = await b.c.post(path, { ...fields, csrf: b.c.csrf });
    assert.ok([403, 404].includes(r.status), `${path}: ${r.status}`);
  }
  for (const body of [{ reservationIds: ids }, { reservationId: ids[0] }, { reservationIds: [ids[0], 999999] }]) {
    const r = await pay(b, body);
    assert.ok([403, 404].includes(r.status), `${JSON.stringify(body)}: ${r.status}`);
  }
  assert.ok([403, 404].includes((await api('GET', `/api/v1/reservations/${ids[0]}`, b)).status));
  // the owner's seat smuggled into the thief's own order's release form
  const mine = await reserve(b, { performanceId: 1, seatIds: seatsOf(1, 'R', 'B').slice(0, 2) });
  assert.equal(mine.status, 201);
  assert.equal((await b.c.post(`/orders/${mine.body.orderId}/release`, { hold: ids[1], csrf: b.c.csrf })).status, 400);
  // ids that are no orders
  for (const id of ['0', '-1', '999999', '99999999999999999999', '1x'])
    assert.equal((await b.c.get(`/orders/${id}`)).status, 404, id);

  assert.equal(stack.sql(`SELECT group_concat(state) FROM hold WHERE order_id = ${o.body.orderId}`), before);
  assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE user_id = ${b.uid}`), '0');
  assert.equal(ledgerOf(b.uid), '1:500000', 'the thief paid nothing');
  assert.equal(ledgerOf(a.uid), '1:500000', 'the owner was charged nothing');
});

test('bad seat lists and counts are a clear 4xx and hold nothing', async () => {
  const a = await buyer('lists');
  const R = seatsOf(1, 'S', 'A'), other = seatsOf(2, 'S', 'A');
  const cases = [
    [{ performanceId: 1, seatIds: [R[0], R[0]] }, 422, 'invalid_field'],
    [{ performanceId: 1, seatIds: [] }, 422, 'invalid_field'],
    [{ performanceId: 1, seatIds: [-R[0]] }, 422, 'invalid_field'],
    [{ performanceId: 1, seatIds: [0] }, 422, 'invalid_field'],
    [{ performanceId: 1, seatIds: [R[0] + 0.5] }, 422, 'invalid_field'],
    [{ performanceId: 1, seatIds: String(R[0]) }, 422, 'invalid_field'],
    [{ performanceId: 1, seatIds: R.slice(0, 5) }, 409, 'hold_limit'], // max_holds is 4
    [{ performanceId: 1, seatIds: [...R, ...seatsOf(1, 'S', 'B').slice(0, 9)] }, 422, 'invalid_field'], // 39
    [{ performanceId: 1, seatIds: [R[0], other[0]] }, 404, 'seat_not_found'],
    [{ performanceId: 1, seatIds: [R[0], 99999999] }, 404, 'seat_not_found'],
    [{ performanceId: 1, seatIds: [R[0]], seatId: R[1] }, 422, 'invalid_field'],
    [{ performanceId: 1, section: 'S', count: 0 }, 422, 'invalid_field'],
    [{ performanceId: 1, section: 'S', count: -2 }, 422, 'invalid_field'],
    [{ performanceId: 1, section: 'S', count: 1e15 }, 422, 'invalid_field'],
    [{ performanceId: 1, section: 'S', count: 5 }, 409, 'hold_limit'],
    [{ performanceId: 1, section: 'S', count: '2' }, 422, 'invalid_field'],
    [{ performanceId: 1, section: 'S', count: 2.5 }, 422, 'invalid_field'],
    [{ performanceId: 1, section: 'Nowhere', count: 2 }, 404, 'section_not_found'],
    [{ performanceId: 1, section: '', count: 2 }, 404, 'section_not_found'],
    [{ performanceId: 999, section: 'S', count: 2 }, 404, 'not_found'],
  ];
  for (const [body, status, code] of cases) {
    const r = await reserve(a, body);
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.body.error.code, code, JSON.stringify(body));
  }
  // a row shorter than the count: Floor rows have ten seats
  const floor = await buyer('floor', 2);
  stack.admin('set', 'max_holds', '20');
  try {
    const r = await reserve(floor, { performanceId: 4, section: 'Floor', count: 11 });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'no_adjacent_seats');
  } finally {
    stack.admin('set', 'max_holds', '4');
  }
  // the forms: the same refusals
  const seatForm = (pairs) => postForm(a.c, '/performances/1/holds', [...pairs, ['csrf', a.c.csrf]]);
  assert.equal((await seatForm([['seat', R[0]], ['seat', other[0]]])).status, 404);
  // over max_holds: the map again (a GET), saying why (flowfix: 303)
  const over = await seatForm(R.slice(0, 5).map((s) => ['seat', s]));
  assert.equal(over.status, 303);
  assert.match(over.location, /^\/performances\/1\?.*refused=limit/);
  assert.equal((await seatForm([['seat', 'x']])).status, 400);
  for (const count of ['0', '-1', '39', '10abc', '99999999999999999999', ''])
    assert.equal((await a.c.post('/performances/1/best', { section: 'S', count, csrf: a.c.csrf })).status, 400, count);
  assert.equal((await a.c.post('/performances/1/best', { section: 'Nowhere', count: '2', csrf: a.c.csrf })).status, 404);
  assert.equal(holdsOf(a.uid), '0');
  assert.equal(holdsOf(floor.uid), '0');
});

test('a cancelled date\'s seats: an order or best available says the sale is over, not that a seat is taken', async () => {
  const a = await buyer('cancelled', 3); // concert 3: this test cancels its first date, 5
  const seats = seatsOf(5, 'Orchestra', 'A');
  stack.sql('UPDATE performance SET cancelled_at = unixepoch() WHERE id = 5');
  for (const body of [{ performanceId: 5, seatIds: seats.slice(0, 2) }, { performanceId: 5, section: 'Orchestra', count: 2 },
    { performanceId: 5, seatId: seats[3] }]) {
    const r = await reserve(a, body);
    assert.equal(r.status, 410, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.body.error.code, 'sale_closed');
  }
  const form = await postForm(a.c, '/performances/5/holds', [['seat', seats[5]], ['seat', seats[6]], ['csrf', a.c.csrf]]);
  assert.equal(form.status, 410);
  assert.doesNotMatch(form.text, /took some of these seats/);
  const best = await a.c.post('/performances/5/best', { section: 'Orchestra', count: '2', csrf: a.c.csrf });
  assert.equal(best.status, 410);
  assert.doesNotMatch(best.text, /side by side/);
  assert.equal(holdsOf(a.uid), '0');
});

test('a lapsed order is not paid, and nothing is charged', async () => {
  const a = await buyer('lapsed', 3);
  await charge(a, 500000);
  const o = await reserve(a, { performanceId: 6, seatIds: seatsOf(6, 'Mezzanine', 'A').slice(0, 2) });
  assert.equal(o.status, 201);
  const ids = o.body.reservations.map((x) => x.reservationId);
  const ledger = ledgerOf(a.uid);
  // the deadline passes (the schema lets it move earlier, never later)
  stack.sql(`UPDATE hold SET expires_at = unixepoch() - 1 WHERE order_id = ${o.body.orderId}`);
  const r = await pay(a, { reservationIds: ids });
  assert.equal(r.status, 410);
  assert.equal(r.body.error.code, 'reservation_expired');
  const page = await a.c.post(`/orders/${o.body.orderId}/pay`, { csrf: a.c.csrf });
  assert.equal(page.status, 410);
  assert.equal(ledgerOf(a.uid), ledger);
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE order_id = ${o.body.orderId} AND state = 'PAID'`), '0');
});

test('pay racing release, and pay racing boxoffice-expire: every order is paid whole with one debit, or not at all', async () => {
  const orders = [];
  for (const row of ['B', 'C', 'D', 'E', 'F']) {
    // a buyer per row (paying ends the queue turn): two orders of two seats
    const a = await buyer(`racer-${row}`, 3);
    await charge(a, 1000000);
    const made = [];
    for (const seats of [seatsOf(6, 'Orchestra', row).slice(0, 2), seatsOf(6, 'Orchestra', row).slice(2, 4)]) {
      const o = await reserve(a, { performanceId: 6, seatIds: seats });
      assert.equal(o.status, 201, o.text);
      made.push(o.body);
    }
    orders.push(...made);
    // the first: the page's pay against the page's release of all; the
    // second: the API's pay against expire run as if its deadline had passed
    const answers = await Promise.all([
      a.c.post(`/orders/${made[0].orderId}/pay`, { csrf: a.c.csrf }).then((r) => r.status),
      a.c.post(`/orders/${made[0].orderId}/release`, { csrf: a.c.csrf }).then((r) => r.status),
      pay(a, { reservationIds: made[1].reservations.map((h) => h.reservationId) }).then((r) => r.status),
      expire(Math.floor(Date.now() / 1000) + 3600),
    ]);
    for (const s of answers.slice(0, 3)) assert.ok([201, 303, 410].includes(s), `answers ${answers}`);
    assert.equal(answers[3], 0, 'boxoffice-expire ran');
    assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${a.uid} AND kind = 'PAYMENT'`),
      stack.sql(`SELECT count(*) FROM payment WHERE user_id = ${a.uid}`), 'a debit per payment');
  }
  for (const o of orders) {
    const states = stack.sql(`SELECT group_concat(DISTINCT state) FROM hold WHERE order_id = ${o.orderId}`);
    const payments = stack.sql(`SELECT count(DISTINCT payment_id) FROM hold WHERE order_id = ${o.orderId} AND payment_id IS NOT NULL`);
    if (states === 'PAID') {
      assert.equal(payments, '1', `order ${o.orderId}: one payment`);
      assert.equal(stack.sql(`SELECT l.amount FROM ledger l JOIN hold h ON h.payment_id = l.payment_id
        WHERE h.order_id = ${o.orderId} AND l.kind = 'PAYMENT' GROUP BY l.id`), String(-o.total), 'one debit of the total');
    } else {
      assert.ok(['RELEASED', 'EXPIRED'].includes(states), `order ${o.orderId}: ${states}`);
      assert.equal(payments, '0');
    }
  }
});

test('an order paid at once, its seats cancelled twice each at once: each refunded once, the whole price back, no more', async () => {
  const a = await buyer('cancel-order', 3);
  await charge(a, 500000);
  const o = await reserve(a, { performanceId: 6, seatIds: seatsOf(6, 'Mezzanine', 'E').slice(0, 3) });
  assert.equal(o.status, 201);
  const ids = o.body.reservations.map((x) => x.reservationId);
  assert.equal((await pay(a, { reservationIds: ids })).status, 201);
  const balance = () => Number(stack.sql(`SELECT balance FROM user WHERE id = ${a.uid}`));
  assert.equal(balance(), 500000 - o.body.total);
  const answers = await Promise.all(ids.flatMap((h) => [1, 2].map(() =>
    a.c.post(`/holds/${h}/cancel`, { csrf: a.c.csrf }).then((r) => r.status))));
  assert.equal(answers.filter((s) => s === 303).length, 3, `answers ${answers}`);
  for (const s of answers) assert.ok([303, 410].includes(s), `answers ${answers}`);
  assert.equal(balance(), 500000, 'the whole price back, once');
  assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${a.uid} AND kind = 'REFUND'`), '3');
  // paying them again is refused: they are no longer held
  assert.equal((await pay(a, { reservationIds: ids })).status, 410);
  assert.equal(balance(), 500000);
});

test('an Idempotency-Key replayed with another body is refused and changes nothing', async () => {
  const a = await buyer('idem', 3);
  await charge(a, 500000);
  const k = { 'idempotency-key': 'attack10-key' };
  const seats = seatsOf(6, 'Mezzanine', 'B');
  const first = await reserve(a, { performanceId: 6, seatIds: seats.slice(0, 2) }, k);
  assert.equal(first.status, 201);
  const again = await reserve(a, { performanceId: 6, seatIds: seats.slice(0, 2) }, k);
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.body.orderId, first.body.orderId, 'the replay answers the same order');
  const other = await reserve(a, { performanceId: 6, seatIds: seats.slice(2, 4) }, k);
  assert.equal(other.status, 422);
  assert.equal(other.body.error.code, 'idempotency_key_reused');
  const ids = first.body.reservations.map((x) => x.reservationId);
  const onPay = await pay(a, { reservationIds: ids }, k);
  assert.equal(onPay.status, 422, 'the same key on another call');
  const k2 = { 'idempotency-key': 'attack10-pay' };
  assert.equal((await pay(a, { reservationIds: ids }, k2)).status, 201);
  const swapped = await pay(a, { reservationIds: [ids[1], ids[0]] }, k2);
  assert.equal(swapped.status, 422);
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${a.uid}`), '2');
  assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${a.uid} AND kind = 'PAYMENT'`), '1');
});

test('forged, garbage and foreign cursors: a 400 that says so, and never another buyer\'s rows', async () => {
  const a = await buyer('pages-a', 2), b = await buyer('pages-b', 2);
  await charge(a, 500000);
  await charge(b, 500000);
  for (const who of [a, b]) {
    const o = await reserve(who, { performanceId: 3, section: 'Floor', count: 2 });
    assert.equal(o.status, 201, o.text);
    assert.equal((await pay(who, { reservationIds: o.body.reservations.map((x) => x.reservationId) })).status, 201);
  }
  for (const q of ['cursor=abc', 'cursor=-1', 'cursor=0', 'cursor=99999999999999999999', 'cursor=', 'cursor=1.5',
    'limit=0', 'limit=201', 'limit=10abc', 'limit=', 'limit=-5', 'limit=1e2', 'limit=%2B5', 'limit=05'])
    for (const path of ['/api/v1/bookings', '/api/v1/balance/history']) {
      const r = await api('GET', `${path}?${q}`, a);
      assert.equal(r.status, 400, `${path}?${q}`);
      assert.match(r.body.error.code, /^invalid_(cursor|limit)$/);
    }
  for (const q of ['before=abc', 'before=-1', 'before=0', 'before=99999999999999999999', 'before=', 'before=1%00'])
    for (const path of ['/wallet', '/bookings'])
      assert.equal((await a.c.get(`${path}?${q}`)).status, 400, `${path}?${q}`);
  // b's rows and cursors walked from a's session: only a's own rows, ever
  const bHolds = stack.sql(`SELECT id FROM hold WHERE user_id = ${b.uid}`).split('\n');
  const bLedger = stack.sql(`SELECT id FROM ledger WHERE user_id = ${b.uid}`).split('\n');
  const huge = '9223372036854775807';
  for (const cursor of [...bHolds, ...bLedger, huge]) {
    for (const limit of ['1', '200']) {
      const bk = await api('GET', `/api/v1/bookings?limit=${limit}&cursor=${cursor}`, a);
      assert.equal(bk.status, 200);
      for (const x of bk.body.bookings) assert.ok(!bHolds.includes(String(x.reservationId)), `cursor ${cursor} leaked b's booking`);
      const hist = await api('GET', `/api/v1/balance/history?limit=${limit}&cursor=${cursor}`, a);
      assert.equal(hist.status, 200);
      assert.ok(!hist.text.includes(b.email));
      const page = await a.c.get(`/bookings?before=${cursor}`);
      assert.equal(page.status, 200);
    }
  }
  const all = await api('GET', '/api/v1/balance/history?limit=200', a);
  const mine = stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${a.uid}`);
  assert.equal(String(all.body.history.length), mine);
  assert.ok(all.body.history.every((e) => bLedger.indexOf(String(e.id)) < 0), "none of b's entries");
});

test('the language switch leads only to this site, and garbage language headers get an English page', async () => {
  const evil = ['//evil.example', '/\\evil.example', '\\\\evil.example', '/%5Cevil.example', 'javascript:alert(1)',
    'https://evil.example/', 'http:/evil.example', '/%2F%2Fevil.example', '/%2fevil.example', '/\t/evil.example',
    ' /x', '/x\r\nSet-Cookie: bo_session=x', '/%0D%0ASet-Cookie:%20x=1', '/%09/evil', 'data:text/html,x',
    '/' + 'a'.repeat(2100), '/%E0%A4%A'];
  for (const next of evil) {
    const r = await fetch(`${stack.base}/lang?to=ko&next=${encodeURIComponent(next)}`, { redirect: 'manual' });
    assert.equal(r.status, 303, JSON.stringify(next));
    assert.equal(r.headers.get('location'), '/', JSON.stringify(next));
  }
  const ok = await fetch(`${stack.base}/lang?to=ko&next=${encodeURIComponent('/concerts/1?x=1')}`, { redirect: 'manual' });
  assert.equal(ok.headers.get('location'), '/concerts/1?x=1');
  // raw CR LF in the query, never decoded into a header
  const raw = await rawRequest(stack.port, 'GET /lang?to=ko&next=/%0d%0aX-Evil:%201 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    { halfClose: false });
  assert.match(raw, /^HTTP\/1\.1 303/);
  assert.doesNotMatch(raw, /\r\nX-Evil/i);
  for (const to of ['xx', 'ko\r\nX: 1', '', 'k%C3o', 'ko;', '../ko', 'en-'.repeat(20)]) {
    const r = await fetch(`${stack.base}/lang?to=${encodeURIComponent(to)}&next=/`, { redirect: 'manual' });
    assert.equal(r.status, 400, JSON.stringify(to));
    assert.doesNotMatch(r.headers.get('set-cookie') || '', /bo_lang/);
  }
  for (const al of ['x'.repeat(6000), 'ko;q=abc', 'ko;q=0', ',,,;;;', '-', '*', ';q=1', 'k', 'q=1,ko;q=0.0'])
    for (const path of ['/', '/concerts/1']) {
      const r = await fetch(stack.base + path, { headers: { 'accept-language': al } });
      assert.equal(r.status, 200, JSON.stringify(al));
      assert.equal(r.headers.get('content-language'), 'en', JSON.stringify(al));
      await r.arrayBuffer();
    }
  // bytes that are no UTF-8, a cookie with no language, a huge one
  for (const [cookie, accept] of [['bo_lang=\xc3\x28', '\xff\xfe\x80ko'], ['bo_lang=' + 'k'.repeat(6000), ''],
    ['bo_lang=../../etc/passwd', 'ko'], ['bo_lang=', '\xc0\xaf']]) {
    const res = await rawRequest(stack.port, `GET / HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n` +
      (accept ? `Accept-Language: ${accept}\r\n` : '') + 'Connection: close\r\n\r\n', { halfClose: false });
    assert.match(res, /^HTTP\/1\.1 200/, JSON.stringify(cookie));
    assert.match(res, new RegExp(`\r\nContent-Language: ${accept === 'ko' ? 'ko' : 'en'}\r\n`), JSON.stringify(cookie));
  }
});

test('the language switch on a page a form answered leads back to a page, not to a form\'s address', async () => {
  const a = await buyer('switch-after-post', 3);
  const other = await buyer('switch-taker', 3);
  const seats = seatsOf(6, 'Mezzanine', 'D');
  assert.equal((await reserve(other, { performanceId: 6, seatId: seats[1] })).status, 201);
  const o = await reserve(a, { performanceId: 6, seatIds: seats.slice(2, 4) });
  assert.equal(o.status, 201);
  const langLink = (html) => /<a href="(\/lang\?to=ko&amp;next=[^"]*)"/.exec(html)?.[1].replace(/&amp;/g, '&');
  const follow = async (page, want) => {
    const link = langLink(page.text);
    assert.ok(link, 'the page has the switch');
    const r = await a.c.get(link);
    assert.equal(r.status, 303);
    assert.equal(r.location, want, link);
    const back = await a.c.get(r.location);
    assert.equal(back.status, 200, `${r.location}: ${back.status}`);
    assert.equal(back.headers.get('content-language'), 'ko');
    a.c.cookies.delete('bo_lang');
  };
  // a seat just taken: the seat map again, from POST /performances/6/holds
  // (flowfix: a refused hold answers 303 to the map, a GET, whose switch
  // leads back to the same map)
  const refused = await postForm(a.c, '/performances/6/holds', [['seat', seats[0]], ['seat', seats[1]], ['csrf', a.c.csrf]]);
  assert.equal(refused.status, 303);
  assert.match(refused.location, /^\/performances\/6\?.*refused=taken/);
  const taken = await a.c.get(refused.location);
  assert.equal(taken.status, 200);
  await follow(taken, refused.location);
  // no adjacent seats: the map again, from POST /performances/6/best
  const best = await a.c.post('/performances/6/best', { section: 'Mezzanine', count: '17', csrf: a.c.csrf });
  assert.ok([303, 400].includes(best.status), String(best.status)); // 303: the map again (flowfix)
  // a short balance: the order's pay answer, from POST /orders/N/pay
  const short = await a.c.post(`/orders/${o.body.orderId}/pay`, { csrf: a.c.csrf });
  assert.equal(short.status, 402);
  await follow(short, `/orders/${o.body.orderId}`);
  // the wallet's form answered with an error, from POST /wallet/charge
  const bad = await a.c.post('/wallet/charge', { amount: 'lots', key: 'attack10-charge', csrf: a.c.csrf });
  assert.ok(bad.status >= 400 && bad.status < 500, String(bad.status));
  await follow(bad, '/wallet');
  // a form whose address is also a page keeps it: the sign-up form's error
  const fresh = new Client(stack.base);
  await fresh.get('/signup');
  const signup = await fresh.post('/signup', { email: 'not-an-address', password: 'x' });
  assert.ok(signup.status >= 400);
  const link = langLink(signup.text);
  assert.equal(decodeURIComponent(link.split('next=')[1]), '/signup');
});

test('/api/docs: its CSP allows no inline or foreign script, and a page of the site never gets it', async () => {
  const csp = (res) => res.headers.get('content-security-policy') || '';
  for (const path of ['/api/docs/', '/api/docs/index.html', '/api/docs/nothing', '/api/docs', '/api/docs/../docs/']) {
    const r = await fetch(stack.base + path, { redirect: 'manual' });
    await r.arrayBuffer();
    assert.match(csp(r), /script-src 'self';/, path);
    assert.doesNotMatch(csp(r), /unsafe-eval|script-src[^;]*unsafe-inline|\*/, path);
    assert.match(csp(r), /frame-ancestors 'none'/, path);
    assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
  }
  // the API itself keeps the site's CSP
  for (const path of ['/api/v1/concerts', '/api/v1/openapi.json', '/api/v1/reservations/1']) {
    const r = await fetch(stack.base + path);
    await r.arrayBuffer();
    assert.match(csp(r), /style-src 'self';/, path);
  }
  // the folder's neighbours are not reachable through it
  for (const path of ['/api/docs../openapi.json', '/api/docs../index.html', '/api/docs%2F..%2F..%2Fopenapi.json'])
    assert.notEqual((await fetch(stack.base + path)).status, 200, path);
});

test('after all of it: balance = sum(ledger) for every buyer, none below zero, no seat in two live holds', () => {
  assert.equal(stack.sql(`SELECT count(*) FROM user u WHERE u.balance <>
    (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.user_id = u.id)`), '0');
  assert.equal(stack.sql('SELECT count(*) FROM user WHERE balance < 0'), '0');
  assert.equal(stack.sql(`SELECT count(*) FROM (SELECT seat_id FROM hold
    WHERE state = 'PAID' OR (state = 'HELD' AND expires_at > unixepoch()) GROUP BY seat_id HAVING count(*) > 1)`), '0');
  assert.equal(stack.sql(`SELECT count(*) FROM hold h JOIN hold_order o ON o.id = h.order_id
    WHERE h.user_id <> o.user_id OR h.performance_id <> o.performance_id`), '0');
  assert.equal(stack.sql('PRAGMA integrity_check'), 'ok');
});
