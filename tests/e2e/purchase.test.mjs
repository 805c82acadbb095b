// purchase.test.mjs — buying a ticket on a phone, in a real browser (Debian's
// chromium driven by playwright-core), against the real stack: wait in the
// queue until the page moves on by itself, pick a seat, hold it, top up the
// wallet by exactly what is missing, pay, find the ticket under Tickets; the
// same without JavaScript; and a seat somebody else took a moment ago.
//
// Run: node --test --test-concurrency=1 tests/e2e/
// Screenshots land in tests/e2e/screenshots/ (git-ignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail, Client, joinQueue } from '../lib/stack.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const PASSWORD = 'violet kettle harbour 42';
const GALA = { id: 1, title: 'Winter Symphony Gala' };
const JAZZ = { id: 2, title: 'Midnight Jazz Session' };
const PHONE = {
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  locale: 'en-US',
};

let stack, browser;
const contexts = new Set();

before(async () => {
  stack = await startStack();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

// Registered separately so each runs even when an earlier one throws.
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

// A buyer's phone: its own context (cookies), one page.
async function phone({ javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled, timezoneId: 'Asia/Seoul' });
  contexts.add(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.js = javaScriptEnabled;
  return page;
}
async function closeAll(...pages) {
  for (const p of pages) {
    if (!p) continue;
    const c = p.context();
    contexts.delete(c);
    await c.close().catch(() => {});
  }
}

// Full-page shots start from the top: a sticky header would otherwise be
// painted in the middle of the picture. Without JavaScript the page cannot
// be scrolled by script; those pages are shot as loaded.
async function shot(page, name, fullPage = true) {
  if (fullPage && page.js) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, name), fullPage });
}

// Clicks something that submits a form or follows a link and waits until
// the next document has loaded (so the old page's text cannot satisfy a
// check). Returns the main document's response (the last of any redirects).
async function clickAndLoad(locator) {
  const nav = locator.page().waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  return nav;
}

const re = (s) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
const digits = (money) => Number(money.replace(/[^\d]/g, ''));
const notice = (page) => page.locator('p.notice[role=status]');
const header = (page) => page.locator('header.top');
const pathIs = (p) => (u) => u.pathname === p;

async function noticeSays(page, text) {
  await notice(page).waitFor();
  assert.equal((await notice(page).innerText()).trim(), text);
}

// Signs up from the concert page's "Sign up to buy" button; lands back on the concert.
async function signUp(page, concert) {
  const email = uniqueEmail('buy');
  await page.goto(`${stack.base}/concerts/${concert.id}`);
  await page.getByRole('heading', { level: 1, name: concert.title }).waitFor();
  await clickAndLoad(page.locator('#buy').getByRole('link', { name: 'Sign up to buy', exact: true }));
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Sign up' }));
  assert.equal(new URL(page.url()).pathname, `/concerts/${concert.id}`, 'back on the concert page');
  await noticeSays(page, 'Welcome! Your account is ready.');
  assert.match(await header(page).innerText(), re(email));
  return email;
}

const joinButton = (page) => page.getByRole('button', { name: 'Join the queue' });

// On the concert page with the buyer's turn on: says so, and the first
// date offers its seat map.
async function seesTurn(page, concert) {
  await page.getByRole('heading', { level: 1, name: concert.title }).waitFor();
  await page.getByRole('heading', { name: 'It is your turn' }).waitFor({ state: 'visible' });
  await page.getByRole('button', { name: 'Leave the queue: let the next buyer in' }).waitFor({ state: 'visible' });
  await page.locator('ul.dates > li').first().getByRole('link', { name: 'Choose seats' })
    .waitFor({ state: 'visible' });
  assert.equal(await joinButton(page).count(), 0, 'no Join button once admitted');
}

// Joins from the concert page when nobody has to wait: straight to the dates.
async function joinAndGetIn(page, concert) {
  const res = await clickAndLoad(joinButton(page));
  assert.equal(res.status(), 200);
  assert.equal(new URL(page.url()).pathname, `/concerts/${concert.id}`, 'let in at once');
  await seesTurn(page, concert);
}

