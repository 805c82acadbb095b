// door.test.mjs — the door on a phone, in a real browser (Debian's
// chromium through playwright-core) against the real stack: staff choose
// the performance and the door once, then type a ticket code: a green
// ADMITTED with the seat, the same code again: a red ALREADY USED with
// the first time and door; the same without JavaScript (the plain form).
// And the buyer's /bookings with its QR code, as a phone shows it.
//
// Run: node --test --test-concurrency=1 tests/e2e/
// Screenshots land in tests/e2e/screenshots/ (git-ignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail, Client, ROOT } from '../lib/stack.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const PASSWORD = 'violet kettle harbour 42';
const PHONE = {
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  locale: 'en-US',
};

let stack, browser;
const contexts = new Set();

before(async () => {
  stack = await startStack({ settings: { queue_capacity: 1000 } });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

// bypassCSP: only so that the accessibility checker (axe-core) can be
// injected; the site's own scripts are its files, as the CSP wants.
async function phone({ javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled, bypassCSP: true });
  contexts.add(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.js = javaScriptEnabled;
  return page;
}

async function clickAndLoad(locator) {
  const nav = locator.page().waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  return nav;
}

async function api(method, url, token, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(stack.base + url, { method, headers, body: body && JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

// An account made on the sign-up page, with an API token.
async function account(tag) {
  const email = uniqueEmail(tag);
  const c = new Client(stack.base);
  assert.equal((await c.signup(email, PASSWORD)).status, 303);
  const s = await api('POST', '/api/v1/sessions', null, { email, password: PASSWORD });
  return { email, token: s.body.token };
}

let nextSeat = 0;
// Buys n seats of the first gala date over the API; their bookings.
async function buy(b, n) {
  const t = await api('POST', '/api/v1/tokens', b.token, { concertId: 1 });
  const ids = [];
  for (let i = 0; i < n; i++) {
    const seat = Number(stack.sql(`SELECT id FROM seat WHERE performance_id = 1 ORDER BY id DESC LIMIT 1 OFFSET ${nextSeat++}`));
    const h = await fetch(stack.base + '/api/v1/reservations', {
      method: 'POST', body: JSON.stringify({ performanceId: 1, seatId: seat }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${b.token}`, 'x-queue-token': t.body.token },
    }).then((r) => r.json());
    await api('POST', '/api/v1/balance/charge', b.token, { amount: h.price });
    assert.equal((await api('POST', '/api/v1/payments', b.token, { reservationId: h.reservationId })).status, 201);
    ids.push(h.reservationId);
  }
  return (await api('GET', '/api/v1/bookings', b.token)).body.bookings.filter((x) => ids.includes(x.reservationId));
}

async function logIn(page, email) {
  await page.goto(`${stack.base}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Log in' }));
}

// The WCAG A/AA problems axe-core finds in the page's main content.
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
async function accessible(page, what) {
  await page.addScriptTag({ content: AXE });
  const found = await page.evaluate(async () => (await window.axe.run('main', {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
  })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  assert.deepEqual(found, [], `${what}: accessibility problems`);
}

const grouped = (code) => code.match(/.{4}/g).join('-');

test('the door at phone size: choose once, type a code: green ADMITTED, again: red ALREADY USED', async () => {
  const buyer = await account('guest');
  const [t] = await buy(buyer, 1);
  const staff = await account('door');
  stack.admin('grant', staff.email, 'staff');

  const page = await phone();
  await logIn(page, staff.email);
  await page.goto(`${stack.base}/door`);
  await page.getByRole('heading', { name: 'The door' }).waitFor();
  // Tonight's first: the soonest date is checked already.
  await page.getByLabel('Which door are you at?').fill('B');
  await page.locator('input[name=performance][value="1"]').check();
  await accessible(page, 'the first form');
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header on top
  await page.screenshot({ path: join(SHOTS, 'door-choose.png'), fullPage: true });
  await clickAndLoad(page.getByRole('button', { name: 'Start letting people in' }));
  assert.equal(new URL(page.url()).search, '?performance=1&door=B', 'kept in the address');
  await page.getByRole('heading', { name: /^Door B · Winter Symphony Gala$/ }).waitFor();

  const box = page.getByLabel('Ticket code');
  assert.ok(await box.evaluate((el) => el === document.activeElement), 'the box has the focus');
  const countsBefore = await page.locator('#counts').innerText();
  assert.match(countsBefore, /^0 checked in of \d+ sold$/);

  // Typed as people read it: grouped, in lower case; Enter checks it.
  const url = page.url();
  await box.fill(grouped(t.ticketCode).toLowerCase());
  await box.press('Enter');
  const verdict = page.locator('#verdict');
  await verdict.waitFor();
  assert.equal(page.url(), url, 'answered in place, without a new page');
  assert.match(await verdict.getAttribute('class'), /\badmitted\b/);
  assert.equal(await verdict.locator('.word').innerText(), 'ADMITTED');
  assert.equal(await verdict.locator('.seat').innerText(), `${t.section} · Row ${t.row} · Seat ${t.number}`);
  const green = await verdict.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(green, 'rgb(15, 122, 61)');
  assert.match(await page.locator('#counts').innerText(), /^1 checked in of \d+ sold$/);
  assert.equal(await box.inputValue(), '', 'empty for the next guest');
  assert.ok(await box.evaluate((el) => el === document.activeElement), 'and focused again');
  await page.screenshot({ path: join(SHOTS, 'door-admitted.png') });
  await accessible(page, 'ADMITTED');

  await box.fill(t.ticketCode);
  await box.press('Enter');
  await page.locator('#verdict.refused').waitFor();
  assert.equal(await verdict.locator('.word').innerText(), 'ALREADY USED');
  assert.match(await verdict.innerText(), /First let in at \d\d:\d\d KST at door B\./);
  const red = await verdict.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(red, 'rgb(179, 38, 30)');
  assert.match(await page.locator('#counts').innerText(), /^1 checked in of \d+ sold$/);
  await page.screenshot({ path: join(SHOTS, 'door-already-used.png') });
  await accessible(page, 'ALREADY USED');
  assert.equal(stack.sql('SELECT count(*) FROM checkin'), '1');
});

// A video file for Chromium's fake camera (--use-file-for-fake-video-capture):
// the QR code of an SVG the site drew (qr_svg.c: "M x y h n v 1 h -n z" a
// run of dark modules), 8 pixels a module, black on white in the middle
// of a 640×480 YUV 4:2:0 picture, a few identical frames (it loops).
function qrVideo(svg, path) {
  const side = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)[1]);
  const W = 640, H = 480, px = 8, left = (W - side * px) / 2, top = (H - side * px) / 2;
  const y = Buffer.alloc(W * H, 255);
  for (const [, x0, y0, n] of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let row = 0; row < px; row++) {
      const start = (top + Number(y0) * px + row) * W + left + Number(x0) * px;
      y.fill(0, start, start + Number(n) * px);
    }
  }
  const chroma = Buffer.alloc(W * H / 4, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`),
    ...Array(10).fill(frame)]));
}

test('the camera on a browser without BarcodeDetector (Safari on an iPhone): jsQR reads the ticket, ADMITTED', async () => {
  const buyer = await account('camera');
  const [t] = await buy(buyer, 1);
  const staff = await account('camdoor');
  stack.admin('grant', staff.email, 'staff');
  // The ticket's QR code as the site draws it (staff may open any ticket).
  const c = new Client(stack.base);
  assert.equal((await c.login(staff.email, PASSWORD)).status, 303);
  const ticket = await c.get(`/tickets/${t.reservationId}`);
  assert.equal(ticket.status, 200);
  const video = join(stack.dir, 'qr.y4m');
  qrVideo(/<svg class="qr"[\s\S]*?<\/svg>/.exec(ticket.text)[0], video);
  const camera = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`],
  });
  try {
    const context = await camera.newContext({ ...PHONE, permissions: ['camera'] });
    context.setDefaultTimeout(15_000);
    // As Safari on an iPhone: no BarcodeDetector at all.
    await context.addInitScript(() => { delete window.BarcodeDetector; });
    const page = await context.newPage();
    await logIn(page, staff.email);
    await page.goto(`${stack.base}/door?performance=1&door=C`);
    await page.getByRole('button', { name: 'Scan with the camera' }).click();
    await page.locator('#verdict.admitted').waitFor();
    assert.equal(await page.locator('#verdict .word').innerText(), 'ADMITTED');
    assert.equal(await page.getByLabel('Ticket code').inputValue(), '', 'the box is ready for the next one');
    assert.equal(await page.getByRole('button', { name: 'Scan with the camera' }).isVisible(), false,
      'the start button gives way to the video');
    await page.screenshot({ path: join(SHOTS, 'door-camera-admitted.png') });
    assert.equal(stack.sql(`SELECT door FROM checkin JOIN ticket ON ticket.id = checkin.ticket WHERE ticket.hold_id = ${t.reservationId}`), 'C');
    // The same code held up again a moment later is one check, not two.
    await page.waitForTimeout(1000);
    assert.equal(stack.sql(`SELECT count(*) FROM checkin JOIN ticket ON ticket.id = checkin.ticket WHERE ticket.hold_id = ${t.reservationId}`), '1');
  } finally {
    await camera.close();
  }
});

test('the door without JavaScript: the same answers from the plain form', async () => {
  const buyer = await account('guest-nojs');
  const [t] = await buy(buyer, 1);
  const staff = await account('door-nojs');
  stack.admin('grant', staff.email, 'staff');
  const page = await phone({ javaScriptEnabled: false });
  await logIn(page, staff.email);
  await page.goto(`${stack.base}/door?performance=1&door=North`);
  await page.getByLabel('Ticket code').fill(t.ticketCode);
  let res = await clickAndLoad(page.getByRole('button', { name: 'Check' }));
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('#verdict .word').innerText(), 'ADMITTED');
  await page.getByLabel('Ticket code').fill(t.ticketCode);
  res = await clickAndLoad(page.getByRole('button', { name: 'Check' }));
  assert.equal(res.status(), 409);
  assert.equal(await page.locator('#verdict .word').innerText(), 'ALREADY USED');
  assert.match(await page.locator('#verdict').innerText(), /at door North\./);
  await page.screenshot({ path: join(SHOTS, 'door-nojs-already-used.png') });
});

test('/bookings on a phone: each ticket with its code and its QR code', async () => {
  const buyer = await account('holder');
  const [t] = await buy(buyer, 1);
  const page = await phone();
  await logIn(page, buyer.email);
  await page.goto(`${stack.base}/bookings`);
  await page.getByRole('heading', { name: 'My tickets' }).waitFor();
  const qr = page.getByRole('img', { name: `QR code of ticket code ${grouped(t.ticketCode)}` });
  await qr.waitFor();
  const box = await qr.boundingBox();
  assert.ok(box.width >= 150 && box.width <= 390, `the QR code is big enough to scan: ${box.width}px`);
  assert.equal(await page.locator('.tcode code').innerText(), grouped(t.ticketCode));
  await qr.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'bookings-qr.png'), fullPage: true });
  await accessible(page, '/bookings');
  await clickAndLoad(page.getByRole('link', { name: 'Printable ticket' }));
  assert.match(new URL(page.url()).pathname, /^\/tickets\/\d+$/);
  await page.getByRole('img', { name: /^QR code of ticket code/ }).waitFor();
  await accessible(page, 'the printable ticket');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').isVisible(), false, 'printed: the ticket alone');
  await page.screenshot({ path: join(SHOTS, 'ticket-print.png'), fullPage: true });
});
