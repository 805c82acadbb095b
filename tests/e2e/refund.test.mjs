// refund.test.mjs — refunds and cancellations in a real browser (Debian's
// chromium through playwright-core) against the real stack, at phone
// size: the operator types a code on /admin/refund, sees the ticket and
// refunds it; a buyer cancels a ticket from /bookings through its
// confirmation page. Without JavaScript, as the pages need none; axe-core
// finds no serious or critical violation on any of these pages.
// Screenshots land in tests/e2e/screenshots/ (git-ignored).
//
// Run: node --test --test-concurrency=1 tests/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail, Client, csrfOf, joinQueue } from '../lib/stack.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PHONE = { width: 390, height: 844 };
let stack, browser, operator, buyer, codes;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  stack = await startStack({ workers: 2 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // A buyer pays two VIP seats of the first performance.
  buyer = new Client(stack.base);
  buyer.email = uniqueEmail('refunded');
  assert.equal((await buyer.signup(buyer.email)).status, 303);
  await joinQueue(buyer, 1);
  const wallet = await buyer.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(wallet.text)[1];
  assert.equal((await buyer.post('/wallet/charge', { amount: '400000', key, csrf: csrfOf(wallet.text) })).status, 303);
  const held = [];
  for (const n of [1, 2]) {
    const seat = stack.sql(`SELECT id FROM seat WHERE performance_id = 1 AND section = 'VIP' AND row_label = 'A' AND number = ${n}`);
    await buyer.get(`/performances/1?seat=${seat}`);
    const h = await buyer.post('/performances/1/holds', { seat });
    assert.equal(h.status, 303, h.text);
    held.push(h.location);
  }
  for (const h of held) {
    await buyer.get(h);
    assert.equal((await buyer.post(`${h}/pay`, {})).status, 303);
  }
  codes = held.map((h) => stack.sql(`SELECT code FROM ticket WHERE hold_id = ${h.split('/').pop()}`));
  operator = new Client(stack.base);
  const email = uniqueEmail('operator');
  assert.equal((await operator.signup(email)).status, 303);
  stack.admin('grant', email, 'operator');
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

async function pageAs(client, javaScriptEnabled) {
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled, locale: 'en-US', bypassCSP: true });
  context.setDefaultTimeout(10_000);
  await context.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: stack.base })));
  return { context, page: await context.newPage() };
}

// axe-core's serious and critical findings on the page at url (none
// expected), in a context that runs script.
async function axeViolations(client, url) {
  const { context, page } = await pageAs(client, true);
  try {
    await page.goto(url);
    await page.addScriptTag({ path: AXE });
    const r = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  } finally {
    await context.close();
  }
}

test('the operator refunds a ticket by typing its code, on a phone, without JavaScript', async () => {
  const { context, page } = await pageAs(operator, false);
  try {
    await page.goto(`${stack.base}/admin/`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Refund a ticket' }).click()]);
    // as a person types it: grouped, in lower case
    await page.getByLabel('Ticket code').fill(codes[0].match(/.{4}/g).join('-').toLowerCase());
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Look it up' }).click()]);
    await page.getByRole('heading', { name: 'VIP · Row A · Seat 1' }).waitFor();
    assert.ok(await page.getByText(buyer.email).first().isVisible(), 'the buyer');
    assert.equal(await page.locator('#ticket-state').innerText(), 'Valid');
    await page.screenshot({ path: join(SHOTS, 'refund-confirm.png'), fullPage: true });
    await Promise.all([page.waitForNavigation(),
      page.getByRole('button', { name: `Refund ₩165,000 to ${buyer.email}` }).click()]);
    await page.getByText('Refunded: the price is back').waitFor();
    assert.match(await page.locator('#ticket-state').innerText(), /^Refunded /);
    assert.equal(await page.getByRole('button', { name: /^Refund ₩/ }).count(), 0, 'no second refund');
    await page.screenshot({ path: join(SHOTS, 'refund-done.png'), fullPage: true });
  } finally {
    await context.close();
  }
  assert.equal(stack.sql(`SELECT refunded_at IS NOT NULL FROM ticket WHERE code = '${codes[0]}'`), '1');
  assert.deepEqual(await axeViolations(operator, `${stack.base}/admin/refund?code=${codes[0]}`), []);
  assert.deepEqual(await axeViolations(operator, `${stack.base}/admin/refund`), []);
});

test('the buyer cancels a ticket from My tickets through its confirmation page', async () => {
  const { context, page } = await pageAs(buyer, false);
  try {
    await page.goto(`${stack.base}/bookings`);
    await page.getByText(/You may cancel until .* KST \(Asia\/Seoul\)/).first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'cancel-bookings.png'), fullPage: true });
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Cancel and refund' }).click()]);
    await page.getByRole('heading', { name: 'Cancel VIP · Row A · Seat 2?' }).waitFor();
    assert.ok(await page.getByText(/₩165,000 goes back to your wallet/).isVisible());
    await page.screenshot({ path: join(SHOTS, 'cancel-confirm.png'), fullPage: true });
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Cancel and refund ₩165,000' }).click()]);
    await page.getByText('Cancelled: the price is back in your wallet').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Cancel and refund' }).count(), 0, 'both tickets are refunded now');
    await page.screenshot({ path: join(SHOTS, 'cancel-done.png'), fullPage: true });
  } finally {
    await context.close();
  }
  assert.equal(stack.sql(`SELECT balance FROM user WHERE email = '${buyer.email}'`), '400000');
  assert.deepEqual(await axeViolations(buyer, `${stack.base}/bookings`), []);
});

test('the cancel page passes axe-core', async () => {
  // a third ticket to look at: the page is only shown for a live one
  const wallet = await buyer.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(wallet.text)[1];
  assert.equal((await buyer.post('/wallet/charge', { amount: '200000', key, csrf: csrfOf(wallet.text) })).status, 303);
  await joinQueue(buyer, 1);
  const seat = stack.sql("SELECT id FROM seat WHERE performance_id = 1 AND section = 'VIP' AND row_label = 'A' AND number = 3");
  await buyer.get(`/performances/1?seat=${seat}`);
  const h = await buyer.post('/performances/1/holds', { seat });
  assert.equal(h.status, 303);
  await buyer.get(h.location);
  assert.equal((await buyer.post(`${h.location}/pay`, {})).status, 303);
  assert.deepEqual(await axeViolations(buyer, `${stack.base}${h.location}/cancel`), []);
});
