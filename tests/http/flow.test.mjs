// flow.test.mjs — the buyer's seat → hold → order flow as review 10 walked
// it, over real HTTP (nginx + workers + one SQLite file): best available
// and seats picked by hand make one order with one deadline and one
// payment (item 3); a refused hold answers with a GET address, so the
// language switch and reload work (item 4), and says so once (item 21).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 2, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

const seatsOf = (perf, section, row) => stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf}
  AND section = '${section}' AND row_label = '${row}' ORDER BY id`).split('\n').map(Number);

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
const form = (pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const postForm = (c, path, pairs) => c.request('POST', path, { body: form(pairs),
  headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const orders = (c) => stack.sql(`SELECT count(DISTINCT order_id) FROM hold WHERE user_id = ${c.uid}`);

test('best available, then a seat picked by hand: one order, one deadline, one payment', async () => {
  const c = await admitted('best-then-pick');
  const best = await c.post('/performances/1/best', { section: 'Balcony', count: '2', csrf: c.csrf });
  assert.equal(best.status, 303, best.text.slice(0, 300));
  assert.match(best.location, /^\/orders\/\d+$/);
  const deadline = stack.sql(`SELECT expires_at FROM hold_order WHERE id = ${best.location.split('/').pop()}`);

  // The map says a pick joins the seats held, and by when.
  const free = seatsOf(1, 'S', 'D')[4];
  const map = await c.get(`/performances/1?add=${free}`);
  assert.match(map.text, /Add this seat to your seats/);
  const held = await postForm(c, '/performances/1/holds', [['seat', free], ['csrf', c.csrf]]);
  assert.equal(held.status, 303);
  assert.equal(held.location, best.location, 'the same order');
  assert.equal(orders(c), '1');
  assert.equal(stack.sql(`SELECT count(DISTINCT expires_at) FROM hold WHERE user_id = ${c.uid}`), '1', 'one deadline');
  assert.equal(stack.sql(`SELECT expires_at FROM hold WHERE user_id = ${c.uid} AND seat_id = ${free}`), deadline,
    'the first deadline, not extended');

  const order = await c.get(best.location);
  assert.match(order.text, /<h1>3 seats<\/h1>/);
  assert.equal((await charge(c, 1000000)).status, 303);
  assert.equal((await c.post(`${best.location}/pay`, { csrf: c.csrf })).status, 303);
  assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE user_id = ${c.uid}`), '1', 'one payment');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${c.uid} AND state = 'PAID'`), '3');
});

test('seats picked by hand, then best available: the best seats join that order', async () => {
  const c = await admitted('pick-then-best');
  const [a, b] = seatsOf(1, 'R', 'E');
  const held = await postForm(c, '/performances/1/holds', [['seat', a], ['seat', b], ['csrf', c.csrf]]);
  assert.match(held.location, /^\/orders\/\d+$/);
  const best = await c.post('/performances/1/best', { section: 'VIP', count: '2', csrf: c.csrf });
  assert.equal(best.status, 303);
  assert.equal(best.location, held.location, 'the same order');
  assert.equal(orders(c), '1');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${c.uid} AND state = 'HELD'`), '4');
  // max_holds (4) still counts every seat of the date
  const more = await c.post('/performances/1/best', { section: 'VIP', count: '1', csrf: c.csrf });
  assert.equal(more.status, 303);
  assert.equal(more.location, '/performances/1?refused=best-limit');
  assert.match((await c.get(more.location)).text, /That would be more seats than allowed for this date: ask for fewer/);
});

test('a refused hold: the map at a GET address, the taken seat named once, the language switch works', async () => {
  const c = await admitted('refused');
  const other = await admitted('faster');
  const [s1, s2, s3] = seatsOf(1, 'S', 'F');
  assert.equal((await other.post('/performances/1/holds', { seat: String(s2), csrf: other.csrf })).status, 303);

  const refusal = await postForm(c, '/performances/1/holds', [['seat', s1], ['seat', s2], ['seat', s3], ['csrf', c.csrf]]);
  assert.equal(refusal.status, 303);
  assert.equal(refusal.location, `/performances/1?seat=${s1}&seat=${s3}&taken=${s2}&refused=taken`);
  const page = await c.get(refusal.location);
  assert.equal(page.status, 200);
  assert.equal((page.text.match(/role="alert"/g) || []).length, 1, 'one message, the specific one');
  assert.match(page.text, /Someone just took S · Row F · Seat 2, so none was held/);
  for (const s of [s1, s3]) assert.match(page.text, new RegExp(`value="${s}" aria-pressed="true"`), 'the others still picked');

  // A single seat taken: the same, said once.
  const single = await c.post('/performances/1/holds', { seat: String(s2), csrf: c.csrf });
  assert.equal(single.location, `/performances/1?taken=${s2}&refused=taken`);
  const one = await c.get(single.location);
  assert.equal((one.text.match(/role="alert"/g) || []).length, 1);
  assert.match(one.text, /Someone just took this seat \(S · Row F · Seat 2\) — pick another/);

  // The language switch of that page leads back to it, in Korean.
  const href = /<a href="(\/lang\?to=ko&amp;next=[^"]+)"/.exec(page.text)[1].replaceAll('&amp;', '&');
  const sw = await c.get(href);
  assert.equal(sw.status, 303);
  assert.equal(sw.location, refusal.location);
  const ko = await c.get(sw.location);
  assert.equal(ko.status, 200);
  assert.match(ko.text, /<html lang="ko"/);
  assert.match(ko.text, /S · 열 F · 좌석 2|S · F열 2번|다른 분이/);

  // A reason that is not ours is refused.
  assert.equal((await c.get('/performances/1?refused=nonsense')).status, 400);
  assert.equal((await c.get('/performances/1?taken=abc&refused=taken')).status, 400);
});

