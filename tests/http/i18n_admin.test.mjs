// i18n_admin.test.mjs — the staff's and the operator's pages in Korean
// (issue 10, item 7) over real HTTP: an operator who chose Korean walks
// every page of /admin/ and /door with data in every panel (a sale, a
// waiting line, check-ins, refunds, a cancelled performance), every
// answer of the door, the refund form from box to done, the printable
// ticket, the error pages and the notices; no English may be left on any
// of them: no sentence of the catalog, and no English word at all but the
// catalogue's own names, e-mails, ticket codes and "KST", "QR", "CSV".
//
// The staff's and operator's GET routes are read from the router's table
// (cgi-bin/router.c: RF_STAFF, RF_OPERATOR), so that a new page there
// without a walk in Korean makes this test fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue, ROOT } from '../lib/stack.mjs';
import { KoreanClient, englishLeft } from '../lib/korean.mjs';

const PASSWORD = 'correct horse battery';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let stack;
before(async () => {
  stack = await startStack({ workers: 2, settings: { queue_capacity: 2, max_holds: 20 } });
});
after(async () => { await stack?.stop(); });

// ---- the routes to walk ----

// The GET routes of the router's table that need the staff or operator
// role, as patterns ("/admin/performances/#/sales.csv"), plus the
// printable ticket, which staff open for any ticket.
function staffRoutes() {
  const src = readFileSync(join(ROOT, 'cgi-bin', 'router.c'), 'utf8');
  const table = src.slice(src.indexOf('} routes[R__MAX] = {'), src.indexOf('\n};', src.indexOf('} routes[R__MAX]')));
  const out = [];
  for (const m of table.matchAll(/\[R_\w+\]\s*=\s*\{\s*"([^"]+)",\s*(\w+),\s*(\w+),\s*([^,}]+)/g)) {
    const [, pattern, get, , flags] = m;
    if (get !== 'NULL' && /RF_STAFF|RF_OPERATOR/.test(flags)) out.push(pattern);
  }
  assert.ok(out.includes('/admin/') && out.includes('/door'), `the router's table was read: ${out}`);
  return [...out, '/tickets/#'];
}
const patternOf = (path) => staffRoutes().find((p) =>
  new RegExp('^' + p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/#/g, '[1-9][0-9]*') + '$')
    .test(path.split('?')[0]));

// ---- the sale to look at ----

async function api(token, method, path, body, queue) {
  const headers = { 'content-type': 'application/json', 'idempotency-key': randomBytes(9).toString('base64url') };
  if (token) headers.authorization = `Bearer ${token}`;
  if (queue) headers['x-queue-token'] = queue;
  const res = await fetch(stack.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json, text };
}
const tokenOf = async (email) => (await api(null, 'POST', '/api/v1/sessions', { email, password: PASSWORD })).body.token;

// Holds n free seats of performance perf for the buyer (token) in the
// concert's turn; pays them unless pay is false. Returns the holds' ids.
const taken = new Set();
async function buy(token, perf, n, pay = true) {
  const concert = Number(stack.sql(`SELECT concert_id FROM performance WHERE id = ${perf}`));
  const t = await api(token, 'POST', '/api/v1/tokens', { concertId: concert });
  assert.equal(t.status, 201, t.text);
  const seats = stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf} ORDER BY id`)
    .split('\n').map(Number).filter((id) => !taken.has(id)).slice(0, n);
  const holds = [];
  for (const seat of seats) {
    taken.add(seat);
    const h = await api(token, 'POST', '/api/v1/reservations', { performanceId: perf, seatId: seat }, t.body.token);
    assert.equal(h.status, 201, h.text);
    holds.push(h.body.reservationId);
  }
  for (const id of pay ? holds : [])
    assert.equal((await api(token, 'POST', '/api/v1/payments', { reservationId: id })).status, 201);
  return holds;
}
const codeOf = (hold) => stack.sql(`SELECT code FROM ticket WHERE hold_id = ${hold}`);
const ticketOf = (hold) => stack.sql(`SELECT id FROM ticket WHERE hold_id = ${hold}`);
const grouped = (code) => code.match(/.{4}/g).join('-');
// A well-formed code no ticket has (Crockford's check symbol, mod 37).
function unknownCode() {
  for (;;) {
    let body = '', r = 0;
    for (let i = 0; i < 27; i++) body += ALPHABET[Math.floor(Math.random() * 32)];
    for (const ch of body) r = (r * 32 + ALPHABET.indexOf(ch)) % 37;
    if (r < 32) return body + ALPHABET[r];
  }
}
const typoOf = (code) => code.slice(0, 27) + ALPHABET[(ALPHABET.indexOf(code[27]) + 1) % 32];

test('every staff and operator page, every answer and notice, in Korean with no English left', async () => {
  // A buyer with tickets of performance 1 and 2, a live hold, a top-up.
  const buyerEmail = uniqueEmail('ko-buyer');
  const buyerWeb = new KoreanClient(stack.base);
  assert.equal((await buyerWeb.signup(buyerEmail)).status, 303);
  const bt = await tokenOf(buyerEmail);
  assert.equal((await api(bt, 'POST', '/api/v1/balance/charge', { amount: 1000000 })).status, 200);
  const [tAdmit, tRefundWeb, tOther, tUsedThenRefund, tTicketPage] = await buy(bt, 1, 5);
  const [tCancelled] = await buy(bt, 2, 1);
  await buy(bt, 1, 1, false); // a live hold
  // A waiting line: two slots, both taken (the buyer's and another's),
  // two more buyers waiting.
  const shopper = new KoreanClient(stack.base);
  assert.equal((await shopper.signup(uniqueEmail('ko-shop'))).status, 303);
  await joinQueue(shopper, 1);
  for (const tag of ['ko-wait1', 'ko-wait2']) {
    const w = new KoreanClient(stack.base);
    assert.equal((await w.signup(uniqueEmail(tag))).status, 303);
    await joinQueue(w, 1);
  }
  assert.equal(stack.sql(`SELECT count(*) FROM queue_ticket WHERE concert_id = 1 AND state = 'WAITING'`), '2',
    'two buyers wait');

  // The operator, who reads Korean.
  const opEmail = uniqueEmail('ko-op');
  const op = new KoreanClient(stack.base);
  assert.equal((await op.signup(opEmail)).status, 303);
  stack.admin('grant', opEmail, 'operator');
  // Proper nouns and codes: the zone, and the names of formats and
  // headers a message cites.
  const allow = ['KST', 'QR', 'CSV', 'Asia/Seoul', 'application/x-www-form-urlencoded',
    'Content-Length', 'UTF-8', 'NUL', 'KiB'];
  const pages = [];
  const seen = new Set();
  const keep = (p, what, path) => {
    assert.ok(p.status < 500 || p.status === 503, `${what}: ${p.status} ${p.text.slice(0, 300)}`);
    pages.push([p, what]);
    const pat = path && patternOf(path);
    if (pat) seen.add(pat);
    return p;
  };
  const look = async (client, path, what, status = 200) => {
    const p = await client.get(path, { follow: true });
    assert.equal(p.status, status, `${what}: ${p.status}`);
    return keep(p, what, path);
  };

  let r;
  // The door: which performance, then each answer.
  await look(op, '/door', 'the door: which performance');
  await look(op, '/door?performance=1&door=' + 'x'.repeat(41), 'the door: a door name too long', 422);
  await look(op, '/door?performance=abc&door=B', 'the door: not a performance', 400);
  await look(op, '/door?performance=999999&door=B', 'the door: no such performance', 404);
  const box = await look(op, '/door?performance=1&door=B', 'the door: the code box');
  const csrf = csrfOf(box.text);
  const door = async (code, what, status, word, perf = 1) => {
    const r = await op.post('/door', { performance: perf, door: 'B', code, csrf });
    assert.equal(r.status, status, `${what}: ${r.status}`);
    if (word) assert.match(r.text, new RegExp(`<p class="word">${word}</p>`), what);
    return keep(r, what, '/door');
  };
  await door(grouped(codeOf(tAdmit)), 'the door: ADMITTED', 200, '입장 가능');
  await door(codeOf(tAdmit), 'the door: ALREADY USED', 409, '이미 사용됨');
  await door(codeOf(tUsedThenRefund), 'the door: admitted, to refund later', 200);
  // Cancelling performance 2 from the browser: what it does, refused
  // without the ticked box, done.
  const cancelForm = await look(op, '/admin/performances/2/cancel', 'cancel: what it does');
  r = await op.post('/admin/performances/2/cancel', { csrf: csrfOf(cancelForm.text) });
  assert.equal(r.status, 422, 'not ticked');
  keep(r, 'cancel: not confirmed', '/admin/performances/2/cancel');
  r = await op.post('/admin/performances/2/cancel', { csrf: csrfOf(cancelForm.text), confirm: 'yes' });
  assert.equal(r.status, 303);
  await look(op, r.location, 'cancel: done');
  await look(op, '/admin/performances/999999/cancel', 'cancel: no such performance', 404);
  await door(codeOf(tCancelled), 'the door: CANCELLED', 410, null, 2);
  await door(unknownCode(), 'the door: UNKNOWN', 404);
  await door(codeOf(tOther), 'the door: OTHER PERFORMANCE', 422, null, 3);
  await door(typoOf(codeOf(tOther)), 'the door: a typo', 422);
  await door('hello', 'the door: not a code', 422);

  // Refunds: the form, a ticket, done (with its notice), refunded before,
  // used at the door, a typo, no such ticket.
  await look(op, '/admin/refund', 'refund: the form');
  const one = await look(op, `/admin/refund?code=${grouped(codeOf(tRefundWeb))}`, 'refund: the ticket, to confirm');
  assert.match(one.text, /<form method="post" action="\/admin\/refund">/);
  r = await op.post('/admin/refund', { code: codeOf(tRefundWeb), csrf: csrfOf(one.text) });
  assert.equal(r.status, 303);
  const done = await op.get(r.location);
  assert.match(done.text, /role="status"/, 'the notice of the refund');
  keep(done, 'refund: done, with its notice', r.location);
  await door(codeOf(tRefundWeb), 'the door: REFUNDED', 410);
  r = await op.post('/admin/refund', { code: codeOf(tRefundWeb), csrf });
  assert.equal(r.status, 410);
  keep(r, 'refund: refunded before', '/admin/refund');
  r = await op.post('/admin/refund', { code: codeOf(tUsedThenRefund), csrf });
  assert.ok(r.status >= 400, `refund of a used ticket: ${r.status}`);
  keep(r, 'refund: used at the door', '/admin/refund');
  await look(op, `/admin/refund?code=${codeOf(tUsedThenRefund)}`, 'refund: a ticket used at the door');
  await look(op, `/admin/refund?code=${codeOf(tCancelled)}`, 'refund: a ticket of a cancelled performance');
  await look(op, `/admin/refund?code=${typoOf(codeOf(tOther))}`, 'refund: a typo', 422);
  await look(op, `/admin/refund?code=${unknownCode()}`, 'refund: no such ticket', 404);
  r = await op.post('/admin/refund', { csrf });
  keep(r, 'refund: posted without a code', '/admin/refund');
  r = await op.post('/admin/refund', { code: codeOf(tOther), csrf: 'forged' });
  assert.equal(r.status, 403);
  keep(r, 'refund: a form not of ours', '/admin/refund');

  // The database stays busy (another writer holds its lock past the
  // workers' 5 s): a refund and a check-in refused with 503, nothing done.
  const sh = spawn('sqlite3', [stack.db], { stdio: ['pipe', 'pipe', 'inherit'] });
  let locked = '';
  sh.stdout.on('data', (d) => { locked += d; });
  sh.stdin.write("BEGIN IMMEDIATE; SELECT 'locked';\n");
  for (let i = 0; i < 200 && !locked.includes('locked'); i++) await new Promise((res) => setTimeout(res, 50));
  assert.match(locked, /locked/, 'sqlite3 holds the write lock');
  const [busyRefund, busyDoor] = await Promise.all([
    op.post('/admin/refund', { code: codeOf(tTicketPage), csrf }),
    op.post('/door', { performance: 1, door: 'B', code: codeOf(tTicketPage), csrf })]);
  sh.stdin.end('ROLLBACK;\n');
  await new Promise((res) => sh.on('exit', res));
  assert.equal(busyRefund.status, 503);
  assert.equal(busyDoor.status, 503);
  keep(busyRefund, 'refund: the database busy', '/admin/refund');
  keep(busyDoor, 'the door: the database busy', '/door');

  // The live view: a sale, a line, check-ins, refunds, a cancelled date,
  // one not yet on sale.
  const live = await look(op, '/admin/', 'the sale, live');
  assert.match(live.text, /<svg class="chart"/, 'a chart of the sales');
  assert.match(live.text, /\d{4}년 \d{1,2}월 \d{1,2}일/, 'dates in Korean form');
  assert.match(live.text, /₩[\d,]+/, 'money');
  const who = await look(op, `/admin/buyer?email=${encodeURIComponent(buyerEmail)}`, 'a buyer: tickets, holds, ledger');
  // The ledger as the buyer's own wallet writes it; times in Korean form.
  assert.match(who.text, /<td class="num">\+₩1,000,000<\/td>/);
  assert.match(who.text, /<td class="num">−₩165,000<\/td>/);
  assert.match(who.text, /<td><time datetime="[^"]+">\d{1,2}월 \d{1,2}일 \d\d:\d\d KST<\/time><\/td>/);
  await look(op, '/admin/buyer?email=nobody%40example.com', 'a buyer not found', 404);
  await look(op, '/admin/buyer?email=', 'the buyer lookup, empty');
  await look(op, '/admin/buyer', 'the buyer lookup');
  for (const perf of [1, 2, 7]) {
    const csv = await op.get(`/admin/performances/${perf}/sales.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv/, 'a download, not a page');
    seen.add('/admin/performances/#/sales.csv');
  }
  await look(op, '/admin/performances/999999/sales.csv', 'a report of no performance', 404);

  // Printable tickets: staff open any; refunded, let in, cancelled.
  for (const [hold, what] of [[tTicketPage, 'a ticket'], [tAdmit, 'a ticket let in'],
    [tRefundWeb, 'a refunded ticket'], [tCancelled, 'a ticket of a cancelled performance']])
    await look(op, `/tickets/${ticketOf(hold)}`, `the printed ticket: ${what}`);
  await look(op, '/tickets/999999', 'no such ticket', 404);

  // Errors: not a page, a method, a form that is not one.
  await look(op, '/admin/nothing', 'the operator: no page here', 404);
  r = await op.post('/admin/', { csrf });
  assert.equal(r.status, 405);
  keep(r, 'the live view posted to', '/admin/');
  r = await op.request('POST', '/admin/refund', { body: 'code=%ZZ&csrf=' + encodeURIComponent(csrf),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 400);
  keep(r, 'refund: a form that is not one', '/admin/refund');
  r = await op.request('POST', '/door', { body: 'performance=1',
    headers: { 'content-type': 'text/plain' } });
  assert.ok(r.status >= 400 && r.status < 500, `door: not a form: ${r.status}`);
  keep(r, 'the door: a body that is not a form', '/door');

  // A buyer at the staff's and the operator's pages: 403, in Korean.
  for (const path of ['/admin/', '/admin/buyer?email=x%40example.com', '/admin/refund', '/door',
    '/admin/performances/1/sales.csv'])
    await look(buyerWeb, path, `a buyer at ${path}`, 403);
  r = await buyerWeb.post('/door', { performance: 1, door: 'B', code: codeOf(tOther) });
  assert.equal(r.status, 403);
  keep(r, 'a buyer posting at the door');
  // Logged out: log in first, with its notice.
  const anon = new KoreanClient(stack.base);
  const login = await anon.get('/admin/', { follow: true });
  assert.match(login.text, /role="status"/, 'the notice to log in');
  keep(login, 'the operator logged out: log in first');
  // Logging in leads back to the live view, saying so; logging out too.
  r = await anon.post('/login', { email: opEmail, password: PASSWORD, next: '/admin/' });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/admin/');
  const hello = await anon.get('/admin/');
  assert.match(hello.text, /role="status"/, 'the notice of the login');
  keep(hello, 'the live view, just logged in', '/admin/');
  r = await anon.post('/logout', { csrf: csrfOf(hello.text) });
  assert.equal(r.status, 303);
  const bye = await anon.get(r.location);
  assert.match(bye.text, /role="status"/, 'the notice of the logout');
  keep(bye, 'logged out');

  // Every route of the table was walked in Korean.
  assert.deepEqual(staffRoutes().filter((p) => !seen.has(p)), [],
    'staff and operator pages of cgi-bin/router.c that this test does not walk in Korean');

  const codes = stack.sql('SELECT code FROM ticket').split('\n').filter(Boolean);
  const typed = [typoOf(codeOf(tOther)), 'hello', 'x'.repeat(41), '7KQ2-M9XD-…'];
  const opts = { words: 1, allow: [...allow, ...codes.map(grouped), ...codes, ...typed] };
  const failures = [];
  for (const [p, what] of pages) {
    const left = englishLeft(stack, p.text, opts);
    if (!/<html lang="ko">/.test(p.text)) failures.push(`${what}: not <html lang="ko">`);
    if (!/[가-힣]/.test(left.text)) failures.push(`${what}: no Korean word`);
    if (left.sentences.length || left.words.length)
      failures.push(`${what}: ${JSON.stringify([...left.sentences, ...left.words])}`);
  }
  assert.deepEqual(failures, [], 'pages with English left');
});
