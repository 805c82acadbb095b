// refund.test.mjs — refunds and cancellations over real HTTP (nginx,
// FastCGI workers, SQLite): the operator's refund page, the buyer's
// cancel button and its deadline, boxoffice-admin cancel-performance, and
// a storm of concurrent pays, refunds and cancels that keeps the money
// whole. Every action's audit row is read back with boxoffice-admin audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, uniqueEmail, joinQueue } from '../lib/stack.mjs';

let stack, operator;
before(async () => {
  stack = await startStack({ workers: 4, settings: { queue_capacity: 1000, max_holds: 10 } });
  operator = new Client(stack.base);
  operator.email = uniqueEmail('operator');
  assert.equal((await operator.signup(operator.email)).status, 303);
  stack.admin('grant', operator.email, 'operator');
});
after(async () => { await stack?.stop(); });

const seatId = (perf, section, row, number) =>
  stack.sql(`SELECT id FROM seat WHERE performance_id = ${perf} AND section = '${section}' AND row_label = '${row}' AND number = ${number}`);

// A signed-up buyer admitted to concert 1, with the session's CSRF token.
async function admitted(tag) {
  const c = new Client(stack.base);
  c.email = uniqueEmail(tag);
  assert.equal((await c.signup(c.email)).status, 303);
  await joinQueue(c, 1);
  c.uid = stack.sql(`SELECT id FROM user WHERE email = '${c.email}'`);
  c.csrf = csrfOf((await c.get('/wallet')).text);
  return c;
}
const hold = (c, perf, seat) => c.post(`/performances/${perf}/holds`, { seat, csrf: c.csrf });
const pay = (c, holdPath) => c.post(`${holdPath}/pay`, { csrf: c.csrf });
async function charge(c, amount) {
  const key = /name="key" value="([^"]+)"/.exec((await c.get('/wallet')).text)[1];
  return c.post('/wallet/charge', { amount: String(amount), key, csrf: c.csrf });
}
// Holds every seat, then pays each (paying the last live hold ends the
// queue turn); the holds' paths.
async function buyAll(c, perf, seats) {
  const paths = [];
  for (const seat of seats) {
    const h = await hold(c, perf, seat);
    assert.equal(h.status, 303, `hold of seat ${seat}`);
    assert.match(h.location, /^\/holds\/\d+$/);
    paths.push(h.location);
  }
  for (const p of paths) assert.equal((await pay(c, p)).status, 303);
  return paths;
}
const buy = async (c, perf, seat) => (await buyAll(c, perf, [seat]))[0];
const holdId = (path) => path.split('/').pop();
const codeOf = (path) => stack.sql(`SELECT code FROM ticket WHERE hold_id = ${holdId(path)}`);
const grouped = (code) => code.match(/.{4}/g).join('-');
const balance = (c) => Number(stack.sql(`SELECT balance FROM user WHERE id = ${c.uid}`));
const refund = (code) => operator.post('/admin/refund', { code, csrf: operator.csrf });
async function operatorCsrf() {
  operator.csrf = csrfOf((await operator.get('/admin/refund')).text);
}

// balance = sum(ledger) for every account; total charged = balances +
// gross sales - refunds, over the whole database.
function moneyIsWhole() {
  assert.equal(stack.sql(`SELECT count(*) FROM user u WHERE u.balance <>
    (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.user_id = u.id)`), '0', 'balance = sum(ledger)');
  const charged = Number(stack.sql("SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'CHARGE'"));
  const balances = Number(stack.sql('SELECT coalesce(sum(balance), 0) FROM user'));
  const gross = Number(stack.sql('SELECT coalesce(sum(amount), 0) FROM payment'));
  const refunds = Number(stack.sql("SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'REFUND'"));
  assert.equal(charged, balances + gross - refunds, 'total charged = balances + gross sales - refunds');
  assert.equal(stack.sql(`SELECT count(*) FROM (SELECT seat_id FROM hold WHERE state = 'PAID'
    GROUP BY seat_id HAVING count(*) > 1)`), '0', 'no seat sold twice');
  assert.equal(stack.sql(`SELECT count(*) FROM ticket t JOIN hold h ON h.id = t.hold_id
    WHERE (t.refunded_at IS NULL) <> (h.state = 'PAID')`), '0', 'a ticket is live exactly while its hold is PAID');
  assert.equal(stack.sql(`SELECT count(*) FROM ticket t WHERE (t.refunded_at IS NOT NULL) <>
    EXISTS (SELECT 1 FROM ledger l WHERE l.hold_id = t.hold_id AND l.kind = 'REFUND')`), '0',
  'a refund row for exactly each refunded ticket');
}

