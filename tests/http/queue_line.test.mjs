// queue_line.test.mjs — the waiting line of issue 12 over real HTTP: the
// public state nginx keeps (one render a second however many poll, and
// answers while the workers are stopped), the pre-queue of 2,000 buyers
// drawn into a random order at the opening with later arrivals behind,
// the line moving to its end with buyers who come in and buyers who never
// come back (cron's clock moved with --now), a buyer away for five minutes
// keeping the place, the seed's queuePosition/remainingTime, and the
// operator's commands (--prequeue-opens, rotate-queue-key).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { startStack, Client, uniqueEmail, joinQueue, ROOT } from '../lib/stack.mjs';
import { childrenOf } from '../torture/procs.mjs';

// The public state's schema, QueueState of static/openapi.json.
const DOC = JSON.parse(readFileSync(join(ROOT, 'static', 'openapi.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
const validState = ajv.compile(DOC.components.schemas.QueueState);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const EXPIRE = join(ROOT, 'build', 'boxoffice-expire');

let stack;
before(async () => {
  stack = await startStack({ workers: 2, args: ['--access-log'], settings: { queue_capacity: 2 } });
});
after(async () => { await stack?.stop(); });

const nowS = () => Math.floor(Date.now() / 1000);
const expireAt = (t) => execFileSync(EXPIRE, ['--db', stack.db, '--now', String(t)], { encoding: 'utf8' });
const stateRenders = (concert) => stack.fcgiLog.join('').split('\n')
  .filter((l) => l.includes(`GET /concerts/${concert}/queue/state.json status=`)).length;

// A concert of its own whose sale opens at `opens` (Unix seconds).
function concertOpening(opens, title = 'Line Test') {
  const id = stack.admin('add-concert', title, 'Band', 'Hall').trim();
  const t = nowS();
  stack.admin('add-performance', id, `@${t + 30 * 86400}`, `@${opens}`, `@${t + 29 * 86400}`, 'GA:A-Z:50:10000');
  return Number(id);
}

async function buyer(tag) {
  const c = new Client(stack.base);
  assert.equal((await c.signup(uniqueEmail(tag))).status, 303);
  return c;
}

async function api(session, path, { method = 'GET', body, token } = {}) {
  const headers = { authorization: `Bearer ${session}` };
  if (token) headers['x-queue-token'] = token;
  if (body) headers['content-type'] = 'application/json';
  const r = await fetch(stack.base + path, { method, headers, body: body && JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

test('the public state: the same for everyone, rendered about once a second however many poll', async () => {
  const concert = concertOpening(nowS() - 60, 'Public State');
  const r = await fetch(`${stack.base}/concerts/${concert}/queue/state.json`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('cache-control'), /public, max-age=1/);
  const s = await r.json();
  assert.ok(validState(s), ajv.errorsText(validState.errors));
  assert.deepEqual(Object.keys(s), ['concertId', 'state', 'prequeueOpensAt', 'opensAt', 'serving',
    'waiting', 'admittedPerMinute', 'freedPerMinute', 'slots', 'turnSeconds', 'at']);
  assert.equal(s.concertId, concert);
  assert.equal(s.state, 'open');
  assert.equal((await fetch(`${stack.base}/concerts/9999/queue/state.json`)).status, 404);

  // 600 polls from different "buyers" (cookies, query strings): the
  // workers render a handful, one a second at most.
  const before = stateRenders(concert);
  const started = Date.now();
  for (let round = 0; round < 20; round++) {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      fetch(`${stack.base}/concerts/${concert}/queue/state.json?b=${round}-${i}`,
        { headers: { cookie: `bo_s=someone-${i}` } })));
    assert.ok(answers.every((a) => a.status === 200));
    await Promise.all(answers.map((a) => a.text()));
  }
  const seconds = Math.ceil((Date.now() - started) / 1000);
  const renders = stateRenders(concert) - before;
  assert.ok(renders <= seconds + 2, `${renders} renders for 600 polls in ${seconds} s`);
});

test('the state keeps answering while every worker is stopped (kill -STOP)', async () => {
  const concert = concertOpening(nowS() - 60, 'Stopped Workers');
  const url = `${stack.base}/concerts/${concert}/queue/state.json`;
  const first = await (await fetch(url)).json();
  const workers = [stack.fcgi.pid, ...childrenOf(stack.fcgi.pid)];
  for (const p of workers) process.kill(p, 'SIGSTOP');
  try {
    const until = Date.now() + 3500;
    let n = 0;
    while (Date.now() < until) {
      // The one request that starts the background refresh may wait for
      // it on its connection (fastcgi_read_timeout, 2 s): the rest do not.
      const a = await fetch(url, { signal: AbortSignal.timeout(5000) });
      assert.equal(a.status, 200);
      const s = await a.json();
      assert.equal(s.concertId, concert);
      assert.equal(s.serving, first.serving);
      n++;
      await sleep(100);
    }
    assert.ok(n >= 5);
    // The personal pages do need a worker: they wait (proof the workers
    // were really stopped).
    await assert.rejects(fetch(`${stack.base}/concerts/${concert}`, { signal: AbortSignal.timeout(1000) }));
  } finally {
    for (const p of workers) process.kill(p, 'SIGCONT');
  }
});

test('2,000 buyers in the pre-queue get distinct random places; later ones queue behind', async () => {
  const concert = concertOpening(nowS() + 1200, 'Fair Start');
  let state = await (await fetch(`${stack.base}/concerts/${concert}/queue/state.json`)).json();
  assert.equal(state.state, 'prequeue');
  assert.equal(state.prequeueOpensAt, state.opensAt - 1800, 'by default 30 minutes before the sale');
  // 2,000 buyers join the pre-queue (through core/, without scrypt), in
  // this order.
  const pre = stack.admin('loadtest-buyers', 2000, concert).trim().split('\n').map((l) => l.split('\t'));
  assert.equal(pre.length, 2000);
  const first = await api(pre[0][0], '/api/v1/queue/status', { token: pre[0][2] });
  assert.equal(first.status, 200);
  assert.equal(first.body.state, 'prequeue');
  assert.equal(first.body.number, null, 'no place before the draw');
  assert.ok(first.body.remainingTime > 1000 && first.body.remainingTime <= 1200, 'seconds to the opening');
  assert.equal(stack.sql(`SELECT count(*) FROM queue_ticket WHERE concert_id = ${concert} AND called_at IS NOT NULL`), '0');

  // The sale opens (the clock of the catalogue moved, not ours).
  stack.sql(`UPDATE performance SET sale_opens_at = ${nowS() - 1} WHERE concert_id = ${concert}`);
  const places = [];
  for (let i = 0; i < pre.length; i += 100) {
    const batch = await Promise.all(pre.slice(i, i + 100).map(([session, , token]) =>
      api(session, '/api/v1/queue/status', { token })));
    for (const b of batch) {
      assert.equal(b.status, 200);
      assert.ok(['waiting', 'active'].includes(b.body.state), b.body.state);
      places.push(b.body.number);
    }
  }
  assert.deepEqual([...places].sort((a, b) => a - b), Array.from({ length: 2000 }, (_, i) => i + 1),
    'a permutation of 1..2000');
  const atArrival = places.filter((p, i) => p === i + 1).length;
  assert.ok(atArrival < 20, `${atArrival} buyers kept their arrival place: not a draw`);
  // Arrival order and place are unrelated: as many inversions as not.
  let inversions = 0;
  for (let i = 1; i < places.length; i++) if (places[i] < places[i - 1]) inversions++;
  assert.ok(inversions > 800 && inversions < 1200, `${inversions} inversions of 1,999`);

  // Later arrivals queue behind, in arrival order.
  const late = stack.admin('loadtest-buyers', 3, concert).trim().split('\n').map((l) => l.split('\t'));
  const lateNumbers = [];
  for (const [session, , token] of late) lateNumbers.push((await api(session, '/api/v1/queue/status', { token })).body.number);
  assert.deepEqual(lateNumbers, [2001, 2002, 2003]);
  // The copy nginx kept from before the opening is served once more
  // while it refreshes in the background: a second or so later, "open".
  for (let i = 0; i < 20 && state.state !== 'open'; i++) {
    await sleep(250);
    state = await (await fetch(`${stack.base}/concerts/${concert}/queue/state.json`)).json();
  }
  assert.equal(state.state, 'open');
});

test('the line moves to its end with buyers who come in and buyers who never come back', async () => {
  const concert = concertOpening(nowS() - 60, 'To The End');
  const claim = 120;
  // 12 buyers in the browser, joined in order: the even ones come in when
  // called and leave when done, the odd ones never look again.
  const buyers = [];
  for (let i = 0; i < 12; i++) {
    const c = await buyer(`end${i}`);
    await joinQueue(c, concert);
    buyers.push(c);
  }
  // The first two came straight in (free slots); the second leaves at once.
  assert.equal((await buyers[1].post(`/concerts/${concert}/queue/leave`, {})).status, 303);
  const numbers = [];
  for (const c of buyers) numbers.push(JSON.parse((await c.get(`/concerts/${concert}/queue.json`)).text).number);
  assert.deepEqual(numbers, Array.from({ length: 12 }, (_, i) => i + 1));
  const cameIn = new Set();
  let t = nowS();
  for (let step = 0; step < 40 && cameIn.size < 6; step++) {
    for (let i = 0; i < 12; i += 2) {
      if (cameIn.has(i)) continue;
      const r = await buyers[i].get(`/concerts/${concert}/queue`);
      if (r.status === 303) {
        assert.match(r.location, new RegExp(`^/concerts/${concert}#turn$`), 'called: in');
        cameIn.add(i);
        await buyers[i].get(`/concerts/${concert}`);
        assert.equal((await buyers[i].post(`/concerts/${concert}/queue/leave`, {})).status, 303);
      }
    }
    // Cron a claim window later: the no-shows are passed over.
    t += claim + 1;
    assert.match(expireAt(t), /called=\d+/);
  }
  assert.equal(cameIn.size, 6, 'every buyer who came back got a turn');
  expireAt(t + claim + 1); // the last no-show's window ends
  // The public state is at most a second or two old (the worker's copy,
  // then nginx's): it comes to the end of the line too.
  let state;
  for (let i = 0; i < 20; i++) {
    state = await (await fetch(`${stack.base}/concerts/${concert}/queue/state.json`)).json();
    if (state.waiting === 0) break;
    await sleep(250);
  }
  const rows = stack.sql(`SELECT place, state, called_at IS NOT NULL, ended_at - called_at FROM queue_ticket
    WHERE concert_id = ${concert} ORDER BY place`).split('\n').map((l) => l.split('|'));
  assert.equal(rows.length, 12);
  assert.ok(rows.every((r) => r[2] === '1'), 'everyone was called, nobody skipped');
  const noShows = rows.filter((r, i) => i % 2 === 1 && i > 1);
  assert.ok(noShows.every((r) => r[1] === 'EXPIRED' && Number(r[3]) === claim), 'passed over after claim_seconds');
  assert.equal(stack.sql(`SELECT serving FROM queue_counter WHERE concert_id = ${concert}`), '12');
  assert.equal(state.serving, 12, JSON.stringify(state));
  assert.equal(state.waiting, 0);
});

test('a buyer away for five minutes keeps the place (no heartbeat)', async () => {
  const concert = concertOpening(nowS() - 60, 'Phone Asleep');
  const ahead = [await buyer('asleep-a'), await buyer('asleep-b')];
  for (const c of ahead) assert.match((await joinQueue(c, concert)).location, /#turn$/);
  const sleeper = await buyer('asleep');
  await joinQueue(sleeper, concert);
  const before = JSON.parse((await sleeper.get(`/concerts/${concert}/queue.json`)).text);
  assert.equal(before.state, 'waiting');
  assert.equal(before.number, 3);
  // Five minutes without a single poll, cron running every minute.
  for (let m = 1; m <= 5; m++) expireAt(nowS() + m * 60);
  const back = JSON.parse((await sleeper.get(`/concerts/${concert}/queue.json`)).text);
  assert.equal(back.state, 'waiting');
  assert.equal(back.number, 3);
  assert.equal(back.position, 1);
  assert.equal(back.queuePosition, 1);
  const page = await sleeper.get(`/concerts/${concert}/queue`);
  assert.match(page.text, /id="q-position">1</);
});

test('the API answers the seed\'s names and states: prequeue, waiting, called, active', async () => {
  const concert = concertOpening(nowS() + 600, 'Seed Names');
  const [[session, , token]] = stack.admin('loadtest-buyers', 1, concert).trim().split('\n').map((l) => l.split('\t'));
  let r = await api(session, '/api/v1/tokens', { method: 'POST', body: { concertId: concert } });
  assert.equal(r.status, 201);
  assert.equal(r.body.state, 'prequeue');
  assert.equal(r.body.queuePosition, null);
  assert.ok(r.body.remainingTime > 500 && r.body.remainingTime <= 600);
  assert.equal(r.body.token.split('.')[3], token.split('.')[3], 'the same ticket');
  // Refused before the pre-queue opens.
  const early = concertOpening(nowS() + 7200, 'Too Early');
  r = await api(session, '/api/v1/tokens', { method: 'POST', body: { concertId: early } });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'not_on_sale');
  // The operator moves the pre-queue opening.
  stack.admin('prequeue-opens', early, `@${nowS() - 10}`);
  r = await api(session, '/api/v1/tokens', { method: 'POST', body: { concertId: early } });
  assert.equal(r.status, 201);
  assert.equal(r.body.state, 'prequeue');
  // Opening: the capacity is full (two buyers in), a third is called by
  // the line, its status answers "active" as it comes in.
  stack.sql(`UPDATE performance SET sale_opens_at = ${nowS() - 1} WHERE concert_id = ${concert}`);
  r = await api(session, '/api/v1/queue/status', { token });
  assert.equal(r.body.state, 'active');
  assert.equal(r.body.queuePosition, 0);
  assert.ok(r.body.remainingTime > 500, 'seconds left in the turn');
});

test('rotate-queue-key: old tokens keep working through one rotation', async () => {
  const concert = concertOpening(nowS() - 60, 'Rotation');
  const [[session, , token]] = stack.admin('loadtest-buyers', 1, concert).trim().split('\n').map((l) => l.split('\t'));
  const kid = Number(token.split('.')[1]);
  assert.equal(Number(stack.admin('rotate-queue-key').trim()), kid + 1);
  let r = await api(session, '/api/v1/queue/status', { token });
  assert.equal(r.status, 200, 'signed by the key before: still good');
  assert.equal(Number(r.body.token.split('.')[1]), kid + 1, 'answers a token of the new key');
  stack.admin('rotate-queue-key');
  r = await api(session, '/api/v1/queue/status', { token });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'bad_token');
});
