// localtime.test.mjs — every time a page shows is a <time> whose datetime
// is the instant in ISO 8601 with the venue's offset (what app.js turns
// into the buyer's own clock), its text the venue's clock at that instant;
// no clock time on a page is outside one. Each page of the flow that shows
// times, the buyer's, the door's and the box office's, and an error page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 2, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;

// Checks page html; returns how many clock times it has.
function checkTimes(html, where) {
  const body = html.replace(/<(script|style)[\s\S]*?<\/\1>/g, '');
  let clocks = 0;
  for (const [, dt, text] of body.matchAll(/<time datetime="([^"]*)">([^<]*)<\/time>/g)) {
    if (/^\d{4}-\d\d-\d\d$/.test(dt)) { // a date alone: no clock in it
      assert.doesNotMatch(text, /\d:\d\d/, `${where}: the date "${text}" has no clock`);
      continue;
    }
    assert.match(dt, ISO, `${where}: datetime "${dt}" is ISO 8601 with an offset`);
    assert.ok(!Number.isNaN(Date.parse(dt)), `${where}: "${dt}" parses`);
    assert.ok(dt.endsWith('+09:00'), `${where}: "${dt}" has Seoul's offset`);
    assert.ok(text.includes(dt.slice(11, 16)) && text.includes('KST'),
      `${where}: "${text}" is the venue's clock of ${dt}`);
    clocks++;
  }
  // Every clock time is inside a <time> (the admin chart's SVG labels
  // excepted: markup cannot go there).
  const outside = body.replace(/<svg[\s\S]*?<\/svg>/g, '').replace(/<time [^>]*>[^<]*<\/time>/g, '')
    .replace(/<[^>]+>/g, ' ');
  const stray = /\b\d{1,2}:\d\d(:\d\d)?\b[^<]{0,20}/.exec(outside);
  assert.equal(stray, null, `${where}: a clock time outside <time>: "${stray?.[0]}"`);
  assert.ok(clocks > 0, `${where} shows a time`);
  return clocks;
}

// Posts repeated fields (several seats) as a form.
function postPairs(c, path, pairs) {
  return c.request('POST', path, {
    body: new URLSearchParams(pairs).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

test('every page that shows times writes each as <time datetime="ISO with offset">', async () => {
  const email = uniqueEmail('localtime');
  const c = new Client(stack.base);
  await c.signup(email);
  checkTimes((await c.get('/')).text, 'concert list');
  checkTimes((await c.get('/concerts/3')).text, 'a sale not open yet');
  await joinQueue(c, 1);
  checkTimes((await c.get('/concerts/1')).text, 'concert page, admitted');

  // An order of two seats: its page, and paying it with an empty wallet.
  const seats = stack.sql(`SELECT id FROM seat WHERE performance_id = 1 AND section = 'S' ORDER BY id LIMIT 3`).split('\n');
  const csrf = csrfOf((await c.get('/performances/1')).text);
  const ordered = await postPairs(c, '/performances/1/holds', [['seat', seats[0]], ['seat', seats[1]], ['csrf', csrf]]);
  assert.match(ordered.location, /^\/orders\/\d+$/);
  checkTimes((await c.get(ordered.location)).text, 'order page');
  checkTimes((await c.get('/performances/1')).text, 'seat map with the buyer\'s seats');
  const short = await c.post(`${ordered.location}/pay`, { csrf });
  assert.equal(short.status, 402);
  checkTimes(short.text, 'the 402 page: kept until');

  const w = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(w.text)[1];
  await c.post('/wallet/charge', { amount: '500000', key, csrf });
  assert.equal((await c.post(`${ordered.location}/pay`, { csrf })).status, 303);
  const held = await c.post('/performances/1/holds', { seat: seats[2], csrf });
  checkTimes((await c.get(held.location)).text, 'hold page');
  await c.post(`${held.location}/pay`, { csrf });
  checkTimes((await c.get(held.location)).text, 'paid seat');
  checkTimes((await c.get('/wallet')).text, 'wallet');
  const bookings = (await c.get('/bookings')).text;
  checkTimes(bookings, 'tickets');
  const ticket = /href="(\/tickets\/\d+)"/.exec(bookings)[1];
  checkTimes((await c.get(ticket)).text, 'printable ticket');

  // The door and the box office.
  stack.admin('grant', email, 'staff');
  stack.admin('grant', email, 'operator');
  const code = /<code>([0-9A-Z-]+)<\/code>/.exec(bookings)[1];
  checkTimes((await c.get('/door')).text, 'the door\'s choice');
  const door = await c.get('/door?performance=1&door=A');
  checkTimes(door.text, 'the door');
  checkTimes((await c.post('/door', { performance: '1', door: 'A', code, csrf: csrfOf(door.text) })).text, 'let in');
  const again = await c.post('/door', { performance: '1', door: 'A', code, csrf: csrfOf(door.text) });
  assert.match(again.text, /First let in at <time datetime="[^"]+">/);
  checkTimes(again.text, 'let in before');
  checkTimes((await c.get('/admin/')).text, 'the sale, live');
  checkTimes((await c.get(`/admin/buyer?email=${encodeURIComponent(email)}`)).text, 'buyer lookup');
  checkTimes((await c.get(`/admin/refund?code=${code}`)).text, 'refund lookup');
  checkTimes((await c.get('/admin/performances/2/cancel')).text, 'cancel a performance');
});
