// orders.test.mjs — three seats bought together with the keyboard alone,
// in a real browser (Debian's chromium through playwright-core) against
// the real stack: in English and in Korean, on a phone (390×844) and a
// desktop (1366×900), with and without JavaScript (8 runs, one stack).
// From the concert page (the only address typed) through the queue: join,
// choose the date, pick three seats on the map with Tab, the arrows,
// Enter; hold them in one order, pay once, see the three seats as the
// buyer's on the map and the three tickets. The Korean runs choose their
// language as people do: the phone by its language (Accept-Language), the
// desktop by the switch in the page's header, by keyboard. Each Korean
// page says what it says in Korean, with no English left
// (tests/lib/english.mjs), and axe-core (from npm, run inside the page,
// with and without JavaScript) finds nothing serious or critical on it.
//
// Run: node --test --test-concurrency=1 tests/e2e/orders.test.mjs
// Screenshots (git-ignored):
// tests/e2e/screenshots/orders-{en,ko}-{phone,desktop}-{js,nojs}-{map,order,paid}.png
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail, Client, csrfOf, joinQueue, ROOT } from '../lib/stack.mjs';
import { englishLeft, dataWords } from '../lib/english.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

const SIZES = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1366, height: 900 } },
};

// What the buyer reads, in each language (the catalog's words, po/ko.po).
const WORDS = {
  en: {
    join: 'Join the queue', turn: 'It is your turn', choose: 'Choose seats',
    row: (s, r) => `${s}, row ${r}, `,
    first: /^VIP, row A, seat 1, ₩165,000, free$/,
    picked: 'picked', yours: 'yours', taken: 'taken',
    hold: (k) => (k === 1 ? 'Hold this seat for 5 minutes' : `Hold these ${k} seats for 5 minutes`),
    more: 'Pick more seats', pick3: 'Your pick: 3 seats',
    count3: '3 seats', seat: (s, r, n) => `${s} · Row ${r} · Seat ${n}`,
    pay: 'Pay ₩297,000 for 3 seats', paid: 'Paid! The seats are yours.', stamp: /^Paid ₩297,000 · payment no\. \d+$/,
    tickets: 'Tickets', myTickets: 'My tickets',
  },
  ko: {
    join: '대기열 들어가기', turn: '회원님 차례입니다', choose: '좌석 선택',
    row: (s, r) => `${s} ${r}열 `,
    first: /^VIP A열 좌석 1, ₩165,000, 선택 가능$/,
    picked: '선택함', yours: '내 좌석', taken: '선택 불가',
    hold: (k) => (k === 1 ? '이 좌석 5분간 선점하기' : `좌석 ${k}석 5분간 선점하기`),
    more: '좌석 더 고르기', pick3: '선택한 좌석: 3석',
    count3: '3석', seat: (s, r, n) => `${s} · ${r}열 · ${n}번`,
    pay: '3석 ₩297,000 결제하기', paid: '결제 완료! 좌석이 모두 확보되었습니다.', stamp: /^₩297,000 결제 완료 · 결제 번호 \d+$/,
    tickets: '티켓', myTickets: '내 티켓',
  },
};

let stack, browser, data;
const axeCounts = [];

