// kill_stack.test.mjs — the purchase burst (burst.mjs) while the whole
// stack is killed with kill -9, round after round: the FastCGI master and
// its workers, nginx and its workers, all at once, then started again on
// the same database file and port. Afterwards every acknowledged write is
// in the database, integrity_check is ok, balance = ledger for every buyer,
// no seat is sold twice.
//
// short: 4 rounds (~20 s); long: 30 rounds.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../lib/stack.mjs';
import { report, LONG } from './report.mjs';
import { setupSale, runBurst, verify } from './burst.mjs';
import { alive, childrenOf, kill, p50max, sleep, waitFor } from './procs.mjs';

const WORKERS = 4;
const ROUNDS = Number(process.env.TORTURE_STACK_ROUNDS) || (LONG ? 30 : 4);
const BETWEEN_MS = 3000; // buying between two kills

let stack;
after(async () => { await stack?.stop(); });

test(`purchases while the whole stack is killed with kill -9 and restarted, ${ROUNDS} rounds: nothing acknowledged is lost`, async () => {
  stack = await startStack({ workers: WORKERS });
  const sale = setupSale(stack, { buyers: 200, blocks: LONG ? 8 : 4 });
  const restarts = [];
  let kills = 0, rounds = 0, done = false, failedRestart = null;
  const t0 = Date.now();

  const killer = (async () => {
    try {
      for (; rounds < ROUNDS; rounds++) {
        await sleep(BETWEEN_MS);
        const { fcgi, nginx } = stack;
        // Every process of the stack, found before any dies.
        const all = [fcgi.pid, ...childrenOf(fcgi.pid), nginx.pid, ...childrenOf(nginx.pid)];
        const killedAt = Date.now();
        for (const p of all) if (kill(p, 'SIGKILL')) kills++;
        const gone = await waitFor(() => all.every((p) => !alive(p)), 10000);
        assert.ok(gone, `every process of the stack died: ${all.filter(alive)}`);
        // The socket and nginx's pid file are left behind, as after a crash.
        if (!(await stack.restart())) throw new Error(`the stack did not come back:\n${stack.fcgiLog.slice(-5).join('')}`);
        restarts.push(Date.now() - killedAt);
      }
      await sleep(BETWEEN_MS);
    } catch (e) {
      failedRestart = e;
    } finally {
      done = true;
    }
  })();

  const tally = await runBurst(sale, { lanes: 16, stop: () => done });
  await killer;
  if (failedRestart) throw failedRestart;
  const figures = verify(stack, tally.acks);
  const { p50, max } = p50max(restarts);
  report('kill_stack', {
    seconds: Math.round((Date.now() - t0) / 1000), rounds, kills,
    ...figures, unacknowledged: tally.unacknowledged, requests: tally.requests, purchases: tally.purchases,
    broken_connections: tally.statuses.broken || 0,
    restart_p50_ms: p50, restart_max_ms: max,
  });
  assert.equal(figures.lost, 0, `acknowledged writes missing: ${figures.lost_by_kind}`);
  assert.equal(figures.integrity, 'ok');
  assert.equal(figures.balance_not_ledger, 0, 'balance = sum of the ledger for every buyer');
  assert.equal(figures.oversold, 0, 'no seat sold twice');
  assert.equal(rounds, ROUNDS);
  assert.ok(figures.ack_pays > 0, 'the burst bought seats');
  assert.equal((await fetch(stack.base + '/')).status, 200, 'the site answers after the last round');
});
