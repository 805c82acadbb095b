// admin_live.test.mjs — the operator's live view over real nginx and
// workers: /admin/ (each concert's waiting line, each performance's seats
// sold, held and free, gross, and a chart of sales drawn as SVG by the
// server), the buyer lookup, and /admin/performances/{id}/sales.csv, the
// same bytes as boxoffice-admin report. Only operators: a buyer gets 403
// on each, a visitor is sent to log in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startStack, Client, ROOT } from '../lib/stack.mjs';

const BIN = join(ROOT, 'build', 'boxoffice-admin');
const pid = process.pid;
const OPERATOR = `operator-${pid}@example.com`;
const BUYER = `buyer-${pid}@example.com`;
let stack, op, buyer, perf, code;

async function api(token, method, path, body, queue) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`,
    'idempotency-key': randomBytes(9).toString('base64url') };
  if (queue) headers['x-queue-token'] = queue;
  const res = await fetch(stack.base + path, { method, headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

let buyerApi; // the buyer's bearer and queue token

before(async () => {
  stack = await startStack({ workers: 2 });
  op = new Client(stack.base);
  assert.equal((await op.signup(OPERATOR)).status, 303);
  stack.admin('grant', OPERATOR, 'operator');
  buyer = new Client(stack.base);
  assert.equal((await buyer.signup(BUYER)).status, 303);
  // The buyer pays one seat of the demo's first performance over the API.
  const s = await fetch(stack.base + '/api/v1/sessions', { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: BUYER, password: 'correct horse battery' }) }).then((r) => r.json());
  perf = Number(stack.sql('SELECT min(id) FROM performance'));
  const concert = Number(stack.sql(`SELECT concert_id FROM performance WHERE id = ${perf}`));
  const q = await api(s.token, 'POST', '/api/v1/tokens', { concertId: concert });
  assert.equal(q.status, 201);
  assert.equal((await api(s.token, 'POST', '/api/v1/balance/charge', { amount: 500000 })).status, 200);
  const seat = Number(stack.sql(`SELECT min(id) FROM seat WHERE performance_id = ${perf}`));
  const h = await api(s.token, 'POST', '/api/v1/reservations', { performanceId: perf, seatId: seat }, q.body.token);
  assert.equal(h.status, 201);
  assert.ok([200, 201].includes((await api(s.token, 'POST', '/api/v1/payments', { reservationId: h.body.reservationId }, q.body.token)).status));
  code = stack.sql(`SELECT code FROM ticket WHERE hold_id = ${h.body.reservationId}`).match(/.{4}/g).join('-');
  buyerApi = { token: s.token, queue: q.body.token };
  // The operator (staff too) lets the ticket in at the door.
  const o = await fetch(stack.base + '/api/v1/sessions', { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: OPERATOR, password: 'correct horse battery' }) }).then((r) => r.json());
  const ci = await api(o.token, 'POST', '/api/v1/checkins', { code, performanceId: perf, door: 'North' });
  assert.equal(ci.status, 200, JSON.stringify(ci.body));
});

after(async () => { await stack?.stop(); });

test('only operators see the live view, the buyer lookup and the CSV', async () => {
  for (const path of ['/admin/', `/admin/buyer?email=${BUYER}`, `/admin/performances/${perf}/sales.csv`]) {
    const refused = await buyer.get(path);
    assert.equal(refused.status, 403, `a buyer: ${path}`);
    // Words for people, not a shell command for the public.
    assert.match(refused.text, /for the box office(&#39;|')s operators/);
    assert.doesNotMatch(refused.text, /boxoffice-admin/);
    const visitor = await new Client(stack.base).get(path);
    assert.equal(visitor.status, 303, `a visitor: ${path}`);
    assert.match(visitor.location, /^\/login\?.*next=/);
  }
});

test('/admin/ shows each performance\'s seats, gross, waiting line and a chart of sales', async () => {
  const r = await op.get('/admin/');
  assert.equal(r.status, 200);
  assert.match(r.text, /<h1>The sale, live<\/h1>/);
  assert.match(r.text, /Winter Symphony Gala/);
  // The buyer's turn ended with the payment: nobody shopping, one admitted
  // (in the last 5 minutes), nobody called and not yet in, number 1 served.
  assert.match(r.text, /<strong>0<\/strong> waiting ·\s+<strong>0<\/strong> of 20 shopping ·\s+<strong>0<\/strong> called ·\s+serving number <strong>1<\/strong> ·\s+<strong>0\.2<\/strong> admitted per minute \(last 5 min\)/);
  // The row of the performance that sold one seat of 1,000 at ₩165,000.
  const row = r.text.split('<tr>').find((t) => t.includes(`/admin/performances/${perf}/sales.csv`));
  assert.match(row, /on sale<\/td>\s*<td class="num">1,000<\/td><td class="num">1<\/td>\s*<td class="num">0<\/td><td class="num">999<\/td>\s*<td class="num">₩165,000<\/td><td class="num">1<\/td>\s*<td class="num">0<\/td>/, 'checked in 1, refunded 0');
  assert.match(r.text, /<svg class="chart" viewBox="0 0 480 144" role="img" aria-label="Seats sold over time: 1 of 1,000">/);
  assert.match(r.text, /<polyline class="sold" points="[0-9, ]+"\/>/);
  // The axis starts a minute before the first sale, not at the sale's
  // opening long before: a rush is drawn across the chart, not as one
  // vertical line at its right edge.
  const opened = Number(stack.sql(`SELECT sale_opens_at FROM performance WHERE id = ${perf}`));
  assert.ok(opened < Date.now() / 1000 - 3600, 'the sale opened over an hour ago');
  const left = /<polyline class="sold"[^>]*\/><text x="0" y="\d+">[^<]*(\d\d:\d\d) KST<\/text>/.exec(r.text);
  assert.ok(left, 'the axis has a start label');
  const hhmm = (t) => new Date(t).toLocaleTimeString('en-GB', { timeZone: 'Asia/Seoul', hour: '2-digit', minute: '2-digit' });
  assert.ok([hhmm(Date.now() - 60_000), hhmm(Date.now() - 120_000), hhmm(Date.now() - 180_000)].includes(left[1]),
    `the axis starts a minute before the first sale, not at the opening: ${left[1]}`);
  assert.ok(!/style=/.test(r.text.slice(r.text.indexOf('<svg'))), 'no style attribute (CSP)');
  assert.match(r.text, /<meta http-equiv="refresh" content="30">/);
});

test('the buyer lookup shows tickets with their codes, holds and the ledger', async () => {
  const r = await op.get(`/admin/buyer?email=${encodeURIComponent(BUYER.toUpperCase())}`);
  assert.equal(r.status, 200);
  assert.match(r.text, new RegExp(`<h2>${BUYER}</h2>`));
  assert.match(r.text, /balance <strong>₩335,000<\/strong>/);
  assert.match(r.text, new RegExp(`<code>${code}</code>`));
  // Let in at the North door in before(): said, and no refund offered.
  assert.match(r.text, new RegExp(`<code>${code}</code></td>\\s*<td>Let in <time datetime="[^"]+">[^<]+ KST</time>, door North</td>`));
  assert.match(r.text, /<td>Payment<\/td>\s*<td class="num">−₩165,000<\/td>/, 'the minus sign, as the wallet writes it');
  assert.doesNotMatch(r.text, /-₩/, 'never a hyphen');
  assert.match(r.text, /No holds\./);
  const none = await op.get('/admin/buyer?email=nobody%40example.com');
  assert.equal(none.status, 404);
  assert.match(none.text, /No account has the e-mail address nobody@example.com\./);
  const form = await op.get('/admin/buyer');
  assert.equal(form.status, 200);
});