test('an operator refunds by code: money back, code dead, the seat sells again; a buyer gets 403', async () => {
  const a = await admitted('refund-a');
  assert.equal((await charge(a, 500000)).status, 303);
  const seat = seatId(1, 'VIP', 'A', 1);
  const path = await buy(a, 1, seat);
  const code = codeOf(path);
  const before = balance(a);

  // a buyer may not even look
  assert.equal((await a.get('/admin/refund')).status, 403);
  assert.equal((await a.get(`/admin/refund?code=${code}`)).status, 403);
  assert.equal((await a.post('/admin/refund', { code, csrf: a.csrf })).status, 403);
  assert.equal(stack.sql(`SELECT refunded_at IS NULL FROM ticket WHERE code = '${code}'`), '1');

  await operatorCsrf();
  // another check symbol: a typo, caught without the database
  const typo = await operator.get(`/admin/refund?code=${code.slice(0, 27)}${code[27] === '0' ? '1' : '0'}`);
  assert.equal(typo.status, 422, 'a typo is caught by the check symbol');
  assert.match(typo.text, /role="alert"/);
  assert.equal((await operator.get('/admin/refund?code=0000-0000-0000-0000-0000-0000-0000')).status, 404);
  // typed as a person would: grouped, lower case
  const look = await operator.get(`/admin/refund?code=${grouped(code).toLowerCase()}`);
  assert.equal(look.status, 200);
  assert.ok(look.text.includes(a.email), 'the buyer');
  assert.match(look.text, /VIP · Row A · Seat 1/);
  assert.match(look.text, /₩165,000/);
  assert.match(look.text, /id="ticket-state">Valid/);
  assert.match(look.text, /Refund ₩165,000 to/);

  const r = await refund(code);
  assert.equal(r.status, 303);
  assert.equal(r.location, `/admin/refund?code=${code}`);
  const after = await operator.get(r.location);
  assert.match(after.text, /Refunded: the price is back/);
  assert.match(after.text, /id="ticket-state">Refunded /);
  assert.doesNotMatch(after.text, /Refund ₩165,000 to/, 'no button for a refunded ticket');
  assert.equal(balance(a), before + 165000);
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${holdId(path)}`), 'RELEASED');

  // the buyer sees it
  const bookings = await a.get('/bookings');
  assert.match(bookings.text, /Refunded .*₩165,000 went back to your balance/);
  assert.match((await a.get(path)).text, /This ticket was refunded/);
  assert.match((await a.get('/wallet')).text, /Refund/);

  // the seat sells again, to another buyer
  const b = await admitted('refund-b');
  assert.equal((await charge(b, 500000)).status, 303);
  const again = await buy(b, 1, seat);
  assert.notEqual(codeOf(again), code, 'a new code');
  assert.equal(stack.sql(`SELECT count(*) FROM hold WHERE seat_id = ${seat} AND state = 'PAID'`), '1');

  // twice: refused, nothing more
  const twice = await refund(code);
  assert.equal(twice.status, 410);
  assert.match(twice.text, /refunded before/);
  assert.equal(balance(a), before + 165000);

  // the audit trail names the operator, the ticket and what changed
  const audit = stack.admin('audit', '5');
  assert.match(audit, new RegExp(`${operator.email.replace(/[.]/g, '\\.')}\\s+refund\\s+ticket ${grouped(code)}: paid 165000 by ${a.email.replace(/[.]/g, '\\.')}`));
  moneyIsWhole();
});

test('a ticket let in at the door is not refunded; a refunded one is refused at the door', async () => {
  const a = await admitted('door');
  assert.equal((await charge(a, 500000)).status, 303);
  const [used, other] = await buyAll(a, 1, [seatId(1, 'VIP', 'B', 1), seatId(1, 'VIP', 'B', 2)]);
  const before = balance(a);
  // the operator includes staff: let the first one in at door B
  operator.csrf = csrfOf((await operator.get('/door?performance=1&door=B')).text);
  const admit = await operator.post('/door', { performance: '1', door: 'B', code: codeOf(used), csrf: operator.csrf });
  assert.equal(admit.status, 200);
  assert.match(admit.text, /ADMITTED/);
  await operatorCsrf();
  const look = await operator.get(`/admin/refund?code=${codeOf(used)}`);
  assert.match(look.text, /id="ticket-state">Used at the door /);
  assert.doesNotMatch(look.text, /Refund ₩165,000 to/);
  const r = await refund(codeOf(used));
  assert.equal(r.status, 409);
  assert.match(r.text, /used at the door/);
  assert.equal((await a.post(`${used}/cancel`, { csrf: a.csrf })).status, 409);
  assert.equal(balance(a), before, 'nothing came back');
  // the other one refunded: the door says so
  assert.equal((await refund(codeOf(other))).status, 303);
  operator.csrf = csrfOf((await operator.get('/door?performance=1&door=B')).text);
  const dead = await operator.post('/door', { performance: '1', door: 'B', code: codeOf(other), csrf: operator.csrf });
  assert.equal(dead.status, 410);
  assert.match(dead.text, /REFUNDED/);
  moneyIsWhole();
});

test('two operators refund one code at the same moment: one refund', async () => {
  const a = await admitted('double');
  assert.equal((await charge(a, 500000)).status, 303);
  const path = await buy(a, 1, seatId(1, 'VIP', 'A', 2));
  const code = codeOf(path);
  const before = balance(a);
  await operatorCsrf();
  const answers = await Promise.all(Array.from({ length: 20 }, () => refund(code)));
  assert.equal(answers.filter((r) => r.status === 303).length, 1, 'one wins');
  assert.equal(answers.filter((r) => r.status === 410).length, 19, 'the others are told it was refunded');
  assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE hold_id = ${holdId(path)} AND kind = 'REFUND'`), '1');
  assert.equal(balance(a), before + 165000);
  assert.equal(stack.sql(`SELECT count(*) FROM audit WHERE action = 'refund' AND subject = 'ticket ${grouped(code)}'`), '1');
  moneyIsWhole();
});