test('the order page: its heading counts the seats held, Pay comes before any Release', async () => {
  const c = await admitted('order-page');
  const [a, b, d] = seatsOf(1, 'S', 'G');
  const held = await postForm(c, '/performances/1/holds', [['seat', a], ['seat', b], ['seat', d], ['csrf', c.csrf]]);
  assert.match(held.location, /^\/orders\/\d+$/);
  const hid = stack.sql(`SELECT id FROM hold WHERE user_id = ${c.uid} AND seat_id = ${d}`);
  assert.equal((await c.post(`${held.location}/release`, { hold: hid, csrf: c.csrf })).status, 303);
  assert.equal((await charge(c, 1000000)).status, 303);
  const page = await c.get(held.location);
  assert.match(page.text, /<h1>2 seats<\/h1>/, 'the released seat is not counted');
  assert.match(page.text, /<title>Your seats/);
  const pay = page.text.indexOf(`action="${held.location}/pay"`);
  const release = page.text.indexOf(`action="${held.location}/release"`);
  assert.ok(pay > 0 && release > pay, 'Pay first in the page, the releases after it');
  assert.match(page.text, /<details class="release">\s*<summary>Give back seats<\/summary>/, 'folded away: secondary');
  assert.match(page.text, /Release S · Row G · Seat 1</);
  assert.equal((await c.post(`${held.location}/pay`, { csrf: c.csrf })).status, 303);
  const paid = await c.get(held.location);
  assert.match(paid.text, /<h1>2 seats<\/h1>/);
});

test('best available looks like a control: its count is "Number of seats", its sections say their prices', async () => {
  const c = await admitted('best-looks');
  const page = await c.get('/performances/1');
  const form = /<details class="card best">[\s\S]*?<\/details>/.exec(page.text)[0];
  assert.match(form, /<label>Number of seats <input type="number" name="count"/);
  assert.match(form, /<option value="VIP">VIP · ₩\d{1,3}(,\d{3})*<\/option>/);
  assert.match(form, /<option value="Balcony">Balcony · ₩/);
  const css = await (await fetch(`${stack.base}/static/style.css`)).text();
  assert.match(css, /\.best summary::before[^{]*\{ content: "▸"/, 'a disclosure triangle of its own');
  c.cookies.set('bo_lang', 'ko');
  const ko = await c.get('/performances/1');
  assert.match(ko.text, /<label>좌석 수 <input type="number" name="count"/);
});

test('the concert page lists the seats held unpaid; leaving asks first, naming them', async () => {
  const c = await admitted('leave-asks');
  const [a, b] = seatsOf(1, 'S', 'H');
  const held = await postForm(c, '/performances/1/holds', [['seat', a], ['seat', b], ['csrf', c.csrf]]);
  assert.match(held.location, /^\/orders\/\d+$/);
  const page = await c.get('/concerts/1');
  const list = /<section class="card myholds" id="unpaid">[\s\S]*?<\/section>/.exec(page.text)?.[0];
  assert.ok(list, 'the held seats are on the concert page');
  assert.match(list, /<h2>Seats waiting for payment<\/h2>/);
  assert.match(list, /S · Row H · Seat 1 · ₩99,000 · pay by <time datetime="[^"]+">\d\d:\d\d(:\d\d)? [A-Z]+<\/time> · <a href="\/orders\/\d+">Pay/);
  assert.match(list, /S · Row H · Seat 2 /);
  assert.doesNotMatch(page.text, /I am done/, 'nothing is paid: not "done buying"');
  assert.doesNotMatch(page.text, /action="\/concerts\/1\/queue\/leave"/, 'no one-tap leave while seats are held');

  // A leave posted without the confirmation changes nothing and asks.
  const oneTap = await c.post('/concerts/1/queue/leave', { csrf: c.csrf });
  assert.equal(oneTap.status, 303);
  assert.equal(oneTap.location, '/concerts/1/queue/leave');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${c.uid} AND state = 'HELD'`), '2');
  const confirm = await c.get(oneTap.location);
  assert.equal(confirm.status, 200);
  assert.match(confirm.text, /<h1>Leave the queue and release 2 seats\?<\/h1>/);
  assert.match(confirm.text, /S · Row H · Seat 1/);
  assert.match(confirm.text, /S · Row H · Seat 2/);
  assert.match(confirm.text, /Keep my seats and pay/);
  const left = await c.post('/concerts/1/queue/leave', { csrf: csrfOf(confirm.text), confirm: '1' });
  assert.equal(left.location, '/concerts/1');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${c.uid} AND state = 'HELD'`), '0');
  assert.doesNotMatch((await c.get('/concerts/1')).text, /Seats waiting for payment/);
});
