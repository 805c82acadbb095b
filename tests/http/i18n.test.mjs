// i18n.test.mjs — the buyer's language (issue 10, item 7) over real HTTP:
// Korean or English by Accept-Language, the switch (GET /lang and its
// cookie) overriding it, <html lang> and Content-Language, dates and money
// in Korean form; and no English left on a Korean page of the buyer's
// flow: no sentence of the catalog (po/boxoffice.pot) in its English form,
// and no run of English words that is not the concert's own data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';
import { KO, KoreanClient, assertKorean } from '../lib/korean.mjs';

let stack;
before(async () => { stack = await startStack({ workers: 2, settings: { queue_capacity: 1 } }); });
after(async () => { await stack?.stop(); });

// No English sentence of the catalog, and no run of two English words
// that is not the catalogue's own data (tests/lib/korean.mjs).
const assertKo = (page, what) => assertKorean(stack, page, what);

// ---- the choice ----

test('Accept-Language chooses: Korean for ko and ko-KR, English otherwise', async () => {
  const cases = [
    ['ko', 'ko'], ['ko-KR,ko;q=0.9', 'ko'], ['fr-FR, ko;q=0.5, en;q=0.4', 'ko'],
    ['en-US,en;q=0.9,ko;q=0.8', 'en'], ['ko;q=0.2, en;q=0.9', 'en'], ['de', 'en'],
    ['*', 'en'], ['', 'en'], ['ko;q=0', 'en'],
  ];
  for (const [header, lang] of cases) {
    const r = await fetch(stack.base + '/', { headers: header ? { 'accept-language': header } : {} });
    const html = await r.text();
    assert.equal(r.status, 200);
    assert.match(html, new RegExp(`<html lang="${lang}">`), `Accept-Language: ${header}`);
    assert.equal(r.headers.get('content-language'), lang, `Accept-Language: ${header}`);
    assert.match(html, lang === 'ko' ? /<h1>예정된 공연<\/h1>/ : /<h1>Upcoming concerts<\/h1>/);
  }
});

test('the switch on every page: a plain link that remembers the language in a cookie', async () => {
  const c = new Client(stack.base); // a browser that asks for English
  const en = { 'accept-language': 'en-US,en;q=0.9' };
  let page = await c.get('/concerts/1', { headers: en });
  assert.match(page.text, /<html lang="en">/);
  // The link names Korean in Korean, says what language it leads to, and
  // comes back to this page.
  assert.match(page.text, /<a href="\/lang\?to=ko&amp;next=\/concerts\/1" lang="ko" hreflang="ko">한국어<\/a>/);
  assert.match(page.text, /<span lang="en" aria-current="true">English<\/span>/);
  const r = await c.get('/lang?to=ko&next=/concerts/1', { headers: en });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/concerts/1');
  assert.match(r.headers.get('set-cookie'), /^bo_lang=ko; Path=\/; Max-Age=31536000; SameSite=Lax/);
  // From now on Korean, though the browser still prefers English.
  page = await c.get('/concerts/1', { headers: en });
  assert.match(page.text, /<html lang="ko">/);
  assert.match(page.text, /<h2 id="dates">공연 일정<\/h2>/);
  assert.match(page.text, /<a href="\/lang\?to=en&amp;next=\/concerts\/1" lang="en" hreflang="en">English<\/a>/);
  // And back.
  assert.equal((await c.get('/lang?to=en&next=/', { headers: KO })).status, 303);
  page = await c.get('/', { headers: KO });
  assert.match(page.text, /<html lang="en">/, 'the cookie wins over Accept-Language');
});

test('the switch refuses what it does not know, and leads only to this site', async () => {
  const c = new Client(stack.base);
  for (const to of ['xx', '', 'ko;', '../ko', 'KO-KR']) {
    const r = await c.get(`/lang?to=${encodeURIComponent(to)}&next=/`);
    assert.equal(r.status, 400, `to=${to}`);
    assert.doesNotMatch(r.headers.get('set-cookie') ?? '', /bo_lang/, `to=${to} sets no language`);
    assert.match(r.text, /There is no page in that language\./);
  }
  for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil', '']) {
    const r = await c.get(`/lang?to=ko&next=${encodeURIComponent(next)}`);
    assert.equal(r.status, 303);
    assert.equal(r.location, '/', `next=${next}`);
  }
  // A cookie naming no language of ours counts for nothing.
  const r = await fetch(stack.base + '/', { headers: { cookie: 'bo_lang=xx', ...KO } });
  assert.match(await r.text(), /<html lang="ko">/);
});

