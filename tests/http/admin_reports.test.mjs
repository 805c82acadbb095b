// admin_reports.test.mjs — the operator's reading commands on a real sale:
// boxoffice-admin concerts, performances, sales, queue, buyer and report,
// run on the database of a real stack after buyers signed up, queued,
// held and paid over HTTP. Checks what an operator reads (seats sold,
// held and free, gross in the currency, times in the venue's zone, the
// waiting line, a buyer's tickets and ledger), the --tab form for
// scripts, and the CSV a spreadsheet opens: a UTF-8 BOM, RFC 4180, the
// cells a spreadsheet would run as formulas neutralised, numbers left
// numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startStack, Client, ROOT } from '../lib/stack.mjs';

const BIN = join(ROOT, 'build', 'boxoffice-admin');
const TITLE = '=HYPERLINK("http://evil.example/","click")';
let stack, concert, perf, seat;
const pid = process.pid;
const PAYER = `=1+2-${pid}@example.com`;  // a spreadsheet would run it
const HOLDER = `holder-${pid}@example.com`;
const WAITER = `waiter-${pid}@example.com`;

const admin = (...args) => spawnSync(BIN, ['--db', stack.db, ...args.map(String)], { encoding: 'utf8' });
const tab = (...args) => admin('--tab', ...args);
const rows = (out) => out.trim().split('\n').map((l) => l.split('\t'));

// A buyer over the JSON API: signs up in the browser, logs in for a token.
async function buyer(email) {
  const c = new Client(stack.base);
  const r = await c.signup(email);
  assert.equal(r.status, 303, `signup ${email}`);
  const s = await api(null, 'POST', '/api/v1/sessions', { email, password: 'correct horse battery' });
  assert.equal(s.status, 201);
  return { token: s.body.token, queue: null };
}

