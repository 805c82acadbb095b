// report.mjs — how a torture test hands in its figures: one JSON line per
// suite, appended to the file named by TORTURE_REPORT (tools/torture.mjs
// reads it for the summary) and printed for whoever runs the file alone.
import { appendFileSync } from 'node:fs';

// The size of this run: 'short' inside make check, 'long' for
// make torture, 'soak' adds the hour of mixed load.
export const SIZE = process.env.TORTURE || 'short';
export const LONG = SIZE !== 'short';

export function report(suite, figures) {
  const line = JSON.stringify({ suite, ...figures });
  console.log(`# torture ${line}`);
  if (process.env.TORTURE_REPORT) appendFileSync(process.env.TORTURE_REPORT, line + '\n');
}
