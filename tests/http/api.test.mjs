// api.test.mjs — the JSON API /api/v1 over real HTTP (nginx + 4 workers +
// SQLite), held to its contract: every response these tests receive is
// checked against static/openapi.json (documented status, JSON schema,
// error code, required headers) by the one helper that sends requests.
// A purchase from login to logout through the API alone; every error
// status; idempotent replays and a 50-way race on one Idempotency-Key;
// parity with the HTML seat map; nginx's own errors in the API's shape;
// and the document itself against the route table of router.c.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Ajv from 'ajv';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue, ROOT } from '../lib/stack.mjs';

const PASSWORD = 'correct horse battery';
const DOC = JSON.parse(readFileSync(join(ROOT, 'static', 'openapi.json'), 'utf8'));

// ---------------------------------------------------------------- contract

// Component schemas go into ajv as one schema, "oas", with $defs; the
// document's refs are rewritten to point there.
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
const toAjv = (schema) =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"oas#/$defs/'));
ajv.addSchema({ $id: 'oas', $defs: toAjv(DOC.components.schemas) });
const validators = new Map();
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!validators.has(key)) validators.set(key, ajv.compile(toAjv(schema)));
  return validators.get(key);
}
const deref = (o) => {
  while (o && o.$ref) {
    const parts = o.$ref.replace(/^#\//, '').split('/');
    o = parts.reduce((x, k) => x[k], DOC);
  }
  return o;
};

const INT64_MAX = 9223372036854775807n;
const ROUTES = Object.keys(DOC.paths).map((p) => ({
  path: p,
  re: new RegExp('^' + p.replace(/\{[^}]+\}/g, '([1-9][0-9]*)') + '$'),
}));
function routeOf(pathname) {
  for (const r of ROUTES) {
    const m = r.re.exec(pathname);
    if (m && m.slice(1).every((id) => id.length < 20 && BigInt(id) <= INT64_MAX)) return r.path;
  }
  return null;
}
const allowOf = (item) => ['get', 'post', 'delete'].filter((m) => item[m])
  .flatMap((m) => (m === 'get' ? ['GET', 'HEAD'] : [m.toUpperCase()]));
const sameMethods = (a, b) => [...a].sort().join() === [...b].sort().join();

const seen = new Set(); // "METHOD /template STATUS" of every checked answer
let checked = 0;

// Fails (throws) unless res is what the document promises for method, path
// and res.status.
function conform(method, url, res) {
  const pathname = new URL(url, 'http://x').pathname;
  const where = `${method} ${url} → ${res.status}`;
  const template = routeOf(pathname);
  let spec;
  if (template === null) {
    assert.equal(res.status, 404, `${where}: not a documented path, so 404`);
    spec = DOC.components.responses.NoSuchEndpoint;
  } else {
    const item = DOC.paths[template];
    const op = item[method === 'HEAD' ? 'get' : method.toLowerCase()];
    if (!op) {
      assert.equal(res.status, 405, `${where}: ${method} is not documented for ${template}, so 405`);
      spec = DOC.components.responses.MethodNotAllowed;
      const allow = (res.headers.get('allow') || '').split(',').map((s) => s.trim());
      assert.ok(sameMethods(allow, allowOf(item)), `${where}: Allow "${res.headers.get('allow')}" lists the documented methods`);
    } else {
      spec = op.responses[String(res.status)];
      assert.ok(spec, `${where}: status ${res.status} is not documented for ${method} ${template}`);
    }
    seen.add(`${method} ${template} ${res.status}`);
  }
  spec = deref(spec);
  for (const [name, h] of Object.entries(spec.headers || {}))
    if (deref(h).required) assert.ok(res.headers.has(name), `${where}: header ${name} is required`);
  if (!spec.content) {
    assert.equal(res.text, '', `${where}: documented without a body`);
  } else if (method !== 'HEAD') {
    assert.match(res.headers.get('content-type') || '', /^application\/json\b/, `${where}: JSON content type`);
    let body;
    try { body = JSON.parse(res.text); } catch (e) { assert.fail(`${where}: the body is not JSON: ${res.text.slice(0, 200)}`); }
    const validate = validatorFor(spec.content['application/json'].schema);
    assert.ok(validate(body), `${where}: the body does not fit the schema: ${ajv.errorsText(validate.errors)}\n${res.text.slice(0, 500)}`);
    const codes = spec['x-error-codes'];
    if (codes) assert.ok(codes.includes(body.error.code), `${where}: error code ${body.error.code} is not documented (${codes})`);
  }
  checked++;
}