test('sales.csv is the report boxoffice-admin writes, as a download', async () => {
  const res = await fetch(`${stack.base}/admin/performances/${perf}/sales.csv`, {
    headers: { cookie: op.cookieHeader() } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="performance-${perf}-sales.csv"`);
  const body = Buffer.from(await res.arrayBuffer());
  const cli = spawnSync(BIN, ['--db', stack.db, 'report', String(perf)]).stdout;
  assert.ok(body.equals(cli), 'the same bytes as boxoffice-admin report');
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.match(body.toString('utf8'), new RegExp(`,PAYMENT,${BUYER.replace(/[.]/g, '\\.')},VIP,A,1,165000,165000,PAID,${code}\\r\\n$`));
  assert.equal((await op.get('/admin/performances/99999/sales.csv')).status, 404);
});

test('the buyer lookup offers a refund per ticket, and lists refunded tickets with when', async () => {
  // A second seat, paid and not used (a new turn: the first ended with
  // its payment).
  const concert = Number(stack.sql(`SELECT concert_id FROM performance WHERE id = ${perf}`));
  const turn = await api(buyerApi.token, 'POST', '/api/v1/tokens', { concertId: concert });
  assert.equal(turn.status, 201);
  buyerApi.queue = turn.body.token;
  const seat = Number(stack.sql(`SELECT min(id) + 1 FROM seat WHERE performance_id = ${perf}`));
  const h = await api(buyerApi.token, 'POST', '/api/v1/reservations', { performanceId: perf, seatId: seat }, buyerApi.queue);
  assert.equal(h.status, 201, JSON.stringify(h.body));
  assert.ok([200, 201].includes((await api(buyerApi.token, 'POST', '/api/v1/payments', { reservationId: h.body.reservationId }, buyerApi.queue)).status));
  const canonical = stack.sql(`SELECT code FROM ticket WHERE hold_id = ${h.body.reservationId}`);
  const second = canonical.match(/.{4}/g).join('-');
  let r = await op.get(`/admin/buyer?email=${encodeURIComponent(BUYER)}`);
  assert.match(r.text, new RegExp(`<code>${second}</code></td>\\s*<td>Not yet · <a href="/admin/refund\\?code=${canonical}">Refund…</a></td>`));
  const form = await op.get(`/admin/refund?code=${canonical}`);
  assert.equal(form.status, 200);
  assert.equal((await op.post('/admin/refund', { code: canonical })).status, 303);
  r = await op.get(`/admin/buyer?email=${encodeURIComponent(BUYER)}`);
  const [live, refunded] = r.text.split('<h2>Refunded tickets</h2>');
  assert.ok(refunded, 'a list of refunded tickets');
  assert.doesNotMatch(live, new RegExp(second), 'no longer among the live tickets');
  assert.match(refunded, new RegExp(`<td><time datetime="[^"]+">[^<]+ KST</time></td><td><code>${second}</code></td>`));
});
