// throttle.test.mjs — the login throttle over real HTTP (nginx, workers,
// SQLite), for the HTML form (POST /login) and the API (POST /api/v1/sessions).
//
// The client address is varied honestly: each request's socket is bound to
// a source address of its own in 127.0.0.0/8 (Linux accepts any of them),
// so nginx sees a real peer address and the site's own config is tested
// unchanged. One stack turns on the commented real_ip sample of
// nginx/boxoffice.conf (tools/nginx-conf.sh REAL_IP_FROM) to prove it: a
// client address taken from X-Forwarded-For only when the connection comes
// from the trusted proxy.
//
// Waits are never slept through: where time must pass, the test moves the
// stored times back by SQL, as if it had.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';

import { startStack, Client, uniqueEmail } from '../lib/stack.mjs';

const PASSWORD = 'correct horse battery';
// core/login_throttle.h
const FREE = 5;
const DELAY_MAX = 900;
const ACCOUNT_MAX = 100;
const WINDOW = 900;

let stack;
before(async () => { stack = await startStack({ workers: 4 }); });
after(async () => { await stack?.stop(); });

// One HTTP request from the source address `from`; { status, headers, text }.
function send(s, method, path, { from = '127.0.0.1', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: s.port, method, path, localAddress: from, agent: false,
      headers: { connection: 'close', ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// An API login from `from`.
function apiLogin(s, email, password, opts = {}) {
  return send(s, 'POST', '/api/v1/sessions', {
    ...opts,
    headers: { 'content-type': 'application/json', ...(opts.headers || {}) },
    body: JSON.stringify({ email, password }),
  });
}

// The HTML login form, fetched from `from`: returns a function that posts
// it (so a burst can be prepared first and fired at once).
async function htmlLoginForm(s, from) {
  const page = await send(s, 'GET', '/login', { from });
  const cookie = (page.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)[1];
  return (email, password) => send(s, 'POST', '/login', {
    from,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password, csrf }).toString(),
  });
}

async function htmlLogin(s, email, password, from) {
  return (await htmlLoginForm(s, from))(email, password);
}

async function owner(s, tag) {
  const email = uniqueEmail(tag);
  assert.equal((await new Client(s.base).signup(email)).status, 303);
  return email;
}

function retryAfter(r) {
  const v = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(v) && v > 0, `Retry-After: ${r.headers['retry-after']}`);
  return v;
}

const q = (s) => s.replaceAll("'", "''");
const attemptsFrom = (s, email, addr) =>
  Number(s.sql(`SELECT coalesce(sum(failures), 0) FROM login_attempt WHERE email = '${q(email)}' AND addr = '${q(addr)}'`));

test('a burst of wrong guesses: only the free ones are checked, and the right password after them waits', async () => {
  const email = await owner(stack, 'race');
  const from = '127.0.0.9';
  // Half of the guesses through the HTML form, half through the API: one
  // rule, one count. The forms are fetched first so the burst is a burst.
  const forms = await Promise.all(Array.from({ length: 8 }, () => htmlLoginForm(stack, from)));
  const wrong = [
    ...forms.map((post, i) => post(email, `wrong html ${i}`)),
    ...Array.from({ length: 8 }, (_, i) => apiLogin(stack, email, `wrong api ${i}`, { from })),
  ];
  // The right password joins the burst once the first answer is back:
  // by then all 16 wrong guesses were sent ahead of it.
  await Promise.race(wrong);
  const right = apiLogin(stack, email, PASSWORD, { from });
  const answers = await Promise.all(wrong);

  const checked = answers.filter((r) => r.status === 401 || r.status === 422).length;
  const refused = answers.filter((r) => r.status === 429);
  assert.equal(checked + refused.length, answers.length, `statuses: ${answers.map((r) => r.status)}`);
  assert.ok(checked <= FREE, `${checked} guesses were checked; at most ${FREE} may be`);
  for (const r of refused) retryAfter(r);
  const ok = await right;
  assert.equal(ok.status, 429, 'the right password, sent after the free guesses, waits too');
  assert.ok(retryAfter(ok) <= 32);
  // Every checked guess was counted, before its hash was computed.
  assert.equal(attemptsFrom(stack, email, from), checked);

  // The owner, elsewhere, is not affected.
  assert.equal((await apiLogin(stack, email, PASSWORD, { from: '127.0.0.10' })).status, 201);
});