let stack;
before(async () => { stack = await startStack({ workers: 4, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

// Sends one request to the API and checks the answer against the document.
// body: a value sent as JSON; raw: a string or Buffer sent as is.
async function api(method, url, { token, queue, key, body, raw, type = 'application/json', headers = {}, base } = {}) {
  const h = { ...headers };
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  if (queue !== undefined) h['x-queue-token'] = queue;
  if (key !== undefined) h['idempotency-key'] = key;
  const payload = raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined;
  if (payload !== undefined && type !== null) h['content-type'] = type;
  const res = await fetch((base || stack.base) + url, { method, headers: h, body: payload });
  const out = { status: res.status, statusText: res.statusText, headers: res.headers, text: await res.text() };
  if (/json/.test(res.headers.get('content-type') || '') && out.text) {
    try { out.body = JSON.parse(out.text); } catch { /* conform() says so */ }
  }
  conform(method, url, out);
  return out;
}
const expectError = (r, status, code, what = '') => {
  assert.equal(r.status, status, `${what} ${r.text}`);
  assert.equal(r.body.error.code, code, what);
};

// --------------------------------------------------------------- fixtures

const nextSeatOffset = new Map();
// A seat of the performance no other test here uses.
function freshSeat(perf) {
  const n = nextSeatOffset.get(perf) || 0;
  nextSeatOffset.set(perf, n + 1);
  return Number(stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf} ORDER BY id LIMIT 1 OFFSET ${n}`));
}
const seatOf = (reservation) => Number(stack.sql(`SELECT seat_id FROM hold WHERE id = ${reservation}`));
const priceOf = (seat) => Number(stack.sql(`SELECT price FROM seat WHERE id = ${seat}`));
const now = () => Math.floor(Date.now() / 1000);
const uidOf = (email) => Number(stack.sql(`SELECT id FROM user WHERE email = '${email}'`));
const balanceOf = (uid) => Number(stack.sql(`SELECT balance FROM user WHERE id = ${uid}`));
const ledgerCount = (uid) => Number(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${uid}`));

// An account made through the sign-up page, with an API token.
async function account(tag) {
  const email = uniqueEmail(tag);
  const browser = new Client(stack.base);
  assert.equal((await browser.signup(email)).status, 303);
  const r = await api('POST', '/api/v1/sessions', { body: { email, password: PASSWORD } });
  assert.equal(r.status, 201);
  return { email, browser, token: r.body.token, uid: r.body.userId };
}
// An account admitted to a concert: its queue token is active.
async function buyer(tag, concert = 1) {
  const b = await account(tag);
  const r = await api('POST', '/api/v1/tokens', { token: b.token, body: { concertId: concert } });
  assert.equal(r.status, 201);
  assert.equal(r.body.state, 'active', 'admitted at once');
  b.queue = r.body.token;
  return b;
}
const reserve = (b, perf, seat, opts = {}) =>
  api('POST', '/api/v1/reservations', { token: b.token, queue: b.queue, body: { performanceId: perf, seatId: seat }, ...opts });
const charge = (b, amount, opts = {}) =>
  api('POST', '/api/v1/balance/charge', { token: b.token, body: { amount }, ...opts });
const pay = (b, reservationId, opts = {}) =>
  api('POST', '/api/v1/payments', { token: b.token, body: { reservationId }, ...opts });

// ------------------------------------------------------------------ tests

test('a whole purchase through the API alone, from login to logout', async () => {
  const email = uniqueEmail('api-buyer');
  const browser = new Client(stack.base);
  assert.equal((await browser.signup(email)).status, 303, 'the account comes from the sign-up page');

  const s = await api('POST', '/api/v1/sessions', { body: { email, password: PASSWORD } });
  assert.equal(s.status, 201);
  const { token } = s.body;
  assert.equal(s.body.userId, uidOf(email));
  assert.ok(s.body.expiresAt > now());

  const concerts = await api('GET', '/api/v1/concerts');
  assert.equal(concerts.status, 200);
  assert.equal(concerts.body.currency, 'KRW');
  const gala = concerts.body.concerts.find((c) => c.title === 'Winter Symphony Gala');
  assert.ok(gala, 'the demo concert is listed');

  const t = await api('POST', '/api/v1/tokens', { token, body: { concertId: gala.id } });
  assert.equal(t.status, 201);
  assert.equal(t.body.concertId, gala.id);
  assert.equal(t.body.state, 'active');
  assert.ok(t.body.remainingSeconds > 0 && t.body.activeUntil > now());
  const queue = t.body.token;
  const again = await api('POST', '/api/v1/tokens', { token, body: { concertId: gala.id } });
  assert.equal(again.body.token, queue, 'joining again keeps the same ticket');

  const st = await api('GET', '/api/v1/queue/status', { token, queue });
  assert.equal(st.status, 200);
  assert.equal(st.body.state, 'active');
  assert.equal(st.body.position, null);

  const perfs = await api('GET', `/api/v1/concerts/${gala.id}/performances`, { token, queue });
  assert.equal(perfs.status, 200);
  assert.equal(perfs.body.concertId, gala.id);
  const perf = perfs.body.performances.find((p) => p.available);
  assert.ok(perf, 'a date on sale');

  const seats = await api('GET', `/api/v1/performances/${perf.id}/seats`, { token, queue });
  assert.equal(seats.status, 200);
  assert.equal(seats.body.onSale, true);
  assert.equal(seats.body.seats.length, perf.seatCount);
  const seatId = freshSeat(perf.id);
  const seat = seats.body.seats.find((x) => x.id === seatId);
  assert.equal(seat.available, true);

  const res = await api('POST', '/api/v1/reservations', { token, queue, body: { performanceId: perf.id, seatId } });
  assert.equal(res.status, 201);
  assert.equal(res.body.state, 'held');
  assert.equal(res.body.price, seat.price);
  assert.equal(res.body.performanceId, perf.id);
  assert.ok(res.body.expiresAt > now());
  const rid = res.body.reservationId;
  const shown = await api('GET', `/api/v1/reservations/${rid}`, { token });
  assert.deepEqual(shown.body, res.body);

  const broke = await api('POST', '/api/v1/payments', { token, body: { reservationId: rid } });
  expectError(broke, 402, 'insufficient_balance');
  assert.equal((await api('GET', `/api/v1/reservations/${rid}`, { token })).body.state, 'held', 'the seat stays held');

  const c = await api('POST', '/api/v1/balance/charge', { token, body: { amount: 200000 } });
  assert.equal(c.status, 200);
  assert.deepEqual(c.body, { balance: 200000, charged: 200000, currency: 'KRW' });
  assert.equal((await api('GET', '/api/v1/balance', { token })).body.balance, 200000);

  const p = await api('POST', '/api/v1/payments', { token, body: { reservationId: rid } });
  assert.equal(p.status, 201);
  assert.equal(p.body.status, 'paid');
  assert.equal(p.body.amount, seat.price);
  assert.equal(p.body.reservation.state, 'paid');
  assert.equal(p.body.reservation.paymentId, p.body.paymentId);
  const twice = await api('POST', '/api/v1/payments', { token, body: { reservationId: rid } });
  assert.equal(twice.status, 200, 'paying again answers the same payment');
  assert.equal(twice.body.paymentId, p.body.paymentId);
  assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE hold_id = ${rid}`), '1');

  const bookings = await api('GET', '/api/v1/bookings', { token });
  assert.equal(bookings.status, 200);
  assert.equal(bookings.body.bookings.length, 1);
  assert.deepEqual(bookings.body.bookings[0], {
    paymentId: p.body.paymentId, reservationId: rid, performanceId: perf.id,
    concert: gala.title, venue: gala.venue, section: seat.section, row: seat.row,
    number: seat.number, amount: seat.price, paidAt: bookings.body.bookings[0].paidAt,
    ticketCode: stack.sql(`SELECT code FROM ticket WHERE hold_id = ${rid}`),
  });
  assert.match(bookings.body.bookings[0].ticketCode, /^[0-9A-HJKMNP-TV-Z]{28}$/, 'canonical');
  const hist = await api('GET', '/api/v1/balance/history', { token });
  assert.equal(hist.body.balance, 200000 - seat.price);
  assert.deepEqual(hist.body.history.map((h) => [h.kind, h.amount, h.reservationId, h.concert]),
    [['payment', -seat.price, rid, gala.title], ['charge', 200000, undefined, undefined]]);
  assert.equal(hist.body.nextCursor, null, 'one page holds it all');
  assert.equal(bookings.body.nextCursor, null);
  assert.equal(balanceOf(uidOf(email)), 200000 - seat.price);

  const done = await api('GET', '/api/v1/queue/status', { token, queue });
  assert.equal(done.body.state, 'done', 'paying for all one holds ends the turn');
  const sold = await api('GET', `/api/v1/performances/${perf.id}/seats`, { token, queue });
  expectError(sold, 403, 'not_admitted', 'the turn is over');

  const out = await api('DELETE', '/api/v1/sessions', { token });
  assert.equal(out.status, 204);
  assert.equal(out.statusText, 'No Content', 'a status comes with its own reason');
  expectError(await api('GET', '/api/v1/balance', { token }), 401, 'unauthorized', 'the token is dead');
  expectError(await api('GET', '/api/v1/bookings', { token }), 401, 'unauthorized');
  expectError(await api('DELETE', '/api/v1/sessions', { token }), 401, 'unauthorized');
});

test('long lists: 5,000 ledger rows come a page at a time by cursor, and bad limits and cursors are 400', async () => {
  const b = await account('long-api');
  // 5,000 charges of 1 … 5,000 straight into the ledger (its triggers
  // check the chain and move the balance as for any other row)
  stack.sql(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 5000)
    INSERT INTO ledger(user_id, kind, amount, balance_after, created_at)
    SELECT ${b.uid}, 'CHARGE', i, i * (i + 1) / 2, 1700000000 + i FROM k ORDER BY i`);
  const first = await api('GET', '/api/v1/balance/history', { token: b.token });
  assert.equal(first.status, 200);
  assert.equal(first.body.balance, 12502500);
  assert.equal(first.body.history.length, 50, 'limit defaults to 50');
  assert.equal(first.body.history[0].amount, 5000, 'newest first');
  assert.equal(typeof first.body.nextCursor, 'string');

  const amounts = [];
  let cursor = null, pages = 0;
  do {
    const q = cursor === null ? '?limit=200' : `?limit=200&cursor=${encodeURIComponent(cursor)}`;
    const r = await api('GET', `/api/v1/balance/history${q}`, { token: b.token });
    assert.equal(r.status, 200);
    assert.ok(r.body.history.length <= 200);
    amounts.push(...r.body.history.map((h) => h.amount));
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 30);
  assert.equal(pages, 25);
  assert.deepEqual(amounts, Array.from({ length: 5000 }, (_, i) => 5000 - i), 'every row once, newest first');
  const one = await api('GET', '/api/v1/balance/history?limit=1', { token: b.token });
  assert.equal(one.body.history.length, 1);

  for (const path of ['/api/v1/balance/history', '/api/v1/bookings']) {
    for (const limit of ['0', '201', '-1', 'abc', '1.5', '', '1e2', '050'])
      expectError(await api('GET', `${path}?limit=${encodeURIComponent(limit)}`, { token: b.token }), 400, 'invalid_limit', `${path} limit=${limit}`);
    for (const c of ['0', '-5', 'abc', '01', '', '99999999999999999999', '1 '])
      expectError(await api('GET', `${path}?cursor=${encodeURIComponent(c)}`, { token: b.token }), 400, 'invalid_cursor', `${path} cursor=${c}`);
    const past = await api('GET', `${path}?cursor=1`, { token: b.token });
    assert.equal(past.status, 200, 'a cursor past the oldest row is an empty last page');
    assert.equal(past.body.nextCursor, null);
  }
  assert.equal(ledgerCount(b.uid), 5000, 'reading changed nothing');
});

test('the bookings come a page at a time, by show and seat', async () => {
  const b = await buyer('paged-bookings');
  assert.equal((await charge(b, 1000000)).status, 200);
  const rids = [];
  for (let i = 0; i < 3; i++) {
    const r = await reserve(b, 1, freshSeat(1));
    assert.equal(r.status, 201);
    rids.push(r.body.reservationId);
  }
  for (const rid of rids) assert.equal((await pay(b, rid)).status, 201);
  // One show: in seat order, whatever the order they were bought in.
  const bySeat = [...rids].sort((x, y) => seatOf(x) - seatOf(y));
  const p1 = await api('GET', '/api/v1/bookings?limit=2', { token: b.token });
  assert.deepEqual(p1.body.bookings.map((x) => x.reservationId), bySeat.slice(0, 2));
  assert.equal(typeof p1.body.nextCursor, 'string');
  const p2 = await api('GET', `/api/v1/bookings?limit=2&cursor=${p1.body.nextCursor}`, { token: b.token });
  assert.deepEqual(p2.body.bookings.map((x) => x.reservationId), bySeat.slice(2));
  assert.equal(p2.body.nextCursor, null);
});

test('400: bodies that are not one sane JSON object', async () => {
  const b = await buyer('bad-json');
  const bad = {
    'truncated': '{"amount": 10',
    'not an object': '[1000]',
    'a string': '"1000"',
    'a number': '1000',
    'deep nesting': '{"amount":' + '['.repeat(9) + ']'.repeat(9) + '}',
    'deeper still': '['.repeat(5000) + ']'.repeat(5000),
    '1e400': '{"amount":1e400}',
    'a 20-digit integer': '{"amount":99999999999999999999}',
    'a NUL byte': '{"amount":10}\u0000',
    'a NUL in a string': '{"amount":"1\u00000"}',
    'empty': '',
    'a duplicate key': '{"amount":1,"amount":2}',
    'trailing garbage': '{"amount":1} x',
    'invalid UTF-8': Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
  };
  const before = ledgerCount(b.uid);
  for (const [what, raw] of Object.entries(bad)) {
    expectError(await api('POST', '/api/v1/balance/charge', { token: b.token, raw }), 400, 'invalid_json', what);
    expectError(await api('POST', '/api/v1/sessions', { raw }), 400, 'invalid_json', what);
  }
  for (const url of ['/api/v1/tokens', '/api/v1/reservations', '/api/v1/payments'])
    expectError(await api('POST', url, { token: b.token, queue: b.queue, raw: '{"x":' }), 400, 'invalid_json', url);
  assert.equal(ledgerCount(b.uid), before, 'nothing was charged');
  assert.equal(balanceOf(b.uid), 0);
});

test('400: a malformed Idempotency-Key', async () => {
  const b = await buyer('bad-key');
  for (const key of ['x'.repeat(65), 'a b', '', 'tab\there'])
    expectError(await charge(b, 100, { key }), 400, 'invalid_idempotency_key', JSON.stringify(key));
  assert.equal((await charge(b, 100, { key: 'k'.repeat(64) })).status, 200, '64 printable characters are fine');
  assert.equal(balanceOf(b.uid), 100);
});

test('401: no, forged, expired or ended bearer; a browser cookie alone does not count', async () => {
  const b = await account('unauth');
  // every operation that needs a token refuses without one
  for (const [path, item] of Object.entries(DOC.paths)) {
    for (const method of ['get', 'post', 'delete']) {
      const op = item[method];
      if (!op || (op.security && op.security.length === 0)) continue;
      const url = path.replace(/\{[^}]+\}/g, '1');
      expectError(await api(method.toUpperCase(), url, method === 'post' ? { body: {} } : {}), 401, 'unauthorized', `${method} ${url}`);
    }
  }
  const forged = randomBytes(32).toString('base64url');
  const bad = {
    'a forged token': { authorization: `Bearer ${forged}` },
    'a truncated token': { authorization: `Bearer ${b.token.slice(0, -1)}` },
    'a longer token': { authorization: `Bearer ${b.token}x` },
    'no scheme': { authorization: b.token },
    'another scheme': { authorization: `Basic ${b.token}` },
    'an empty bearer': { authorization: 'Bearer ' },
    'the browser cookie alone': { cookie: b.browser.cookieHeader() },
    'the cookie and a forged bearer': { cookie: b.browser.cookieHeader(), authorization: `Bearer ${forged}` },
  };
  assert.match(b.browser.cookieHeader(), /bo_s=/, 'the browser is logged in');
  assert.equal((await b.browser.get('/wallet')).status, 200, 'and its cookie works on the pages');
  for (const [what, headers] of Object.entries(bad)) {
    expectError(await api('GET', '/api/v1/balance', { headers }), 401, 'unauthorized', what);
    expectError(await api('POST', '/api/v1/balance/charge', { headers, body: { amount: 100 } }), 401, 'unauthorized', what);
    expectError(await api('DELETE', '/api/v1/sessions', { headers }), 401, 'unauthorized', what);
  }
  assert.equal(balanceOf(b.uid), 0);

  // expired: the session row is past its time
  const hash = createHash('sha256').update(b.token).digest('hex');
  assert.equal((await api('GET', '/api/v1/balance', { token: b.token })).status, 200);
  stack.sql(`UPDATE session SET expires_at = ${now() - 1} WHERE token_hash = X'${hash}'`);
  expectError(await api('GET', '/api/v1/balance', { token: b.token }), 401, 'unauthorized', 'expired');
  expectError(await api('DELETE', '/api/v1/sessions', { token: b.token }), 401, 'unauthorized', 'expired');

  // a bad login is 401 too, the same for an unknown e-mail
  expectError(await api('POST', '/api/v1/sessions', { body: { email: b.email, password: 'not my password' } }), 401, 'invalid_credentials');
  expectError(await api('POST', '/api/v1/sessions', { body: { email: uniqueEmail('nobody'), password: PASSWORD } }), 401, 'invalid_credentials');
});

test('403: the queue token is missing, forged, truncated, someone else\'s or not admitted', async () => {
  const a = await buyer('gate-a');
  const b = await buyer('gate-b');
  const seat = freshSeat(1);
  const other = await api('POST', '/api/v1/tokens', { token: a.token, body: { concertId: 2 } });
  assert.equal(other.status, 201);
  const gated = (b2, queue) => [
    ['GET', '/api/v1/concerts/1/performances', {}],
    ['GET', '/api/v1/performances/1/seats', {}],
    ['POST', '/api/v1/reservations', { body: { performanceId: 1, seatId: seat } }],
  ].map(([m, u, o]) => api(m, u, { token: b2.token, queue, ...o }));

  for (const r of await Promise.all(gated(a, undefined))) expectError(r, 403, 'queue_token_required');
  for (const r of await Promise.all(gated(a, ''))) expectError(r, 403, 'queue_token_required');
  expectError(await api('GET', '/api/v1/queue/status', { token: a.token }), 403, 'queue_token_required');
  const bad = {
    forged: randomBytes(16).toString('base64url'),
    truncated: a.queue.slice(0, -1),
    'too long': a.queue + 'A',
    "another buyer's": b.queue,
    "another concert's": other.body.token,
    'the bearer token': a.token,
  };
  for (const [what, queue] of Object.entries(bad))
    for (const r of await Promise.all(gated(a, queue))) expectError(r, 403, 'bad_token', what);
  for (const what of ['forged', 'truncated', "another buyer's"])
    expectError(await api('GET', '/api/v1/queue/status', { token: a.token, queue: bad[what] }), 403, 'bad_token', what);
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE seat_id = ${seat}`), '0', 'nothing was held');

  // one slot: the second buyer waits, and waiting is not admitted
  stack.admin('set', 'queue_capacity', 1);
  try {
    const first = await buyer('gate-first', 3);
    const waiter = await account('gate-waiter');
    const t = await api('POST', '/api/v1/tokens', { token: waiter.token, body: { concertId: 3 } });
    assert.equal(t.status, 201);
    assert.equal(t.body.state, 'waiting');
    assert.equal(t.body.position, 1);
    assert.equal(t.body.ahead, 0);
    assert.equal(t.body.activeUntil, null);
    const st = await api('GET', '/api/v1/queue/status', { token: waiter.token, queue: t.body.token });
    assert.equal(st.body.state, 'waiting');
    const seat3 = freshSeat(5);
    for (const [m, u, o] of [
      ['GET', '/api/v1/concerts/3/performances', {}],
      ['GET', '/api/v1/performances/5/seats', {}],
      ['POST', '/api/v1/reservations', { body: { performanceId: 5, seatId: seat3 } }],
    ]) expectError(await api(m, u, { token: waiter.token, queue: t.body.token, ...o }), 403, 'not_admitted', u);
    assert.equal((await api('GET', '/api/v1/performances/5/seats', { token: first.token, queue: first.queue })).status, 200, 'the admitted one may');
  } finally {
    stack.admin('set', 'queue_capacity', 1000);
  }

  // another buyer's reservation can be neither read nor paid
  const r = await reserve(a, 1, seat);
  assert.equal(r.status, 201);
  expectError(await api('GET', `/api/v1/reservations/${r.body.reservationId}`, { token: b.token }), 403, 'forbidden');
  await charge(b, 500000);
  expectError(await pay(b, r.body.reservationId), 403, 'forbidden');
  assert.equal(balanceOf(b.uid), 500000, 'nothing was charged');
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${r.body.reservationId}`), 'HELD');
});