test('a buyer cancels until cancel_until_hours before the show, with the deadline and its zone', async () => {
  const a = await admitted('cancel');
  assert.equal((await charge(a, 600000)).status, 303);
  const paths = await buyAll(a, 1, [1, 2, 3].map((n) => seatId(1, 'S', 'A', n)));
  const starts = Number(stack.sql('SELECT starts_at FROM performance WHERE id = 1'));

  const list = await a.get('/bookings');
  assert.equal((list.text.match(/>Cancel and refund</g) || []).length, 3);
  assert.match(list.text, /You may cancel until <time datetime=\"[^\"]+\">\w{3} \d+ \w{3} \d{4}, \d\d:\d\d KST \(Asia\/Seoul\)/);
  const form = await a.get(`${paths[0]}/cancel`);
  assert.equal(form.status, 200);
  assert.match(form.text, /Cancel and refund ₩99,000/);
  assert.match(form.text, /goes back to your wallet/);
  assert.match(form.text, /KST \(Asia\/Seoul\)/);

  // another buyer's ticket: not found, nothing changes
  const other = await admitted('cancel-other');
  assert.equal((await other.get(`${paths[0]}/cancel`)).status, 404);
  assert.equal((await other.post(`${paths[0]}/cancel`, { csrf: other.csrf })).status, 404);
  // without the form's token: refused
  assert.equal((await a.post(`${paths[0]}/cancel`, { csrf: 'x' })).status, 403);

  const before = balance(a);
  const done = await a.post(`${paths[0]}/cancel`, { csrf: a.csrf });
  assert.equal(done.status, 303);
  assert.equal(done.location, '/bookings');
  assert.equal(balance(a), before + 99000);
  assert.match((await a.get(done.location)).text, /Cancelled: the price is back in your wallet/);
  assert.equal((await a.post(`${paths[0]}/cancel`, { csrf: a.csrf })).status, 410, 'twice: gone');
  assert.match(stack.admin('audit', '1'), new RegExp(`${a.email.replace(/[.]/g, '\\.')}\\s+cancel\\s+ticket`));

  // a deadline already passed: the reason, no button, and a POST changes nothing
  const hoursToShow = Math.ceil((starts - Date.now() / 1000) / 3600);
  stack.admin('set', 'cancel_until_hours', String(hoursToShow + 1));
  try {
    const late = await a.get('/bookings');
    assert.doesNotMatch(late.text, />Cancel and refund</);
    assert.match(late.text, new RegExp(`Cancelling closed .* KST \\(Asia/Seoul\\)</time>, ${hoursToShow + 1} hours before the show`));
    const refused = await a.post(`${paths[1]}/cancel`, { csrf: a.csrf });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /Cancelling closed/);
    assert.equal((await a.get(`${paths[1]}/cancel`)).status, 403);

    stack.admin('set', 'cancel_until_hours', 'off');
    const off = await a.get('/bookings');
    assert.doesNotMatch(off.text, />Cancel and refund</);
    assert.match(off.text, /This sale does not offer cancellation/);
    assert.equal((await a.post(`${paths[2]}/cancel`, { csrf: a.csrf })).status, 403);
    assert.equal(balance(a), before + 99000, 'nothing more came back');
  } finally {
    stack.admin('set', 'cancel_until_hours', '24');
  }
  moneyIsWhole();
});