before(async () => {
  stack = await startStack({ settings: { queue_capacity: 1000 } });
  data = dataWords(stack);
  // someone else holds a seat of the map (row L of S): it is taken
  const other = new Client(stack.base);
  await other.signup(uniqueEmail('other'));
  await joinQueue(other, 1);
  await other.get('/performances/2');
  const seat = stack.sql(`SELECT id FROM seat WHERE performance_id = 2 AND section = 'S' AND row_label = 'L' AND number = 1`);
  assert.equal((await other.post('/performances/2/holds', { seat })).status, 303);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

// A buyer made over HTTP (sign-up, a topped-up wallet) whose session
// cookie the browser then carries: the keyboard part is the buying.
async function buyerSession() {
  const c = new Client(stack.base);
  const email = uniqueEmail('keys');
  assert.equal((await c.signup(email)).status, 303);
  const w = await c.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(w.text)[1];
  assert.equal((await c.post('/wallet/charge', { amount: '1000000', key, csrf: csrfOf(w.text) })).status, 303);
  return { session: c.cookies.get('bo_s'), uid: stack.sql(`SELECT id FROM user WHERE email = '${email}'`) };
}

// axe-core on the page as it is (evaluated through the DevTools protocol,
// so the site's CSP stays as it is): its serious and critical findings
// must be none. A page without JavaScript runs no timers, which axe
// waits on: there they run as soon as asked, for axe alone.
async function axe(page, js, what) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    if (!js) await page.evaluate(() => {
      const soon = (f, ...a) => { Promise.resolve().then(() => f(...a)); return 0; };
      window.setTimeout = soon;
      window.clearTimeout = () => {};
      window.requestAnimationFrame = (f) => soon(f, performance.now());
      window.requestIdleCallback = (f) => soon(f, { didTimeout: false, timeRemaining: () => 50 });
    });
    await page.evaluate(AXE);
  }
  const bad = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0]?.target}`);
  });
  axeCounts.push(`${what}: ${bad.length}`);
  assert.deepEqual(bad, [], `${what}: axe finds nothing serious or critical`);
}

// A page meant to be Korean: <html lang="ko">, Korean words, and no
// English of ours left (in the DOM, with what app.js wrote into it).
async function assertKorean(page, what) {
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko', `${what}: <html lang="ko">`);
  const html = await page.content();
  assert.deepEqual(englishLeft(html, data), { sentences: [], words: [], runs: [] }, `${what}: English left`);
  assert.match(await page.locator('main').innerText(), /[가-힣]/, `${what}: Korean words`);
}

// The focused element: what it is, and whether the buyer can see it (its
// middle is not under the sticky header or the pick's bar).
const active = (page) => page.evaluate(() => {
  const e = document.activeElement;
  const r = e.getBoundingClientRect();
  const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return { tag: e.tagName, text: (e.textContent || '').trim(), label: e.getAttribute('aria-label'),
    value: e.getAttribute('value'), href: e.getAttribute('href'),
    seat: !!e.closest('form[data-seatmap]') && e.tagName === 'BUTTON',
    seen: !!at && (at === e || e.contains(at)) };
});
// Presses Tab until the focused element satisfies ok (at most max times);
// every element on the way must be in sight.
async function tabUntil(page, ok, max, what) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const a = await active(page);
    assert.ok(a.seen, `on the way to ${what}, the focus is hidden: ${a.tag} ${a.label ?? a.text} ${a.value ?? a.href ?? ''}`);
    if (ok(a)) return i + 1;
  }
  assert.fail(`${what}: not reached in ${max} Tab presses`);
}
async function pressAndLoad(page, key) {
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await page.keyboard.press(key);
  return nav;
}

// Each run buys seats 14–16 of its own row of section S, performance 2.
const ROWS = {
  'en-phone-js': 'D', 'en-phone-nojs': 'E', 'en-desktop-js': 'F', 'en-desktop-nojs': 'G',
  'ko-phone-js': 'H', 'ko-phone-nojs': 'I', 'ko-desktop-js': 'J', 'ko-desktop-nojs': 'K',
};

for (const lang of ['en', 'ko']) {
  const t = WORDS[lang];
  for (const [size, device] of Object.entries(SIZES)) {
    for (const js of [true, false]) {
      const tag = `${lang}-${size}-${js ? 'js' : 'nojs'}`;
      // Korean by the phone's language, or by the switch on a desktop
      // whose browser asks for English.
      const bySwitch = lang === 'ko' && size === 'desktop';
      const locale = lang === 'ko' && !bySwitch ? 'ko-KR' : 'en-US';
      const how = lang === 'en' ? 'English' : bySwitch ? 'Korean by the switch' : 'Korean by the browser\'s language';
      test(`three seats with the keyboard alone: ${how}, ${size}, ${js ? 'with' : 'without'} JavaScript`, async () => {
        const { session, uid } = await buyerSession();
        const ko = lang === 'ko';
        const context = await browser.newContext({ ...device, locale, javaScriptEnabled: js });
        context.setDefaultTimeout(15_000);
        await context.addCookies([{ name: 'bo_s', value: session, url: stack.base }]);
        const page = await context.newPage();
        const check = async (what) => {
          if (ko) await assertKorean(page, `${what} ${tag}`);
          if (ko || (js && /map|order/.test(what))) await axe(page, js, `${what} ${tag}`);
        };
        try {
          await page.goto(`${stack.base}/concerts/1`); // the only address typed
          if (bySwitch) {
            assert.equal(await page.locator('html').getAttribute('lang'), 'en');
            await tabUntil(page, (a) => a.tag === 'A' && a.text === '한국어', 20, 'the switch to Korean');
            await pressAndLoad(page, 'Enter');
            assert.equal(new URL(page.url()).pathname, '/concerts/1', 'the switch comes back to the page');
          }
          assert.equal(await page.locator('html').getAttribute('lang'), lang);
          // the queue: join, and (the line is empty) it is our turn
          await tabUntil(page, (a) => a.tag === 'BUTTON' && a.text === t.join, 40, 'Join the queue');
          await pressAndLoad(page, 'Enter');
          await page.getByRole('heading', { level: 2, name: t.turn }).waitFor();
          await check('concert');
          await tabUntil(page, (a) => a.href === '/performances/2' && a.text === t.choose, 40, 'the second date\'s Choose seats');
          await pressAndLoad(page, 'Enter');
          await page.locator('form[data-seatmap]').waitFor();
          assert.equal(new URL(page.url()).pathname, '/performances/2');

          const row = ROWS[tag];
          const target = stack.sql(`SELECT id FROM seat WHERE performance_id = 2 AND section = 'S'
            AND row_label = '${row}' AND number = 14`);
          if (js) {
            // the grid is one Tab stop: reach it, then walk with the arrows
            const tabs = await tabUntil(page, (a) => a.seat, 40, 'the seat map');
            assert.ok(tabs < 40, `the map is reached in ${tabs} Tab presses`);
            assert.match((await active(page)).label, t.first, 'a seat is named whole');
            for (let guard = 0; guard < 60; guard++) {
              if ((await active(page)).label.startsWith(t.row('S', row))) break;
              await page.keyboard.press('ArrowDown');
            }
            await page.keyboard.press('Home');
            for (let i = 1; i < 14; i++) await page.keyboard.press('ArrowRight');
            assert.equal((await active(page)).value, target);
            for (let k = 0; k < 3; k++) {
              await pressAndLoad(page, 'Enter');
              const now = await active(page);
              assert.ok(now.seat && now.label.endsWith(`, ${t.picked}`), `focus is back on the seat just picked: ${now.label}`);
              if (k < 2) await page.keyboard.press('ArrowRight');
            }
            // Hold is the next Tab stop after the map
            await page.keyboard.press('Tab');
            assert.equal((await active(page)).text, t.hold(3));
          } else {
            // without JavaScript every seat is a Tab stop: jump to the
            // section by its overview link, then Tab to the seat
            await tabUntil(page, (a) => a.text.startsWith('S ₩'), 40, 'the overview link of section S');
            await page.keyboard.press('Enter'); // a jump within the page
            await page.waitForFunction(() => window.location.hash === '#sec-3');
            await tabUntil(page, (a) => a.value === target, 400, 'the seat');
            for (let k = 0; k < 3; k++) {
              await pressAndLoad(page, 'Enter');
              // the page lands on the bar: Tab is its Hold button
              await page.keyboard.press('Tab');
              assert.equal((await active(page)).text, t.hold(k + 1));
              if (k < 2) {
                // "Pick more seats" after Hold goes back to the overview,
                // then to the section, then to the next seat
                const next = String(Number(target) + k + 1);
                await page.keyboard.press('Tab');
                assert.equal((await active(page)).text, t.more);
                await page.keyboard.press('Enter');
                await page.waitForFunction(() => window.location.hash === '#sections');
                await tabUntil(page, (a) => a.text.startsWith('S ₩'), 10, 'the overview link of section S');
                await page.keyboard.press('Enter');
                await tabUntil(page, (a) => a.value === next, 400, 'the next seat');
              }
            }
            // the pick on the map says "pressed"; the seats others
            // bought say so in the page's language
            assert.equal(await page.locator(`button[value="${target}"]`).getAttribute('aria-pressed'), 'true');
          }
          // the seats others hold or bought say so in the page's language
          const others = page.locator('form[data-seatmap] button.t');
          assert.ok(await others.count() > 0, 'someone else\'s seats are on the map');
          for (const name of js ? await others.evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')))
            : await others.allTextContents())
            assert.ok(name.trim().endsWith(`, ${t.taken}`), `a seat of someone else's says so: ${name}`);
          const bar = page.locator('section.picked');
          assert.equal((await bar.locator('#pick-title').innerText()).trim(), t.pick3);
          assert.equal((await bar.locator('p.price').innerText()).trim(), '₩297,000');
          await check('seat map');
          await page.screenshot({ path: join(SHOTS, `orders-${tag}-map.png`) });

          // hold them together: the order page
          await pressAndLoad(page, 'Enter');
          assert.match(new URL(page.url()).pathname, /^\/orders\/\d+$/);
          await page.getByRole('heading', { level: 1, name: t.count3, exact: true }).waitFor();
          const seats = await page.locator('table.seats-of-order').innerText();
          for (const n of [14, 15, 16]) assert.ok(seats.includes(t.seat('S', row, n)), `${t.seat('S', row, n)} in ${seats}`);
          await check('order page');
          await page.screenshot({ path: join(SHOTS, `orders-${tag}-order.png`), fullPage: true });

          // a look at the map by its date in the breadcrumb: the three
          // are the buyer's, in the seat's own words, never "taken"; back
          // to the order by its link in "Your seats"
          await tabUntil(page, (a) => a.href === '/performances/2', 20, 'the date in the breadcrumb');
          await pressAndLoad(page, 'Enter');
          assert.equal(new URL(page.url()).pathname, '/performances/2');
          for (const n of [14, 15, 16]) {
            const mine = page.locator(`button[value="${Number(target) + n - 14}"]`);
            assert.equal(await mine.getAttribute('class'), 'y');
            const name = js ? await mine.getAttribute('aria-label') : (await mine.textContent()).trim();
            assert.ok(name.endsWith(`, ${t.yours}`), `the buyer's seat is named theirs: ${name}`);
          }
          await check('seat map held');
          await tabUntil(page, (a) => /^\/orders\/\d+$/.test(a.href ?? '') && a.text === t.seat('S', row, 14), 40, 'the order in Your seats');
          await pressAndLoad(page, 'Enter');

          // pay once, by keyboard
          await tabUntil(page, (a) => a.text === t.pay, 40, 'the Pay button');
          await pressAndLoad(page, 'Enter');
          assert.equal(new URL(page.url()).search, '', 'no notice in the address');
          assert.equal((await page.locator('p.notice').innerText()).trim(), t.paid);
          assert.match((await page.locator('p.stamp').innerText()).trim(), t.stamp);
          await check('paid');
          await page.screenshot({ path: join(SHOTS, `orders-${tag}-paid.png`), fullPage: true });
          assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE user_id = ${uid} AND kind = 'PAYMENT'`), '1', 'one debit');

          // and the three tickets
          await tabUntil(page, (a) => a.href === '/bookings' && a.text === t.tickets, 20, 'Tickets');
          await pressAndLoad(page, 'Enter');
          await page.getByRole('heading', { level: 1, name: t.myTickets }).waitFor();
          const tickets = page.locator('li.ticket');
          assert.equal(await tickets.count(), 3);
          const all = await tickets.allInnerTexts();
          for (const n of [14, 15, 16]) assert.ok(all.some((x) => x.includes(t.seat('S', row, n))), `ticket ${n}`);
          await check('tickets');
        } finally {
          await context.close();
        }
      });
    }
  }
}

test('axe findings, for the record', (t) => {
  t.diagnostic(axeCounts.join('; '));
  assert.equal(axeCounts.length, 4 * 6 + 2 * 3, 'every Korean page, and the English map, order and held map with JavaScript');
});