test('404: unknown ids and unknown endpoints', async () => {
  const b = await buyer('notfound');
  const q = { token: b.token, queue: b.queue };
  expectError(await api('GET', '/api/v1/concerts/999999/performances', q), 404, 'not_found');
  expectError(await api('GET', '/api/v1/performances/999999/seats', q), 404, 'not_found');
  expectError(await api('GET', '/api/v1/reservations/999999', q), 404, 'not_found');
  expectError(await api('GET', '/api/v1/reservations/9223372036854775807', q), 404, 'not_found');
  for (const concertId of [999999, 0, -1, 9223372036854775807n])
    expectError(await api('POST', '/api/v1/tokens', { ...q, raw: `{"concertId":${concertId}}` }), 404, 'not_found', String(concertId));
  expectError(await reserve(b, 999999, 1), 404, 'not_found');
  expectError(await reserve(b, 1, 999999999), 404, 'seat_not_found');
  expectError(await reserve(b, 1, freshSeat(3)), 404, 'seat_not_found', 'a seat of another date');
  expectError(await pay(b, 999999), 404, 'not_found');
  expectError(await pay(b, 0), 404, 'not_found');
  for (const url of ['/api/v1/nope', '/api/v1/concerts/0/performances', '/api/v1/concerts/01/performances',
    '/api/v1/concerts/abc/performances', '/api/v1/concerts/9223372036854775808/performances',
    '/api/v1/reservations/', '/api/v1/users/1/balance', '/api/v1/concerts/1/seats', '/api/v2/concerts', '/api/v1'])
    expectError(await api('GET', url, q), 404, 'not_found', url);
  expectError(await api('POST', '/api/v1/nope', { ...q, body: {} }), 404, 'not_found');
});

