// burst.mjs — the purchase burst of the kill loops and the soak: many
// buyers join a concert's queue, top up, hold seats and pay, over the JSON
// API, while something kills processes underneath them. Every write carries
// an Idempotency-Key (joining is idempotent by itself) and is retried with
// the same key after a 5xx or a broken connection. The clients write down
// every write the site acknowledged (a 2xx) with the ids it answered, and
// verify() then checks each one against the database, with the invariants:
// integrity_check, balance = sum of the ledger for every buyer, no seat
// sold twice.
//
// A 502 or a 409 request_in_flight is not an acknowledgement: the write may
// or may not have happened, and the invariants must hold either way.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sleep } from './procs.mjs';

const PRICE = 1000;
const ROWS = 'A-Z';
const PER_ROW = 200; // seats in a row, the most a block may have
const SEATS_PER_BLOCK = 26 * PER_ROW;

// A concert on sale now with one performance of `blocks` blocks of 5,200
// seats (at most 16); more performances are added as the seats run out.
export function setupSale(stack, { buyers = 200, blocks = 4 } = {}) {
  stack.admin('set', 'queue_capacity', 100000);
  stack.admin('set', 'active_ttl', 86400);
  stack.admin('set', 'claim_seconds', 3600);
  // A hold whose payment was never acknowledged stays live for its time:
  // many allowed, and short, so such leftovers do not block a buyer.
  stack.admin('set', 'max_holds', 50);
  stack.admin('set', 'hold_seconds', 60);
  const concert = Number(stack.admin('add-concert', 'Torture', 'The Kill Loop', 'Hall').trim());
  const sale = {
    stack, concert, blocks, performances: [], seats: [], next: 0,
    buyers: [],
  };
  addPerformance(sale);
  // Accounts and sessions without scrypt (no queue ticket, no money): the
  // joining, topping up and buying all go over HTTP.
  const lines = stack.admin('loadtest-buyers', buyers, 0, 0).trim().split('\n');
  const ids = stack.sql("SELECT id FROM user WHERE email LIKE 'loadtest-%' ORDER BY id").split('\n').map(Number);
  const fresh = ids.slice(-lines.length);
  sale.buyers = lines.map((l, i) => ({ token: l.split('\t')[0], user: fresh[i], queue: null, charges: 0 }));
  return sale;
}

function addPerformance(sale) {
  const now = Math.floor(Date.now() / 1000);
  const blocks = Array.from({ length: sale.blocks }, (_, i) => `S${i}:${ROWS}:${PER_ROW}:${PRICE}`);
  const perf = Number(sale.stack.admin('add-performance', sale.concert, now + 86400 * 30, now - 60, now + 86400 * 29, ...blocks).trim());
  const [first, last] = sale.stack.sql(`SELECT min(id), max(id) FROM seat WHERE performance_id = ${perf}`).split('|').map(Number);
  sale.performances.push(perf);
  for (let id = first; id <= last; id++) sale.seats.push({ perf, id });
}

// The next seat to try: mostly one nobody tried yet, sometimes one already
// tried (most likely sold: the seat_taken race).
function pickSeat(sale) {
  if (sale.next > 0 && Math.random() < 0.2) return sale.seats[Math.floor(Math.random() * sale.next)];
  if (sale.next >= sale.seats.length) addPerformance(sale);
  return sale.seats[sale.next++];
}

// Runs the burst until stop() returns true: `lanes` concurrent clients, each
// taking the next buyer and doing one purchase (join once, top up, hold,
// pay). Returns the tally: acknowledged writes (with their ids), attempts
// that got no acknowledgement, answers by status.
export async function runBurst(sale, { lanes = 16, stop, base = () => sale.stack.base, pauseMs = 0 }) {
  const tally = { acks: [], unacknowledged: 0, statuses: {}, purchases: 0, requests: 0 };
  let turn = 0;

  // One API request; { status, body } or { status: 0 } for a broken
  // connection or no answer within 15 s.
  async function api(buyer, method, path, body, key) {
    const headers = { authorization: `Bearer ${buyer.token}` };
    if (buyer.queue) headers['x-queue-token'] = buyer.queue;
    if (key) headers['idempotency-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    tally.requests++;
    try {
      const res = await fetch(base() + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15000),
      });
      const text = await res.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* an nginx page */ }
      tally.statuses[res.status] = (tally.statuses[res.status] || 0) + 1;
      return { status: res.status, body: json };
    } catch {
      tally.statuses.broken = (tally.statuses.broken || 0) + 1;
      return { status: 0 };
    }
  }

  // A write, retried with the same key while the answer says nothing
  // happened for sure (5xx, broken connection, request_in_flight).
  async function write(buyer, path, body, key, tries = 4) {
    for (let i = 0; i < tries; i++) {
      const r = await api(buyer, 'POST', path, body, key);
      const unsure = r.status === 0 || r.status >= 500 ||
        (r.status === 409 && r.body?.error?.code === 'request_in_flight');
      if (!unsure) return r;
      if (stop()) break;
      await sleep(100 + 100 * i);
    }
    tally.unacknowledged++;
    return { status: 0 };
  }

  async function purchase(buyer) {
    if (!buyer.queue) {
      const j = await write(buyer, '/api/v1/tokens', { concertId: sale.concert });
      if (j.status !== 201) return;
      buyer.queue = j.body.token;
      // The signed token names its ticket: q1.KEY.CONCERT.TICKET.PLACE.MAC.
      tally.acks.push({ kind: 'join', user: buyer.user, a: Number(j.body.token.split('.')[3]) });
    }
    const amount = PRICE + (++buyer.charges); // unique per buyer: findable in the ledger
    const c = await write(buyer, '/api/v1/balance/charge', { amount }, key());
    if (c.status >= 200 && c.status < 300) tally.acks.push({ kind: 'charge', user: buyer.user, a: amount });
    let hold = null;
    for (let i = 0; i < 3 && !hold && !stop(); i++) {
      const seat = pickSeat(sale);
      const h = await write(buyer, '/api/v1/reservations', { performanceId: seat.perf, seatId: seat.id }, key());
      if (h.status === 201) {
        hold = h.body.reservationId;
        tally.acks.push({ kind: 'hold', user: buyer.user, a: hold, b: seat.id });
      } else if (h.status === 403) {
        buyer.queue = null; // the turn is gone: join again next time
        return;
      }
    }
    if (!hold) return;
    const p = await write(buyer, '/api/v1/payments', { reservationId: hold }, key());
    if (p.status === 200 || p.status === 201) {
      tally.acks.push({ kind: 'pay', user: buyer.user, a: hold, b: p.body.paymentId });
      tally.purchases++;
      buyer.queue = null; // paying ends the turn: the next purchase joins again
    }
  }

  await Promise.all(Array.from({ length: lanes }, async () => {
    while (!stop()) {
      const buyer = sale.buyers[turn++ % sale.buyers.length];
      if (buyer.busy) { await sleep(5); continue; }
      buyer.busy = true;
      try { await purchase(buyer); } finally { buyer.busy = false; }
      if (pauseMs) await sleep(pauseMs);
    }
  }));
  return tally;
}

