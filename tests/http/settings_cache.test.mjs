// settings_cache.test.mjs — what a worker keeps follows the settings, the
// currency is fixed once amounts exist and every currency reads by its own
// minor unit, no page of the workers is kept by the browser, and a charge
// the balance cannot take says so. Real nginx, real workers, real SQLite.
//
// One worker, so that the second look at a page comes from the worker
// whose cache the first one filled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue, ROOT } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 1 }); });
after(async () => { await stack?.stop(); });

// A signed-up buyer admitted to concert 1.
async function admitted(tag) {
  const c = new Client(stack.base);
  const email = uniqueEmail(tag);
  assert.equal((await c.signup(email)).status, 303);
  await joinQueue(c, 1);
  c.email = email;
  c.uid = stack.sql(`SELECT id FROM user WHERE email = '${email}'`);
  c.csrf = csrfOf((await c.get('/wallet')).text);
  return c;
}

// boxoffice-admin with its exit status and what it said.
function admin(db, ...args) {
  try {
    const out = execFileSync(join(ROOT, 'build', 'boxoffice-admin'), ['--db', db, ...args],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, out, err: '' };
  } catch (e) {
    return { status: e.status, out: e.stdout, err: e.stderr };
  }
}

// The section heads of a seat map: "VIP ₩165,000".
const heads = (html) => [...html.matchAll(/<h3>([^<]+) <span class="price">([^<]+)<\/span>/g)]
  .map((m) => `${m[1]} ${m[2]}`);

test('a cached seat map follows the settings: new formatting on the next look', async () => {
  const c = await admitted('cache');
  const first = await c.get('/performances/1');
  assert.equal(first.status, 200);
  assert.deepEqual(heads(first.text), ['VIP ₩165,000', 'R ₩132,000', 'S ₩99,000', 'Balcony ₩66,000']);
  const again = await c.get('/performances/1'); // from the worker's cache now
  assert.deepEqual(heads(again.text), heads(first.text));

  // The operator's command refuses: the seats have prices in won.
  const refused = admin(stack.db, 'set', 'currency', 'USD');
  assert.equal(refused.status, 1);
  assert.match(refused.err, /the currency cannot change once amounts exist \(\d+ seat prices, \d+ wallet entries\)/);
  assert.equal(stack.sql("SELECT value FROM setting WHERE key = 'currency'"), '');

  // A hand edit of the table (sqlite3) moves the settings version all the
  // same (a trigger keeps it): the worker renders the map again.
  const v0 = Number(stack.sql('SELECT version FROM settings_version'));
  stack.sql("INSERT INTO setting(key, value) VALUES ('currency', 'USD')");
  try {
    assert.equal(Number(stack.sql('SELECT version FROM settings_version')), v0 + 1);
    const after = await c.get('/performances/1');
    assert.deepEqual(heads(after.text), ['VIP $1,650.00', 'R $1,320.00', 'S $990.00', 'Balcony $660.00']);
    assert.match(after.text, /\$0\.00/, 'the header agrees');
    assert.doesNotMatch(after.text, /₩/, 'no won left anywhere on the page');
    const home = await c.get('/');
    assert.ok(home.text.includes('$660.00') && !home.text.includes('₩'), 'the front page too');
  } finally {
    stack.sql("DELETE FROM setting WHERE key = 'currency'");
  }
  const back = await c.get('/performances/1');
  assert.deepEqual(heads(back.text), heads(first.text), 'and back to won');
});

test('a changed time zone shows at once on the seat map', async () => {
  const c = await admitted('zone');
  const seat = stack.sql("SELECT id FROM seat WHERE performance_id = 1 AND section = 'S' AND row_label = 'A' AND number = 3");
  const held = await c.post('/performances/1/holds', { seat, csrf: c.csrf });
  assert.equal(held.status, 303);
  const until = Number(stack.sql(`SELECT expires_at FROM hold WHERE user_id = ${c.uid}`));
  const clock = (timeZone) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit',
    minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(until * 1000));
  assert.ok((await c.get('/performances/1')).text.includes(clock('Asia/Seoul')));
  assert.equal(admin(stack.db, 'set', 'timezone', 'America/New_York').status, 0);
  try {
    const map = await c.get('/performances/1');
    assert.ok(map.text.includes(clock('America/New_York')), 'the hold\'s deadline in the new zone');
    assert.ok(!map.text.includes(clock('Asia/Seoul')));
  } finally {
    assert.equal(admin(stack.db, 'set', 'timezone', 'Asia/Seoul').status, 0);
  }
});