// First date → seat map → pick a free seat (the nth free one, or the given
// value). Returns the seat as the pick bar shows it.
async function pickSeat(page, { nth = 0, value = null } = {}) {
  if (await page.locator('form.seatmap').count() === 0) {
    await clickAndLoad(page.locator('ul.dates > li').first().getByRole('link', { name: 'Choose seats' }));
  }
  await page.waitForURL(/\/performances\/\d+/);
  await page.locator('form.seatmap').waitFor();
  const seat = value
    ? page.locator(`form.seatmap button[name=add][value="${value}"]`)
    : page.locator('form.seatmap button[name=add]:not([disabled])').nth(nth);
  assert.equal(await seat.isEnabled(), true, 'the seat is free');
  // the row's group label names section and row; the seat says its number
  const label = await seat.locator('xpath=..').getAttribute('aria-label'); // "R, row C"
  const m = /^(.+), row ([^,]+)(?:, .+)?$/.exec(label);
  assert.ok(m, `row label ${label}`);
  const [, section, row] = m;
  const number = (await seat.innerText()).trim();
  const v = await seat.getAttribute('value');
  await clickAndLoad(seat);
  assert.equal(new URL(page.url()).searchParams.get('add'), v);
  const bar = page.locator('section.picked');
  await bar.getByRole('heading', { name: 'Your pick' }).waitFor({ state: 'visible' });
  const name = `${section} · Row ${row} · Seat ${number}`;
  assert.equal((await bar.locator('.seatname').innerText()).trim(), name);
  const price = (await bar.locator('.price').innerText()).trim();
  assert.match(price, /^₩[\d,]+$/);
  const hold = bar.getByRole('button', { name: 'Hold this seat for 5 minutes' });
  await hold.waitFor({ state: 'visible' });
  return { value: v, section, row, number, name, price, perf: new URL(page.url()).pathname };
}

