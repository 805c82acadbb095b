// admin.test.mjs — the operator's live view in a real browser (Debian's
// chromium through playwright-core) against the real stack: /admin/ at
// desktop and phone size shows the sale (seats sold, the chart drawn by
// the server), the buyer lookup finds a buyer and their ticket code, the
// CSV link downloads the report; no JavaScript needed, and axe-core finds
// no serious accessibility violation on either page.
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
let stack, browser, operator, buyerEmail, code;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  stack = await startStack({ workers: 2 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // A buyer pays a VIP seat of the first performance in the browser's way.
  buyerEmail = uniqueEmail('sold');
  const seat = await buySeat(buyerEmail, 1);
  code = stack.sql(`SELECT t.code FROM ticket t JOIN hold h ON h.id = t.hold_id WHERE h.seat_id = ${seat}`)
    .match(/.{4}/g).join('-');
  // The operator.
  operator = new Client(stack.base);
  const email = uniqueEmail('operator');
  assert.equal((await operator.signup(email)).status, 303);
  stack.admin('grant', email, 'operator');
});
// A new buyer pays VIP row A seat number of performance 1; its seat id.
async function buySeat(email, number) {
  const b = new Client(stack.base);
  assert.equal((await b.signup(email)).status, 303);
  await joinQueue(b, 1);
  const wallet = await b.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(wallet.text)[1];
  assert.equal((await b.post('/wallet/charge', { amount: '200000', key, csrf: csrfOf(wallet.text) })).status, 303);
  const seat = stack.sql(`SELECT id FROM seat WHERE performance_id = 1 AND section = 'VIP' AND row_label = 'A' AND number = ${number}`);
  await b.get(`/performances/1?seat=${seat}`);
  const held = await b.post('/performances/1/holds', { seat });
  assert.equal(held.status, 303, held.text);
  await b.get(held.location);
  assert.equal((await b.post(`${held.location}/pay`, {})).status, 303);
  return seat;
}

after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

async function operatorPage(viewport, javaScriptEnabled) {
  const context = await browser.newContext({ viewport, javaScriptEnabled, locale: 'en-US',
    bypassCSP: true, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  await context.addCookies([...operator.cookies].map(([name, value]) => ({ name, value, url: stack.base })));
  return { context, page: await context.newPage() };
}

// axe-core's serious and critical findings on the page (none expected).
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  test(`the sale view at ${name} size, without JavaScript`, async () => {
    const { context, page } = await operatorPage(viewport, false);
    try {
      const res = await page.goto(`${stack.base}/admin/`);
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { name: 'The sale, live' }).waitFor();
      const table = page.getByRole('table', { name: 'Performances of Winter Symphony Gala' });
      const firstRow = table.getByRole('row').nth(1);
      assert.match(await firstRow.innerText(), /on sale\s+1,000\s+1\s+0\s+999\s+₩165,000\s+0\s+0\s+CSV/);
      const chart = page.getByRole('img', { name: 'Seats sold over time: 1 of 1,000' });
      assert.ok(await chart.isVisible());
      const box = await chart.boundingBox();
      assert.ok(box.width > 100 && box.width <= viewport.width, `the chart fits: ${box.width}`);
      await page.screenshot({ path: join(SHOTS, `admin-${name}.png`), fullPage: true });
    } finally {
      await context.close();
    }
    // axe-core needs script: the same page in a context that runs it.
    const js = await operatorPage(viewport, true);
    try {
      await js.page.goto(`${stack.base}/admin/`);
      assert.deepEqual(await axeViolations(js.page), []);
    } finally {
      await js.context.close();
    }
  });
}

test('the buyer lookup and the CSV download from the sale view', async () => {
  const { context, page } = await operatorPage({ width: 1280, height: 900 }, true);
  try {
    await page.goto(`${stack.base}/admin/`);
    await page.getByLabel('Look up a buyer by e-mail').fill(buyerEmail);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Look up' }).click()]);
    await page.getByRole('heading', { name: buyerEmail }).waitFor();
    assert.ok(await page.getByText(code).isVisible(), 'the ticket code');
    await page.screenshot({ path: join(SHOTS, 'admin-buyer.png'), fullPage: true });
    assert.deepEqual(await axeViolations(page), []);

    await page.goto(`${stack.base}/admin/`);
    const [download] = await Promise.all([page.waitForEvent('download'),
      page.locator('a[href="/admin/performances/1/sales.csv"]').click()]);
    assert.equal(download.suggestedFilename(), 'performance-1-sales.csv');
    const chunks = [];
    for await (const c of await download.createReadStream()) chunks.push(c);
    const csv = Buffer.concat(chunks).toString('utf8');
    assert.ok(csv.startsWith('\ufeffentry,time,'), csv.slice(0, 40));
    assert.match(csv, new RegExp(`,PAYMENT,${buyerEmail.replace(/[.]/g, '\\.')},VIP,A,1,165000,165000,PAID,${code}\r\n`));
  } finally {
    await context.close();
  }
});

test('with JavaScript the live view renews its figures every 30 s, not while the operator types', async () => {
  const { context, page } = await operatorPage({ width: 1280, height: 900 }, true);
  try {
    await context.clock.install();
    await page.goto(`${stack.base}/admin/`);
    const table = page.getByRole('table', { name: 'Performances of Winter Symphony Gala' });
    const sold = () => table.getByRole('row').nth(1).getByRole('cell').nth(2).innerText();
    const before = Number(await sold());
    await buySeat(uniqueEmail('live'), 2);
    // The operator types a buyer's address: the figures wait.
    await page.getByLabel('Look up a buyer by e-mail').fill('someone@');
    await page.clock.runFor(31_000);
    await page.waitForTimeout(300);
    assert.equal(Number(await sold()), before, 'not renewed under the operator\'s typing');
    await page.getByLabel('Look up a buyer by e-mail').fill('');
    await page.getByLabel('Look up a buyer by e-mail').blur();
    await page.clock.runFor(31_000);
    await page.waitForFunction((n) => {
      const row = document.querySelectorAll('table.sales tr')[1];
      return row && Number(row.querySelectorAll('td')[2].textContent) === n;
    }, before + 1, { polling: 100 }); // the clock is the test's: no rAF polling
    assert.equal(Number(await sold()), before + 1);
  } finally {
    await context.close();
  }
});

test('the cancel page at phone size: what it does, a box to tick, no serious axe finding', async () => {
  const { context, page } = await operatorPage({ width: 390, height: 844 }, true);
  try {
    const res = await page.goto(`${stack.base}/admin/performances/2/cancel`);
    assert.equal(res.status(), 200);
    await page.getByRole('heading', { name: 'What cancelling does' }).waitFor();
    const box = page.getByRole('checkbox', { name: /I understand: cancel this performance/ });
    assert.ok(await box.isVisible());
    assert.equal(await box.isChecked(), false);
    await page.screenshot({ path: join(SHOTS, 'admin-cancel-phone.png'), fullPage: true });
    assert.deepEqual(await axeViolations(page), []);
  } finally {
    await context.close();
  }
});