test('the currency: ISO 4217 only, chosen before any amount, each read by its own minor unit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'boxoffice-currency-'));
  const db = join(dir, 'x.db');
  try {
    assert.equal(admin(db, 'init').status, 0);
    // Unknown codes, and ISO codes that are not money for tickets.
    for (const [code, why] of [['ABC', /'ABC' is not an ISO 4217 currency code/],
      ['usd', /three capital letters/], ['XAU', /no minor unit/], ['₩', /three capital letters/]]) {
      const r = admin(db, 'set', 'currency', code);
      assert.equal(r.status, 2, code);
      assert.match(r.err, why, code);
    }
    // Before any amount: any ISO code.
    assert.equal(admin(db, 'set', 'currency', 'USD').status, 0);
    assert.equal(admin(db, 'set', 'currency', 'KWD').status, 0);
    assert.equal(admin(db, 'get', 'currency').out.trim(), 'KWD');
    // A performance with prices: fixed from now on (the same code is fine).
    const concert = admin(db, 'add-concert', 'T', 'A', 'V').out.trim();
    assert.equal(admin(db, 'add-performance', concert, '4000000000', '0', '3999999999', 'A:A-A:2:12345').status, 0);
    const r = admin(db, 'set', 'currency', 'USD');
    assert.equal(r.status, 1);
    assert.match(r.err, /\(2 seat prices, 0 wallet entries\).*KWD's minor unit.*before adding any performance/);
    assert.equal(admin(db, 'set', 'currency', 'KWD').status, 0);
    assert.equal(admin(db, 'get', 'currency').out.trim(), 'KWD');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // A box office in dinars: three decimals everywhere, integers of fils in the API.
  const kwd = await startStack({ workers: 1, settingsFirst: { currency: 'KWD' } });
  try {
    const c = new Client(kwd.base);
    assert.equal((await c.signup(uniqueEmail('kwd'))).status, 303);
    const home = await c.get('/');
    assert.ok(home.text.includes('66.000 KWD'), 'the lowest price: 66,000 fils');
    assert.ok(home.text.includes('0.000 KWD'), 'the header\'s balance');
    await joinQueue(c, 1);
    const map = await c.get('/performances/1');
    assert.deepEqual(heads(map.text), ['VIP 165.000 KWD', 'R 132.000 KWD', 'S 99.000 KWD', 'Balcony 66.000 KWD']);
    // The wallet reads a top-up as people write dinars: 12.5 is 12,500 fils.
    const wallet = await c.get('/wallet?amount=165000&next=/');
    assert.match(wallet.text, /name="amount" value="165\.000" inputmode="decimal" pattern="\[0-9\]\+\(\[\.\]\[0-9\]\{1,3\}\)\?"/,
      'a Top up link\'s amount (fils) shown as dinars');
    assert.match(wallet.text, /An amount with at most 3 decimals, up to 1,000\.000 KWD at a time\./);
    const key = /name="key" value="([^"]+)"/.exec(wallet.text)[1];
    const csrf = csrfOf(wallet.text);
    const bad = await c.post('/wallet/charge', { amount: '1.2345', key, csrf });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /Enter an amount from 0\.001 KWD to 1,000\.000 KWD: digits, and at most 3 after a point/);
    assert.equal((await c.post('/wallet/charge', { amount: '12.5', key, csrf })).status, 303);
    const uid = kwd.sql("SELECT id FROM user ORDER BY id DESC LIMIT 1");
    assert.equal(kwd.sql(`SELECT group_concat(amount) FROM ledger WHERE user_id = ${uid}`), '12500');
    assert.match((await c.get('/wallet')).text, /id="balance">12\.500 KWD</);
    const api = await fetch(`${kwd.base}/api/v1/concerts`);
    const body = await api.json();
    assert.equal(body.currency, 'KWD');
    assert.equal(body.concerts.find((x) => x.id === 1).lowestPrice, 66000, 'an integer of fils');
  } finally {
    await kwd.stop();
  }
});