test('dates, times and money in Korean form; the API stays English', async () => {
  const r = await fetch(stack.base + '/concerts/1', { headers: KO });
  const html = await r.text();
  // Every time names the venue's zone (main's rule): "19:30 KST" in both.
  assert.match(html, /<strong><time datetime=\"2026-12-14\">2026년 12월 14일 \(월\)<\/time><\/strong> <span><time datetime=\"2026-12-14T19:30:00\+09:00\">19:30 KST<\/time><\/span>/);
  // Logged out, a date on sale offers the log-in first, with its price.
  assert.match(html, /로그인하고 예매하기 · ₩66,000부터/);
  const en = await (await fetch(stack.base + '/concerts/1')).text();
  assert.match(en, /<strong><time datetime=\"2026-12-14\">Mon 14 Dec 2026<\/time><\/strong> <span><time datetime=\"2026-12-14T19:30:00\+09:00\">19:30 KST<\/time><\/span>/);
  const api = await fetch(stack.base + '/api/v1/reservations', {
    method: 'POST', headers: { ...KO, 'content-type': 'application/json' }, body: '{}' });
  const body = await api.json();
  assert.equal(api.status, 401);
  assert.match(body.message ?? body.error?.message ?? JSON.stringify(body), /^[\x20-\x7e]+$/, 'English');
});

// ---- the buyer's flow in Korean, page by page ----

test('a Korean page of the buyer\'s flow has no English sentence left', async () => {
  const a = new KoreanClient(stack.base);
  const b = new KoreanClient(stack.base);
  const pages = [];
  const look = async (client, path, what) => {
    const p = await client.get(path);
    assert.ok(p.status < 500, `${what}: ${p.status}`);
    pages.push([p, what]);
    return p;
  };
  await look(a, '/', 'the concert list');
  await look(a, '/concerts/1', 'a concert, logged out');
  await look(a, '/login', 'log in');
  await look(a, '/signup', 'sign up');
  await look(a, '/concerts/999', 'a page that is not there');
  // Sign-up refused, then made; login refused.
  await a.get('/signup');
  let r = await a.post('/signup', { email: uniqueEmail('ko'), password: 'short' });
  assert.equal(r.status, 422);
  pages.push([r, 'sign-up refused']);
  await b.get('/login');
  r = await b.post('/login', { email: uniqueEmail('nobody'), password: 'wrong password here' });
  pages.push([r, 'login refused']);
  const aEmail = uniqueEmail('ko-a');
  assert.equal((await a.signup(aEmail)).status, 303);
  assert.equal((await b.signup(uniqueEmail('ko-b'))).status, 303);
  await look(a, '/concerts/1', 'a concert, before the queue');
  // One slot: a shops, b waits.
  await joinQueue(a, 1);
  await look(a, '/concerts/1?msg=admitted', 'a concert, your turn');
  await joinQueue(b, 1);
  await look(b, '/concerts/1/queue', 'the waiting room');
  await look(b, '/concerts/1', 'a concert, waiting');
  const map = await look(a, '/performances/1', 'the seat map');
  const seat = /<button name="add" value="(\d+)">/.exec(map.text)[1];
  await look(a, `/performances/1?add=${seat}`, 'the seat map with a pick');
  const csrf = csrfOf(map.text);
  r = await a.post('/performances/1/holds', { seat, csrf });
  assert.equal(r.status, 303);
  const holdPath = r.location;
  await look(a, holdPath, 'a hold, balance short');
  // Two seats in one order.
  const map2 = await a.get('/performances/1');
  const [s1, s2] = [...map2.text.matchAll(/<button name="add" value="(\d+)">/g)].map((m) => m[1]);
  await look(a, `/performances/1?seat=${s1}&add=${s2}`, 'the seat map with two picks');
  r = await a.request('POST', '/performances/1/holds', {
    body: `csrf=${encodeURIComponent(csrf)}&seat=${s1}&seat=${s2}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 303, r.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 600));
  assert.match(r.location, /^\/orders\/\d+$/);
  const orderPath = r.location;
  await look(a, orderPath, 'an order of two seats');
  r = await a.post(`${holdPath}/pay`, { csrf });
  assert.equal(r.status, 402);
  pages.push([r, 'paying with too little']);
  const wallet = await look(a, '/wallet', 'the wallet');
  const key = /name="key" value="([^"]+)"/.exec(wallet.text)[1];
  r = await a.post('/wallet/charge', { amount: '1,000', key, csrf });
  assert.equal(r.status, 422);
  pages.push([r, 'a top-up refused']);
  r = await a.post('/wallet/charge', { amount: '500000', key, csrf });
  assert.equal(r.status, 303);
  await look(a, '/wallet?msg=charged', 'the wallet, topped up');
  await look(a, holdPath, 'a hold, ready to pay');
  r = await a.post(`${holdPath}/pay`, { csrf });
  assert.equal(r.status, 303);
  await look(a, r.location, 'a hold, paid');
  const bookings = await look(a, '/bookings', 'my tickets');
  const ticket = /href="(\/tickets\/\d+)"/.exec(bookings.text)[1];
  await look(a, ticket, 'a printable ticket');
  await look(a, '/wallet', 'the wallet\'s history');
  await look(a, `${holdPath}/cancel`, 'cancelling a ticket');
  await look(a, '/concerts/1', 'a concert, with seats held unpaid');
  r = await a.post('/concerts/1/queue/leave', { csrf });
  assert.equal(r.location, '/concerts/1/queue/leave', 'the order\'s seats are held: asked first');
  await look(a, r.location, 'leaving the queue: the seats it releases');
  r = await a.post('/concerts/1/queue/leave', { csrf, confirm: '1' });
  assert.equal(r.location, '/concerts/1');
  await look(a, '/concerts/1?msg=left', 'a concert, after leaving');
  r = await a.post(`${orderPath}/pay`, { csrf });
  assert.equal(r.status, 410, 'leaving released the order');
  pages.push([r, 'paying an order released by leaving']);
  await look(a, '/concerts/1/queue', 'the queue, not in it');

  // The door and the operator's pages: tests/http/i18n_admin.test.mjs.

  for (const [p, what] of pages) assertKo(p, what);
  // Spot checks of what a Korean buyer reads.
  const text = pages.map(([p]) => p.text).join('\n');
  assert.match(text, /좌석 배치도: 좌석을 선택하세요/);
  assert.match(text, /이 좌석 5분간 선점하기/);
  assert.match(text, /결제 완료! 좌석이 확보되었습니다\./);
  // Words that misled (review 10, items 7–9 and the printable ticket):
  // the waiting room's joining time is not an admission time, the
  // serving number is who is being let in now, a released seat can be
  // booked again (not "was sold again"), the seats held are the buyer's
  // own (내 좌석), not the legend's unsaved picks (선택한 좌석).
  const page = (what) => pages.find(([, w]) => w === what)[0].text;
  assert.match(page('the waiting room'), /<dt>대기 시작 시각<\/dt>/);
  assert.match(page('the waiting room'), /<dt>지금 입장 중인 번호<\/dt>/);
  assert.doesNotMatch(page('the waiting room'), /입장 시각|현재 호출 번호/);
  assert.match(page('paying an order released by leaving'), /이 좌석들은 다시 예매할 수 있게 되었습니다/);
  assert.doesNotMatch(text, /다시 판매되었습니다/);
  assert.match(page('the seat map with two picks'), /<h2>내 좌석<\/h2>/);
  assert.match(page('the seat map with two picks'), /<span class="sw pick"><\/span> 선택한 좌석</);
  assert.doesNotMatch(text, /<h2>선택한 좌석<\/h2>/);
  assert.match(page('an order of two seats'), /› 내 좌석<\/nav>/);
  assert.match(page('a printable ticket'), /1인 1회 입장:/);
  assert.doesNotMatch(text, /한 명, 한 번|회원님을 위해|회원님 이름으로/);
});