test('405: a method a path does not take, with Allow', async () => {
  const calls = [
    ['GET', '/api/v1/sessions'], ['PUT', '/api/v1/sessions'],
    ['GET', '/api/v1/tokens'], ['DELETE', '/api/v1/tokens'], ['HEAD', '/api/v1/tokens'],
    ['POST', '/api/v1/queue/status'],
    ['POST', '/api/v1/concerts'], ['PUT', '/api/v1/concerts'], ['DELETE', '/api/v1/concerts'],
    ['POST', '/api/v1/concerts/1/performances'], ['POST', '/api/v1/performances/1/seats'],
    ['GET', '/api/v1/reservations'], ['PATCH', '/api/v1/reservations/1'], ['DELETE', '/api/v1/reservations/1'],
    ['GET', '/api/v1/payments'], ['POST', '/api/v1/bookings'], ['POST', '/api/v1/balance'],
    ['GET', '/api/v1/balance/charge'], ['DELETE', '/api/v1/balance/history'],
  ];
  for (const [method, url] of calls) {
    const r = await api(method, url, method === 'GET' || method === 'HEAD' ? {} : { body: {} });
    assert.equal(r.status, 405, `${method} ${url}`);
    if (method !== 'HEAD') assert.equal(r.body.error.code, 'method_not_allowed');
  }
});

test('409: seat_taken, hold_limit, not_on_sale; a key is recorded with its write', async () => {
  const a = await buyer('conflict-a');
  const b = await buyer('conflict-b');
  const seat = freshSeat(1);
  assert.equal((await reserve(a, 1, seat)).status, 201);
  expectError(await reserve(b, 1, seat), 409, 'seat_taken');
  expectError(await reserve(a, 1, seat), 409, 'seat_taken', 'holding it already');

  // max_holds (4) live holds per date; another date is another count
  const max = Number(stack.admin('get', 'max_holds').trim());
  for (let i = 0; i < max; i++) assert.equal((await reserve(b, 2, freshSeat(2))).status, 201);
  const extra = freshSeat(2);
  expectError(await reserve(b, 2, extra), 409, 'hold_limit');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE seat_id = ${extra}`), '0');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${b.uid} AND performance_id = 2 AND state = 'HELD'`), String(max));

  // a concert whose sale opens later
  const t = now();
  const future = stack.admin('add-concert', 'Later Sale', 'Nobody Yet', 'Small Hall').trim();
  stack.admin('add-performance', future, t + 90 * 86400, t + 30 * 86400, t + 89 * 86400, 'A:A-B:5:10000');
  expectError(await api('POST', '/api/v1/tokens', { token: a.token, body: { concertId: Number(future) } }), 409, 'not_on_sale');

  // The Idempotency-Key is recorded by the write itself, in its own
  // transaction: key, request hash, status and the ids it made, no body.
  const c = await buyer('recorded');
  assert.equal((await charge(c, 1000, { key: 'rec-1' })).status, 200);
  const seatC = freshSeat(1);
  const held = await reserve(c, 1, seatC, { key: 'rec-2' });
  assert.equal(held.status, 201);
  const refs = (key) => stack.sql(`SELECT r.status || ':' || group_concat(f.kind || '=' || f.ref_id) FROM idem_record r
    JOIN idem_ref f ON f.record_id = r.id WHERE r.user_id = ${c.uid} AND r.idem_key = '${key}' GROUP BY r.id`);
  assert.equal(refs('rec-1'), `200:ledger=${stack.sql(`SELECT id FROM ledger WHERE user_id = ${c.uid} AND idem_key = 'rec-1'`)}`);
  assert.equal(refs('rec-2'), `201:hold=${held.body.reservationId}`);
  assert.equal(stack.sql("SELECT count(*) FROM sqlite_schema WHERE name = 'api_idempotency'"), '0', 'no IN_FLIGHT claims, no stored bodies');
  expectError(await reserve(c, 1, freshSeat(1), { key: 'rec-2' }), 422, 'idempotency_key_reused', 'another body under the key');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${c.uid}`), '1');
});

test('410: a date whose sale closed; a reservation that expired before payment', async () => {
  const t = now();
  const concert = stack.admin('add-concert', 'Closing Night', 'The Latecomers', 'Late Hall').trim();
  stack.admin('add-performance', concert, t + 30 * 86400, t - 86400, t + 29 * 86400, 'A:A-B:5:10000');
  const closed = stack.admin('add-performance', concert, t + 86400, t - 7200, t - 3600, 'A:A-B:5:10000').trim();
  const b = await buyer('gone', Number(concert));
  const seats = await api('GET', `/api/v1/performances/${closed}/seats`, { token: b.token, queue: b.queue });
  assert.equal(seats.body.onSale, false);
  assert.ok(seats.body.seats.every((s) => !s.available), 'nothing available out of the sale');
  const perfs = await api('GET', `/api/v1/concerts/${concert}/performances`, { token: b.token, queue: b.queue });
  assert.deepEqual(perfs.body.performances.map((p) => p.available).sort(), [false, true]);
  expectError(await reserve(b, Number(closed), seats.body.seats[0].id), 410, 'sale_closed');

  // hold, charge, then the hold lapses (cron at its deadline): paying is 410
  const a = await buyer('expired');
  const r = await reserve(a, 1, freshSeat(1));
  assert.equal(r.status, 201);
  assert.equal((await charge(a, 500000)).status, 200);
  execFileSync(join(ROOT, 'build', 'boxoffice-expire'), ['--db', stack.db, '--now', String(r.body.expiresAt)]);
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${r.body.reservationId}`), 'EXPIRED');
  expectError(await pay(a, r.body.reservationId), 410, 'reservation_expired');
  assert.equal(balanceOf(a.uid), 500000, 'nothing was charged');
  assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE hold_id = ${r.body.reservationId}`), '0');
  assert.equal((await api('GET', `/api/v1/reservations/${r.body.reservationId}`, { token: a.token })).body.state, 'expired');
});

test('402: a payment larger than the balance changes nothing', async () => {
  const b = await buyer('poor');
  const seat = freshSeat(1);
  const r = await reserve(b, 1, seat);
  await charge(b, priceOf(seat) - 1);
  expectError(await pay(b, r.body.reservationId), 402, 'insufficient_balance');
  assert.equal(balanceOf(b.uid), priceOf(seat) - 1);
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${r.body.reservationId}`), 'HELD');
  await charge(b, 1);
  assert.equal((await pay(b, r.body.reservationId)).status, 201, 'exactly enough pays');
  assert.equal(balanceOf(b.uid), 0);
});

