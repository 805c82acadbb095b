// text.test.mjs — hostile text at the edges (issue 8, defects 1, 5 and 6).
//
// next= of /login, /signup and /wallet never leads off the site, in any
// spelling a browser would forgive (TAB, CR, LF, backslashes, "//", "/\",
// percent-encoded forms, absolute URLs, javascript:), while our own paths
// are kept. Text that is not UTF-8 is refused where it enters — a query,
// a form, a JSON body (400), our cookies (403 on a form), the operator's
// command line (a clear message) — and nothing changes; bytes already in
// the database (written there by hand) reach JSON as U+FFFD, logged, and
// never kill a worker or drop a concert. The waiting room's poll answers
// the API's QueueTicket object.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Ajv from 'ajv';
import { startStack, Client, rawRequest, uniqueEmail, joinQueue, ROOT } from '../lib/stack.mjs';

const PASSWORD = 'correct horse battery';
let stack;
before(async () => { stack = await startStack({ workers: 2 }); });
after(async () => { await stack?.stop(); });

async function buyer(tag) {
  const c = new Client(stack.base);
  const email = uniqueEmail(tag);
  const r = await c.signup(email);
  assert.equal(r.status, 303);
  c.email = email;
  return c;
}

// Hostile next values, as they arrive in a query string (already
// percent-encoded once, as a browser or an attacker's link sends them).
const HOSTILE = [
  '/%09/evil.example/x', // the reported one: /<TAB>/evil.example/x
  '%2F%09%2Fevil.example', '/%0D/evil.example', '/%0A/evil.example', '/%0D%0A/evil.example',
  '%09//evil.example', '//evil.example/x', '%2F%2Fevil.example', '/%5Cevil.example',
  '%5C%5Cevil.example', '/%5C/evil.example', '%2F%5Cevil.example',
  '/%2509/evil.example', '/%255C/evil.example', // encoded twice
  'https://evil.example/', 'https%3A%2F%2Fevil.example', 'http:evil.example',
  '//evil.example@x', 'javascript:alert(1)', 'javascript%3Aalert(document.cookie)',
  'evil.example', '', '/a%20b', '/a%23@evil.example', '/caf%C3%A9',
];

test('a logged-in buyer sent to /login or /signup with a hostile next lands on /', async () => {
  const c = await buyer('next-get');
  for (const page of ['/login', '/signup']) {
    for (const next of HOSTILE) {
      const r = await c.get(`${page}?next=${next}`);
      assert.equal(r.status, 303, `${page}?next=${next}`);
      assert.equal(r.location, '/', `${page}?next=${next} → ${JSON.stringify(r.location)}`);
    }
  }
});

test('the same values sent raw (no percent-encoding) land on / too', async () => {
  const c = await buyer('next-raw');
  const cookie = c.cookieHeader();
  for (const next of ['/\t/evil.example/x', '/\\evil.example', '/\\/evil.example', '\\\\evil.example']) {
    const raw = await rawRequest(stack.port, `GET /login?next=${next} HTTP/1.1\r\nHost: x\r\n` +
      `Cookie: ${cookie}\r\nConnection: close\r\n\r\n`, { halfClose: false });
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(raw)?.[1]);
    if (status === 400) continue; // nginx refused the request line itself: also safe
    assert.equal(status, 303, JSON.stringify(next) + '\n' + raw.slice(0, 300));
    assert.match(raw, /\r\nLocation: \/\r\n/i, JSON.stringify(next));
  }
});

test('a hostile next posted with the login form lands on /', async () => {
  const email = uniqueEmail('next-post');
  await (new Client(stack.base)).signup(email);
  for (const next of ['/\t/evil.example/x', '//evil.example', '/\\evil.example', '/\r\n/evil.example',
    'https://evil.example/', 'javascript:alert(1)', '/%09/evil.example', '/%5Cevil.example']) {
    const c = new Client(stack.base);
    await c.get('/login');
    const r = await c.post('/login', { email, password: PASSWORD, next });
    assert.equal(r.status, 303, JSON.stringify(next));
    assert.equal(r.location, '/', JSON.stringify(next));
  }
});

test('the form does not carry a hostile next on', async () => {
  const c = new Client(stack.base);
  const r = await c.get('/login?next=/%09/evil.example/x');
  assert.equal(r.status, 200);
  assert.match(r.text, /name="next" value="\/"/);
  assert.doesNotMatch(r.text, /evil\.example/);
});

