// orders.test.mjs — three seats bought together with the keyboard alone,
// in a real browser (Debian's chromium through playwright-core) against
// the real stack, on a phone (390×844) and a desktop (1366×900), with and
// without JavaScript: pick three seats on the map, hold them in one
// order, pay once. axe-core (from npm, injected into the page) checks the
// seat map and the order page: no serious or critical finding.
//
// Run: node --test --test-concurrency=1 tests/e2e/orders.test.mjs
// Screenshots land in tests/e2e/screenshots/orders-*.png (git-ignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail, Client, joinQueue, csrfOf, ROOT } from '../lib/stack.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

const SIZES = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1366, height: 900 } },
};

let stack, browser;
const axeCounts = [];

before(async () => {
  stack = await startStack({ settings: { queue_capacity: 1000 } });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

// A buyer made over HTTP (sign-up, queue, a topped-up wallet) whose
// session cookie the browser then carries: the keyboard part is buying.
async function buyerSession() {
  const c = new Client(stack.base);
  const email = uniqueEmail('keys');
  assert.equal((await c.signup(email)).status, 303);
  await joinQueue(c, 1);
  const w = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(w.text)[1];
  assert.equal((await c.post('/wallet/charge', { amount: '1000000', key, csrf: csrfOf(w.text) })).status, 303);
  return { session: c.cookies.get('bo_s'), uid: stack.sql(`SELECT id FROM user WHERE email = '${email}'`) };
}

// axe-core on the page as it is: the count of serious and critical
// findings (and what they are, when any).
async function axe(page, what) {
  const js = await page.evaluate(() => 1).then(() => true, () => false);
  if (!js) return null; // the page itself runs no script: checked with JavaScript on
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0]?.target}`);
  });
  axeCounts.push(`${what}: ${result.length}`);
  assert.deepEqual(result, [], `${what}: axe finds nothing serious or critical`);
  return result.length;
}

const active = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return { tag: e.tagName, text: (e.textContent || '').trim(), label: e.getAttribute('aria-label'),
    value: e.getAttribute('value'), seat: !!e.closest('form[data-seatmap]') && e.tagName === 'BUTTON' };
});
// Presses Tab until the focused element satisfies ok (at most max times).
async function tabUntil(page, ok, max, what) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (ok(await active(page))) return i + 1;
  }
  assert.fail(`${what}: not reached in ${max} Tab presses`);
}
async function pressAndLoad(page, key) {
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await page.keyboard.press(key);
  return nav;
}

for (const [size, device] of Object.entries(SIZES)) {
  for (const js of [true, false]) {
    const tag = `${size}-${js ? 'js' : 'nojs'}`;
    test(`three seats with the keyboard alone: ${size}, ${js ? 'with' : 'without'} JavaScript`, async () => {
      const { session, uid } = await buyerSession();
      // bypassCSP: axe-core is injected as a script the site's CSP would refuse
      const context = await browser.newContext({ ...device, locale: 'en-US', javaScriptEnabled: js, bypassCSP: true });
      context.setDefaultTimeout(15_000);
      await context.addCookies([{ name: 'bo_s', value: session, url: stack.base }]);
      const page = await context.newPage();
      try {
        // Performance 2's map: each test buys in its own row of section S.
        await page.goto(`${stack.base}/performances/2`);
        await page.locator('form[data-seatmap]').waitFor();
        const row = { 'phone-js': 'D', 'phone-nojs': 'E', 'desktop-js': 'F', 'desktop-nojs': 'G' }[tag];
        const target = stack.sql(`SELECT id FROM seat WHERE performance_id = 2 AND section = 'S'
          AND row_label = '${row}' AND number = 14`);
        if (js) {
          // the grid is one Tab stop: reach it, then walk with the arrows
          const tabs = await tabUntil(page, (a) => a.seat, 40, 'the seat map');
          assert.ok(tabs < 40, `the map is reached in ${tabs} Tab presses`);
          const first = await active(page);
          assert.match(first.label, /^VIP, row A, seat 1, ₩165,000, free$/, 'a seat is named whole');
          // down to the row, right to seat 14
          for (let guard = 0; guard < 60; guard++) {
            const a = await active(page);
            if (a.label.startsWith(`S, row ${row}, `)) break;
            await page.keyboard.press('ArrowDown');
          }
          await page.keyboard.press('Home');
          for (let i = 1; i < 14; i++) await page.keyboard.press('ArrowRight');
          assert.equal((await active(page)).value, target);
          for (let k = 0; k < 3; k++) {
            await pressAndLoad(page, 'Enter');
            const now = await active(page);
            assert.ok(now.seat && now.label.endsWith('picked'), `focus is back on the seat just picked: ${now.label}`);
            if (k < 2) await page.keyboard.press('ArrowRight');
          }
          // Hold is the next Tab stop after the map
          await page.keyboard.press('Tab');
          assert.equal((await active(page)).text, 'Hold these 3 seats for 5 minutes');
        } else {
          // without JavaScript every seat is a Tab stop: jump to the
          // section by its overview link, then Tab to the seat
          const jump = async () => {
            await page.locator('nav.overview a', { hasText: 'S ₩' }).focus();
            await page.keyboard.press('Enter'); // a jump within the page
            await page.waitForFunction(() => window.location.hash === '#sec-3');
          };
          await tabUntil(page, (a) => a.text.startsWith('S ₩'), 40, 'the overview link of section S');
          await jump();
          await tabUntil(page, (a) => a.value === target, 400, 'the seat');
          for (let k = 0; k < 3; k++) {
            await pressAndLoad(page, 'Enter');
            // the page lands on the bar: Tab is its Hold button
            await page.keyboard.press('Tab');
            assert.match((await active(page)).text, new RegExp(`^Hold ${k === 0 ? 'this seat' : `these ${k + 1} seats`}`));
            if (k < 2) {
              // "Pick more seats" after Hold goes back to the overview,
              // then to the section, then to the next seat
              const next = String(Number(target) + k + 1);
              await page.keyboard.press('Tab');
              assert.equal((await active(page)).text, 'Pick more seats');
              await page.keyboard.press('Enter');
              await page.waitForFunction(() => window.location.hash === '#sections');
              await tabUntil(page, (a) => a.text.startsWith('S ₩'), 10, 'the overview link of section S');
              await page.keyboard.press('Enter');
              await tabUntil(page, (a) => a.value === next, 400, 'the next seat');
            }
          }
        }
        assert.match(await page.locator('section.picked').innerText(), /Your pick: 3 seats/);
        assert.match(await page.locator('section.picked').innerText(), /₩297,000/);
        await page.screenshot({ path: join(SHOTS, `orders-${tag}-map.png`) });
        if (js) await axe(page, `seat map ${tag}`);

        // hold them together: the order page
        await pressAndLoad(page, 'Enter');
        assert.match(new URL(page.url()).pathname, /^\/orders\/\d+$/);
        await page.getByRole('heading', { level: 1, name: '3 seats' }).waitFor();
        for (const n of [14, 15, 16]) assert.match(await page.locator('table.seats-of-order').innerText(), new RegExp(`S · Row ${row} · Seat ${n}`));
        await page.screenshot({ path: join(SHOTS, `orders-${tag}-order.png`), fullPage: true });
        if (js) await axe(page, `order page ${tag}`);

        // pay once, by keyboard
        await tabUntil(page, (a) => a.text === 'Pay ₩297,000 for 3 seats', 40, 'the Pay button');
        await pressAndLoad(page, 'Enter');
        assert.equal(new URL(page.url()).search, '', 'no notice in the address');
        assert.match(await page.locator('p.notice').innerText(), /Paid! The seats are yours/);
        assert.match(await page.locator('p.stamp').innerText(), /Paid ₩297,000/);
        await page.screenshot({ path: join(SHOTS, `orders-${tag}-paid.png`), fullPage: true });
        assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${uid} AND kind = 'PAYMENT'`), '1', 'one debit');

        // back on the map: the three are the buyer's, never "taken"
        await page.goto(`${stack.base}/performances/2`);
        if (new URL(page.url()).pathname === '/performances/2') {
          assert.equal(await page.locator(`button[value="${target}"].y`).count(), 1);
        } else {
          // the turn ended with the purchase: the concert page says so
          assert.match(await page.locator('p.notice').first().innerText(), /You bought your seats/);
        }
      } finally {
        await context.close();
      }
    });
  }
}

test('axe findings, for the record', (t) => {
  t.diagnostic(axeCounts.join('; '));
  assert.ok(axeCounts.length >= 4);
});
