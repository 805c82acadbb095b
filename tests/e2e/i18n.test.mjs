// i18n.test.mjs — the buyer's flow in Korean in a real browser (Debian's
// chromium, playwright-core): a phone whose language is Korean signs up,
// joins the queue, picks a seat, holds it, tops up, pays and finds the
// ticket, every page in Korean (<html lang="ko">), with JavaScript on a
// phone and without it at desktop size; the waiting room's live words
// (written by app.js) in Korean; and the language switch, which works
// without JavaScript and is remembered on the next page.
//
// Screenshots: tests/e2e/screenshots/ko-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail } from '../lib/stack.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const PASSWORD = 'violet kettle harbour 42';
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1366, height: 900 } };

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
after(async () => { for (const c of contexts) await c.close().catch(() => {}); });
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

// A browser whose language is locale (Chromium sends it as Accept-Language).
async function open({ locale = 'ko-KR', size = PHONE, javaScriptEnabled = true } = {}) {
  // A phone in Korea: the venue's times are its own (app.js adds no other zone).
  const context = await browser.newContext({ ...size, locale, javaScriptEnabled, timezoneId: 'Asia/Seoul' });
  contexts.add(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.js = javaScriptEnabled;
  return page;
}

async function shot(page, name) {
  if (page.js) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

async function clickAndLoad(locator) {
  const nav = locator.page().waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  return nav;
}

const lang = (page) => page.locator('html').getAttribute('lang');
const notice = (page) => page.locator('p.notice[role=status]');

// The whole purchase in Korean; shots prefixed by tag.
async function buyInKorean(page, tag) {
  const email = uniqueEmail('ko');
  await page.goto(`${stack.base}/`);
  assert.equal(await lang(page), 'ko');
  await page.getByRole('heading', { level: 1, name: '예정된 공연' }).waitFor();
  if (tag === 'phone') await shot(page, `ko-${tag}-1-concerts.png`);
  await clickAndLoad(page.locator('li.concert').filter({ hasText: 'Winter Symphony Gala' })
    .getByRole('link', { name: '일정 및 예매' }));
  await page.getByRole('heading', { level: 2, name: '공연 일정' }).waitFor();
  // Dates as Korean write them.
  assert.match(await page.locator('ul.dates').innerText(), /2026년 12월 14일 \(월\)/);
  // Logged out, the concert offers its sign-up first (the "Buy tickets" card).
  await clickAndLoad(page.locator('#buy').getByRole('link', { name: '회원 가입하고 예매하기', exact: true }));
  await page.getByRole('heading', { name: '회원 가입' }).waitFor();
  await page.getByLabel('이메일').fill(email);
  await page.getByLabel('비밀번호').fill(PASSWORD);
  await clickAndLoad(page.locator('form.stack').getByRole('button', { name: '회원 가입' }));
  assert.equal((await notice(page).innerText()).trim(), '환영합니다! 계정이 만들어졌습니다.');
  await clickAndLoad(page.getByRole('button', { name: '대기열 들어가기' }));
  await page.getByRole('heading', { name: '회원님 차례입니다' }).waitFor({ state: 'visible' });
  if (tag === 'phone') await shot(page, `ko-${tag}-2-turn.png`);
  await clickAndLoad(page.locator('ul.dates > li').first().getByRole('link', { name: '좌석 선택' }));
  const map = page.locator('form.seatmap');
  await map.waitFor();
  assert.equal(await map.getAttribute('aria-label'), '좌석 배치도: 좌석을 선택하세요');
  const seat = map.locator('button[name=add]:not([disabled])').first();
  const row = await seat.locator('xpath=..').getAttribute('aria-label'); // "VIP A열, ₩165,000"
  const m = /^(.+) ([^ ,]+)열(?:, .+)?$/.exec(row);
  assert.ok(m, `row label ${row}`);
  const number = (await seat.innerText()).trim();
  if (page.js) // each seat's accessible name, in Korean too
    assert.match(await seat.getAttribute('aria-label'), new RegExp(`^${m[1]} ${m[2]}열 좌석 ${number}, ₩[\\d,]+, 선택 가능$`));
  await clickAndLoad(seat);
  const bar = page.locator('section.picked');
  await bar.getByRole('heading', { name: '선택한 좌석: 1석' }).waitFor({ state: 'visible' });
  const name = `${m[1]} · ${m[2]}열 · ${number}번`;
  assert.equal((await bar.locator('.seatname').innerText()).trim(), name);
  const price = (await bar.locator('.price').innerText()).trim();
  assert.match(price, /^₩[\d,]+$/);
  await shot(page, `ko-${tag}-3-seat-map.png`);
  await clickAndLoad(bar.getByRole('button', { name: '이 좌석 5분간 선점하기' }));
  assert.equal((await page.getByRole('heading', { level: 1 }).innerText()).trim(), name);
  assert.match(await page.locator('.deadline').innerText(), /\d\d:\d\d:\d\d KST까지 이 좌석을 선점해 두었습니다/);
  const countdown = (await page.locator('#countdown').innerText()).trim();
  assert.match(countdown, page.js ? /^\(\d+:\d\d 남음\)$/ : /^\(약 5분\)$/, `countdown ${countdown}`);
  await shot(page, `ko-${tag}-4-hold.png`);
  await clickAndLoad(page.getByRole('link', { name: `${price} 충전하기`, exact: true }));
  await page.getByRole('heading', { level: 1, name: '지갑' }).waitFor();
  await clickAndLoad(page.locator('form.stack').getByRole('button', { name: '충전하고 결제하러 가기' }));
  assert.equal((await notice(page).innerText()).trim(), '지갑이 충전되었습니다.');
  await clickAndLoad(page.getByRole('button', { name: `${price} 결제하기`, exact: true }));
  assert.equal((await notice(page).innerText()).trim(), '결제 완료! 좌석이 확보되었습니다.');
  assert.match(await page.locator('p.stamp').innerText(), /결제 완료 · 결제 번호 \d+$/);
  assert.match(await page.locator('p.tcode').innerText(), /^티켓 코드\s+[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/);
  await shot(page, `ko-${tag}-5-paid.png`);
  await clickAndLoad(page.locator('header.top').getByRole('link', { name: '티켓', exact: true }));
  await page.getByRole('heading', { level: 1, name: '내 티켓' }).waitFor();
  const mine = page.locator('li.ticket');
  assert.equal(await mine.count(), 1);
  assert.match(await mine.innerText(), new RegExp(`${name}[\\s\\S]*${price.replace(/[$]/g, '\\$&')} · .+ 결제`));
  await shot(page, `ko-${tag}-6-tickets.png`);
  assert.equal(await lang(page), 'ko', 'Korean to the end');
  const user = stack.sql(`SELECT id FROM user WHERE email = '${email}'`);
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE user_id = ${user} AND state = 'PAID'`), '1');
}

test('a Korean phone buys a seat, with JavaScript (390×844)', async () => {
  await buyInKorean(await open(), 'phone');
});

test('a Korean browser buys a seat without JavaScript (1366×900)', async () => {
  await buyInKorean(await open({ size: DESKTOP, javaScriptEnabled: false }), 'nojs-desktop');
});

test('the waiting room speaks Korean, in what app.js writes too', async () => {
  stack.admin('set', 'queue_capacity', 1);
  try {
    const a = await open(), b = await open();
    for (const p of [a, b]) {
      await p.goto(`${stack.base}/signup?next=/concerts/2`);
      await p.getByLabel('이메일').fill(uniqueEmail('koq'));
      await p.getByLabel('비밀번호').fill(PASSWORD);
      await clickAndLoad(p.locator('form.stack').getByRole('button', { name: '회원 가입' }));
      await clickAndLoad(p.getByRole('button', { name: '대기열 들어가기' }));
    }
    await b.getByRole('heading', { level: 1, name: '대기 중입니다' }).waitFor();
    // The page polls by itself: its words come from the page (data-t-…).
    await b.locator('#q-updated').filter({ hasText: /^방금 확인함$/ }).waitFor({ timeout: 5_000 });
    // Nobody has left the one slot yet: a bound of one whole turn, and
    // the clock time by which the call comes, in the venue's zone.
    assert.match(await b.locator('#q-eta').innerText(), /^최대 \d+분$/);
    assert.match(await b.locator('#q-call').innerText(), /^늦어도 \d\d:\d\d KST까지는 호출될 것으로 예상됩니다\.$/);
    assert.match(await b.locator('#q-keep-open').innerText(), /이 페이지를 열어 두세요/);
    await shot(b, 'ko-phone-queue.png');
  } finally {
    stack.admin('set', 'queue_capacity', 1000);
  }
});

test('the switch works without JavaScript and is remembered', async () => {
  const page = await open({ locale: 'en-US', size: DESKTOP, javaScriptEnabled: false });
  await page.goto(`${stack.base}/concerts/1`);
  assert.equal(await lang(page), 'en');
  await page.getByRole('heading', { level: 2, name: 'Dates' }).waitFor();
  const sw = page.getByRole('navigation', { name: 'Language' });
  await clickAndLoad(sw.getByRole('link', { name: '한국어' }));
  assert.equal(new URL(page.url()).pathname, '/concerts/1', 'the same page');
  assert.equal(await lang(page), 'ko');
  await page.getByRole('heading', { level: 2, name: '공연 일정' }).waitFor();
  await shot(page, 'ko-nojs-desktop-switch.png');
  // The next page too, though the browser still asks for English.
  await clickAndLoad(page.locator('nav.crumbs').getByRole('link', { name: '공연' }));
  assert.equal(await lang(page), 'ko');
  await page.getByRole('heading', { level: 1, name: '예정된 공연' }).waitFor();
  // And back to English.
  await clickAndLoad(page.getByRole('navigation', { name: '언어' }).getByRole('link', { name: 'English' }));
  assert.equal(await lang(page), 'en');
});