test('wrong guesses from one address do not lock the owner out at another', async () => {
  const email = await owner(stack, 'owner');
  const guesser = '127.0.0.2';
  for (let i = 0; i < FREE; i++)
    assert.equal((await apiLogin(stack, email, `wrong ${i}`, { from: guesser })).status, 401);
  const blocked = await apiLogin(stack, email, PASSWORD, { from: guesser });
  assert.equal(blocked.status, 429, 'the guessing address waits, even with the right password');
  assert.ok(retryAfter(blocked) <= 32);
  assert.equal(JSON.parse(blocked.text).error.code, 'too_many_requests');
  assert.equal((await htmlLogin(stack, email, PASSWORD, guesser)).status, 429, 'the form shares the count');

  // The owner logs in from home, through the API and the form.
  const api = await apiLogin(stack, email, PASSWORD, { from: '127.0.0.3' });
  assert.equal(api.status, 201);
  assert.ok(JSON.parse(api.text).token);
  const page = await htmlLogin(stack, email, PASSWORD, '127.0.0.4');
  assert.equal(page.status, 303);
  assert.ok(page.headers['set-cookie'].some((c) => c.startsWith('bo_s=')), 'a session');

  // And that frees nobody else.
  assert.equal((await apiLogin(stack, email, PASSWORD, { from: guesser })).status, 429);
});

test('each further attempt from one address waits twice as long, up to 15 minutes', async () => {
  const email = await owner(stack, 'delay');
  const from = '127.0.0.5';
  for (let i = 0; i < FREE; i++)
    assert.equal((await apiLogin(stack, email, `wrong ${i}`, { from })).status, 401);
  let wait = retryAfter(await apiLogin(stack, email, PASSWORD, { from }));
  assert.ok(wait <= 32, `first wait ${wait}`);
  const seen = [];
  for (let failures = FREE; failures < 12; failures++) {
    // The wait passes (the stored time moves back), one more wrong guess is
    // checked, and the next wait is the next power of two.
    stack.sql(`UPDATE login_attempt SET last_at = last_at - ${wait} WHERE email = '${q(email)}' AND addr = '${from}'`);
    assert.equal((await apiLogin(stack, email, `wrong again ${failures}`, { from })).status, 401);
    const r = await apiLogin(stack, email, PASSWORD, { from });
    assert.equal(r.status, 429);
    wait = retryAfter(r);
    const full = Math.min(2 ** (failures + 1), DELAY_MAX);
    assert.ok(wait <= full && wait > full / 2, `after ${failures + 1} failures: ${wait} s (rule: ${full} s)`);
    seen.push(full);
  }
  assert.deepEqual(seen, [64, 128, 256, 512, 900, 900, 900]);

  // The page says when to try again.
  const page = await htmlLogin(stack, email, PASSWORD, from);
  assert.equal(page.status, 429);
  assert.match(page.text, /Please try again in (15|14) minutes\./);
  assert.ok(retryAfter(page) <= DELAY_MAX);
});

