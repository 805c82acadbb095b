// browse.test.mjs — a buyer on a phone, in a real browser (Debian's
// chromium driven by playwright-core), against the real stack: browse the
// concerts, sign up, log out and in, open a seat map, pick a seat with the
// keyboard, walk back with the Back button, mistype a password.
//
// Run: node --test --test-concurrency=1 tests/e2e/
// Screenshots land in tests/e2e/screenshots/ (git-ignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail } from '../lib/stack.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });
// Full-page shots start from the top: a sticky header would otherwise be
// painted in the middle of the picture.
async function shot(page, name, fullPage = true) {
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, name), fullPage });
}

const CONCERTS = ['Winter Symphony Gala', 'Midnight Jazz Session', 'Indie Spring Tour'];
const SECTIONS = ['VIP', 'R', 'S', 'Balcony'];
const PASSWORD = 'violet kettle harbour 42';

let stack, browser, context, page;

before(async () => {
  stack = await startStack();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'en-US',
  });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
});

// Registered separately so the second runs even when the first throws.
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

const email = uniqueEmail('e2e');
const header = () => page.locator('header.top');
// Clicks something that submits a form or follows a link and waits until
// the next document has loaded (so the old page's text cannot satisfy a check).
async function clickAndLoad(locator) {
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  await nav;
}
const notice = () => page.locator('p.notice[role=status]');

