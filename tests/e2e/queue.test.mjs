// queue.test.mjs — the waiting room of issue 12 in a real browser (Debian's
// chromium through playwright-core) against the real stack: two buyers
// join a concert's pre-queue before its sale opens, one with JavaScript and
// one without, see the countdown and the rule of the draw, and each is
// carried from the countdown to the seat map by the page itself (app.js
// polling the public state, or the meta refresh) once the sale opens.
//
// Run: node --test --test-concurrency=1 tests/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail } from '../lib/stack.mjs';

const OPENS_IN = 25; // seconds from the start: time for both to join
const PASSWORD = 'violet kettle harbour 42';

let stack, browser, concert, opensAt;

before(async () => {
  stack = await startStack({ workers: 2 });
  const now = Math.floor(Date.now() / 1000);
  opensAt = now + OPENS_IN;
  concert = Number(stack.admin('add-concert', 'Fair Start Night', 'The Draws', 'Open Hall').trim());
  stack.admin('add-performance', concert, `@${now + 30 * 86400}`, `@${opensAt}`, `@${now + 29 * 86400}`,
    'GA:A-C:10:5000');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

// A phone, with or without JavaScript, signed up and in the pre-queue.
async function joinedBuyer(javaScriptEnabled) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-US',
    javaScriptEnabled,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(stack.base + '/signup');
  await page.getByLabel('E-mail').fill(uniqueEmail(javaScriptEnabled ? 'e2e-js' : 'e2e-nojs'));
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /sign up/i }).click()]);
  await page.goto(`${stack.base}/concerts/${concert}`);
  // Before the sale: the rule of the draw, and the queue takes joins.
  assert.match(await page.locator('main').innerText(), /place drawn at random at the opening/);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Join the queue' }).click()]);
  assert.equal(new URL(page.url()).pathname, `/concerts/${concert}/queue`);
  await page.getByRole('heading', { name: 'You are in the pre-queue' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /joining early gives no advantage/);
  assert.match(text, /queue behind the pre-queue, in the order they arrive/);
  return { context, page };
}

async function toSeatMap(page) {
  // The page carries the buyer on by itself once the sale opens and the
  // buyer is called: to the concert page, with the turn.
  await page.waitForURL(new RegExp(`/concerts/${concert}#turn$`), { timeout: (OPENS_IN + 30) * 1000 });
  await page.getByRole('heading', { name: 'It is your turn' }).waitFor();
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Choose seats' }).first().click()]);
  assert.match(new URL(page.url()).pathname, /^\/performances\/\d+$/);
  await page.locator('form.seatmap').waitFor();
}

test('from the pre-queue countdown to the seat map, with and without JavaScript', async () => {
  const js = await joinedBuyer(true);
  const plain = await joinedBuyer(false);
  try {
    assert.ok(Date.now() / 1000 < opensAt - 2, 'both joined before the opening (slow machine?)');
    // With JavaScript the countdown ticks in place.
    const first = await js.page.locator('#q-countdown').innerText();
    await js.page.waitForFunction((t) => document.getElementById('q-countdown').textContent !== t,
      first, { timeout: 5000 });
    // Without it the page says the same and reloads itself, no faster
    // than every 5 s.
    const refresh = await plain.page.locator('noscript').first().innerHTML().catch(() => '');
    const meta = /content="(\d+)"/.exec(await plain.page.content());
    assert.ok(meta && Number(meta[1]) >= 5, `meta refresh ${meta && meta[1]} ${refresh}`);
    assert.match(await plain.page.locator('#q-countdown').innerText(), /\d+ min \d\d s/);

    await Promise.all([toSeatMap(js.page), toSeatMap(plain.page)]);
  } finally {
    await js.context.close();
    await plain.context.close();
  }
});
