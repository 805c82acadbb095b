// soak.test.mjs — an hour of mixed load (TORTURE=soak only; the length in
// TORTURE_SOAK_SECONDS): the purchase burst (burst.mjs) at a moderate pace,
// readers on the busiest pages and API calls, and boxoffice-expire every
// 5 s as `make run` does. Reports the largest write-ahead log seen (the
// goal: under 64 MiB, held by the expiry job's checkpoint and SQLite's
// auto-checkpoint against readers that never stop), then checks what the
// kill loops check.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, ROOT } from '../lib/stack.mjs';
import { report, SIZE } from './report.mjs';
import { setupSale, runBurst, verify } from './burst.mjs';
import { sleep } from './procs.mjs';

const SECONDS = Number(process.env.TORTURE_SOAK_SECONDS) || 3600;
const WAL_GOAL = 64 * 1024 * 1024;

let stack;
after(async () => { await stack?.stop(); });

test(`soak: ${SECONDS} s of mixed load; the WAL stays under 64 MiB`, { skip: SIZE !== 'soak' && 'TORTURE=soak only' }, async () => {
  stack = await startStack({ workers: 4 });
  const sale = setupSale(stack, { buyers: 400, blocks: 16 });
  const t0 = Date.now();
  const stop = () => Date.now() - t0 > SECONDS * 1000;
  const wal = join(stack.dir, 'boxoffice.db-wal');
  let walMax = 0, samples = 0, reads = 0, readErrors = 0;
  const expire = { runs: 0, partial: 0, failed: 0, last_error: undefined };

  const sampler = (async () => {
    while (!stop()) {
      try { walMax = Math.max(walMax, statSync(wal).size); } catch { /* no WAL at this moment */ }
      samples++;
      await sleep(250);
    }
  })();
  const cron = (async () => {
    while (!stop()) {
      await sleep(5000);
      const r = spawnSync(join(ROOT, 'build', 'boxoffice-expire'), ['--db', stack.db], { encoding: 'utf8' });
      expire.runs++;
      if (r.status !== 0) { expire.failed++; expire.last_error = r.stderr.trim(); }
      else if (/checkpoint=partial/.test(r.stdout)) expire.partial++;
    }
  })();
  // Readers: the pages and API answers everybody asks for, as fast as
  // they come back.
  const pages = ['/', `/concerts/${sale.concert}`, '/concerts/1', '/api/v1/concerts',
    `/api/v1/concerts/${sale.concert}/performances`, '/api/v1/balance/history', '/api/v1/bookings'];
  const readers = Array.from({ length: 6 }, async (_, i) => {
    while (!stop()) {
      const buyer = sale.buyers[(reads + i) % sale.buyers.length];
      const path = pages[reads++ % pages.length];
      try {
        const res = await fetch(stack.base + path, { headers: { authorization: `Bearer ${buyer.token}` }, signal: AbortSignal.timeout(15000) });
        await res.arrayBuffer();
        if (res.status >= 500) readErrors++;
      } catch { readErrors++; }
    }
  });
  const tally = await runBurst(sale, { lanes: 6, stop, pauseMs: 20 });
  await Promise.all([sampler, cron, ...readers]);
  const figures = verify(stack, tally.acks);
  report('soak', {
    seconds: Math.round((Date.now() - t0) / 1000),
    wal_max_mib: Math.round((walMax / 1048576) * 10) / 10, wal_samples: samples,
    ...figures, purchases: tally.purchases, writes_unacknowledged: tally.unacknowledged,
    reads, read_errors: readErrors,
    expire_runs: expire.runs, expire_partial_checkpoints: expire.partial, expire_failed: expire.failed,
  });
  assert.equal(figures.lost, 0, `acknowledged writes missing: ${figures.lost_by_kind}`);
  assert.equal(figures.integrity, 'ok');
  assert.equal(figures.balance_not_ledger, 0);
  assert.equal(figures.oversold, 0);
  assert.equal(expire.failed, 0, `boxoffice-expire failed: ${expire.last_error}`);
  assert.ok(walMax < WAL_GOAL, `largest WAL ${walMax} bytes, goal under ${WAL_GOAL}`);
});