// From the pick bar to the paid ticket under Tickets. Screenshots named by
// shots: { hold, wallet, paid, bookings } (missing: none taken).
async function holdTopUpPay(page, email, seat, shots) {
  // hold
  const holdRes = await clickAndLoad(page.getByRole('button', { name: 'Hold this seat for 5 minutes' }));
  assert.equal(holdRes.status(), 200);
  const holdPath = new URL(page.url()).pathname;
  const holdId = /^\/holds\/(\d+)$/.exec(holdPath)?.[1];
  assert.ok(holdId, `on a hold page: ${page.url()}`);
  const ticket = page.locator('section.ticket');
  assert.equal((await page.getByRole('heading', { level: 1 }).innerText()).trim(), seat.name);
  const deadline = page.locator('.deadline');
  await deadline.waitFor({ state: 'visible' });
  assert.match(await deadline.innerText(), /Held for you until \d\d:\d\d:\d\d/);
  assert.match(await ticket.innerText(), new RegExp(`Price\\s*${re(seat.price).source}`));
  const countdown = page.locator('#countdown');
  if (page.js) {
    // The countdown is live: its text moves on within two seconds.
    const t0 = (await countdown.innerText()).trim();
    assert.match(t0, /^\(\d+:\d\d left\)$/, `countdown ${t0}`);
    await page.waitForTimeout(2_100);
    const t1 = (await countdown.innerText()).trim();
    assert.match(t1, /^\(\d+:\d\d left\)$/, `countdown ${t1}`);
    assert.notEqual(t1, t0, 'the countdown ticks');
  } else {
    assert.equal((await countdown.innerText()).trim(), '(about 5 min)');
  }
  // the balance is 0: no Pay button, a Top up link for the shortfall
  assert.equal(await page.getByRole('button', { name: /^Pay / }).count(), 0, 'cannot pay yet');
  assert.equal((await page.locator('section.ticket p.notice').innerText()).trim(), `Add ${seat.price} to your wallet to pay.`);
  const topUp = page.getByRole('link', { name: `Top up ${seat.price}`, exact: true });
  await topUp.waitFor({ state: 'visible' });
  if (shots.hold) await shot(page, shots.hold);

  // wallet: the amount is filled in, Top up comes back to the hold
  await clickAndLoad(topUp);
  const w = new URL(page.url());
  assert.equal(w.pathname, '/wallet');
  assert.equal(w.searchParams.get('amount'), String(digits(seat.price)));
  assert.equal(w.searchParams.get('next'), holdPath);
  await page.getByRole('heading', { level: 1, name: 'Wallet' }).waitFor();
  assert.equal((await page.locator('#balance').innerText()).trim(), '₩0');
  const amount = page.getByRole('textbox', { name: /Top up/ });
  assert.equal(await amount.inputValue(), String(digits(seat.price)), 'the shortfall is filled in');
  if (shots.wallet) await shot(page, shots.wallet);
  await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Top up and go back to pay', exact: true }));
  assert.equal(new URL(page.url()).pathname, holdPath, 'back on the hold page');
  await noticeSays(page, 'Your wallet is topped up.');
  assert.equal(await page.getByRole('link', { name: /^Top up / }).count(), 0);
  assert.match(await ticket.innerText(), new RegExp(`Your balance\\s*${re(seat.price).source}`));

  // pay
  const pay = page.getByRole('button', { name: `Pay ${seat.price}`, exact: true });
  await pay.waitFor({ state: 'visible' });
  await clickAndLoad(pay);
  const paid = new URL(page.url());
  assert.equal(paid.pathname, holdPath);
  assert.equal(paid.search, '', 'no notice in the address');
  await noticeSays(page, 'Paid! The seat is yours.');
  assert.match(await page.locator('p.stamp').innerText(), /^Paid .+ · payment no\. \d+$/);
  const code = stack.sql(`SELECT code FROM ticket WHERE hold_id = ${holdPath.split('/').pop()}`);
  assert.equal(await page.locator('p.tcode code').innerText(), code.match(/.{4}/g).join('-'), 'the ticket code, what the door needs');
  assert.equal(await page.getByRole('button', { name: /^Pay / }).count(), 0, 'no second Pay');
  assert.equal(await page.getByRole('button', { name: 'Release this seat' }).count(), 0);
  assert.match(await header(page).innerText(), /₩0\b/, 'the header shows the balance spent');
  if (shots.paid) await shot(page, shots.paid);

  // Tickets
  await clickAndLoad(header(page).getByRole('link', { name: 'Tickets', exact: true }));
  assert.equal(new URL(page.url()).pathname, '/bookings');
  await page.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor();
  const mine = page.locator('li.ticket');
  assert.equal(await mine.count(), 1);
  await mine.getByRole('link', { name: seat.name, exact: true }).waitFor({ state: 'visible' });
  assert.match(await mine.innerText(), re(seat.price));
  assert.match(await mine.innerText(), re(GALA.title));
  if (shots.bookings) await shot(page, shots.bookings);

  // what the database says
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${holdId}`), 'PAID');
  const user = stack.sql(`SELECT id FROM user WHERE email = '${email}'`);
  assert.equal(stack.sql(`SELECT balance FROM user WHERE id = ${user}`), '0');
  assert.equal(stack.sql(`SELECT kind || ' ' || amount FROM ledger WHERE user_id = ${user} ORDER BY id`),
    `CHARGE ${digits(seat.price)}\nPAYMENT -${digits(seat.price)}`);
  return holdId;
}

test('waits in the queue and is moved on by the page itself', async () => {
  stack.admin('set', 'queue_capacity', 1);
  let a, b;
  try {
    // A gets in first and takes the only place.
    a = await phone();
    await signUp(a, GALA);
    await joinAndGetIn(a, GALA);

    // B joins behind A and waits.
    b = await phone();
    await signUp(b, GALA);
    await clickAndLoad(joinButton(b));
    assert.equal(new URL(b.url()).pathname, `/concerts/${GALA.id}/queue`, 'sent to the waiting room');
    await b.getByRole('heading', { level: 1, name: 'You are in line' }).waitFor();
    assert.equal((await b.locator('#q-position').innerText()).trim(), '1');
    assert.equal((await b.locator('#q-ahead').innerText()).trim(), '0');
    await b.getByText('Estimated wait').waitFor({ state: 'visible' });
    assert.match(await b.locator('.queue').innerText(), /You are next\. Keep this page open/);
    // The one slot was just taken: a bound of one whole turn, with its clock time.
    assert.match(await b.locator('#q-eta').innerText(), /^at most \d+ minutes$/);
    assert.match(await b.locator('#q-call').innerText(), /^You are expected to be called by \d\d:\d\d KST at the latest\.$/);
    // The page polls by itself (the "Checked just now" line appears).
    await b.locator('#q-updated').filter({ hasText: /^Checked just now$/ }).waitFor({ timeout: 5_000 });
    assert.equal(new URL(b.url()).pathname, `/concerts/${GALA.id}/queue`, 'still waiting');
    await shot(b, 'queue-waiting.png');

    // Count B's document loads from here on: only the page may move it.
    const loads = [];
    b.on('framenavigated', (f) => { if (f === b.mainFrame()) loads.push(f.url()); });

    // A is done; B's page moves on by itself.
    await clickAndLoad(a.getByRole('button', { name: 'Leave the queue: let the next buyer in' }));
    await noticeSays(a, 'You left the queue; any seat you held unpaid is free again.');
    await joinButton(a).waitFor({ state: 'visible' });

    await b.waitForURL((u) => u.pathname === `/concerts/${GALA.id}`, { timeout: 10_000 });
    await seesTurn(b, GALA);
    await noticeSays(b, 'It is your turn! Choose a date and your seats.');
    assert.equal(new URL(b.url()).hash, '#turn');
    assert.equal(loads.length, 1, `one navigation, by the page: ${loads.join(', ')}`);
    await shot(b, 'queue-admitted.png', false); // as landed (at #turn)
    await shot(b, 'queue-admitted-full.png');
  } finally {
    await closeAll(a, b);
  }
});

test('buys a ticket with JavaScript', async () => {
  stack.admin('set', 'queue_capacity', 20);
  let page;
  try {
    page = await phone();
    const email = await signUp(page, GALA);
    await joinAndGetIn(page, GALA);
    const seat = await pickSeat(page, { nth: 137 });
    await holdTopUpPay(page, email, seat,
      { hold: 'hold.png', wallet: 'wallet.png', paid: 'paid.png', bookings: 'bookings.png' });
  } finally {
    await closeAll(page);
  }
});

test('buys a ticket without JavaScript', async (t) => {
  stack.admin('set', 'queue_capacity', 20);
  let page;
  try {
    page = await phone({ javaScriptEnabled: false });
    const email = await signUp(page, GALA);

    await t.test('the whole purchase', async () => {
      await joinAndGetIn(page, GALA);
      const seat = await pickSeat(page, { nth: 300 });
      await holdTopUpPay(page, email, seat, { hold: 'nojs-hold.png', paid: 'nojs-paid.png' });
    });

    await t.test('the waiting room refreshes itself and lets the buyer in', async () => {
      stack.admin('set', 'queue_capacity', 1);
      const other = new Client(stack.base);
      assert.equal((await other.signup(uniqueEmail('other'))).status, 303);
      assert.equal((await joinQueue(other, JAZZ.id)).location, `/concerts/${JAZZ.id}#turn`, 'the other buyer is in');

      await page.goto(`${stack.base}/concerts/${JAZZ.id}`);
      const res = await clickAndLoad(joinButton(page));
      assert.equal(new URL(page.url()).pathname, `/concerts/${JAZZ.id}/queue`);
      const html = await res.text();
      const refresh = /<noscript><meta http-equiv="refresh" content="(\d+)"><\/noscript>/.exec(html);
      assert.ok(refresh, 'the waiting room carries a meta refresh for browsers without JavaScript');
      assert.ok(Number(refresh[1]) >= 1 && Number(refresh[1]) <= 10, `refresh every ${refresh[1]} s`);
      assert.match(html, /id="q-position">1</);
      assert.match(html, /Estimated wait/);
      await page.getByRole('heading', { level: 1, name: 'You are in line' }).waitFor();
      await page.screenshot({ path: join(SHOTS, 'nojs-queue.png'), fullPage: true });

      // While the other buyer shops, the page reloads itself and the buyer
      // keeps waiting.
      const loads = [];
      page.on('framenavigated', (f) => { if (f === page.mainFrame()) loads.push(new URL(f.url()).pathname); });
      await page.waitForTimeout(Number(refresh[1]) * 2000 + 500);
      assert.ok(loads.length >= 1, 'the meta refresh reloaded the waiting room');
      assert.ok(loads.every((p) => p === `/concerts/${JAZZ.id}/queue`), `still waiting: ${loads.join(', ')}`);

      await other.get(`/concerts/${JAZZ.id}`);
      assert.equal((await other.post(`/concerts/${JAZZ.id}/queue/leave`, {})).status, 303);

      // The next refresh (a reload, as the meta refresh does) moves the
      // buyer on to the concert page.
      await page.waitForURL((u) => u.pathname === `/concerts/${JAZZ.id}`,
        { timeout: Number(refresh[1]) * 1000 + 5_000 });
      await seesTurn(page, JAZZ);
      await noticeSays(page, 'It is your turn! Choose a date and your seats.');
    });
  } finally {
    stack.admin('set', 'queue_capacity', 20);
    await closeAll(page);
  }
});