test('a storm of concurrent pays, refunds and cancels keeps the money whole', async () => {
  const buyers = await Promise.all(Array.from({ length: 12 }, (_, i) => admitted(`storm${i}`)));
  const seats = stack.sql("SELECT id FROM seat WHERE performance_id = 1 AND section = 'R' ORDER BY id LIMIT 72").split('\n');
  await Promise.all(buyers.map((c) => charge(c, 800000)));
  // everyone holds four seats and pays three of them
  const bought = await Promise.all(buyers.map(async (c, i) => {
    const held = [];
    for (let k = 0; k < 4; k++) held.push((await hold(c, 1, seats[i * 4 + k])).location);
    for (let k = 0; k < 3; k++) assert.equal((await pay(c, held[k])).status, 303);
    return held;
  }));
  await operatorCsrf();
  const codes = bought.map((held) => held.slice(0, 3).map(codeOf));
  // then at once: the operator refunds each buyer's first ticket (twice),
  // the buyer cancels the second (twice) and pays the fourth, top-ups go
  // on, and late buyers try to buy the seats being freed
  const late = await Promise.all(Array.from({ length: 6 }, (_, i) => admitted(`late${i}`)));
  await Promise.all(late.map((c) => charge(c, 300000)));
  const work = [];
  buyers.forEach((c, i) => {
    work.push(refund(codes[i][0]), refund(codes[i][0]));
    work.push(c.post(`${bought[i][1]}/cancel`, { csrf: c.csrf }), c.post(`${bought[i][1]}/cancel`, { csrf: c.csrf }));
    work.push(pay(c, bought[i][3]), charge(c, 1000 + i));
  });
  late.forEach((c, i) => work.push((async () => {
    for (let tries = 0; tries < 20; tries++) {
      const r = await hold(c, 1, seats[i * 4]);
      if (r.status === 303) return pay(c, r.location);
      await new Promise((res) => setTimeout(res, 25));
    }
  })()));
  const answers = await Promise.all(work);
  assert.ok(answers.every((r) => !r || r.status < 500), 'no 5xx');
  for (let i = 0; i < buyers.length; i++)
    for (const k of [0, 1])
      assert.equal(stack.sql(`SELECT count(*) FROM ledger WHERE hold_id = ${holdId(bought[i][k])} AND kind = 'REFUND'`), '1');
  assert.ok(Number(stack.sql(`SELECT count(*) FROM hold WHERE seat_id IN (${seats.join(',')}) AND state = 'PAID'
    AND user_id IN (${late.map((c) => c.uid).join(',')})`)) > 0, 'refunded seats were sold again');
  moneyIsWhole();
});