const key = () => randomBytes(12).toString('base64url');

// Checks the acknowledged writes and the invariants in the database file.
// Returns the figures (lost must be 0, integrity 'ok', the rest 0).
export function verify(stack, acks) {
  const esc = (v) => (typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
  const rows = acks.map((x) => `(${esc(x.kind)},${x.user},${esc(x.a)},${x.b === undefined ? 'NULL' : esc(x.b)})`);
  const inserts = [];
  for (let i = 0; i < rows.length; i += 500) inserts.push(`INSERT INTO ack VALUES ${rows.slice(i, i + 500).join(',')};`);
  const script = `
CREATE TEMP TABLE ack(kind TEXT, user INTEGER, a, b);
${inserts.join('\n')}
SELECT 'lost', count(*) FROM ack WHERE NOT CASE kind
  WHEN 'join' THEN EXISTS (SELECT 1 FROM queue_ticket WHERE id = a AND user_id = ack.user)
  WHEN 'charge' THEN EXISTS (SELECT 1 FROM ledger WHERE user_id = ack.user AND kind = 'CHARGE' AND amount = a)
  WHEN 'hold' THEN EXISTS (SELECT 1 FROM hold WHERE id = a AND seat_id = b AND user_id = ack.user)
  WHEN 'pay' THEN EXISTS (SELECT 1 FROM payment WHERE id = b AND hold_id = a AND user_id = ack.user)
              AND EXISTS (SELECT 1 FROM hold WHERE id = a AND state = 'PAID')
  END;
SELECT 'lost_by_kind', coalesce(group_concat(kind || ':' || n), '') FROM (SELECT kind, count(*) AS n FROM ack WHERE NOT CASE kind
  WHEN 'join' THEN EXISTS (SELECT 1 FROM queue_ticket WHERE id = a AND user_id = ack.user)
  WHEN 'charge' THEN EXISTS (SELECT 1 FROM ledger WHERE user_id = ack.user AND kind = 'CHARGE' AND amount = a)
  WHEN 'hold' THEN EXISTS (SELECT 1 FROM hold WHERE id = a AND seat_id = b AND user_id = ack.user)
  WHEN 'pay' THEN EXISTS (SELECT 1 FROM payment WHERE id = b AND hold_id = a AND user_id = ack.user)
              AND EXISTS (SELECT 1 FROM hold WHERE id = a AND state = 'PAID')
  END GROUP BY kind);
SELECT 'balance_not_ledger', count(*) FROM user u
  WHERE balance <> (SELECT coalesce(sum(amount), 0) FROM ledger WHERE user_id = u.id);
SELECT 'oversold', count(*) FROM (SELECT h.seat_id FROM payment p JOIN hold h ON h.id = p.hold_id
  GROUP BY h.seat_id HAVING count(*) > 1);
SELECT 'double_claims', count(*) FROM (SELECT seat_id FROM hold WHERE state = 'PAID' GROUP BY seat_id HAVING count(*) > 1);
SELECT 'sold', count(*) FROM hold WHERE state = 'PAID';
SELECT 'integrity', group_concat(integrity_check, ' ') FROM pragma_integrity_check;
`;
  const out = execFileSync('sqlite3', ['-separator', '\t', stack.db], { input: script, encoding: 'utf8', maxBuffer: 1 << 26 });
  const f = {};
  for (const line of out.trim().split('\n')) {
    const [k, v] = line.split('\t');
    f[k] = /^-?\d+$/.test(v) ? Number(v) : v;
  }
  const by = (kind) => acks.filter((x) => x.kind === kind).length;
  return {
    acknowledged: acks.length,
    ack_joins: by('join'), ack_charges: by('charge'), ack_holds: by('hold'), ack_pays: by('pay'),
    lost: f.lost, lost_by_kind: f.lost_by_kind || undefined,
    integrity: f.integrity, balance_not_ledger: f.balance_not_ledger,
    oversold: f.oversold + f.double_claims, sold: f.sold,
  };
}
