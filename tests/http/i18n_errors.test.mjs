// i18n_errors.test.mjs — the pages nginx answers by itself (a static file
// not there, a form posted to one, a body too large, log-ins over the
// rate, a request nginx cannot read, /metrics for a stranger, the workers
// down) over a real nginx: each in every language of the site on one page
// (static/errors/, made by tools/error-pages.mjs from templates/errors/
// and po/*.po), <html lang> the first one's, each part in its own lang,
// the Korean part with no English left, the English part English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, rawRequest, ROOT } from '../lib/stack.mjs';
import { KO, englishLeft } from '../lib/korean.mjs';

// The site's languages as the pages list them: the catalogs, then English.
const LANGS = [...readdirSync(join(ROOT, 'po')).filter((f) => f.endsWith('.po')).sort()
  .map((f) => f.slice(0, -3).replace(/_/g, '-')), 'en'];

let stack;
before(async () => {
  // A login rate low enough to reach; a Prometheus address that is not us.
  stack = await startStack({ workers: 1, loginRate: '1r/m', metricsAllow: '192.0.2.20' });
});
after(async () => { await stack?.stop(); });

// Checks one of nginx's pages: status, every language in its section,
// the Korean one Korean through and through, the English one English with
// title (the h1) in both the section and the <title>.
function assertBilingual(status, headers, html, what, english) {
  assert.match(headers.get('content-type') ?? '', /^text\/html/, `${what}: a page`);
  assert.match(html, new RegExp(`<html lang="${LANGS[0]}">`), `${what}: <html lang>`);
  const sections = [...html.matchAll(/<section class="card error" lang="([^"]+)">([\s\S]*?)<\/section>/g)];
  assert.deepEqual(sections.map((m) => m[1]), LANGS, `${what}: one part per language`);
  const part = (code) => sections.find((m) => m[1] === code)[2];
  const ko = englishLeft(stack, `<html lang="ko">${part('ko')}`, { words: 1, allow: ['KiB'] });
  assert.deepEqual([...ko.sentences, ...ko.words], [], `${what}: English in the Korean part`);
  assert.match(ko.text, /[가-힣]{2}/, `${what}: Korean in the Korean part`);
  const en = part('en');
  assert.ok(en.includes(`<h1>${english}</h1>`), `${what}: the English part says ${english}`);
  assert.doesNotMatch(en, /[가-힣]/, `${what}: no Korean in the English part`);
  const title = /<title>([^<]*)<\/title>/.exec(html)[1];
  assert.ok(title.includes(english) && /[가-힣]/.test(title), `${what}: <title> in both: ${title}`);
  if (status) assert.match(part('ko'), new RegExp(`오류 ${status}`), `${what}: the status in Korean`);
}

async function look(method, path, { body, headers = {} } = {}) {
  const r = await fetch(stack.base + path, { method, body, headers: { ...KO, ...headers }, redirect: 'manual' });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

test('a static file that is not there, a form posted to one: 404 and 405 in both languages', async () => {
  let r = await look('GET', '/static/nothing-here.css');
  assert.equal(r.status, 404);
  assertBilingual(404, r.headers, r.text, 'a static 404', 'Page not found');
  r = await look('POST', '/static/style.css', { body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 405);
  assertBilingual(405, r.headers, r.text, 'a POST to a static file', 'Not this way');
  // A page of the workers stays one language, the reader's.
  r = await look('GET', '/concerts/999999');
  assert.equal(r.status, 404);
  assert.match(r.text, /<html lang="ko">/);
  assert.doesNotMatch(r.text, /lang="en">Page not found/);
});

test('a body too large: 413 in both languages; the API keeps its JSON', async () => {
  const big = 'email=' + 'x'.repeat(20000);
  let r = await look('POST', '/login', { body: big, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 413);
  assertBilingual(413, r.headers, r.text, 'a form too large', 'Too much data');
  r = await look('POST', '/api/v1/sessions', { body: JSON.stringify({ email: big }), headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 413);
  assert.equal(JSON.parse(r.text).error.code, 'too_large');
});

test('a request nginx cannot read: 400 in both languages', async () => {
  const raw = await rawRequest(stack.port, 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n');
  assert.match(raw, /^HTTP\/1\.1 400 /);
  const [head, html] = raw.split('\r\n\r\n');
  const headers = new Headers(head.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  assertBilingual(400, headers, html, 'a broken request', 'That request was not understood');
});

test('/metrics for an address nginx does not list: 403 in both languages', async () => {
  const r = await look('GET', '/metrics');
  assert.equal(r.status, 403);
  assertBilingual(403, r.headers, r.text, '/metrics refused', 'Not allowed');
});

test('log-ins over the rate: 429 in both languages; the API keeps its JSON', async () => {
  let r;
  for (let i = 0; i < 40; i++) {
    r = await look('POST', '/login', { body: 'email=a%40example.com&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (r.status === 429) break;
  }
  assert.equal(r.status, 429);
  assertBilingual(429, r.headers, r.text, 'too many log-ins', 'Too many attempts');
  r = await look('POST', '/api/v1/sessions', { body: '{}', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 429);
  assert.equal(JSON.parse(r.text).error.code, 'too_many_requests');
});

// Last: it stops the workers.
test('the workers down: 502 in both languages; the API keeps its JSON', async () => {
  stack.fcgi.kill('SIGTERM');
  await new Promise((res) => (stack.fcgi.exitCode !== null || stack.fcgi.signalCode !== null ? res() : stack.fcgi.on('exit', res)));
  let r = await look('GET', '/');
  assert.equal(r.status, 502);
  assertBilingual(null, r.headers, r.text, 'the workers down', 'Back in a moment');
  r = await look('GET', '/api/v1/concerts');
  assert.equal(r.status, 502);
  assert.equal(JSON.parse(r.text).error.code, 'unavailable');
});