test('cancel-performance refunds every ticket, voids holds, and the date says cancelled', async () => {
  const buyers = await Promise.all(Array.from({ length: 3 }, (_, i) => admitted(`perf${i}`)));
  const paid = [];
  for (const [i, c] of buyers.entries()) {
    assert.equal((await charge(c, 500000)).status, 303);
    paid.push(await buy(c, 2, seatId(2, 'Balcony', 'B', i + 1)));
  }
  const holder = await admitted('perf-holder');
  const live = await hold(holder, 2, seatId(2, 'Balcony', 'C', 1));
  assert.equal(live.status, 303);
  const before = buyers.map(balance);
  const tickets = Number(stack.sql('SELECT count(*) FROM ticket WHERE performance_id = 2 AND refunded_at IS NULL'));

  const out = stack.admin('cancel-performance', '2');
  assert.match(out, /performance 2 is cancelled at .*: its sale is closed for good/);
  assert.match(out, /voided 1 live holds/);
  assert.match(out, new RegExp(`refunded ${tickets} tickets`));
  assert.equal(stack.sql('SELECT count(*) FROM ticket WHERE performance_id = 2 AND refunded_at IS NULL'), '0');
  assert.equal(stack.sql("SELECT count(*) FROM hold WHERE performance_id = 2 AND state IN ('HELD','PAID')"), '0');
  buyers.forEach((c, i) => assert.equal(balance(c), before[i] + 66000));
  assert.match(stack.admin('cancel-performance', '2'), /performance 2 was cancelled at .*\nrefunded 0 tickets/);

  // the buyer's pages say so, and it never sells again
  const page = await holder.get('/concerts/1');
  assert.match(page.text, /<span class="tag">Cancelled<\/span>/);
  assert.equal((page.text.match(/seats left/g) || []).length, 1, 'only the date still on sale counts its seats');
  const home = await holder.get('/');
  assert.match(home.text, /Winter Symphony Gala/, 'the concert still has a date');
  assert.match((await holder.get('/performances/2')).text, /This performance is cancelled/);
  assert.equal((await hold(holder, 2, seatId(2, 'Balcony', 'D', 1))).status, 410);
  assert.equal((await pay(holder, live.location)).status, 410);
  assert.match((await buyers[0].get('/bookings')).text, /This performance was cancelled\. Refunded/);

  // and the operator's reads say so
  assert.match(stack.admin('performances', '1'), /cancelled/);
  const audit = stack.admin('audit', '100');
  assert.match(audit, /cancel_performance\s+performance 2: on sale -> cancelled; 1 live holds voided/);
  assert.equal((audit.match(/refunded 66000 to .*performance cancelled/g) || []).length, tickets);
  moneyIsWhole();
});

test('an operator releases a held seat: it is on sale again, audited; a sold or free seat is not released', async () => {
  const a = await admitted('walked-away');
  const b = await admitted('next-buyer');
  const seat = seatId(1, 'VIP', 'D', 3);
  const held = await hold(a, 1, seat);
  assert.equal(held.status, 303);
  assert.match((await hold(b, 1, seat)).location, /refused=taken$/, 'held: nobody else gets it');
  const out = stack.admin('release', '1', 'VIP', 'D', '3');
  assert.match(out, new RegExp(`released VIP · row D · seat 3 of performance 1, held by ${a.email.replace(/[.]/g, '\\.')}`));
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${holdId(held.location)}`), 'RELEASED');
  assert.match(stack.admin('audit', '1'), /cli:\S+\s+release\s+seat VIP · row D · 3 of performance 1: held by .* -> free/);
  // the buyer's hold page says it is gone; the next buyer gets the seat
  assert.doesNotMatch((await a.get(held.location)).text, /Pay /);
  assert.equal((await hold(b, 1, seat)).status, 303, 'on sale again');
  // nothing more to release once it is sold; a free seat or no seat: refused, nothing changes
  const payer = await admitted('payer-rel');
  assert.equal((await charge(payer, 500000)).status, 303);
  const sold = await buy(payer, 1, seatId(1, 'VIP', 'D', 4));
  const refuse = (args, why) => {
    let err;
    try { stack.admin('release', ...args); } catch (e) { err = e; }
    assert.ok(err, `release ${args.join(' ')} is refused`);
    assert.equal(err.status, 1);
    assert.match(String(err.stderr), why);
  };
  const audits = stack.sql('SELECT count(*) FROM audit');
  refuse(['1', 'VIP', 'D', '4'], /sold: refund its ticket instead/);
  refuse(['1', 'VIP', 'D', '5'], /nobody holds that seat now/);
  refuse(['1', 'VIP', 'Z', '99'], /has no seat VIP · row Z · 99/);
  assert.equal(stack.sql('SELECT count(*) FROM audit'), audits, 'a refusal writes no audit row');
  assert.equal(stack.sql(`SELECT state FROM hold WHERE id = ${holdId(sold)}`), 'PAID');
});
