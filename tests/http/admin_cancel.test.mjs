// admin_cancel.test.mjs — cancelling a performance from the operator's
// browser (/admin/performances/{id}/cancel) over real nginx and workers:
// the page says what it will do with the date's sold tickets, nothing
// happens without the box ticked, then one POST cancels and refunds them
// (balances = ledger, the seat's ticket dead at the door), the page says
// so on reload, and a date that took place cannot be cancelled. Only
// operators: a buyer gets 403.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, Client, csrfOf, joinQueue, uniqueEmail } from '../lib/stack.mjs';

let stack, op, buyer, buyerEmail;
const PERF = 2;        // the demo's second date of concert 1 (in December)
const PAST = 3;        // a date we move into the past

before(async () => {
  stack = await startStack({ workers: 2 });
  op = new Client(stack.base);
  const opEmail = uniqueEmail('operator');
  assert.equal((await op.signup(opEmail)).status, 303);
  stack.admin('grant', opEmail, 'operator');
  // A buyer pays one seat of PERF.
  buyerEmail = uniqueEmail('buyer');
  buyer = new Client(stack.base);
  assert.equal((await buyer.signup(buyerEmail)).status, 303);
  await joinQueue(buyer, 1);
  const wallet = await buyer.get('/wallet');
  const key = /name="key" value="([^"]+)"/.exec(wallet.text)[1];
  assert.equal((await buyer.post('/wallet/charge', { amount: '300000', key, csrf: csrfOf(wallet.text) })).status, 303);
  const seat = stack.sql(`SELECT min(id) FROM seat WHERE performance_id = ${PERF}`);
  await buyer.get(`/performances/${PERF}?seat=${seat}`);
  const held = await buyer.post(`/performances/${PERF}/holds`, { seat });
  assert.equal(held.status, 303, held.text);
  await buyer.get(held.location);
  assert.equal((await buyer.post(`${held.location}/pay`, {})).status, 303);
  stack.sql(`UPDATE performance SET sale_closes_at = strftime('%s','now') - 7200, starts_at = strftime('%s','now') - 3600 WHERE id = ${PAST}`);
});
after(async () => { await stack?.stop(); });

const balanceIsLedger = () => stack.sql(
  'SELECT count(*) FROM user u WHERE u.balance != (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.user_id = u.id)');

test('a buyer cannot see or use the cancel page', async () => {
  assert.equal((await buyer.get(`/admin/performances/${PERF}/cancel`)).status, 403);
  const r = await buyer.post(`/admin/performances/${PERF}/cancel`, { confirm: 'yes', csrf: csrfOf((await buyer.get('/wallet')).text) });
  assert.equal(r.status, 403);
  assert.equal(stack.sql(`SELECT cancelled_at IS NULL FROM performance WHERE id = ${PERF}`), '1');
});

test('the live view links to it; the page says what cancelling does; unticked changes nothing', async () => {
  const live = await op.get('/admin/');
  assert.match(live.text, new RegExp(`href="/admin/performances/${PERF}/cancel">Cancel…</a>`));
  assert.doesNotMatch(live.text, new RegExp(`href="/admin/performances/${PAST}/cancel"`), 'not for a date that took place');
  const page = await op.get(`/admin/performances/${PERF}/cancel`);
  assert.equal(page.status, 200);
  assert.match(page.text, /The 1 tickets sold \(₩\d[\d,]*\) are refunded to their buyers(&#39;|')s? balances/);
  assert.match(page.text, /<input type="checkbox" name="confirm" value="yes" required> <span>/);
  const unticked = await op.post(`/admin/performances/${PERF}/cancel`, {});
  assert.equal(unticked.status, 422);
  assert.match(unticked.text, /Tick the box to confirm/);
  assert.equal(stack.sql(`SELECT cancelled_at IS NULL FROM performance WHERE id = ${PERF}`), '1', 'nothing changed');
});

test('confirmed: cancelled and refunded in one POST, the page says so on reload', async () => {
  const before = Number(stack.sql(`SELECT balance FROM user WHERE email = '${buyerEmail}'`));
  await op.get(`/admin/performances/${PERF}/cancel`);
  const r = await op.post(`/admin/performances/${PERF}/cancel`, { confirm: 'yes' });
  assert.equal(r.status, 303);
  assert.equal(r.location, `/admin/performances/${PERF}/cancel`);
  const page = await op.get(r.location);
  assert.match(page.text, /<h2 id="done-h">Cancelled [^<]+ KST<\/h2>/);
  assert.match(page.text, /1 tickets were refunded/);
  assert.doesNotMatch(page.text, /not refunded yet/);
  const after = Number(stack.sql(`SELECT balance FROM user WHERE email = '${buyerEmail}'`));
  assert.ok(after > before, `refunded: ${before} → ${after}`);
  assert.equal(balanceIsLedger(), '0', 'balance = sum(ledger) for every buyer');
  assert.equal(stack.sql(`SELECT count(*) FROM ticket WHERE performance_id = ${PERF} AND refunded_at IS NULL`), '0');
  assert.equal(stack.sql(`SELECT count(*) FROM audit WHERE action = 'cancel_performance'`), '1');
  // Again: nothing more to do, nothing refunded twice.
  assert.equal((await op.post(`/admin/performances/${PERF}/cancel`, { confirm: 'yes' })).status, 303);
  assert.equal(Number(stack.sql(`SELECT balance FROM user WHERE email = '${buyerEmail}'`)), after);
  assert.doesNotMatch((await op.get('/admin/')).text, new RegExp(`href="/admin/performances/${PERF}/cancel"`));
});

test('a date that took place cannot be cancelled; an unknown one is 404', async () => {
  const page = await op.get(`/admin/performances/${PAST}/cancel`);
  assert.match(page.text, /has taken place: it cannot be cancelled/);
  assert.doesNotMatch(page.text, /name="confirm"/);
  const r = await op.post(`/admin/performances/${PAST}/cancel`, { confirm: 'yes' });
  assert.equal(r.status, 409);
  assert.equal(stack.sql(`SELECT cancelled_at IS NULL FROM performance WHERE id = ${PAST}`), '1');
  assert.equal((await op.get('/admin/performances/99999/cancel')).status, 404);
});