test('a buyer on a phone browses, signs up, logs in, picks a seat by keyboard', async (t) => {
  let seatmapUrl;

  await t.test('1. home lists the three demo concerts with prices and seats left', async () => {
    const res = await page.goto(stack.base + '/');
    assert.equal(res.status(), 200);
    await assert.doesNotReject(page.getByRole('heading', { name: 'Upcoming concerts' }).waitFor());
    const cards = page.locator('ul.concerts > li');
    assert.equal(await cards.count(), 3);
    for (const title of CONCERTS) {
      const card = cards.filter({ has: page.getByRole('heading', { name: title }) });
      assert.equal(await card.count(), 1, `card for ${title}`);
      await card.waitFor({ state: 'visible' });
      const text = await card.innerText();
      assert.match(text, /From\s*\n?\s*\S*\d/, `${title} shows a price: ${text}`);
      assert.match(text, /Seats left\s*\n?\s*(\d[\d,]*|Sold out)/, `${title} shows seats left: ${text}`);
    }
    await shot(page, 'home.png');
  });

  await t.test('2. sign up from the header; back on / welcomed, e-mail in the header', async () => {
    await header().getByRole('link', { name: 'Sign up' }).click();
    await page.waitForURL(/\/signup/);
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await shot(page, 'signup.png');
    await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Sign up' }));
    await page.waitForURL((u) => u.pathname === '/');
    await notice().waitFor();
    assert.equal((await notice().innerText()).trim(), 'Welcome! Your account is ready.');
    assert.match(await header().innerText(), new RegExp(email.replace(/[.+]/g, '\\$&')));
    await page.getByRole('heading', { name: 'Upcoming concerts' }).waitFor();
  });

  await t.test('3. log out from the header, then log in again', async () => {
    await clickAndLoad(header().getByRole('button', { name: 'Log out' }));
    await header().getByRole('link', { name: 'Log in' }).waitFor();
    assert.doesNotMatch(await header().innerText(), new RegExp(email.replace(/[.+]/g, '\\$&')));
    await clickAndLoad(header().getByRole('link', { name: 'Log in' }));
    await page.waitForURL(/\/login/);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    const loginUrl = page.url();
    await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Log in' }));
    await notice().waitFor();
    assert.equal((await notice().innerText()).trim(), 'You are logged in.',
      `logged in from ${loginUrl}, landed on ${page.url()}`);
    assert.match(await header().innerText(), new RegExp(email.replace(/[.+]/g, '\\$&')));
  });

  await t.test('4. concert page shows dates; Choose seats opens the seat map', async () => {
    await page.goto(stack.base + '/');
    await page.getByRole('link', { name: 'Winter Symphony Gala' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Winter Symphony Gala' }).waitFor();
    await page.getByRole('heading', { name: 'Dates' }).waitFor();
    const dates = page.locator('ul.dates > li');
    assert.ok(await dates.count() >= 1, 'at least one date');
    const first = dates.first();
    assert.match(await first.locator('.when').innerText(), /\d{1,2} \w+ \d{4}/, 'the date is shown');
    // Where seats are sold in turn, the buyer joins the queue first; alone
    // in it, they are let in at once (or the waiting room moves on by itself).
    const join = page.getByRole('button', { name: 'Join the queue' });
    if (await join.count() > 0) {
      await shot(page, 'concert-queue.png');
      await clickAndLoad(join.first());
      if (/\/queue$/.test(new URL(page.url()).pathname)) {
        await page.waitForURL((u) => /^\/concerts\/\d+$/.test(u.pathname), { timeout: 30_000 });
      }
      await page.getByRole('heading', { level: 1, name: 'Winter Symphony Gala' }).waitFor();
    }
    await first.getByRole('link', { name: 'Choose seats' }).waitFor();
    assert.match(await first.innerText(), /[\d,]+ of [\d,]+ seats left/);
    await shot(page, 'concert.png');

    await first.getByRole('link', { name: 'Choose seats' }).click();
    await page.waitForURL(/\/performances\/\d+$/);
    seatmapUrl = page.url();
    await page.getByRole('heading', { level: 1, name: 'Winter Symphony Gala' }).waitFor();
    for (const s of SECTIONS) {
      await assert.doesNotReject(
        page.locator('form.seatmap h3').filter({ hasText: new RegExp(`^${s}\\b`) }).first().waitFor(),
        `section ${s}`);
    }
    assert.deepEqual(
      (await page.locator('form.seatmap h3').allInnerTexts()).map((h) => h.split(/\s/)[0]),
      SECTIONS);
    assert.equal(await page.locator('form.seatmap button[name=add]').count(), 1000);
    assert.equal(await page.getByRole('heading', { name: 'Your pick' }).count(), 0);
    await shot(page, 'seatmap.png');
  });

  await t.test('5. pick a seat with the keyboard; Back undoes the pick', async () => {
    assert.ok(seatmapUrl, 'seat map reached');
    // A free seat in the middle of the hall (not the first, to be sure the
    // pick is that seat and not some default).
    const free = page.locator('form.seatmap button[name=add]:not([disabled])');
    assert.ok(await free.count() > 0, 'some seat is free');
    const seat = free.nth(Math.min(137, (await free.count()) - 1));
    // the row's group label names section and row; the seat says its number
    const label = await seat.locator('xpath=..').getAttribute('aria-label'); // "R, row C"
    const m = /^(.+), row ([^,]+)(?:, .+)?$/.exec(label);
    assert.ok(m, `row label ${label}`);
    const [, section, row] = m;
    const number = (await seat.innerText()).trim();
    const value = await seat.getAttribute('value');

    await seat.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('add') === value);
    const pick = page.locator('section.picked');
    await pick.getByRole('heading', { name: 'Your pick' }).waitFor();
    assert.equal((await pick.locator('.seatname').innerText()).trim(),
      `${section} · Row ${row} · Seat ${number}`);
    const pressed = page.locator(`form.seatmap button[name=add][value="${value}"]`);
    assert.equal(await pressed.getAttribute('aria-pressed'), 'true');
    assert.equal((await pressed.innerText()).trim(), number);
    assert.equal(await page.locator('form.seatmap button[aria-pressed=true]').count(), 1);
    await shot(page, 'seat-picked-viewport.png', false); // what the buyer sees right after the pick
    await shot(page, 'seat-picked.png');

    await page.goBack();
    await page.waitForURL((u) => u.href === seatmapUrl);
    await page.locator('form.seatmap').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Your pick' }).count(), 0, 'no pick after Back');
    assert.equal(await page.locator('form.seatmap button[aria-pressed=true]').count(), 0);
    assert.equal(await page.locator('form.seatmap button[name=add]').count(), 1000);
  });

  await t.test('seat map at desktop size', async () => {
    assert.ok(seatmapUrl, 'seat map reached');
    const desk = await context.browser().newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    try {
      await desk.addCookies(await context.cookies());
      const p = await desk.newPage();
      await p.goto(seatmapUrl);
      assert.equal(await p.locator('form.seatmap button[name=add]').count(), 1000);
      await p.screenshot({ path: join(SHOTS, 'seatmap-desktop.png'), fullPage: true });
    } finally {
      await desk.close();
    }
  });

  await t.test('6. a wrong password shows the generic message and keeps the e-mail', async () => {
    await clickAndLoad(header().getByRole('button', { name: 'Log out' }));
    await clickAndLoad(header().getByRole('link', { name: 'Log in' }));
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('not the password at all');
    await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Log in' }));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.innerText()).trim(), 'That e-mail and password do not match an account.');
    assert.equal(await page.getByLabel('E-mail').inputValue(), email);
    assert.equal(await page.getByLabel('Password').inputValue(), '');
    assert.ok(await header().getByRole('link', { name: 'Log in' }).isVisible(), 'still logged out');
    await shot(page, 'login-error.png');
  });
});
