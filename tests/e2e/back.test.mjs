// back.test.mjs — the Back button after holding and after paying, in a
// real browser (Debian's chromium through playwright-core) against the
// real stack. Every page of the workers is sent with Cache-Control:
// no-store, so Back shows the page as it is now: the buyer's own held seat
// taken on the seat map, the paid ticket without a live Pay button, the
// balance after paying. With and without JavaScript.
//
// Run: node --test --test-concurrency=1 tests/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail, Client, csrfOf, joinQueue } from '../lib/stack.mjs';

let stack, browser;

before(async () => {
  stack = await startStack({ workers: 2 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

// A buyer admitted to concert 1 with ₩200,000 in the wallet, made over
// HTTP; the browser gets the buyer's session cookie.
async function buyerBrowser(javaScriptEnabled) {
  const c = new Client(stack.base);
  assert.equal((await c.signup(uniqueEmail('back'))).status, 303);
  await joinQueue(c, 1);
  const wallet = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(wallet.text)[1];
  assert.equal((await c.post('/wallet/charge', { amount: '200000', key, csrf: csrfOf(wallet.text) })).status, 303);
  const context = await browser.newContext({ javaScriptEnabled, locale: 'en-US' });
  context.setDefaultTimeout(10_000);
  await context.addCookies([...c.cookies].map(([name, value]) => ({ name, value, url: stack.base })));
  return { context, page: await context.newPage() };
}

async function clickAndLoad(locator) {
  const nav = locator.page().waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  return nav;
}

for (const js of [true, false]) {
  test(`Back after holding and after paying shows the page as it is now (JavaScript ${js ? 'on' : 'off'})`, async () => {
    const { context, page } = await buyerBrowser(js);
    try {
      const seat = stack.sql(`SELECT id FROM seat WHERE performance_id = 1 AND section = 'VIP'
        AND row_label = 'C' AND number = ${js ? 5 : 6}`);
      const button = page.locator(`form.seatmap button[name=add][value="${seat}"]`);
      const holdButton = page.getByRole('button', { name: 'Hold this seat for 5 minutes' });

      // The seat map with the seat picked, then hold it.
      const map = await page.goto(`${stack.base}/performances/1?seat=${seat}`);
      assert.equal(map.headers()['cache-control'], 'no-store');
      assert.equal(await button.isEnabled(), true);
      await clickAndLoad(holdButton);
      assert.match(new URL(page.url()).pathname, /^\/holds\/\d+$/);
      const holdUrl = page.url();

      // Back to the map: the seat is the buyer's now, not offered as free.
      await page.goBack({ waitUntil: 'load' });
      assert.equal(new URL(page.url()).searchParams.get('seat'), seat);
      await page.locator('form.seatmap').waitFor();
      assert.equal(await button.isDisabled(), true, 'the held seat shows taken');
      assert.equal(await holdButton.count(), 0, 'no Hold button for it');
      assert.equal(await page.getByRole('link', { name: 'VIP · Row C · Seat ' + (js ? 5 : 6) }).count() > 0, true,
        'listed among the buyer\'s holds');

      // On to the hold page again, pay.
      await page.goto(holdUrl);
      const pay = page.getByRole('button', { name: 'Pay ₩165,000', exact: true });
      await pay.waitFor({ state: 'visible' });
      assert.match(await page.locator('header.top').innerText(), /₩200,000/);
      await clickAndLoad(pay);
      assert.equal(page.url(), holdUrl, 'paid: the ticket at its own address');
      assert.match(await page.locator('p.notice').innerText(), /Paid!/);

      // Back to the hold page as it was before paying: now paid, no Pay.
      await page.goBack({ waitUntil: 'load' });
      assert.equal(page.url(), holdUrl);
      await page.locator('p.stamp').waitFor({ state: 'visible' });
      assert.match(await page.locator('p.stamp').innerText(), /^Paid .+ · payment no\. \d+$/);
      assert.equal(await page.getByRole('button', { name: /^Pay / }).count(), 0, 'no live Pay button');
      assert.equal(await page.getByRole('button', { name: 'Release this seat' }).count(), 0);
      assert.match(await page.locator('header.top').innerText(), /₩35,000/, 'the balance after paying');
      assert.equal(stack.sql(`SELECT count(*) FROM payment WHERE hold_id = ${holdUrl.split('/').pop()}`), '1');
    } finally {
      await context.close();
    }
  });
}