test('413: a body over 16 KiB is refused by nginx, in JSON', async () => {
  const b = await buyer('big');
  const big = JSON.stringify({ amount: 100, pad: 'x'.repeat(17 * 1024) });
  expectError(await api('POST', '/api/v1/balance/charge', { token: b.token, raw: big }), 413, 'too_large');
  expectError(await api('POST', '/api/v1/sessions', { raw: big }), 413, 'too_large');
  expectError(await api('POST', '/api/v1/payments', { token: b.token, raw: big, key: 'big' }), 413, 'too_large');
  assert.equal(balanceOf(b.uid), 0);
  // the pages keep their HTML page
  const page = await fetch(stack.base + '/login', { method: 'POST', body: big, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(page.status, 413);
  assert.match(page.headers.get('content-type'), /text\/html/);
});

test('415: a body that is not application/json', async () => {
  const b = await buyer('media');
  const body = JSON.stringify({ amount: 100 });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null]) {
    expectError(await api('POST', '/api/v1/balance/charge', { token: b.token, raw: body, type }), 415, 'unsupported_media_type', String(type));
    expectError(await api('POST', '/api/v1/sessions', { raw: JSON.stringify({ email: b.email, password: PASSWORD }), type }), 415, 'unsupported_media_type', String(type));
  }
  for (const url of ['/api/v1/tokens', '/api/v1/reservations', '/api/v1/payments'])
    expectError(await api('POST', url, { token: b.token, queue: b.queue, raw: '{}', type: 'text/plain' }), 415, 'unsupported_media_type', url);
  assert.equal((await api('POST', '/api/v1/balance/charge', { token: b.token, raw: body, type: 'application/json; charset=utf-8' })).status, 200, 'a charset is fine');
  assert.equal(balanceOf(b.uid), 100);
});

test('422: wrong types, missing and unknown fields, amounts out of range, a reused key', async () => {
  const b = await buyer('types');
  const maxCharge = Number(stack.admin('get', 'max_charge').trim());
  const amounts = ['"100"', '100.0', '1.5', '1e2', 'true', 'null', '{}', '[]', '0', '-1', '-9223372036854775808',
    String(maxCharge + 1), '9223372036854775807'];
  for (const a of amounts)
    expectError(await api('POST', '/api/v1/balance/charge', { token: b.token, raw: `{"amount":${a}}` }), 422, 'invalid_amount', a);
  for (const raw of ['{}', '{"amount":100,"userId":1}', '{"amount":100,"currency":"KRW"}', '{"Amount":100}'])
    expectError(await api('POST', '/api/v1/balance/charge', { token: b.token, raw }), 422, 'invalid_field', raw);
  assert.equal(balanceOf(b.uid), 0, 'nothing was charged');
  assert.equal((await charge(b, maxCharge)).status, 200, 'max_charge itself is fine');
  assert.equal(balanceOf(b.uid), maxCharge);

  const seat = freshSeat(1);
  const bodies = {
    '/api/v1/sessions': ['{"email":1,"password":"x"}', '{"email":"a@b.c"}', '{"email":"a@b.c","password":null}',
      '{"email":"a@b.c","password":"x","remember":true}', '{}'],
    '/api/v1/tokens': ['{"concertId":"1"}', '{"concertId":1.5}', '{"concertId":1.0}', '{"concertId":true}', '{}',
      '{"concertId":1,"userId":2}', '{"concertId":null}'],
    '/api/v1/reservations': [`{"performanceId":"1","seatId":${seat}}`, `{"performanceId":1,"seatId":${seat}.5}`,
      `{"performanceId":1}`, `{"performanceId":1,"seatId":${seat},"token":"${b.queue}"}`,
      `{"performanceId":false,"seatId":${seat}}`, `{"concertId":1,"seatNumber":1}`],
    '/api/v1/payments': ['{"reservationId":"1"}', '{"reservationId":1.5}', '{}', '{"reservationId":1,"amount":100}',
      '{"reservationId":[1]}'],
  };
  for (const [url, raws] of Object.entries(bodies))
    for (const raw of raws)
      expectError(await api('POST', url, { token: b.token, queue: b.queue, raw }), 422, 'invalid_field', `${url} ${raw}`);
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE seat_id = ${seat}`), '0');

  // the same Idempotency-Key with another body, or on another endpoint
  assert.equal((await charge(b, 10, { key: 'once' })).status, 200);
  expectError(await charge(b, 11, { key: 'once' }), 422, 'idempotency_key_reused');
  expectError(await api('POST', '/api/v1/balance/charge', { token: b.token, raw: '{"amount": 10}', key: 'once' }), 422, 'idempotency_key_reused', 'other bytes');
  expectError(await pay(b, 1, { key: 'once' }), 422, 'idempotency_key_reused', 'another endpoint');
  expectError(await reserve(b, 1, seat, { key: 'once' }), 422, 'idempotency_key_reused', 'another endpoint');
  assert.equal(balanceOf(b.uid), maxCharge + 10);
});

test('429: after five wrong passwords this address waits, even with the right one', async () => {
  const a = await account('throttled');
  const bystander = await account('bystander');
  for (let i = 0; i < 5; i++)
    expectError(await api('POST', '/api/v1/sessions', { body: { email: a.email, password: `wrong ${i}` } }), 401, 'invalid_credentials');
  const r = await api('POST', '/api/v1/sessions', { body: { email: a.email, password: PASSWORD } });
  expectError(r, 429, 'too_many_requests');
  assert.ok(Number(r.headers.get('retry-after')) > 0, 'Retry-After');
  assert.match(JSON.parse(r.text).error.message, /try again in \d+ seconds/);
  expectError(await api('POST', '/api/v1/sessions', { body: { email: a.email.toUpperCase(), password: PASSWORD } }), 429, 'too_many_requests', 'any spelling of the address');
  // the token it had keeps working, and another account is not affected
  assert.equal((await api('GET', '/api/v1/balance', { token: a.token })).status, 200);
  assert.equal((await api('POST', '/api/v1/sessions', { body: { email: bystander.email, password: PASSWORD } })).status, 201);
  // the HTML login shares the count
  assert.equal((await new Client(stack.base).login(a.email)).status, 429);
});

test('idempotent replays: same key and body, same answer, nothing changes', async () => {
  const b = await buyer('replay');
  const other = await buyer('replay-other');

  const c1 = await charge(b, 300000, { key: 'charge-1' });
  assert.equal(c1.status, 200);
  assert.equal(c1.headers.get('idempotent-replayed'), null, 'the first answer is no replay');
  const ledger = ledgerCount(b.uid);
  for (let i = 0; i < 3; i++) {
    const again = await charge(b, 300000, { key: 'charge-1' });
    assert.equal(again.status, 200);
    assert.equal(again.text, c1.text);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
  }
  assert.equal(balanceOf(b.uid), 300000);
  assert.equal(ledgerCount(b.uid), ledger);
  const theirs = await charge(other, 300000, { key: 'charge-1' });
  assert.equal(theirs.headers.get('idempotent-replayed'), null, 'keys are per account');
  assert.equal(balanceOf(other.uid), 300000);

  const seat = freshSeat(1);
  const r1 = await reserve(b, 1, seat, { key: 'hold-1' });
  assert.equal(r1.status, 201);
  const r2 = await reserve(b, 1, seat, { key: 'hold-1' });
  assert.equal(r2.status, 201);
  assert.equal(r2.text, r1.text);
  assert.equal(r2.headers.get('idempotent-replayed'), 'true');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${b.uid}`), '1');
  // a refusal changed nothing and is not kept: a retry runs again (and,
  // the seat still being taken, is refused again, not replayed)
  const t1 = await reserve(other, 1, seat, { key: 'hold-x' });
  expectError(t1, 409, 'seat_taken');
  const t2 = await reserve(other, 1, seat, { key: 'hold-x' });
  expectError(t2, 409, 'seat_taken');
  assert.equal(t2.headers.get('idempotent-replayed'), null);
  assert.equal(stack.sql(`SELECT count(*) FROM idem_record WHERE idem_key = 'hold-x'`), '0');

  const rid = r1.body.reservationId;
  const p1 = await pay(b, rid, { key: 'pay-1' });
  assert.equal(p1.status, 201);
  const p2 = await pay(b, rid, { key: 'pay-1' });
  assert.equal(p2.status, 201, 'the replay keeps the first status');
  assert.equal(p2.text, p1.text);
  assert.equal(p2.headers.get('idempotent-replayed'), 'true');
  const p3 = await pay(b, rid, { key: 'pay-2' });
  assert.equal(p3.status, 200, 'a new key finds it paid');
  assert.equal(p3.body.paymentId, p1.body.paymentId);
  assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE hold_id = ${rid}`), '1');
  assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE hold_id = ${rid}`), '1');
  assert.equal(balanceOf(b.uid), 300000 - priceOf(seat));
  assert.equal((await api('GET', '/api/v1/balance/history', { token: b.token })).body.history.length, 2);
});

