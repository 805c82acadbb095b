// times.test.mjs — every clock time a buyer reads names its zone ("19:30
// KST"), on every page of the flow, in the venue's zone as the settings
// say; and the waiting room gives a wait from the first admission on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 2, settings: { queue_capacity: 1000 } }); });
after(async () => { await stack?.stop(); });

// The page's text without tags; every h:mm in it must be followed by a zone.
const text = (html) => html.replace(/<(script|style)[\s\S]*?<\/\1>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
function zoned(html, zone, where) {
  const times = [...text(html).matchAll(/\b\d{1,2}:\d{2}(?::\d{2})?\b(?! ?(?:left|min))( \S+)?/g)];
  for (const m of times) assert.equal((m[1] || '').trim(), zone, `${where}: "${m[0]}" names its zone`);
  return times.length;
}

test('every clock time of the buyer\'s pages names the venue\'s zone', async () => {
  const c = new Client(stack.base);
  await c.signup(uniqueEmail('zones'));
  let seen = zoned((await c.get('/concerts/1')).text, 'KST', 'concert page');
  await joinQueue(c, 1);
  seen += zoned((await c.get('/concerts/1')).text, 'KST', 'concert page, admitted');
  const w = await c.get('/wallet');
  const csrf = csrfOf(w.text);
  const key = /name="key" value="([^"]+)"/.exec(w.text)[1];
  await c.post('/wallet/charge', { amount: '500000', key, csrf });
  const seat = stack.sql(`SELECT id FROM seat WHERE performance_id = 1 AND section = 'S' ORDER BY id LIMIT 1`);
  const h = await c.post('/performances/1/holds', { seat, csrf });
  seen += zoned((await c.get('/performances/1')).text, 'KST', 'seat map with a hold');
  const held = await c.get(h.location);
  assert.match(held.text, /Held for you until <strong><time datetime=\"[^\"]+\">\d{2}:\d{2}:\d{2} KST<\/time><\/strong>/);
  seen += zoned(held.text, 'KST', 'hold page');
  await c.post(`${h.location}/pay`, { csrf });
  seen += zoned((await c.get(h.location)).text, 'KST', 'paid ticket');
  seen += zoned((await c.get('/wallet')).text, 'KST', 'wallet');
  seen += zoned((await c.get('/bookings')).text, 'KST', 'tickets');
  seen += zoned((await c.get('/concerts/3')).text, 'KST', 'a sale not open yet');
  assert.ok(seen >= 10, `${seen} clock times checked`);

  stack.admin('set', 'timezone', 'Europe/London');
  try {
    zoned((await c.get('/bookings')).text, 'GMT', 'tickets, venue in London');
  } finally {
    stack.admin('set', 'timezone', 'Asia/Seoul');
  }
});
