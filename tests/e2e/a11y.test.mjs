// a11y.test.mjs — the buyer's whole flow in Chromium at phone (390×844) and
// desktop (1366×900) size, with axe-core (npm) run inside the page on every
// page of it: 0 serious or critical findings, and a screenshot of each in
// tests/e2e/screenshots/a11y-WIDTH-NN-NAME.png (git-ignored). Then what
// axe cannot see: the sign-up error takes the cursor and is tied to its
// field, the header's wallet link says what it is, a notice is not
// repeated by a reload, and the hold countdown speaks before the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, uniqueEmail, Client, joinQueue, ROOT } from '../lib/stack.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const PASSWORD = 'violet kettle harbour 42';
const SIZES = [
  { name: 'phone', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  { name: 'desktop', viewport: { width: 1366, height: 900 } },
];

let stack, browser;
const report = [];
before(async () => {
  stack = await startStack({ workers: 2, settings: { queue_capacity: 1 } });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });
after(() => { if (report.length) console.log(`# axe: ${report.join('; ')}`); });

// Runs axe-core in the page (evaluated through the DevTools protocol, so the
// site's CSP, which forbids inline scripts, stays as it is) and returns its
// serious and critical findings; saves the page's screenshot.
async function check(page, size, n, name) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const file = `a11y-${size.viewport.width}-${String(n).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: join(SHOTS, file), fullPage: true });
  report.push(`${size.viewport.width} ${name}: ${result.violations.length} findings${result.violations.length ? ` (${result.violations.map((v) => `${v.id}/${v.impact}`).join(', ')})` : ''}, ${bad.length} serious/critical`);
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(', ')}`), [],
    `${name} at ${size.viewport.width}: no serious or critical axe findings`);
}

async function go(page, url) {
  const res = await page.goto(stack.base + url, { waitUntil: 'load' });
  return res;
}
async function clickAndLoad(locator) {
  const nav = locator.page().waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  return nav;
}

for (const size of SIZES) {
  test(`the buyer's flow at ${size.viewport.width}×${size.viewport.height}: axe finds nothing serious on any page`, async () => {
    const context = await browser.newContext({ ...size, locale: 'en-US' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    // someone else is shopping for concert 2, so our buyer waits there
    const other = new Client(stack.base);
    await other.signup(uniqueEmail('a11y-other'));
    await joinQueue(other, 2);
    let n = 0;
    try {
      await go(page, '/');
      await check(page, size, ++n, 'home');
      await go(page, '/concerts/1');
      await page.getByRole('link', { name: 'Log in to buy', exact: true }).waitFor();
      await check(page, size, ++n, 'concert-logged-out');
      await go(page, '/login?next=/concerts/1');
      await check(page, size, ++n, 'login');

      // sign up, with a weak password first
      await go(page, '/concerts/1');
      await clickAndLoad(page.locator('#buy').getByRole('link', { name: 'Sign up to buy', exact: true }));
      const email = uniqueEmail('a11y');
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill('aaaaaaaa');
      await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Sign up' }));
      await check(page, size, ++n, 'signup-error');
      await page.getByLabel('Password').fill(PASSWORD);
      await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Sign up' }));
      assert.equal(new URL(page.url()).pathname, '/concerts/1');
      await page.locator('p.notice.ok').waitFor();
      await check(page, size, ++n, 'concert-welcome');

      // the waiting room of concert 2 (capacity 1, taken), then let in
      await go(page, '/concerts/2');
      await clickAndLoad(page.getByRole('button', { name: 'Join the queue' }));
      assert.equal(new URL(page.url()).pathname, '/concerts/2/queue');
      await check(page, size, ++n, 'waiting-room');
      await other.get('/concerts/2');
      await other.post('/concerts/2/queue/leave', {});
      await page.waitForURL((u) => u.pathname === '/concerts/2', { timeout: 20_000 });
      await page.getByRole('heading', { name: 'It is your turn' }).waitFor();
      await check(page, size, ++n, 'concert-admitted');
      await page.getByRole('button', { name: 'Leave the queue: let the next buyer in' }).click();
      await page.waitForLoadState('load');

      // concert 1: in at once; the seat map, a pick, a hold
      await go(page, '/concerts/1');
      await clickAndLoad(page.getByRole('button', { name: 'Join the queue' }));
      await clickAndLoad(page.locator('ul.dates > li').first().getByRole('link', { name: 'Choose seats' }));
      await page.locator('form.seatmap').waitFor();
      await check(page, size, ++n, 'seat-map');
      await clickAndLoad(page.locator('form.seatmap button[name=add]:not([disabled])').nth(40));
      await check(page, size, ++n, 'seat-picked');
      await clickAndLoad(page.getByRole('button', { name: 'Hold this seat for 5 minutes' }));
      const holdPath = new URL(page.url()).pathname;
      assert.match(holdPath, /^\/holds\/\d+$/);
      await check(page, size, ++n, 'hold');

      // the wallet: top up what is missing, back to pay
      await clickAndLoad(page.getByRole('link', { name: /^Top up / }));
      await check(page, size, ++n, 'wallet-top-up');
      await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Top up and go back to pay' }));
      assert.equal(new URL(page.url()).pathname, holdPath);
      await check(page, size, ++n, 'hold-topped-up');
      await clickAndLoad(page.getByRole('button', { name: /^Pay / }));
      await page.locator('p.stamp').waitFor();
      await check(page, size, ++n, 'paid');
      await go(page, '/bookings');
      await check(page, size, ++n, 'tickets');
      await go(page, '/wallet');
      await check(page, size, ++n, 'wallet-history');
      await go(page, '/no/such/page');
      await check(page, size, ++n, 'not-found');
    } finally {
      await context.close();
    }
  });
}

test('sign-up errors take the cursor and are tied to their field; "Log in instead?" is a link', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    await go(page, '/signup');
    const email = uniqueEmail('a11y-signup');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('aaaaaaaa');
    await clickAndLoad(page.getByRole('button', { name: 'Sign up' }));
    const pw = page.getByLabel('Password');
    assert.equal(await pw.evaluate((el) => el === document.activeElement), true, 'the cursor is in the password field');
    assert.equal(await pw.getAttribute('aria-invalid'), 'true');
    assert.match(await pw.getAttribute('aria-describedby'), /\bpw-error\b/);
    assert.match(await page.locator('#pw-error').innerText(), /too easy to guess/);
    assert.equal(await page.getByLabel('E-mail').getAttribute('aria-invalid'), null, 'the e-mail is fine');

    await page.getByLabel('Password').fill(PASSWORD);
    await clickAndLoad(page.getByRole('button', { name: 'Sign up' }));
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForLoadState('load');
    await go(page, '/signup');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await clickAndLoad(page.getByRole('button', { name: 'Sign up' }));
    const mail = page.getByLabel('E-mail');
    assert.equal(await mail.evaluate((el) => el === document.activeElement), true, 'the cursor is in the e-mail field');
    assert.equal(await mail.getAttribute('aria-describedby'), 'email-error');
    const instead = page.locator('#email-error').getByRole('link', { name: 'Log in instead?' });
    await clickAndLoad(instead);
    assert.equal(new URL(page.url()).pathname, '/login');
  } finally {
    await context.close();
  }
});