test('a refused payment is not kept under its key: top up, retry the same key, paid', async () => {
  const b = await buyer('retry-pay');
  const r = await reserve(b, 1, freshSeat(1));
  assert.equal(r.status, 201);
  const short = await pay(b, r.body.reservationId, { key: 'pay-after-topup' });
  expectError(short, 402, 'insufficient_balance');
  assert.equal((await charge(b, 500000)).status, 200);
  const paid = await pay(b, r.body.reservationId, { key: 'pay-after-topup' });
  assert.equal(paid.status, 201, 'the retry ran again and paid');
  assert.equal(paid.headers.get('idempotent-replayed'), null);
  const again = await pay(b, r.body.reservationId, { key: 'pay-after-topup' });
  assert.equal(again.status, 201);
  assert.equal(again.text, paid.text, 'and from now on the payment is replayed');
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
});

test('50 concurrent payments with one Idempotency-Key: one payment, one debit', async (t) => {
  const b = await buyer('race');
  const seat = freshSeat(1);
  await charge(b, 500000);
  const r = await reserve(b, 1, seat);
  const rid = r.body.reservationId;
  const answers = await Promise.all(Array.from({ length: 50 }, () => pay(b, rid, { key: 'race-pay' })));
  const paid = answers.filter((a) => a.status === 201 || a.status === 200);
  // The key is decided inside the payment's own write transaction: the
  // write lock orders the fifty, and each one after the first finds the
  // first's committed record. Nobody is told to wait.
  assert.equal(paid.length, 50, `only payments: ${answers.map((a) => a.status)}`);
  for (const a of paid) {
    assert.equal(a.body.paymentId, paid[0].body.paymentId, 'the same payment');
    assert.equal(a.status, 201, 'the one answer, replayed');
  }
  t.diagnostic(`${paid.length} answers with the payment`);
  assert.equal(paid.filter((a) => a.headers.get('idempotent-replayed') === null).length, 1, 'one ran, the others replay');
  assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE hold_id = ${rid}`), '1');
  assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${b.uid} AND kind = 'PAYMENT'`), '1');
  assert.equal(balanceOf(b.uid), 500000 - priceOf(seat));
  // the waiters retry and get the answer
  const later = await pay(b, rid, { key: 'race-pay' });
  assert.equal(later.status, 201);
  assert.equal(later.text, paid[0].text);
});

test('a replay answers the first status with the resources as they are now', async () => {
  const b = await buyer('now');
  const seat = freshSeat(1);
  const r1 = await reserve(b, 1, seat, { key: 'now-hold' });
  assert.equal(r1.status, 201);
  assert.equal(r1.body.state, 'held');
  const c1 = await charge(b, 400000, { key: 'now-charge' });
  assert.equal(c1.body.balance, 400000);
  const p1 = await pay(b, r1.body.reservationId, { key: 'now-pay' });
  assert.equal(p1.status, 201);
  assert.equal((await charge(b, 5, { key: 'now-later' })).status, 200);

  // the reservation replays as 201, and shows the seat paid
  const r2 = await reserve(b, 1, seat, { key: 'now-hold' });
  assert.equal(r2.status, 201);
  assert.equal(r2.headers.get('idempotent-replayed'), 'true');
  const { state: was, ...first } = r1.body;
  const { state: is, paymentId, ...again } = r2.body;
  assert.deepEqual(again, first, 'the same reservation');
  assert.equal(was, 'held');
  assert.equal(is, 'paid');
  assert.equal(paymentId, p1.body.paymentId);
  // the charge is a ledger row, which never changes: the balance it left
  const c2 = await charge(b, 400000, { key: 'now-charge' });
  assert.equal(c2.status, 200);
  assert.deepEqual(c2.body, c1.body);
  assert.equal(balanceOf(b.uid), 400000 - priceOf(seat) + 5);
  // a replay passes no gate: the turn ended with the payment
  assert.equal(stack.sql(`SELECT state FROM queue_ticket WHERE user_id = ${b.uid}`), 'DONE');
  expectError(await reserve(b, 1, freshSeat(1)), 403, 'not_admitted');
  assert.equal((await reserve(b, 1, seat, { key: 'now-hold' })).status, 201);
});

test('parity with the pages: holds show on both sides', async () => {
  const apiBuyer = await buyer('parity-api');
  const browser = new Client(stack.base);
  assert.equal((await browser.signup(uniqueEmail('parity-web'))).status, 303);
  await joinQueue(browser, 1);

  // reserved through the API → taken on the HTML seat map
  const seatA = freshSeat(1);
  const before = await browser.get('/performances/1');
  assert.equal(before.status, 200);
  assert.match(before.text, new RegExp(`value="${seatA}">`), 'free before');
  assert.equal((await reserve(apiBuyer, 1, seatA)).status, 201);
  const map = await browser.get('/performances/1');
  assert.match(map.text, new RegExp(`value="${seatA}" disabled class="t"`));
  const tried = await browser.post('/performances/1/holds', { seat: String(seatA), csrf: csrfOf(map.text) });
  assert.equal(tried.location, `/performances/1?taken=${seatA}&refused=taken`, 'and the browser cannot hold it');

  // held in the browser → not available in the API seat list
  const seatB = freshSeat(1);
  const list = async () => (await api('GET', '/api/v1/performances/1/seats', { token: apiBuyer.token, queue: apiBuyer.queue }))
    .body.seats.find((s) => s.id === seatB);
  assert.equal((await list()).available, true);
  const page = await browser.get('/performances/1');
  const held = await browser.post('/performances/1/holds', { seat: String(seatB), csrf: csrfOf(page.text) });
  assert.equal(held.status, 303);
  assert.match(held.location, /^\/holds\/\d+$/);
  assert.equal((await list()).available, false);
  expectError(await reserve(apiBuyer, 1, seatB), 409, 'seat_taken');
  // released in the browser → available again
  const holdPage = await browser.get(held.location);
  assert.equal((await browser.post(`${held.location}/release`, { csrf: csrfOf(holdPage.text) })).status, 303);
  assert.equal((await list()).available, true);
});

test('errors of the request line on /api/ come as JSON too', async () => {
  const bad = await api('GET', '/api/v1/concerts?q=%zz');
  expectError(bad, 400, 'bad_request');
  assert.equal(bad.headers.getSetCookie().length, 0, 'no cookie from the API');
  expectError(await api('GET', `/api/v1/concerts?q=${'x'.repeat(5000)}`), 414, 'uri_too_long');
});

test('nginx\'s own refusals on /api/: the login rate limit (429) and workers down (502)', async () => {
  const s2 = await startStack({ workers: 2, loginRate: '6r/m' });
  try {
    const opts = (i) => ({ base: s2.base, body: { email: uniqueEmail(`rate${i}`), password: PASSWORD } });
    // burst=20: 21 pass at once, then nginx refuses
    for (let i = 0; i < 21; i++) expectError(await api('POST', '/api/v1/sessions', opts(i)), 401, 'invalid_credentials', `#${i}`);
    const limited = await api('POST', '/api/v1/sessions', opts(21));
    expectError(limited, 429, 'too_many_requests');
    assert.equal(limited.headers.get('retry-after'), null, 'nginx, not the account throttle');
    assert.equal((await api('GET', '/api/v1/concerts', { base: s2.base })).status, 200, 'only logins count');
    assert.equal((await api('DELETE', '/api/v1/sessions', { base: s2.base })).status, 401, 'only POSTs count');

    s2.fcgi.kill('SIGTERM');
    await new Promise((r) => (s2.fcgi.exitCode !== null ? r() : s2.fcgi.on('exit', r)));
    expectError(await api('GET', '/api/v1/concerts', { base: s2.base }), 502, 'unavailable');
    expectError(await api('POST', '/api/v1/balance/charge', { base: s2.base, token: 'x', body: { amount: 1 } }), 502, 'unavailable');
    const page = await fetch(s2.base + '/');
    assert.equal(page.status, 502);
    assert.match(page.headers.get('content-type'), /text\/html/, 'the pages keep their HTML error page');
    const doc = await fetch(s2.base + '/api/v1/openapi.json');
    assert.equal(doc.status, 200, 'the document is served by nginx alone');
  } finally {
    await s2.stop();
  }
});

// ------------------------------------------------------------ orders

