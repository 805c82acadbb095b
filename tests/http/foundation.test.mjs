// foundation.test.mjs — the buyer's first half of the flow over real HTTP:
// nginx + FastCGI workers + SQLite, as a browser drives it. Concert list,
// concert page, seat map behind a login, sign-up, login, logout, sessions,
// CSRF, settings without restart, a worker that dies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 3 }); });
after(async () => { await stack?.stop(); });

const seatButtons = (html) => (html.match(/<button name="add"/g) || []).length;

test('the front page lists upcoming concerts with date, price and seats left', async () => {
  const c = new Client(stack.base);
  const r = await c.get('/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html; charset=utf-8/);
  for (const title of ['Winter Symphony Gala', 'Midnight Jazz Session', 'Indie Spring Tour'])
    assert.ok(r.text.includes(title), title);
  assert.ok(r.text.includes('Grand Concert Hall'));
  assert.ok(r.text.includes('₩66,000'), 'lowest price of the hall');
  assert.ok(r.text.includes('2,000'), 'seats left over both hall dates');
  // soonest first: the club night is a week away, the gala two
  assert.ok(r.text.indexOf('Midnight Jazz Session') < r.text.indexOf('Winter Symphony Gala'));
  assert.match(r.text, /Log in/);
});

test('a concert whose sale has not opened says on its card when it opens', async () => {
  const before = stack.sql('SELECT group_concat(id || \':\' || sale_opens_at) FROM performance WHERE concert_id = 3');
  const opens = Math.floor(Date.now() / 1000) + 2 * 86400;
  stack.sql(`UPDATE performance SET sale_opens_at = ${opens} WHERE concert_id = 3`);
  try {
    await new Promise((r) => setTimeout(r, 1100)); // the list is a second old at most
    const r = await new Client(stack.base).get('/');
    const cards = r.text.split('<li class="card concert">').slice(1);
    const card = (title) => cards.find((c) => c.includes(title));
    assert.match(card('Indie Spring Tour'), /<dt>On sale from<\/dt><dd><strong>[^<]*\d\d:\d\d KST<\/strong><\/dd>/);
    assert.doesNotMatch(card('Winter Symphony Gala'), /On sale from/, 'on sale already');
  } finally {
    for (const pair of before.split(',')) {
      const [id, at] = pair.split(':');
      stack.sql(`UPDATE performance SET sale_opens_at = ${at} WHERE id = ${id}`);
    }
  }
});

test('a concert page shows the schedule to all and the seat maps to admitted buyers', async () => {
  const anon = new Client(stack.base);
  const r = await anon.get('/concerts/1');
  assert.equal(r.status, 200);
  assert.match(r.text, /Winter Symphony Gala/);
  assert.equal((r.text.match(/class="card date"/g) || []).length, 2, 'both dates are listed');
  assert.doesNotMatch(r.text, /href="\/performances\//, 'no seat map links before the queue');
  assert.match(r.text, /<a class="button" href="\/login\?next=\/concerts\/1">Log in to buy<\/a> <a class="button secondary" href="\/signup\?next=\/concerts\/1">Sign up to buy<\/a>/,
    'logged out, the main button is logging in to buy');
  assert.equal((r.text.match(/<a class="button secondary" href="\/login\?next=\/performances\/\d+">Log in to buy · from ₩/g) || []).length, 2,
    'each date on sale is a link, to its seat map after logging in');
  const later = await anon.get('/concerts/3');
  assert.match(later.text, /Sale opens/, 'a date whose sale has not opened says so');

  const c = new Client(stack.base);
  await c.signup(uniqueEmail());
  assert.match((await c.get('/concerts/1')).text, /Join the queue/);
  await joinQueue(c, 1);
  const active = await c.get('/concerts/1');
  assert.match(active.text, /It is your turn/);
  assert.equal((active.text.match(/href="\/performances\/\d+"/g) || []).length, 2);
  assert.match(active.text, /1,000 of 1,000 seats left/);
});

test('the seat map needs a login and comes back after it', async () => {
  const c = new Client(stack.base);
  const r = await c.get('/performances/1');
  assert.equal(r.status, 303);
  assert.equal(r.location, '/login?next=/performances/1');
  const form = await c.get(r.location);
  assert.match(form.text, /Please log in first/);
  assert.match(form.text, /name="next" value="\/performances\/1"/);
  const email = uniqueEmail();
  await new Client(stack.base).signup(email);
  const login = await c.post('/login', { email, password: 'correct horse battery', next: '/performances/1' });
  assert.equal(login.status, 303);
  assert.equal(login.location, '/performances/1');
  assert.equal((await c.get('/performances/1')).location, '/concerts/1', 'then the queue');
  await joinQueue(c, 1);
  const map = await c.get('/performances/1');
  assert.equal(map.status, 200);
  assert.equal(seatButtons(map.text), 1000);
  for (const s of ['VIP', 'R', 'S', 'Balcony']) assert.match(map.text, new RegExp(`<h3>${s} `));
  assert.match(map.text, /role="group" aria-label="VIP, row A, ₩165,000" data-price="₩165,000"><span class="rl" aria-hidden="true">A<\/span><button name="add" value="\d+">1<\/button>/);
  assert.doesNotMatch(map.text, /disabled/, 'nothing is held yet: every seat is free');
  assert.ok(map.text.includes(email), 'the header shows who is logged in');
});

test('picking a seat shows its section, row, number and price', async () => {
  const c = new Client(stack.base);
  await c.signup(uniqueEmail());
  await joinQueue(c, 1);
  const id = stack.sql("SELECT id FROM seat WHERE performance_id = 1 AND section = 'R' AND row_label = 'C' AND number = 7");
  const r = await c.get(`/performances/1?seat=${id}`);
  assert.equal(r.status, 200);
  assert.match(r.text, /R · Row C · Seat 7/);
  assert.match(r.text, /₩132,000/);
  assert.match(r.text, new RegExp(`value="${id}" aria-pressed="true" class="p"`));
  const other = stack.sql('SELECT id FROM seat WHERE performance_id = 2 LIMIT 1');
  const gone = await c.get(`/performances/1?seat=${other}`);
  assert.match(gone.text, /not available any more/);
  assert.equal((await c.get('/performances/1?seat=abc')).status, 400);
});

test('sign-up logs the buyer in; taken, weak and over-long are refused on the form', async () => {
  const email = uniqueEmail();
  const c = new Client(stack.base);
  const ok = await c.signup(email);
  assert.equal(ok.status, 303);
  assert.equal(ok.location, '/');
  const setCookie = ok.headers.getSetCookie().join('\n');
  assert.match(setCookie, /bo_s=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax/);
  const home = await c.get('/');
  assert.match(home.text, /Welcome! Your account is ready/);

  const again = new Client(stack.base);
  const taken = await again.signup(email.toUpperCase());
  assert.equal(taken.status, 409);
  assert.match(taken.text, /exists already/);
  assert.ok(taken.text.includes(`value="${email.toUpperCase()}"`), 'the e-mail is kept');

  const weak = await new Client(stack.base).signup(uniqueEmail(), 'short');
  assert.equal(weak.status, 422);
  assert.match(weak.text, /at least 8 characters/);
  const common = await new Client(stack.base).signup(uniqueEmail(), 'password');
  assert.equal(common.status, 422);
  const long = await new Client(stack.base).signup(uniqueEmail(), 'x'.repeat(129) + 'y');
  assert.equal(long.status, 422);
  assert.match(long.text, /at most 128/);
  const bad = await new Client(stack.base).signup('not-an-address', 'correct horse battery');
  assert.equal(bad.status, 422);
  assert.match(bad.text, /does not look like an e-mail/);
  assert.equal(stack.sql(`SELECT count(*) FROM user WHERE email = '${email}'`), '1');
});

test('a wrong password and an unknown e-mail get the same message', async () => {
  const email = uniqueEmail();
  await new Client(stack.base).signup(email);
  const wrong = await new Client(stack.base).login(email, 'not my password');
  const unknown = await new Client(stack.base).login(uniqueEmail(), 'not my password');
  for (const r of [wrong, unknown]) {
    assert.equal(r.status, 422);
    assert.match(r.text, /That e-mail and password do not match an account/);
    assert.ok(!r.headers.getSetCookie().some((h) => h.startsWith('bo_s=')), 'no session');
  }
});

test('logins are throttled per account and address after five failures', async () => {
  const email = uniqueEmail();
  await new Client(stack.base).signup(email);
  for (let i = 0; i < 5; i++)
    assert.equal((await new Client(stack.base).login(email, 'wrong password ' + i)).status, 422);
  const blocked = await new Client(stack.base).login(email);
  assert.equal(blocked.status, 429, 'even the right password waits');
  assert.match(blocked.text, /Too many failed attempts/);
  assert.match(blocked.text, /Please try again in \d+ seconds\./);
  assert.ok(Number(blocked.headers.get('retry-after')) > 0);
});

test('logout ends the session on the server, not just in the browser', async () => {
  const c = new Client(stack.base);
  await c.signup(uniqueEmail());
  await joinQueue(c, 1);
  const stolen = c.cookies.get('bo_s');
  await c.get('/');
  const out = await c.post('/logout', {});
  assert.equal(out.status, 303);
  assert.equal(out.location, '/');
  assert.equal(c.cookies.get('bo_s'), undefined);
  const replay = new Client(stack.base);
  replay.cookies.set('bo_s', stolen);
  const r = await replay.get('/performances/1');
  assert.equal(r.status, 303, 'the old token opens nothing');
  assert.match(r.location, /^\/login/);
});

test('each login gets a new session token', async () => {
  const email = uniqueEmail();
  const c = new Client(stack.base);
  await c.signup(email);
  await joinQueue(c, 1);
  const first = c.cookies.get('bo_s');
  await c.get('/'); // logged in, /login redirects: post the form from here
  assert.equal((await c.post('/login', { email, password: 'correct horse battery' })).status, 303);
  const second = c.cookies.get('bo_s');
  assert.notEqual(first, second);
  const old = new Client(stack.base);
  old.cookies.set('bo_s', first);
  const r = await old.get('/performances/1');
  assert.match(r.location, /^\/login/, 'the replaced session is gone');
  assert.equal((await c.get('/performances/1')).status, 200, 'the ticket is the account\'s, not the session\'s');
});

test('every POST needs the right CSRF token', async () => {
  const c = new Client(stack.base);
  await c.signup(uniqueEmail());
  await c.get('/');
  for (const csrf of [null, '', 'x'.repeat(22), csrfOf(c.last.text).slice(0, 21)]) {
    const r = await c.post('/logout', { csrf });
    assert.equal(r.status, 403, `csrf=${csrf}`);
    assert.match(r.text, /This form has expired/);
  }
  // another buyer's token is no good either
  const other = new Client(stack.base);
  await other.signup(uniqueEmail());
  await other.get('/');
  assert.equal((await c.post('/logout', { csrf: csrfOf(other.last.text) })).status, 403);
  // a login form posted without the pre-login cookie's token
  const anon = new Client(stack.base);
  assert.equal((await anon.post('/login', { email: 'a@b.co', password: 'whatever12' })).status, 403);
  assert.equal((await c.get('/concerts/1/queue.json')).status, 200, 'still logged in');
});

test('next= never leads off the site', async () => {
  const email = uniqueEmail();
  await new Client(stack.base).signup(email);
  for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
    const c = new Client(stack.base);
    await c.get('/login');
    const r = await c.post('/login', { email, password: 'correct horse battery', next });
    assert.equal(r.status, 303);
    assert.ok(r.location.startsWith('/') && !r.location.startsWith('//'), `${next} → ${r.location}`);
  }
});

test('what a buyer typed is escaped on every page', async () => {
  const email = `x<script>alert(1)</script>-${Date.now()}@example.com`;
  const c = new Client(stack.base);
  const r = await c.signup(email);
  assert.equal(r.status, 303);
  const home = await c.get('/');
  assert.ok(!home.text.includes('<script>alert(1)'), 'no raw markup');
  assert.ok(home.text.includes('x&lt;script&gt;alert(1)&lt;/script&gt;'));
});

test('security headers are on pages and errors alike', async () => {
  for (const path of ['/', '/concerts/1', '/nope', '/static/style.css']) {
    const r = await fetch(stack.base + path);
    assert.match(r.headers.get('content-security-policy') || '', /frame-ancestors 'none'/, path);
    assert.match(r.headers.get('content-security-policy') || '', /default-src 'self'/, path);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
  }
});

test('a setting changed with boxoffice-admin shows at once, without a restart', async () => {
  // The first date on the front page, in the venue's zone and then in UTC.
  const starts = Number(stack.sql('SELECT min(starts_at) FROM performance'));
  const hhmm = (timeZone) => new Intl.DateTimeFormat('en-GB',
    { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(starts * 1000));
  assert.ok((await new Client(stack.base).get('/')).text.includes(`, ${hhmm('Asia/Seoul')}`));
  stack.admin('set', 'timezone', 'UTC');
  try {
    const r = await new Client(stack.base).get('/');
    assert.ok(r.text.includes(`, ${hhmm('UTC')}`), 'times now in UTC');
  } finally {
    stack.admin('set', 'timezone', 'Asia/Seoul');
  }
  assert.ok((await new Client(stack.base).get('/')).text.includes(`, ${hhmm('Asia/Seoul')}`));
});

test('a worker that dies is replaced and the site keeps answering', async () => {
  const workers = execFileSync('pgrep', ['-P', String(stack.fcgi.pid)], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(workers.length, 3);
  for (const pid of workers) process.kill(Number(pid), 'SIGKILL');
  let ok = 0;
  for (let i = 0; i < 40 && ok < 5; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try { if ((await fetch(stack.base + '/')).status === 200) ok++; } catch { /* respawning */ }
  }
  assert.equal(ok, 5);
  const now = execFileSync('pgrep', ['-P', String(stack.fcgi.pid)], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(now.length, 3);
  assert.ok(now.every((p) => !workers.includes(p)));
});

test('a cached seat map shows a new hold at once, and frees it the second it lapses', async () => {
  const c = new Client(stack.base);
  await c.signup(uniqueEmail());
  await joinQueue(c, 1);
  const seat = stack.sql("SELECT id FROM seat WHERE performance_id = 2 AND section = 'S' AND row_label = 'B' AND number = 3");
  // (the hold below is the buyer's own: shown as "yours", class y)
  const taken = new RegExp(`value="${seat}" disabled class="[ty]">3<i class="vh">, (taken|yours)</i></button>`);
  // warm every worker's cache
  for (let i = 0; i < 6; i++) assert.doesNotMatch((await c.get('/performances/2')).text, taken);
  const user = stack.sql('SELECT max(id) FROM user');
  const now = Math.floor(Date.now() / 1000);
  stack.sql(`INSERT INTO hold(seat_id, performance_id, user_id, state, price, created_at, expires_at)
             VALUES (${seat}, 2, ${user}, 'HELD', 99000, ${now}, ${now + 2})`);
  for (let i = 0; i < 6; i++) {
    const r = await c.get('/performances/2');
    assert.match(r.text, taken, 'every worker sees the hold');
    assert.match(r.text, /999 of 1,000 seats free/);
  }
  await new Promise((res) => setTimeout(res, 2200));
  for (let i = 0; i < 6; i++) assert.doesNotMatch((await c.get('/performances/2')).text, taken, 'lapsed: free again');
  assert.equal((await c.get(`/performances/2?seat=${seat}`)).status, 200);
});