test('the header\'s wallet link says "Wallet, balance ₩0"; a top-up notice is not repeated by a reload', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  try {
    const page = await context.newPage();
    await go(page, '/signup');
    await page.getByLabel('E-mail').fill(uniqueEmail('a11y-wallet'));
    await page.getByLabel('Password').fill(PASSWORD);
    await clickAndLoad(page.getByRole('button', { name: 'Sign up' }));
    const link = page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Wallet, balance ₩0', exact: true });
    assert.equal(await link.count(), 1);
    assert.equal(await link.locator('.vh').textContent(), 'Wallet, balance ', 'the words for screen readers, hidden on screen');
    assert.equal(await link.locator('.vh').evaluate((el) => el.getBoundingClientRect().width <= 1), true);
    await clickAndLoad(link);
    await page.getByRole('textbox', { name: /Top up/ }).fill('1000');
    await clickAndLoad(page.locator('form.stack').getByRole('button', { name: 'Top up' }));
    assert.equal(new URL(page.url()).pathname, '/wallet');
    assert.equal(new URL(page.url()).search, '', 'nothing in the address');
    assert.equal((await page.locator('p.notice').innerText()).trim(), 'Your wallet is topped up.');
    await page.reload({ waitUntil: 'load' });
    assert.equal(await page.locator('p.notice').count(), 0, 'a reload does not say it again');
    assert.equal(await page.getByRole('link', { name: 'Wallet, balance ₩1,000', exact: true }).count(), 1);
  } finally {
    await context.close();
  }
});

test('the hold countdown speaks to screen readers and warns before the end', async () => {
  stack.admin('set', 'hold_seconds', 64);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    const c = new Client(stack.base);
    await go(page, '/signup');
    await page.getByLabel('E-mail').fill(uniqueEmail('a11y-countdown'));
    await page.getByLabel('Password').fill(PASSWORD);
    await clickAndLoad(page.getByRole('button', { name: 'Sign up' }));
    await go(page, '/concerts/3'); // not on sale yet: find one on sale
    await go(page, '/concerts/1');
    await clickAndLoad(page.getByRole('button', { name: 'Join the queue' }));
    await clickAndLoad(page.locator('ul.dates > li').first().getByRole('link', { name: 'Choose seats' }));
    await clickAndLoad(page.locator('form.seatmap button[name=add]:not([disabled])').nth(90));
    await clickAndLoad(page.getByRole('button', { name: /^Hold this seat/ }));
    const say = page.locator('#countdown-say');
    assert.equal(await say.getAttribute('role'), 'status', 'a polite live region');
    assert.equal(await page.locator('#countdown').getAttribute('aria-live'), 'off', 'the ticking itself is not read');
    await page.waitForFunction(() => /Less than 2 minutes left to pay/.test(document.getElementById('countdown-say').textContent));
    await page.waitForFunction(() => /Less than a minute left to pay/.test(document.getElementById('countdown-say').textContent),
      null, { timeout: 15_000 });
    assert.equal(await page.locator('.deadline.ending').count(), 1, 'the last minute shows in red');
    void c;
  } finally {
    stack.admin('set', 'hold_seconds', 300);
    await context.close();
  }
});
