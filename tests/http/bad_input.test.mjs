// bad_input.test.mjs — the hostile user first. Every malformed request
// gets a clear 4xx HTML page and changes nothing: broken %-escapes, NUL
// bytes, oversize and short bodies, unknown routes and ids, wrong methods,
// wrong content types.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, rawRequest, uniqueEmail } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 2 }); });
after(async () => { await stack?.stop(); });

const users = () => stack.sql('SELECT count(*) FROM user');

// A client with a pre-login CSRF cookie and its token, ready to post /signup.
async function signupForm() {
  const c = new Client(stack.base);
  await c.get('/signup');
  return c;
}

function isErrorPage(r, status, words) {
  assert.equal(r.status, status);
  assert.match(r.headers.get('content-type') || '', /text\/html/);
  assert.match(r.text, /<h1>/, 'a whole page, not a bare message');
  if (words) assert.match(r.text, words);
}

test('broken percent-encoding in a query or a form is a 400', async () => {
  const c = await signupForm();
  for (const q of ['%', '%4', '%zz', 'a=%G1', 'seat=%']) {
    const r = await c.get(`/?${q}`);
    isErrorPage(r, 400, /broken %-escape/);
  }
  const before = users();
  const csrf = c.cookies.get('bo_csrf');
  const r = await c.request('POST', '/signup', {
    body: `csrf=${csrf}&email=a%zz@example.com&password=correct+horse+battery`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  isErrorPage(r, 400, /broken %-escape/);
  assert.equal(users(), before);
});

test('a NUL byte or a control character is a 400', async () => {
  const c = await signupForm();
  isErrorPage(await c.get('/?x=%00'), 400, /NUL byte/);
  const before = users();
  for (const pw of ['correct%00horse', 'correct%01horse']) {
    const r = await c.request('POST', '/signup', {
      body: `csrf=${c.cookies.get('bo_csrf')}&email=${uniqueEmail()}&password=${pw}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    isErrorPage(r, 400, /NUL byte or a control character/);
  }
  assert.equal(users(), before);
});

test('a body over 16 KiB is a 413 page from nginx, before any worker', async () => {
  const c = await signupForm();
  const r = await c.post('/signup', { email: uniqueEmail(), password: 'correct horse battery', pad: 'x'.repeat(17 * 1024) });
  isErrorPage(r, 413, /more than we accept/);
});

test('a field too long for us is refused even under 16 KiB', async () => {
  const c = await signupForm();
  const before = users();
  const r = await c.post('/signup', { email: uniqueEmail(), password: 'correct horse battery', note: 'y'.repeat(5000) });
  isErrorPage(r, 413, /too long/);
  assert.equal(users(), before);
});

test('more fields than we take is refused', async () => {
  const c = await signupForm();
  const fields = { email: uniqueEmail(), password: 'correct horse battery' };
  for (let i = 0; i < 70; i++) fields[`f${i}`] = '1';
  isErrorPage(await c.post('/signup', fields), 413, /too many fields/);
});

test('a body shorter than its Content-Length is refused and changes nothing', async () => {
  const c = await signupForm();
  const before = users();
  const body = `csrf=${c.cookies.get('bo_csrf')}&email=${uniqueEmail()}&password=correct+horse+battery`;
  const raw = await rawRequest(stack.port,
    'POST /signup HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n' +
    `Cookie: ${c.cookieHeader()}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
    `Content-Length: ${body.length + 50}\r\n\r\n${body}`);
  // nginx sees the client stop early and closes without asking a worker;
  // either way no account is made and the answer is a 4xx or nothing.
  assert.ok(raw === '' || /^HTTP\/1\.1 4\d\d/.test(raw), raw.slice(0, 80));
  assert.equal(users(), before);
});

test('unknown routes and ids are 404 pages', async () => {
  const c = new Client(stack.base);
  for (const p of ['/nope', '/concerts', '/concerts/', '/concerts/abc', '/concerts/0', '/concerts/01',
    '/concerts/-1', '/concerts/999999', '/concerts/99999999999999999999', '/concerts/1/x',
    '/performances/1.5', '/performances/1e3', '/performances/0x10']) {
    isErrorPage(await c.get(p), 404, /no (such )?page/i);
  }
});

test('wrong methods are 405 with Allow', async () => {
  const c = await signupForm();
  let r = await c.post('/', {});
  isErrorPage(r, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD');
  r = await c.get('/logout');
  isErrorPage(r, 405);
  assert.equal(r.headers.get('allow'), 'POST');
  r = await c.request('DELETE', '/concerts/1');
  isErrorPage(r, 405);
  r = await c.request('PUT', '/login', { body: 'x=1' });
  isErrorPage(r, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD, POST');
});

test('HEAD answers headers without a body', async () => {
  const r = await fetch(stack.base + '/concerts/1', { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal(await r.text(), '');
});

test('a form in another encoding is a 415', async () => {
  const c = await signupForm();
  const before = users();
  const r = await c.request('POST', '/signup', {
    body: JSON.stringify({ email: uniqueEmail(), password: 'correct horse battery' }),
    headers: { 'content-type': 'application/json' },
  });
  isErrorPage(r, 415);
  assert.equal(users(), before);
});

test('an over-long address is refused', async () => {
  const r = await new Client(stack.base).get('/?q=' + 'a'.repeat(5000));
  isErrorPage(r, 414);
});

test('a forged or malformed session cookie is simply logged out', async () => {
  for (const v of ['x', 'A'.repeat(43), 'A'.repeat(42) + '!', '%00', 'A'.repeat(500)]) {
    const c = new Client(stack.base);
    c.cookies.set('bo_s', v);
    const r = await c.get('/performances/1');
    assert.equal(r.status, 303, v);
    assert.match(r.location, /^\/login/);
  }
});

test('after all of it the workers still serve', async () => {
  assert.equal((await fetch(stack.base + '/')).status, 200);
  assert.ok(!stack.fcgiLog.join('').includes('died'), stack.fcgiLog.join(''));
});
