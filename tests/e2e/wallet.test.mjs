// wallet.test.mjs — the Korean wallet history on a phone (390 px wide) in
// Chromium, against the real stack: times and concert titles are never
// broken inside a word ("01:4 / 7", "Sympho / ny" in review 10), and the
// page does not scroll sideways. Pixels are read from the page's layout
// (a text's line boxes), not guessed from the CSS.
//
// Run: node --test --test-concurrency=1 tests/e2e/wallet.test.mjs
// Screenshots land in tests/e2e/screenshots/ (git-ignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });

let stack, browser;
before(async () => {
  stack = await startStack({ workers: 2, settings: { queue_capacity: 1000 } });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

// A buyer with a top-up, a payment of three seats (an order) and a
// cancelled one of them: the rows of the review's screenshot.
async function buyerWithHistory() {
  const c = new Client(stack.base);
  assert.equal((await c.signup(uniqueEmail('wallet-ko'))).status, 303);
  await joinQueue(c, 1);
  c.csrf = csrfOf((await c.get('/wallet')).text);
  const key = /name="key" value="([^"]+)"/.exec((await c.get('/wallet')).text)[1];
  assert.equal((await c.post('/wallet/charge', { amount: '1000000', key, csrf: c.csrf })).status, 303);
  const seats = stack.sql(`SELECT id FROM seat WHERE performance_id = 1 AND section = 'VIP' ORDER BY id LIMIT 3`).split('\n');
  const body = new URLSearchParams([...seats.map((s) => ['seat', s]), ['csrf', c.csrf]]).toString();
  const order = (await c.request('POST', '/performances/1/holds',
    { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).location;
  assert.match(order, /^\/orders\/\d+$/);
  assert.equal((await c.post(`${order}/pay`, { csrf: c.csrf })).status, 303);
  const hold = stack.sql(`SELECT min(id) FROM hold WHERE order_id = ${order.split('/').pop()}`);
  assert.equal((await c.post(`/holds/${hold}/cancel`, { csrf: c.csrf })).status, 303);
  return c;
}

test('the Korean wallet history on a 390 px phone: times and titles whole, no sideways scroll', async () => {
  const c = await buyerWithHistory();
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'ko-KR', extraHTTPHeaders: { 'accept-language': 'ko-KR,ko;q=0.9' },
  });
  const url = new URL(stack.base);
  await context.addCookies([...c.cookies].map(([name, value]) => ({ name, value, domain: url.hostname, path: '/' })));
  const page = await context.newPage();
  try {
    await page.goto(stack.base + '/wallet', { waitUntil: 'load' });
    await page.getByRole('heading', { level: 1, name: '지갑' }).waitFor();
    const rows = page.locator('table.ledger tbody tr');
    assert.equal(await rows.count(), 3, 'top-up, payment, refund');

    // How many line boxes each piece of text takes, as laid out.
    const layout = await page.evaluate(() => {
      const lines = (node, from = 0, to = node.textContent.length) => {
        const r = document.createRange();
        if (node.nodeType === Node.TEXT_NODE) {
          r.setStart(node, from);
          r.setEnd(node, to);
        } else {
          r.selectNodeContents(node); // a <time> element (view.c's times)
        }
        return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size;
      };
      const words = (el) => {
        const t = [...el.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
        const out = [];
        for (const m of t.textContent.matchAll(/\S+/g)) out.push([m[0], lines(t, m.index, m.index + m[0].length)]);
        return out;
      };
      return {
        when: [...document.querySelectorAll('table.ledger tbody tr td:first-child')]
          .map((td) => [td.textContent, lines(td.firstChild)]),
        amounts: [...document.querySelectorAll('table.ledger tbody td.num')]
          .map((td) => [td.textContent, lines(td.firstChild)]),
        titleWords: [...document.querySelectorAll('table.ledger tbody td a')].flatMap(words),
        scrollWidth: document.documentElement.scrollWidth,
      };
    });
    for (const [text, n] of layout.when) {
      assert.match(text, /\d\d:\d\d KST/);
      assert.equal(n, 1, `"${text}" on one line`);
    }
    for (const [text, n] of layout.amounts) assert.equal(n, 1, `"${text}" on one line`);
    assert.ok(layout.titleWords.length >= 6, JSON.stringify(layout.titleWords));
    for (const [word, n] of layout.titleWords) assert.equal(n, 1, `"${word}" not broken inside`);
    assert.ok(layout.scrollWidth <= 390, `no sideways scroll (${layout.scrollWidth} px)`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'wallet-ko-390.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