// n seats of a row of the performance that no other test here uses.
function freshRow(perf, n) {
  const seats = Array.from({ length: n }, () => freshSeat(perf));
  return seats;
}
const reserveMany = (b, perf, seatIds, opts = {}) =>
  api('POST', '/api/v1/reservations', { token: b.token, queue: b.queue, body: { performanceId: perf, seatIds }, ...opts });

test('an order of three seats: held together with one deadline, all or none', async () => {
  const b = await buyer('order');
  const seats = freshRow(1, 3);
  const r = await reserveMany(b, 1, seats);
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.reservations.map((x) => x.state), ['held', 'held', 'held']);
  assert.deepEqual(r.body.reservations.map((x) => stack.sql(`SELECT seat_id FROM hold WHERE id = ${x.reservationId}`)).map(Number), seats);
  assert.ok(r.body.reservations.every((x) => x.expiresAt === r.body.expiresAt), 'one deadline');
  assert.equal(r.body.total, seats.reduce((a, s) => a + priceOf(s), 0));
  assert.equal(stack.sql(`SELECT count(DISTINCT order_id) FROM hold WHERE id IN (${r.body.reservations.map((x) => x.reservationId)})`), '1');

  // another buyer asks for two free seats and one of those: nothing held
  const other = await buyer('order-loser');
  const free = freshRow(1, 2);
  const lost = await reserveMany(other, 1, [free[0], seats[1], free[1]]);
  expectError(lost, 409, 'seat_taken');
  assert.deepEqual(lost.body.error.seatIds, [seats[1]], 'the taken seat is named');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${other.uid}`), '0', 'nothing held');
  const won = await reserveMany(other, 1, free);
  assert.equal(won.status, 201, 'the free ones can still be held');

  // the deadline is never moved: the schema refuses it
  assert.throws(() => stack.sql(`UPDATE hold_order SET expires_at = expires_at + 60 WHERE id = ${r.body.orderId}`), /deadline/);
  assert.throws(() => stack.sql(`UPDATE hold SET expires_at = expires_at + 60 WHERE id = ${r.body.reservations[0].reservationId}`), /never extended/);
});

test('orders: seatId with seatIds is 422; bad lists 422; the limit counts every seat; a replay answers the order', async () => {
  const b = await buyer('order-bad');
  const [s1, s2, s3] = freshRow(1, 3);
  expectError(await api('POST', '/api/v1/reservations', { token: b.token, queue: b.queue,
    body: { performanceId: 1, seatId: s1, seatIds: [s2] } }), 422, 'invalid_field', 'both forms');
  for (const seatIds of [[], [s1, s1], ['x'], [0], Array.from({ length: 39 }, (_, i) => s1 + i), 'x'])
    expectError(await reserveMany(b, 1, seatIds), 422, 'invalid_field', JSON.stringify(seatIds));
  expectError(await reserveMany(b, 1, [s1, 999999]), 404, 'seat_not_found', 'a seat of no date');
  expectError(await reserveMany(b, 1, [s1, freshSeat(2)]), 404, 'seat_not_found', 'a seat of another date');
  expectError(await reserveMany(b, 1, freshRow(1, 5)), 409, 'hold_limit', 'five seats where four are allowed');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${b.uid}`), '0', 'nothing held');
  const key = `order-${randomBytes(4).toString('hex')}`;
  const first = await reserveMany(b, 1, [s1, s2, s3], { key });
  assert.equal(first.status, 201);
  const again = await reserveMany(b, 1, [s1, s2, s3], { key });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.body, first.body, 'the same order, never seat_taken for one\'s own seats');
  expectError(await reserveMany(b, 1, freshRow(1, 2)), 409, 'hold_limit', 'three held, two more is five');
});

test('best available: adjacent seats in the front-most row that has them, nearest the middle', async () => {
  // Performance 6's Mezzanine (16 seats a row); its front row is filled
  // but for a gap of two.
  const section = 'Mezzanine';
  const rows = stack.sql(`SELECT row_label FROM seat WHERE performance_id = 6 AND section = '${section}' GROUP BY row_label ORDER BY min(id)`).split('\n');
  const seatsOf = (row) => stack.sql(`SELECT id FROM seat WHERE performance_id = 6 AND section = '${section}' AND row_label = '${row}' ORDER BY id`).split('\n').map(Number);
  const front = seatsOf(rows[0]);
  const blocker = await buyer('best-blocker', 3);
  stack.admin('set', 'max_holds', 38);
  try {
    // take every seat of the front row but two side by side near its left end
    const held = front.filter((_, i) => i !== 1 && i !== 2);
    assert.equal((await reserveMany(blocker, 6, held)).status, 201);
    const b = await buyer('best', 3);
    const best = (count) => api('POST', '/api/v1/reservations', { token: b.token, queue: b.queue, body: { performanceId: 6, section, count } });
    const three = await best(3);
    assert.equal(three.status, 201, three.text);
    const second = seatsOf(rows[1]);
    const mid = Math.floor((second.length - 3) / 2);
    assert.deepEqual(three.body.reservations.map((x) => x.row), [rows[1], rows[1], rows[1]], 'the gap of two is too small: the next row');
    const numbers = three.body.reservations.map((x) => x.number);
    assert.deepEqual(numbers, [mid + 1, mid + 2, mid + 3].map((n) => Number(stack.sql(`SELECT number FROM seat WHERE id = ${second[n - 1]}`))), 'in its middle');
    const two = await best(1);
    assert.equal(two.body.reservations[0].row, rows[0], 'one seat fits the front row');
    expectError(await api('POST', '/api/v1/reservations', { token: b.token, queue: b.queue, body: { performanceId: 6, section: 'Nowhere', count: 2 } }),
      404, 'section_not_found');
    expectError(await api('POST', '/api/v1/reservations', { token: b.token, queue: b.queue, body: { performanceId: 6, section, count: 0 } }),
      422, 'invalid_field');
    expectError(await api('POST', '/api/v1/reservations', { token: b.token, queue: b.queue, body: { performanceId: 6, section, count: 17 } }),
      409, 'no_adjacent_seats');
  } finally {
    stack.admin('set', 'max_holds', 4);
  }
});

test('paying an order: one payment, one debit, every seat paid; all or none', async () => {
  const b = await buyer('order-pay');
  const seats = freshRow(1, 3);
  const total = seats.reduce((a, s) => a + priceOf(s), 0);
  const o = await reserveMany(b, 1, seats);
  const ids = o.body.reservations.map((x) => x.reservationId);
  const payMany = (reservationIds, opts = {}, who = b) =>
    api('POST', '/api/v1/payments', { token: who.token, body: { reservationIds }, ...opts });
  expectError(await payMany(ids), 402, 'insufficient_balance', 'nothing on the balance');
  await charge(b, total + 1000);
  const ledgerBefore = ledgerCount(b.uid);
  expectError(await api('POST', '/api/v1/payments', { token: b.token, body: { reservationId: ids[0], reservationIds: ids } }),
    422, 'invalid_field', 'both forms');
  expectError(await payMany([ids[0], ids[0]]), 422, 'invalid_field', 'a seat twice');
  const key = `pay-order-${randomBytes(4).toString('hex')}`;
  const p = await payMany(ids, { key });
  assert.equal(p.status, 201, p.text);
  assert.equal(p.body.amount, total);
  assert.deepEqual(p.body.reservationIds, ids);
  assert.ok(p.body.reservations.every((x) => x.state === 'paid' && x.paymentId === p.body.paymentId));
  assert.equal(ledgerCount(b.uid), ledgerBefore + 1, 'one debit');
  assert.equal(stack.sql(`SELECT amount FROM ledger WHERE user_id = ${b.uid} AND kind = 'PAYMENT'`), String(-total));
  assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE user_id = ${b.uid}`), '1', 'one payment');
  assert.equal(stack.sql(`SELECT count(*) FROM ticket WHERE hold_id IN (${ids})`), '3', 'a ticket per seat');
  assert.equal(balanceOf(b.uid), 1000);
  const replay = await payMany(ids, { key });
  assert.equal(replay.status, 201);
  assert.deepEqual(replay.body, p.body);
  const again = await payMany(ids);
  assert.equal(again.status, 200, 'paying again answers the same payment');
  assert.equal(again.body.paymentId, p.body.paymentId);
  assert.equal(ledgerCount(b.uid), ledgerBefore + 1, 'still one debit');
  const hist = await api('GET', '/api/v1/balance/history', { token: b.token });
  assert.equal(hist.body.history[0].amount, -total);

  // a lapsed one: 410, nothing paid
  const c = await buyer('order-lapse');
  await charge(c, 1000000);
  const o2 = await reserveMany(c, 1, freshRow(1, 2));
  const ids2 = o2.body.reservations.map((x) => x.reservationId);
  stack.sql(`UPDATE hold SET expires_at = ${now() - 1} WHERE id = ${ids2[1]}`);
  expectError(await payMany(ids2, {}, c), 410, 'reservation_expired');
  assert.equal(balanceOf(c.uid), 1000000, 'nothing charged');
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${ids2[0]}`), 'HELD', 'nothing paid');
});

