// localtime.test.mjs — times in the buyer's own zone, in Chromium: a
// buyer in London sees the venue's time and their own ("19:30 KST (10:30
// GMT your time)"), in English and in Korean; a buyer in Seoul sees only
// KST; without JavaScript nothing is added; on the hold page the deadline
// gets the buyer's clock to the second and the countdown still runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startStack, Client, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack, browser;
const contexts = new Set();

before(async () => {
  stack = await startStack({ workers: 2 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { for (const c of contexts) await c.close().catch(() => {}); });
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

async function open({ timezoneId, locale = 'en-GB', javaScriptEnabled = true }) {
  const context = await browser.newContext({ timezoneId, locale, javaScriptEnabled });
  contexts.add(context);
  context.setDefaultTimeout(10_000);
  return context;
}

// The first date's time on the concert page (Mon 14 Dec 2026, 19:30 KST).
async function firstTime(context) {
  const page = await context.newPage();
  await page.goto(`${stack.base}/concerts/1`, { waitUntil: 'load' });
  const when = page.locator('li.date .when span').first();
  return { text: (await when.innerText()).trim(), added: await page.locator('.yourtime').count() };
}

test('a buyer in London sees their own time too, in English and Korean; in Seoul only KST', async () => {
  let t = await firstTime(await open({ timezoneId: 'Europe/London' }));
  assert.equal(t.text, '19:30 KST (10:30 GMT your time)');
  t = await firstTime(await open({ timezoneId: 'Europe/London', locale: 'ko-KR' }));
  assert.match(t.text, /^19:30 KST \(내 시간대 10:30 GMT(\+0)?\)$/);
  for (const locale of ['en-GB', 'ko-KR']) {
    t = await firstTime(await open({ timezoneId: 'Asia/Seoul', locale }));
    assert.equal(t.text, '19:30 KST', `Seoul, ${locale}`);
    assert.equal(t.added, 0, `Seoul, ${locale}: nothing added`);
  }
});

test('without JavaScript nothing is added', async () => {
  const t = await firstTime(await open({ timezoneId: 'Europe/London', javaScriptEnabled: false }));
  assert.equal(t.text, '19:30 KST');
  assert.equal(t.added, 0);
});

test('a London buyer\'s hold: the deadline in both zones to the second, the countdown running', async () => {
  const c = new Client(stack.base);
  await c.signup(uniqueEmail('london'));
  await joinQueue(c, 1);
  await c.get('/performances/1');
  const seat = stack.sql(`SELECT id FROM seat WHERE performance_id = 1 AND section = 'S' ORDER BY id DESC LIMIT 1`);
  const held = await c.post('/performances/1/holds', { seat });
  assert.equal(held.status, 303);
  const context = await open({ timezoneId: 'Europe/London' });
  await context.addCookies([...c.cookies].map(([name, value]) => ({ name, value, url: stack.base })));
  const page = await context.newPage();
  await page.goto(stack.base + held.location, { waitUntil: 'load' });
  const deadline = page.locator('.deadline strong');
  // London's date is added when it is another day there (before 09:00 KST).
  const [, kst, day, gmt] = /^(\d\d:\d\d:\d\d) KST \((\w{3}, \w{3} \d+, )?(\d\d:\d\d:\d\d) GMT your time\)$/
    .exec(await deadline.innerText()) || [];
  assert.ok(kst && gmt, await deadline.innerText());
  const hours = (s) => Number(s.slice(0, 2));
  assert.equal((hours(gmt) + 9) % 24, hours(kst), 'nine hours apart');
  assert.equal(Boolean(day), hours(kst) < 9, 'the date only when it is another day in London');
  assert.equal(kst.slice(2), gmt.slice(2), 'the same minute and second');
  const left = page.locator('#countdown');
  const first = await left.innerText();
  assert.match(first, /^\(\d+:\d\d left\)$/);
  await page.waitForFunction((f) => document.getElementById('countdown').textContent !== f, first);
});