test('good paths are kept: login, signup and the wallet go back where they were', async () => {
  const c = await buyer('next-good');
  for (const next of ['/performances/1', '/concerts/2?msg=left', '/wallet?amount=5000&next=/holds/1']) {
    const r = await c.get(`/login?next=${encodeURIComponent(next)}`);
    assert.equal(r.location, next);
  }
  const email = uniqueEmail('next-good-post');
  const s = new Client(stack.base);
  await s.get('/signup?next=%2Fperformances%2F1');
  const signed = await s.post('/signup', { email, password: PASSWORD, next: '/performances/1' });
  assert.equal(signed.location, '/performances/1');
  const l = new Client(stack.base);
  await l.get('/login');
  const logged = await l.post('/login', { email, password: PASSWORD, next: '/wallet?amount=5000' });
  assert.equal(logged.location, '/wallet?amount=5000');

  const w = await c.get('/wallet?amount=1000&next=/holds/7');
  assert.match(w.text, /name="next" value="\/holds\/7"/);
  const charged = await c.post('/wallet/charge', { amount: '1000', key: /name="key" value="([^"]+)"/.exec(w.text)[1], next: '/holds/7' });
  assert.equal(charged.location, '/holds/7');
});

test('the wallet drops a hostile next: no link, no hidden field, the charge lands on /wallet', async () => {
  const c = await buyer('next-wallet');
  for (const next of ['/%09/evil.example/x', '%2F%2Fevil.example', '/%5Cevil.example', 'https://evil.example']) {
    const w = await c.get(`/wallet?amount=1000&next=${next}`);
    assert.equal(w.status, 200);
    assert.doesNotMatch(w.text, /name="next"/, next);
    // The language switch carries this page's own address (encoded) back
    // to itself; /lang checks it again, and this page drops the next.
    const sw = /<nav class="langs"[\s\S]*?<\/nav>/.exec(w.text)[0];
    assert.doesNotMatch(w.text.replace(sw, ''), /evil\.example/, next);
    const back = await c.get(/href="(\/lang\?[^"]+)"/.exec(sw)[1].replace(/&amp;/g, '&'));
    assert.equal(back.status, 303);
    // (or to / when the address itself is no safe target)
    assert.match(back.location, /^\/(wallet\?amount=1000&next=.*)?$/, 'back to this page');
    const again = await c.get(back.location);
    assert.doesNotMatch(again.text, /name="next"/, next);
    await c.get('/lang?to=en&next=/');
  }
  const w = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(w.text)[1];
  const r = await c.post('/wallet/charge', { amount: '1000', key, next: '/\t/evil.example/x' });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/wallet');
});

// ---- UTF-8 ----

const users = () => Number(stack.sql('SELECT count(*) FROM user'));

