// docs.test.mjs — Swagger UI at /api/docs in a real browser (Debian's
// chromium through playwright-core): it loads our OpenAPI document and
// renders every operation, under its own CSP without a single violation.
// Screenshots land in tests/e2e/screenshots/ (git-ignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack, ROOT } from '../lib/stack.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const DOC = JSON.parse(readFileSync(join(ROOT, 'static', 'openapi.json'), 'utf8'));
const OPERATIONS = Object.values(DOC.paths).flatMap((item) => ['get', 'post', 'delete'].filter((m) => item[m])).length;

let stack, browser;
before(async () => {
  stack = await startStack({ workers: 1 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { if (browser) await browser.close(); });
after(async () => { if (stack) await stack.stop(); });

for (const size of [{ width: 1366, height: 900 }, { width: 390, height: 844 }]) {
  test(`/api/docs renders every operation of the document at ${size.width}×${size.height}, with no CSP violation`, async () => {
    const context = await browser.newContext({ viewport: size });
    try {
      const page = await context.newPage();
      const violations = [], errors = [], outside = [];
      page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => { if (!r.url().startsWith(stack.base) && !r.url().startsWith('data:')) outside.push(r.url()); });
      const res = await page.goto(stack.base + '/api/docs', { waitUntil: 'load' });
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/api/docs/');
      await page.locator('.opblock').first().waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('.opblock').count(), OPERATIONS, 'one block per operation');
      assert.match(await page.locator('.info .title').innerText(), new RegExp(DOC.info.title));
      assert.ok(await page.getByText('/api/v1/balance/history').first().isVisible());
      // open one operation: its parameters (the page's limit and cursor) show
      await page.locator('#operations-wallet-getBalanceHistory .opblock-summary').first().click();
      await page.getByText('cursor', { exact: true }).first().waitFor();
      await page.screenshot({ path: join(SHOTS, `api-docs-${size.width}.png`), fullPage: false });
      assert.deepEqual(violations, [], 'the CSP of /api/docs allows what Swagger UI needs');
      assert.deepEqual(errors, []);
      assert.deepEqual(outside, [], 'no CDN, no validator: everything from this site');
    } finally {
      await context.close();
    }
  });
}
