// scale.test.mjs — the short form of make scale for make check: one
// primary and three edges (nginx/edge.conf) on a network made for the run,
// 100 then 2,000 waiting buyers polling through the edges, a line of 15
// let in through them (tests/scale/scale.mjs says what each check means).
// Skipped, saying why, where it cannot run (not root, no wrk).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cannotRun, runScale, settings } from './scale.mjs';

const why = cannotRun();

test('edges: the primary sees about one state request per edge per concert per second, whatever the buyers; the line flows through the edges',
  { skip: why ? `make scale ${why}` : false }, async () => {
    const report = await runScale(settings(true));
    const failed = report.checks.filter((c) => !c.ok);
    assert.deepEqual(failed, [], failed.map((c) => `${c.name}: ${c.detail}`).join('\n'));
    assert.ok(report.checks.length >= 20, 'every check ran');
  });