function sendForm(c, path, body) {
  return c.request('POST', path, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

test('sign-up with an e-mail that is not UTF-8 is a 400 and stores nothing', async () => {
  const c = new Client(stack.base);
  await c.get('/signup');
  const before = users();
  for (const email of ['%FF%FE%40x.example', '%FF%FEabc@x.example', 'caf%E9@x.example', '%C0%AF@x.example',
    '%ED%A0%80@x.example', 'a%F4%90%80%80@x.example']) {
    const r = await sendForm(c, '/signup', `csrf=${c.cookies.get('bo_csrf')}&email=${email}&password=correct+horse+battery`);
    assert.equal(r.status, 400, email);
    assert.match(r.text, /not UTF-8/);
  }
  assert.equal(users(), before);
  assert.equal(Number(stack.sql("SELECT count(*) FROM user WHERE email LIKE '%x.example'")), 0);
  // The same address in UTF-8 is fine.
  const ok = await sendForm(c, '/signup', `csrf=${c.cookies.get('bo_csrf')}&email=caf%C3%A9-${process.pid}%40x.example&password=correct+horse+battery`);
  assert.equal(ok.status, 303);
});

test('a query that is not UTF-8 is a 400', async () => {
  const c = await buyer('utf8-query');
  for (const q of ['q=%FF', 'next=%2F%C0%AF', 'token=%ED%A0%80', '%FF=1']) {
    const r = await c.get(`/?${q}`);
    assert.equal(r.status, 400, q);
    assert.match(r.text, /not UTF-8/);
  }
  const api = await fetch(`${stack.base}/api/v1/concerts?x=%FF`);
  assert.equal(api.status, 400);
  assert.equal((await api.json()).error.code !== undefined, true, 'a JSON error under /api/');
});

test('a form that is not UTF-8 is a 400 and charges nothing', async () => {
  const c = await buyer('utf8-form');
  const w = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(w.text)[1];
  const balance = () => stack.sql(`SELECT balance FROM user WHERE email = '${c.email}'`);
  const before = balance();
  const r = await sendForm(c, '/wallet/charge', `csrf=${c.cookies.get('bo_csrf') || /name="csrf" value="([^"]+)"/.exec(w.text)[1]}&amount=1000&key=${key}%FF`);
  assert.equal(r.status, 400);
  assert.equal(balance(), before);
});

test('a JSON body that is not UTF-8 is a 400 and changes nothing', async () => {
  const before = Number(stack.sql('SELECT count(*) FROM session'));
  for (const bytes of [Buffer.from('{"email":"\xff\xfe@x.example","password":"x"}', 'latin1'),
    Buffer.concat([Buffer.from('{"email":"a@x.example","password":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])]) {
    const r = await fetch(`${stack.base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.code, 'invalid_json');
  }
  assert.equal(Number(stack.sql('SELECT count(*) FROM session')), before);
});

// Posts /signup with raw bytes as the bo_csrf cookie and csrfField in the form.
function signupWithCookie(cookieBytes, csrfField) {
  const body = `csrf=${csrfField}&email=${uniqueEmail('cookie')}&password=correct+horse+battery`;
  return rawRequest(stack.port, Buffer.concat([
    Buffer.from('POST /signup HTTP/1.1\r\nHost: x\r\nCookie: bo_csrf=', 'latin1'), cookieBytes,
    Buffer.from(`\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n` +
      `Connection: close\r\n\r\n${body}`, 'latin1'),
  ]), { halfClose: false });
}

test('our cookie is used only when it is a token we could have made: else 4xx, nothing stored', async () => {
  const before = users();
  // 22 bytes, the length of a token, but not UTF-8: skipped (and the form's
  // copy is not UTF-8 either: 400).
  let raw = await signupWithCookie(Buffer.concat([Buffer.from('A'.repeat(21)), Buffer.from([0xff])]), 'A'.repeat(21) + '%FF');
  assert.match(raw, /^HTTP\/1\.1 4\d\d /, raw.slice(0, 200));
  // 22 bytes of UTF-8 text that no token has: a form posted with it is
  // refused (it used to pass as the double-submit token).
  raw = await signupWithCookie(Buffer.from('A'.repeat(20) + '\u00e9'), 'A'.repeat(20) + '%C3%A9');
  assert.match(raw, /^HTTP\/1\.1 403 /, raw.slice(0, 200));
  raw = await signupWithCookie(Buffer.from('"><b>xxxxxxxxxxxxxxxxx'), encodeURIComponent('"><b>xxxxxxxxxxxxxxxxx'));
  assert.match(raw, /^HTTP\/1\.1 403 /, raw.slice(0, 200));
  assert.equal(users(), before);
  // Nor is it shown back: the form gets a fresh token.
  const page = await rawRequest(stack.port, 'GET /signup HTTP/1.1\r\nHost: x\r\nCookie: bo_csrf="><b>xxxxxxxxxxxxxxxxx\r\n' +
    'Connection: close\r\n\r\n', { halfClose: false });
  assert.match(page, /name="csrf" value="[A-Za-z0-9_-]{22}"/);
  assert.match(page, /Set-Cookie: bo_csrf=[A-Za-z0-9_-]{22};/i);
  // A stray cookie of another program on the same host locks nobody out.
  const home = await rawRequest(stack.port, Buffer.concat([
    Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nCookie: other=', 'latin1'), Buffer.from([0xff, 0xfe]),
    Buffer.from('\r\nConnection: close\r\n\r\n', 'latin1')]), { halfClose: false });
  assert.match(home, /^HTTP\/1\.1 200 /);
});

test('boxoffice-admin refuses a title that is not UTF-8, with a clear message', () => {
  const before = stack.sql('SELECT count(*) FROM concert');
  const admin = join(ROOT, 'build', 'boxoffice-admin');
  for (const [args, word] of [
    ['add-concert "$(printf "Bad\\377 Title")" Artist Venue', 'TITLE'],
    ['add-concert Title "$(printf "Caf\\351")" Venue', 'ARTIST'],
    ['add-concert Title Artist Venue "$(printf "\\355\\240\\200")"', 'DESCRIPTION'],
    ['add-performance 1 2000000000 0 1999999999 "$(printf "V\\311P:A-B:2:100")"', 'BLOCK'],
    ['add-performance 1 2000000000 0 1999999999 GA:A-B:2:100 "$(printf "W\\311P:A-B:2:100")"', 'BLOCK'],
    ['add-performance 1 2000000000 0 1999999999 --prequeue-opens "$(printf "\\3772026")" GA:A-B:2:100', '--prequeue-opens'],
  ]) {
    const r = spawnSync('sh', ['-c', `exec "$0" --db "$1" ${args}`, admin, stack.db], { encoding: 'utf8' });
    assert.equal(r.status, 2, args);
    assert.match(r.stderr, new RegExp(`argument \\d \\(${word}[.]*\\) is not UTF-8 text.*nothing was changed`), r.stderr);
  }
  assert.equal(stack.sql('SELECT count(*) FROM concert'), before);
  assert.equal(Number(stack.sql("SELECT count(*) FROM seat WHERE section = CAST(X'56C950' AS TEXT)")), 0);
  // Good UTF-8 goes in.
  const id = execFileSync(admin, ['--db', stack.db, 'add-concert', 'Café ₩ Night', 'Artist', 'Venue'], { encoding: 'utf8' }).trim();
  assert.match(id, /^\d+$/);
});

// An API session and an active queue token for a concert.
async function apiBuyer(concert) {
  const c = await buyer('api-text');
  const s = await (await fetch(`${stack.base}/api/v1/sessions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: c.email, password: PASSWORD }),
  })).json();
  const h = { authorization: `Bearer ${s.token}` };
  const t = await fetch(`${stack.base}/api/v1/tokens`, {
    method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify({ concertId: concert }),
  });
  assert.equal(t.status, 201);
  const q = await t.json();
  assert.equal(q.state, 'active');
  return { ...h, 'x-queue-token': q.token };
}

test('bytes already stored that are not UTF-8 reach JSON as U+FFFD, logged; no worker dies', async () => {
  const now = Math.floor(Date.now() / 1000);
  // Written by hand, past every check: sqlite3 stores whatever it is given.
  const id = Number(stack.sql("INSERT INTO concert (title, artist, venue) VALUES (CAST(X'426164FF205469746C65' AS TEXT), " +
    "CAST(X'417274FE' AS TEXT), 'Hall') RETURNING id"));
  const perf = stack.admin('add-performance', id, now + 86400, now - 60, now + 3600, 'GA:A-A:3:10000').trim();
  stack.sql(`UPDATE seat SET section = CAST(X'4741FF' AS TEXT) WHERE performance_id = ${perf}`);
  const logBefore = stack.fcgiLog.join('');
  const h = await apiBuyer(id);

  for (let i = 0; i < 4; i++) { // every call, on every worker
    const r = await fetch(`${stack.base}/api/v1/concerts/${id}/performances`, { headers: h });
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.title, 'Bad\uFFFD Title');
    assert.equal(body.performances.length, 1);
  }
  const list = await (await fetch(`${stack.base}/api/v1/concerts`)).json();
  const mine = list.concerts.find((x) => x.id === id);
  assert.ok(mine, 'the concert is listed, not dropped');
  assert.equal(mine.title, 'Bad\uFFFD Title');
  assert.equal(mine.artist, 'Art\uFFFD');
  const seats = await fetch(`${stack.base}/api/v1/performances/${perf}/seats`, { headers: h });
  assert.equal(seats.status, 200);
  assert.equal((await seats.json()).seats[0].section, 'GA\uFFFD');
  // The HTML pages still answer.
  assert.equal((await fetch(`${stack.base}/concerts/${id}`)).status, 200);

  const log = stack.fcgiLog.join('').slice(logBefore.length);
  assert.match(log, /stored text is not UTF-8, sent with U\+FFFD for the bad bytes: "Bad\uFFFD Title"/);
  assert.doesNotMatch(log, /died/, 'no worker died');
});

test('the waiting room\'s poll answers the API\'s QueueTicket object', async () => {
  const doc = JSON.parse(readFileSync(join(ROOT, 'static', 'openapi.json'), 'utf8'));
  const ajv = new Ajv({ strict: false });
  ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
  const schema = JSON.parse(JSON.stringify(doc.components.schemas.QueueTicket).replaceAll('"nullable":true', '"nullable":true'));
  for (const p of Object.values(schema.properties)) if (p.nullable) p.type = [p.type, 'null'];
  const validate = ajv.compile(schema);
  const c = await buyer('poll');
  const none = JSON.parse((await c.get('/concerts/1/queue.json')).text);
  assert.ok(validate(none), ajv.errorsText(validate.errors));
  assert.equal(none.state, 'none');
  assert.equal(none.concertId, 1);
  await joinQueue(c, 1);
  const active = JSON.parse((await c.get('/concerts/1/queue.json')).text);
  assert.ok(validate(active), ajv.errorsText(validate.errors));
  assert.equal(active.state, 'active');
  assert.ok(active.remainingSeconds > 0);
});