test('a hundred failures in 15 minutes from many addresses close the account until the window ends, except where the owner logged in before', async () => {
  const email = await owner(stack, 'ceiling');
  // 99 wrong guesses: 5 from each of 19 addresses and 4 from a twentieth,
  // four addresses at a time.
  const addrs = Array.from({ length: 20 }, (_, i) => `127.0.1.${i + 1}`);
  const guess = async (from, n) => {
    for (let i = 0; i < n; i++)
      assert.equal((await apiLogin(stack, email, `wrong ${from} ${i}`, { from })).status, 401);
  };
  for (let i = 0; i < addrs.length; i += 4)
    await Promise.all(addrs.slice(i, i + 4).map((a, j) => guess(a, i + j === 19 ? FREE - 1 : FREE)));

  // Below the ceiling the owner still logs in, and the login is not a failure.
  assert.equal((await apiLogin(stack, email, PASSWORD, { from: '127.0.0.3' })).status, 201);
  // The hundredth failure.
  await guess(addrs[19], 1);
  assert.equal(Number(stack.sql(`SELECT failures FROM login_account WHERE email = '${q(email)}'`)), ACCOUNT_MAX);

  // Now every address the owner has not logged in from waits for the end
  // of the window, the owner's own new addresses too (the accepted cost)...
  const r = await apiLogin(stack, email, PASSWORD, { from: '127.0.2.1' });
  assert.equal(r.status, 429);
  assert.ok(retryAfter(r) <= WINDOW, `Retry-After ${retryAfter(r)}`);
  const page = await htmlLogin(stack, email, PASSWORD, '127.0.2.2');
  assert.equal(page.status, 429);
  assert.match(page.text, /Please try again in \d+ minutes\./);
  // ...but where the owner logged in before, the ceiling does not hold them.
  assert.equal((await apiLogin(stack, email, PASSWORD, { from: '127.0.0.3' })).status, 201);
  assert.equal((await htmlLogin(stack, email, PASSWORD, '127.0.0.3')).status, 303);

  // The window ends (moved back by SQL): the owner logs in anywhere.
  stack.sql(`UPDATE login_account SET window_start = window_start - ${WINDOW} WHERE email = '${q(email)}'`);
  assert.equal((await apiLogin(stack, email, PASSWORD, { from: '127.0.2.1' })).status, 201);
});

test('behind a proxy: the real_ip sample takes the client from X-Forwarded-For, from the proxy only', async () => {
  const s = await startStack({ workers: 2, realIpFrom: '127.0.0.1' });
  try {
    const email = await owner(s, 'proxied');
    const via = (client) => ({ from: '127.0.0.1', headers: { 'x-forwarded-for': client } });
    const addrs = () => s.sql(`SELECT addr FROM login_attempt WHERE email = '${q(email)}' ORDER BY addr`).split('\n').filter(Boolean);

    // Five wrong guesses from one client behind the proxy: that client waits.
    for (let i = 0; i < FREE; i++)
      assert.equal((await apiLogin(s, email, `wrong ${i}`, via('203.0.113.7'))).status, 401);
    assert.equal((await apiLogin(s, email, PASSWORD, via('203.0.113.7'))).status, 429);
    assert.deepEqual(addrs(), ['203.0.113.7'], 'counted for the client, not the proxy');
    // Another client behind the same proxy logs in.
    assert.equal((await apiLogin(s, email, PASSWORD, via('203.0.113.8'))).status, 201);

    // What a client writes into the header itself is not believed: the
    // proxy appends the address it saw, and that one counts.
    assert.equal((await apiLogin(s, email, PASSWORD, via('203.0.113.8, 203.0.113.7'))).status, 429);
    assert.equal((await apiLogin(s, email, 'wrong', via('203.0.113.7, 198.51.100.9'))).status, 401);
    // A connection from anywhere but the proxy cannot choose its address.
    assert.equal((await apiLogin(s, email, 'wrong', { from: '127.0.0.2', headers: { 'x-forwarded-for': '203.0.113.8' } })).status, 401);
    // (203.0.113.8 is there because the owner logged in from it: known.)
    assert.deepEqual(addrs(), ['127.0.0.2', '198.51.100.9', '203.0.113.7', '203.0.113.8']);

    // IPv6 clients are counted by their /64: one subscriber's network.
    for (let i = 0; i < FREE; i++)
      assert.equal((await apiLogin(s, email, `wrong v6 ${i}`, via(`2001:db8:1:2::${i + 1}`))).status, 401);
    assert.equal((await apiLogin(s, email, PASSWORD, via('2001:db8:1:2:ffff::1'))).status, 429, 'same /64');
    assert.equal((await apiLogin(s, email, PASSWORD, via('2001:db8:1:3::1'))).status, 201, 'another /64');
  } finally {
    await s.stop();
  }
});