async function api(b, method, path, body) {
  const headers = { 'content-type': 'application/json', 'idempotency-key': randomBytes(9).toString('base64url') };
  if (b) headers.authorization = `Bearer ${b.token}`;
  if (b?.queue) headers['x-queue-token'] = b.queue;
  const res = await fetch(stack.base + path, { method, headers, body: body && JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function enqueue(b) {
  const j = await api(b, 'POST', '/api/v1/tokens', { concertId: concert });
  assert.equal(j.status, 201, JSON.stringify(j.body));
  b.queue = j.body.token;
}

async function hold(b, seatId) {
  const h = await api(b, 'POST', '/api/v1/reservations', { performanceId: perf, seatId });
  assert.equal(h.status, 201, JSON.stringify(h.body));
  return h.body.reservationId;
}

before(async () => {
  // Dollars, so that amounts have cents: 1250 is $12.50, and 12.50 in CSV.
  stack = await startStack({ workers: 2, settingsFirst: { currency: 'USD' } });
  concert = Number(admin('add-concert', TITLE, '+The Artists', 'Hall').stdout.trim());
  const now = Math.floor(Date.now() / 1000);
  const r = admin('add-performance', concert, '2027-12-24 19:30', `@${now - 60}`, '2027-12-24 17:30',
    '-Front:A-A:10:1250', '@Back:A-A:10:800');
  assert.equal(r.status, 0, r.stderr);
  perf = Number(r.stdout.trim());
  seat = (section, n) => Number(stack.sql(
    `SELECT id FROM seat WHERE performance_id = ${perf} AND section = '${section}' AND number = ${n}`));

  // The payer holds two seats and pays both; the holder holds one.
  const payer = await buyer(PAYER);
  await enqueue(payer);
  assert.equal((await api(payer, 'POST', '/api/v1/balance/charge', { amount: 5000 })).status, 200);
  const h1 = await hold(payer, seat('-Front', 1));
  const h2 = await hold(payer, seat('@Back', 1));
  for (const id of [h1, h2])
    assert.ok([200, 201].includes((await api(payer, 'POST', '/api/v1/payments', { reservationId: id })).status));
  const holder = await buyer(HOLDER);
  await enqueue(holder);
  await hold(holder, seat('-Front', 2));
  // One slot for the holder: the next buyer waits in line.
  admin('set', 'queue_capacity', 1);
  const waiter = await buyer(WAITER);
  await enqueue(waiter);
});

after(async () => { await stack?.stop(); });

test('concerts lists every concert with its dates, seats and sold seats', () => {
  const r = admin('concerts');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^id +title +artist +venue +dates +first +last +seats +sold\n/);
  assert.match(r.stdout, /Winter Symphony Gala/, 'the demo concerts too');
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${concert} `));
  assert.ok(line.includes(TITLE) && line.includes('2027-12-24 19:30 KST'), line);
  assert.match(line, / 20 +2$/, '20 seats, 2 sold');
  const t = rows(tab('concerts').stdout);
  assert.deepEqual(t[0], ['id', 'title', 'artist', 'venue', 'dates', 'first', 'last', 'seats', 'sold']);
  assert.deepEqual(t.find((x) => x[0] === String(concert)),
    [String(concert), TITLE, '+The Artists', 'Hall', '1', '2027-12-24 19:30 KST', '2027-12-24 19:30 KST', '20', '2']);
});

test('columns line up by display width: a Hangul title takes two columns a syllable', () => {
  const id = admin('add-concert', '겨울 음악회', '서울 필하모닉', 'Hall').stdout.trim();
  const lines = admin('concerts').stdout.split('\n');
  const width = (t) => [...t].reduce((w, ch) => w + (/[\uac00-\ud7a3]/.test(ch) ? 2 : 1), 0);
  const artistColumn = (line, artist) => width(line.slice(0, line.indexOf(artist)));
  const header = lines[0];
  const hangul = lines.find((l) => l.startsWith(`${id} `));
  assert.equal(artistColumn(hangul, '서울 필하모닉'), artistColumn(header, 'artist'), hangul);
});

test('performances shows each date in venue time with its seats sold, held, free and gross', () => {
  const r = admin('performances', concert);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /times in Asia\/Seoul/);
  assert.match(r.stdout, new RegExp(`^${perf} +2027-12-24 19:30 KST .* on sale +20 +2 +1 +17 +\\$20\\.50 +0 +0$`, 'm'));
  const t = rows(tab('performances', concert).stdout);
  assert.deepEqual(t[0].slice(4), ['state', 'seats', 'sold', 'held', 'free', 'gross', 'checked_in', 'refunded']);
  assert.deepEqual(t[1].slice(4), ['on sale', '20', '2', '1', '17', '2050', '0', '0'], '--tab: amounts in cents');
  // Another zone: the same instant in the venue's new time.
  assert.equal(admin('set', 'timezone', 'America/New_York').status, 0);
  assert.match(admin('performances', concert).stdout, /2027-12-24 05:30 EST/);
  assert.equal(admin('set', 'timezone', 'Asia/Seoul').status, 0);
});

test('sales splits a performance by section, with a total', () => {
  const r = admin('sales', perf);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /starts +2027-12-24 19:30 KST/);
  assert.match(r.stdout, /sale closes +2027-12-24 17:30 KST/);
  assert.match(r.stdout, /checked in +0 of 2 sold; 0 refunded/);
  assert.match(r.stdout, /^-Front +\$12\.50 +10 +1 +1 +8 +\$12\.50$/m);
  assert.match(r.stdout, /^@Back +\$8\.00 +10 +1 +0 +9 +\$8\.00$/m);
  assert.match(r.stdout, /^total +20 +2 +1 +17 +\$20\.50$/m);
  assert.deepEqual(rows(tab('sales', perf).stdout), [
    ['section', 'price', 'seats', 'sold', 'held', 'free', 'gross'],
    ['-Front', '1250', '10', '1', '1', '8', '1250'],
    ['@Back', '800', '10', '1', '0', '9', '800'],
  ]);
});

test('queue shows the waiting line: waiting, active, admitted per minute, longest wait', () => {
  const r = admin('queue', concert);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /waiting +1\n/);
  assert.match(r.stdout, /active \(shopping\) +1 of 1\n/, 'the holder; the payer is done');
  assert.match(r.stdout, /admitted, last minute +2\n/);
  assert.match(r.stdout, /longest waiting now +\d+s\n/);
  const t = rows(tab('queue', concert).stdout);
  assert.deepEqual(t[0], ['waiting', 'active', 'admitted_last_minute', 'admitted_per_minute',
    'longest_waiting', 'longest_wait_admitted', 'called', 'serving']);
  assert.deepEqual(t[1].slice(0, 3), ['1', '1', '2']);
  // Nobody called and not yet in; the payer and the holder are served.
  assert.deepEqual(t[1].slice(6), ['0', '2']);
  assert.match(r.stdout, /serving number +2\n/);
});

test('buyer shows a buyer\'s tickets, holds, balance and ledger', () => {
  const r = admin('buyer', PAYER.toUpperCase());
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /balance \$29\.50/);
  assert.match(r.stdout, /tickets \(2\)/);
  // The ticket's code, as the door and a refund take it.
  const code = stack.sql(`SELECT t.code FROM ticket t JOIN hold h ON h.id = t.hold_id
    WHERE h.seat_id = ${seat('-Front', 1)}`);
  const grouped = code.match(/.{4}/g).join('-');
  assert.match(r.stdout, new RegExp(`-Front A-1 +\\$12\\.50 +20\\d\\d-\\S+ \\S+ KST +${grouped}\n`));
  assert.match(r.stdout, /@Back A-1 +\$8\.00/);
  assert.match(r.stdout, /holds, unpaid \(0\)/);
  assert.match(r.stdout, /ledger, newest first \(3\)/);
  assert.match(r.stdout, /payment +−\$12\.50 +\$37\.50 +hold \d+\n/, 'the minus sign, as every page writes it');
  assert.match(r.stdout, /top-up +\$50\.00 +\$50\.00\n/);
  const h = admin('buyer', HOLDER);
  assert.match(h.stdout, /holds, unpaid \(1\)/);
  assert.match(h.stdout, /-Front A-2 +\$12\.50 +20\d\d-\d\d-\d\d \d\d:\d\d(:\d\d)? KST/);
  const none = admin('buyer', 'nobody@example.com');
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no account has the e-mail address 'nobody@example.com'/);
});

test('report writes the sales and their ledger entries as CSV a spreadsheet opens safely', () => {
  const r = spawnSync(BIN, ['--db', stack.db, 'report', String(perf)]);
  assert.equal(r.status, 0, String(r.stderr));
  const bytes = r.stdout;
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte order mark');
  const text = bytes.subarray(3).toString('utf8');
  assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text), 'rows end with CRLF');
  const lines = text.split('\r\n').slice(0, -1);
  assert.equal(lines[0], 'entry,time,unix_time,kind,buyer,section,row,seat,price,revenue,seat_state,ticket');
  assert.equal(lines.length, 3, 'two payments');
  // The buyer's e-mail and the sections start with = - @: quoted, with a '.
  const front = lines.find((l) => l.includes("'-Front"));
  const CODE = stack.sql(`SELECT t.code FROM ticket t JOIN hold h ON h.id = t.hold_id
    WHERE h.seat_id = ${seat('-Front', 1)}`).match(/.{4}/g).join('-');
  assert.match(front, new RegExp(`^\\d+,\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d(:\\d\\d)? KST,\\d+,PAYMENT,"'=1\\+2-${pid}@example\\.com","'-Front",A,1,12\\.50,12\\.50,PAID,${CODE}$`));
  assert.match(lines.find((l) => l.includes("'@Back")), /,"'@Back",A,1,8\.00,8\.00,PAID,[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/);
  assert.ok(!/(^|,)[=+\-@]/.test(lines.slice(1).join('\n').replace(/"'[^"]*"/g, '')),
    'no cell starts with a formula character');
});

test('the new commands explain themselves, and bad arguments change nothing', () => {
  for (const c of ['concerts', 'performances', 'sales', 'queue', 'buyer', 'report', 'backup', 'restore']) {
    const h = admin(c, '--help');
    assert.equal(h.status, 0, c);
    assert.match(h.stdout, new RegExp(`^usage: boxoffice-admin \\[--db PATH\\] \\[--tab\\] ${c} `), c);
  }
  assert.match(admin('report', '--help').stdout, /byte order mark/);
  const bad = admin('sales', 'twelve');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /PERFORMANCE is an id, a whole number from 1/);
  const missing = admin('sales', 99999);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /there is no performance 99999/);
  assert.equal(admin('report', 99999).status, 1);
  assert.match(admin('queue', 99999).stderr, /there is no concert 99999/);
  assert.match(admin('--help').stdout, /--tab +tables as tab-separated lines/);
});

test('a hold that lapsed counts as free at once, before boxoffice-expire writes it down', () => {
  stack.sql(`UPDATE hold SET expires_at = strftime('%s', 'now') - 1 WHERE state = 'HELD' AND performance_id = ${perf}`);
  assert.deepEqual(rows(tab('sales', perf).stdout)[1], ['-Front', '1250', '10', '1', '0', '9', '1250']);
  assert.match(admin('buyer', HOLDER).stdout, /holds, unpaid \(0\)/);
});