test('no answer of the workers is kept by the browser; static files are', async () => {
  const c = await admitted('nostore');
  const seat = stack.sql("SELECT id FROM seat WHERE performance_id = 1 AND section = 'S' AND row_label = 'B' AND number = 4");
  const hold = (await c.post('/performances/1/holds', { seat, csrf: c.csrf })).location;
  assert.match(hold, /^\/holds\/\d+$/);
  const anon = new Client(stack.base);
  const answers = {
    'GET / (anonymous)': await anon.get('/'),
    'GET /login': await anon.get('/login'),
    'GET /signup': await anon.get('/signup'),
    'GET /concerts/1 (anonymous)': await anon.get('/concerts/1'),
    'GET /nope (404)': await anon.get('/nope'),
    'GET /wallet (anonymous, 303 to login)': await anon.get('/wallet'),
    'GET /': await c.get('/'),
    'GET /concerts/1': await c.get('/concerts/1'),
    'GET /concerts/1/queue': await c.get('/concerts/1/queue'),
    'GET /concerts/1/queue.json': await c.get('/concerts/1/queue.json'),
    'GET /performances/1': await c.get('/performances/1'),
    [`GET /performances/1?seat=${seat}`]: await c.get(`/performances/1?seat=${seat}`),
    [`GET ${hold}`]: await c.get(hold),
    'GET /wallet': await c.get('/wallet'),
    'GET /bookings': await c.get('/bookings'),
    'POST /wallet/charge (422)': await c.post('/wallet/charge', { amount: 'x', key: 'k1', csrf: c.csrf }),
    'POST /wallet/charge (303)': await c.post('/wallet/charge', { amount: '5', key: 'k2', csrf: c.csrf }),
    'GET /api/v1/concerts': await anon.get('/api/v1/concerts'),
    'GET /api/v1/balance (401)': await anon.get('/api/v1/balance'),
  };
  for (const [what, r] of Object.entries(answers)) {
    assert.ok(r.status < 500, `${what}: ${r.status}`);
    // exactly one header, saying no-store (fetch joins repeated ones with ", ")
    assert.equal(r.headers.get('cache-control'), 'no-store', what);
  }
  for (const path of ['/static/style.css', '/static/app.js']) {
    const r = await fetch(stack.base + path);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'max-age=3600', path);
  }
});

test('a charge the balance cannot take says so (409) and charges nothing', async () => {
  const c = await admitted('full');
  // Only a seeded ledger gets near the top: max_charge is at most 10^12.
  const near = '9223372036854775797'; // INT64_MAX - 10
  stack.sql(`INSERT INTO ledger(user_id, kind, amount, balance_after, created_at) VALUES (${c.uid}, 'CHARGE', ${near}, ${near}, 0)`);
  const before = stack.sql(`SELECT count(*) || ':' || (SELECT balance FROM user WHERE id = ${c.uid}) FROM ledger WHERE user_id = ${c.uid}`);
  const page = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(page.text)[1];
  const r = await c.post('/wallet/charge', { amount: '11', key, csrf: c.csrf });
  assert.equal(r.status, 409);
  assert.match(r.text, /That would take your balance over the largest amount we can keep\. Nothing was charged\./);
  assert.doesNotMatch(r.text, /one-time key/);
  assert.match(r.text, /name="amount"[^>]*value="11"/, 'the form again, with the amount');
  assert.equal(stack.sql(`SELECT count(*) || ':' || (SELECT balance FROM user WHERE id = ${c.uid}) FROM ledger WHERE user_id = ${c.uid}`), before);
  // Up to the top exactly is fine; then even 1 is too much.
  assert.equal((await c.post('/wallet/charge', { amount: '10', key: `${key}x`, csrf: c.csrf })).status, 303);
  assert.equal(stack.sql(`SELECT balance FROM user WHERE id = ${c.uid}`), '9223372036854775807');
  assert.equal((await c.post('/wallet/charge', { amount: '1', key: `${key}y`, csrf: c.csrf })).status, 409);
  // The API says the same: 409 limit_reached, as documented.
  const login = await fetch(`${stack.base}/api/v1/sessions`, { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: c.email, password: 'correct horse battery' }) });
  const { token } = await login.json();
  const api = await fetch(`${stack.base}/api/v1/balance/charge`, { method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ amount: 1 }) });
  assert.equal(api.status, 409);
  assert.equal((await api.json()).error.code, 'limit_reached');
  const doc = JSON.parse(readFileSync(join(ROOT, 'static', 'openapi.json'), 'utf8'));
  assert.ok(doc.paths['/api/v1/balance/charge'].post.responses['409']['x-error-codes'].includes('limit_reached'));
  assert.equal(stack.sql(`SELECT balance FROM user WHERE id = ${c.uid}`), '9223372036854775807');
  // A broken key is still told as such.
  const badkey = await c.post('/wallet/charge', { amount: '1', key: 'has space', csrf: c.csrf });
  assert.equal(badkey.status, 400);
  assert.match(badkey.text, /missing its one-time key/);
});