test('a seat taken a moment ago', async () => {
  stack.admin('set', 'queue_capacity', 20);
  let a, b;
  try {
    a = await phone();
    b = await phone();
    await signUp(a, GALA);
    await signUp(b, GALA);
    await joinAndGetIn(a, GALA);
    await joinAndGetIn(b, GALA);

    // Both pick the same seat.
    const seatA = await pickSeat(a, { nth: 42 });
    const seatB = await pickSeat(b, { value: seatA.value });
    assert.equal(seatB.name, seatA.name);

    // A holds it first.
    await clickAndLoad(a.getByRole('button', { name: 'Hold this seat for 5 minutes' }));
    assert.match(new URL(a.url()).pathname, /^\/holds\/\d+$/);
    assert.equal((await a.getByRole('heading', { level: 1 }).innerText()).trim(), seatA.name);

    // B presses Hold a moment later: told so on the map again, at a GET
    // address (303), so reload and the language switch keep working.
    const res = await clickAndLoad(b.getByRole('button', { name: 'Hold this seat for 5 minutes' }));
    assert.equal(res.status(), 200);
    assert.equal(res.request().method(), 'GET');
    assert.equal(new URL(b.url()).search, `?taken=${seatA.value}&refused=taken`);
    const alert = b.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    assert.match((await alert.innerText()).trim(), /^Someone just took this seat \(.+ · Row .+ · Seat \d+\) — pick another\.$/);
    await b.locator('form.seatmap').waitFor({ state: 'visible' });
    assert.equal(await b.locator('form.seatmap button[name=add]').count(), 1000);
    const taken = b.locator(`form.seatmap button[name=add][value="${seatA.value}"]`);
    assert.equal(await taken.isDisabled(), true, 'the seat is now shown taken');
    assert.equal(await b.getByRole('heading', { name: 'Your pick' }).count(), 0, 'no pick bar');
    assert.equal(await b.getByRole('link', { name: seatA.name }).count(), 0, 'not among B\'s holds');
    await shot(b, 'seat-taken.png', false);
    assert.equal(await b.getByRole('alert').count(), 1, 'said once (review 10 item 21)');
    // Reload is a GET of the same map, no resubmission.
    const again = await b.reload({ waitUntil: 'load' });
    assert.equal(again.request().method(), 'GET');
    assert.equal(again.status(), 200);
    // The language switch leads to the same map in Korean, not a 405.
    const ko = await clickAndLoad(b.locator('a[hreflang="ko"]'));
    assert.equal(ko.status(), 200);
    assert.equal(await b.locator('html').getAttribute('lang'), 'ko');
    assert.match((await b.getByRole('alert').innerText()).trim(), /다른 분이/);
    await b.locator('form.seatmap').waitFor({ state: 'visible' });
    await clickAndLoad(b.locator('a[hreflang="en"]'));

    // B picks another seat from that very map.
    const other = await pickSeat(b, { nth: 42 });
    assert.notEqual(other.value, seatA.value);
    assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE seat_id = ${seatA.value} AND state IN ('HELD','PAID')`), '1');
  } finally {
    await closeAll(a, b);
  }
});
