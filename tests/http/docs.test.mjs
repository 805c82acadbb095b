// docs.test.mjs — /api/docs (Swagger UI, static files from nginx) and the
// favicon over real HTTP: served, with the CSP of its own that Swagger UI
// needs and every other security header of the site repeated (an nginx
// location with its own add_header drops the inherited ones), while the
// rest of the site keeps its strict CSP. The UI itself renders in
// Chromium: tests/e2e/docs.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, ROOT } from '../lib/stack.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 1 }); });
after(async () => { await stack?.stop(); });

// The headers every answer of the site carries, from nginx/boxoffice.conf.
const SITE = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};
const csp = (res) => Object.fromEntries((res.headers.get('content-security-policy') || '')
  .split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v.join(' ')]));

test('/api/docs: Swagger UI from static files, its own CSP, and every other security header', async () => {
  const bare = await fetch(stack.base + '/api/docs', { redirect: 'manual' });
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), '/api/docs/', 'to the folder, on this host and port');
  for (const [k, v] of Object.entries(SITE)) assert.equal(bare.headers.get(k), v, `the redirect: ${k}`);

  const page = await fetch(stack.base + '/api/docs/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.match(html, /src="\/api\/docs\/init\.js"/);
  assert.match(readFileSync(join(ROOT, 'static', 'api-docs', 'init.js'), 'utf8'), /url: "\/api\/v1\/openapi\.json"/,
    'the initializer points at our document');

  const files = ['/api/docs/', '/api/docs/init.js', '/api/docs/docs.css',
    '/api/docs/swagger-ui/swagger-ui-bundle.js', '/api/docs/swagger-ui/swagger-ui.css'];
  for (const f of files) {
    const res = await fetch(stack.base + f);
    assert.equal(res.status, 200, f);
    await res.arrayBuffer();
    for (const [k, v] of Object.entries(SITE)) assert.equal(res.headers.get(k), v, `${f}: ${k}`);
    const p = csp(res);
    assert.equal(p['default-src'], "'none'", f);
    assert.equal(p['script-src'], "'self'", `${f}: scripts from this site only, no inline, no eval`);
    assert.equal(p['style-src'], "'self' 'unsafe-inline'", `${f}: Swagger UI's inline styles, nothing else`);
    assert.equal(p['img-src'], "'self' data:", f);
    assert.equal(p['connect-src'], "'self'", `${f}: fetches the document and tries the API here only`);
    assert.equal(p['frame-ancestors'], "'none'", f);
    assert.equal(p['object-src'], "'none'", f);
    assert.equal(p['base-uri'], "'none'", f);
  }
  assert.equal((await fetch(stack.base + '/api/docs/swagger-ui/nothing.js')).status, 404);
  assert.equal((await fetch(stack.base + '/api/docsx')).status, 404);
  const bundle = await fetch(stack.base + '/api/docs/swagger-ui/package.json');
  assert.equal((await bundle.json()).name, 'swagger-ui-dist', 'copied from the npm package by make');
});

test('the rest of the site keeps its strict CSP; the favicon is served', async () => {
  for (const path of ['/', '/login', '/static/style.css', '/api/v1/concerts']) {
    const res = await fetch(stack.base + path);
    await res.arrayBuffer();
    const p = csp(res);
    assert.equal(p['style-src'], "'self'", `${path}: no inline styles outside /api/docs`);
    assert.equal(p['script-src'], "'self'", path);
    for (const [k, v] of Object.entries(SITE)) assert.equal(res.headers.get(k), v, `${path}: ${k}`);
  }
  const icon = await fetch(stack.base + '/favicon.ico');
  assert.equal(icon.status, 200, 'no 404 on a first visit');
  assert.match(icon.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(await icon.text(), /^<svg /);
  const home = await (await fetch(stack.base + '/')).text();
  assert.match(home, /<link rel="icon" href="\/static\/favicon\.svg" type="image\/svg\+xml">/);
});
