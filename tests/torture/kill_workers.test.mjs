// kill_workers.test.mjs — a purchase burst (burst.mjs) while workers are
// killed with kill -9 every half second. Afterwards every acknowledged
// write is in the database, integrity_check is ok, balance = ledger for
// every buyer, no seat is sold twice; the figures include how long the
// master took to replace a killed worker (from the kill to a new worker pid
// among its children).
//
// short: ~20 s, one worker a tick; long: ~200 s, two workers a tick (with
// kill_stack, about 1,000 kills).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.mjs';
import { report, LONG } from './report.mjs';
import { setupSale, runBurst, verify } from './burst.mjs';
import { childrenOf, kill, p50max, sleep, waitFor } from './procs.mjs';

const WORKERS = 4;
const SECONDS = Number(process.env.TORTURE_KILL_SECONDS) || (LONG ? 200 : 20);
const VICTIMS = LONG ? 2 : 1; // workers killed each tick
const TICK_MS = 500;

let stack;
after(async () => { await stack?.stop(); });

test(`purchases while workers are killed with kill -9 every ${TICK_MS} ms: nothing acknowledged is lost`, async () => {
  stack = await startStack({ workers: WORKERS });
  const sale = setupSale(stack, { buyers: 200, blocks: LONG ? 16 : 4 });
  const master = stack.fcgi.pid;
  const respawns = [];
  let kills = 0, ticks = 0, done = false;
  const t0 = Date.now();

  // Waits for `n` workers that were not there before the kill.
  async function watchRespawn(before, n, killedAt) {
    while (!done || Date.now() - killedAt < 5000) {
      const fresh = childrenOf(master).filter((p) => !before.has(p));
      if (fresh.length >= n) { respawns.push(Date.now() - killedAt); return; }
      if (Date.now() - killedAt > 5000) return; // not within 5 s: shows as a missing respawn
      await sleep(2);
    }
  }
  const killer = (async () => {
    const watchers = [];
    while (Date.now() - t0 < SECONDS * 1000) {
      await sleep(TICK_MS);
      const workers = childrenOf(master);
      const victims = workers.sort(() => Math.random() - 0.5).slice(0, VICTIMS);
      const killedAt = Date.now();
      for (const p of victims) if (kill(p, 'SIGKILL')) kills++;
      ticks++;
      watchers.push(watchRespawn(new Set(workers), victims.length, killedAt));
    }
    done = true;
    await Promise.all(watchers);
  })();

  const tally = await runBurst(sale, { lanes: 16, stop: () => done });
  await killer;
  await sleep(500);
  const figures = verify(stack, tally.acks);
  const { p50, max } = p50max(respawns);
  report('kill_workers', {
    seconds: Math.round((Date.now() - t0) / 1000), workers: WORKERS, kills,
    ...figures, unacknowledged: tally.unacknowledged, requests: tally.requests,
    purchases: tally.purchases, answers_5xx: Object.entries(tally.statuses).filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0),
    respawns: respawns.length, respawn_not_seen_in_5s: ticks - respawns.length,
    respawn_p50_ms: p50, respawn_max_ms: max,
  });
  assert.equal(figures.lost, 0, `acknowledged writes missing: ${figures.lost_by_kind}`);
  assert.equal(figures.integrity, 'ok');
  assert.equal(figures.balance_not_ledger, 0, 'balance = sum of the ledger for every buyer');
  assert.equal(figures.oversold, 0, 'no seat sold twice');
  assert.ok(kills >= SECONDS, `workers were killed (${kills})`);
  assert.ok(figures.ack_pays > 0 && figures.ack_holds > 0 && figures.ack_charges > 0, 'the burst bought seats');
  assert.ok(await waitFor(() => childrenOf(master).length === WORKERS, 10000), 'all workers back');
});