test('check-ins at the door: staff only, once per code, each refusal as documented', async () => {
  // The door's own tests (concurrency, the page, the QR code) are in
  // door.test.mjs; here every answer is held to the document.
  const b = await buyer('ticket');
  const seat = freshSeat(1), other = freshSeat(1);
  const holds = [];
  for (const s of [seat, other]) holds.push((await reserve(b, 1, s)).body.reservationId);
  assert.equal((await charge(b, priceOf(seat) + priceOf(other))).status, 200);
  for (const h of holds) assert.equal((await pay(b, h)).status, 201);
  const codes = (await api('GET', '/api/v1/bookings', { token: b.token })).body.bookings
    .filter((x) => holds.includes(x.reservationId)).map((x) => x.ticketCode);
  assert.equal(codes.length, 2);

  expectError(await api('POST', '/api/v1/checkins', { body: { code: codes[0] } }), 401, 'unauthorized');
  expectError(await api('POST', '/api/v1/checkins', { token: b.token, body: { code: codes[0] } }), 403, 'forbidden');
  const staff = await account('door');
  stack.admin('grant', staff.email, 'staff');
  const send = (body) => api('POST', '/api/v1/checkins', { token: staff.token, body });

  expectError(await send({ code: codes[0], performanceId: 2 }), 422, 'other_performance');
  const ok = await send({ code: codes[0], performanceId: 1, door: 'East' });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.performanceId, 1);
  assert.equal(ok.body.door, 'East');
  assert.equal(ok.body.ticketCode, codes[0]);
  assert.ok(Math.abs(ok.body.checkedInAt - now()) < 60);
  const again = await send({ code: codes[0], performanceId: 1, door: 'West' });
  expectError(again, 409, 'already_checked_in');
  assert.equal(again.body.error.door, 'East');
  assert.equal(again.body.error.firstCheckedInAt, ok.body.checkedInAt);
  const flipped = codes[1].slice(0, 27) + (codes[1][27] === '0' ? '1' : '0');
  expectError(await send({ code: flipped }), 422, 'malformed_code');
  expectError(await send({ code: codes[1], door: 7 }), 422, 'invalid_field');
  expectError(await send({ code: 'X'.repeat(27) + 'Z'.repeat(1) }), 422, 'malformed_code');
  // refunds land with issue 11's refunds branch; a refund leaves this:
  stack.sql(`UPDATE ticket SET refunded_at = unixepoch() WHERE code = '${codes[1]}'`);
  expectError(await send({ code: codes[1] }), 410, 'refunded');
  const unknown = await send({ code: '0'.repeat(28) });
  expectError(unknown, 404, 'unknown_code');
  expectError(await api('POST', '/api/v1/checkins', { token: staff.token, raw: '{' }), 400, 'invalid_json');
});

test('the OpenAPI document: served, OpenAPI 3, and every route of router.c in it', async () => {
  const res = await fetch(stack.base + '/api/v1/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json\b/);
  const served = await res.json();
  assert.match(served.openapi, /^3\.\d+\.\d+$/);
  assert.deepEqual(served, DOC, 'the file in static/ is what is served');
  assert.ok(served.info.title && served.info.version);
  assert.equal(served.components.securitySchemes.bearer.type, 'http');
  assert.equal(served.components.securitySchemes.bearer.scheme, 'bearer');
  assert.deepEqual(served.security, [{ bearer: [] }]);

  // the route table: [R_X] = { "pattern", get, post, flags[, del] },
  const router = readFileSync(join(ROOT, 'cgi-bin', 'router.c'), 'utf8');
  const table = /routes\[R__MAX\] = \{([\s\S]*?)\n\};/.exec(router)[1];
  const routes = [...table.matchAll(/\[R_\w+\]\s*=\s*\{([^}]*)\}/g)]
    .map((m) => m[1].split(',').map((s) => s.trim()))
    .map(([pattern, get, post, flags, del]) => ({ pattern: JSON.parse(pattern), get, post, flags, del }))
    .filter((r) => r.pattern.startsWith('/api/'));
  // (enum route is in router.h)
  const routerH = readFileSync(join(ROOT, 'cgi-bin', 'router.h'), 'utf8');
  assert.equal(routes.length, routerH.match(/^\tR_API_\w+,$/gm).length, 'the table parsed: one entry per R_API_ route');
  const template = (p) => p.replace(/\{[^}]+\}/g, '#');
  assert.deepEqual(Object.keys(DOC.paths).map(template).sort(), routes.map((r) => r.pattern).sort(),
    'the same paths, no more, no less');

  // handlers that read X-Queue-Token or Idempotency-Key (directly or through
  // a helper in the api*.c files)
  const sources = ['api.c', 'api_session.c', 'api_queue.c', 'api_catalog.c', 'api_booking.c', 'api_wallet.c',
    'api_checkin.c']
    .map((f) => readFileSync(join(ROOT, 'cgi-bin', f), 'utf8')).join('\n');
  const bodies = new Map([...sources.matchAll(/^(\w+)\([^)]*\)\n\{\n([\s\S]*?)^\}/gm)].map((m) => [m[1], m[2]]));
  const uses = (fn, what, depth = 0) => {
    const body = bodies.get(fn) || '';
    const calls = (name) => new RegExp(`\\b${name}\\(`).test(body);
    if (calls(what)) return true;
    return depth < 4 && [...bodies.keys()].some((g) => g !== fn && calls(g) && uses(g, what, depth + 1));
  };
  for (const r of routes) {
    const item = DOC.paths[Object.keys(DOC.paths).find((p) => template(p) === r.pattern)];
    for (const [method, handler] of [['get', r.get], ['post', r.post], ['delete', r.del]]) {
      const op = item[method];
      assert.equal(Boolean(op), Boolean(handler && handler !== 'NULL'), `${method} ${r.pattern} documented iff routed`);
      if (!op) continue;
      const where = `${method} ${r.pattern}`;
      // RF_STAFF and RF_OPERATOR include RF_LOGIN (router.c).
      const needsLogin = /RF_(LOGIN|STAFF|OPERATOR)/.test(r.flags) || method === 'delete';
      const open = Array.isArray(op.security) && op.security.length === 0;
      assert.equal(open, !needsLogin, `${where}: security matches RF_LOGIN`);
      if (needsLogin) assert.ok(op.responses['401'], `${where}: 401 documented`);
      const params = (op.parameters || []).map(deref);
      const has = (name) => params.some((p) => p.in === 'header' && p.name === name);
      assert.equal(has('X-Queue-Token'), uses(handler, 'api_queue_token'), `${where}: X-Queue-Token documented iff read`);
      assert.equal(has('Idempotency-Key'), uses(handler, 'api_idem_begin'), `${where}: Idempotency-Key documented iff used`);
      assert.equal(params.filter((p) => p.in === 'path' && p.required).length, (r.pattern.match(/#/g) || []).length,
        `${where}: one path parameter per id`);
      assert.ok(op.description && op.summary, `${where}: described`);
      if (method === 'post') {
        const schema = deref(op.requestBody.content['application/json'].schema);
        for (const form of (schema.oneOf || [schema]).map(deref)) {
          assert.equal(form.additionalProperties, false, `${where}: strict body`);
          assert.ok(form.required.length > 0);
        }
      }
      for (const [status, resp] of Object.entries(op.responses)) {
        const rs = deref(resp);
        if (Number(status) >= 400) {
          assert.equal(rs.content['application/json'].schema.$ref, '#/components/schemas/Error', `${where} ${status}: the Error schema`);
          assert.ok(rs['x-error-codes'].length > 0);
        }
      }
    }
  }
});

test('every operation was seen answering its success status here', (t) => {
  for (const [path, item] of Object.entries(DOC.paths)) {
    for (const method of ['get', 'post', 'delete']) {
      if (!item[method]) continue;
      const ok = Object.keys(item[method].responses).filter((s) => s < 300);
      assert.ok(ok.some((s) => seen.has(`${method.toUpperCase()} ${path} ${s}`)), `${method} ${path} answered ${ok}`);
    }
  }
  assert.ok(checked > 300, `${checked} answers checked against the document`);
  t.diagnostic(`${checked} answers checked against static/openapi.json; ${seen.size} distinct method/path/status`);
});
