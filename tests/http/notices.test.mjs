// notices.test.mjs — "Your wallet is topped up", "Paid!" and the other
// notices a redirect leaves for the next page ride in a one-time cookie,
// never in the address: the page after the redirect shows it once, and a
// reload or Back (the same address again) does not repeat it. A cookie
// with a code we did not write shows nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 2, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

test('sign-up: the landing page welcomes once; a reload does not', async () => {
  const c = new Client(stack.base);
  const r = await c.signup(uniqueEmail('notice-signup'));
  assert.equal(r.status, 303);
  assert.equal(r.location, '/', 'no ?msg= in the address');
  assert.match(r.headers.getSetCookie().join('\n'), /bo_notice=welcome; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax/);
  const landed = await c.get(r.location);
  assert.match(landed.text, /Welcome! Your account is ready/);
  assert.match(landed.headers.getSetCookie().join('\n'), /bo_notice=; Path=\/; Max-Age=0/, 'read once, then cleared');
  const again = await c.get(r.location);
  assert.doesNotMatch(again.text, /Welcome!/, 'a reload does not repeat it');
});

test('a top-up and a payment say so once; reload and Back do not repeat it', async () => {
  const c = new Client(stack.base);
  await c.signup(uniqueEmail('notice-pay'));
  await joinQueue(c, 1);
  const w = await c.get('/wallet');
  const csrf = csrfOf(w.text);
  const key = /name="key" value="([^"]+)"/.exec(w.text)[1];
  const charged = await c.post('/wallet/charge', { amount: '500000', key, csrf });
  assert.equal(charged.location, '/wallet');
  assert.match((await c.get('/wallet')).text, /role="status">Your wallet is topped up/);
  assert.doesNotMatch((await c.get('/wallet')).text, /topped up/, 'reloaded: no second "topped up"');

  const seat = stack.sql(`SELECT id FROM seat WHERE performance_id = 1 AND section = 'R' ORDER BY id DESC LIMIT 1`);
  const h = await c.post('/performances/1/holds', { seat, csrf });
  const paid = await c.post(`${h.location}/pay`, { csrf });
  assert.equal(paid.location, h.location);
  assert.match((await c.get(h.location)).text, /Paid! The seat is yours/);
  assert.doesNotMatch((await c.get(h.location)).text, /Paid! The seat is yours/, 'Back to the ticket: no second "Paid!"');
});

test('a notice cookie we did not write shows nothing', async () => {
  for (const value of ['%3Cscript%3E', 'nope', 'paid2', '']) {
    const res = await fetch(stack.base + '/', { headers: { cookie: `bo_notice=${value}` } });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.doesNotMatch(text, /class="notice/, value);
  }
  const old = await fetch(stack.base + '/?msg=paid');
  assert.doesNotMatch(await old.text(), /Paid!/, 'an address cannot put our notice on the page');
});
