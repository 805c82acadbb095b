// drivers.mjs — the programs that make the load, each run as a child
// process so that its CPU shows up as this process's reaped children's
// (proc.mjs childCpuSeconds): wrk with a Lua script whose done() prints
// JSON (report.lua), build/bench-commits, tests/bench/sellout.mjs.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../lib/stack.mjs';

const HERE = join(ROOT, 'tests', 'bench');
export const REPORT_LUA = join(HERE, 'report.lua');
export const BUYERS_LUA = join(HERE, 'buyers.lua');

// Runs a program to its end: { code, stdout, stderr, seconds }. Never
// throws for a non-zero exit; rejects only when it cannot start.
export function runProcess(cmd, args, { env, timeoutMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { cwd: ROOT, env: env ? { ...process.env, ...env } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [], err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    let timer = null;
    if (timeoutMs) timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(), seconds: (performance.now() - t0) / 1000 });
    });
  });
}

const tail = (text, n = 6) => text.trim().split('\n').slice(-n).join('\n');

// One wrk run. script: REPORT_LUA (default) or BUYERS_LUA with args
// (key=value strings); headers: ["Name: value"]. Answers wrk's summary as
// report.lua wrote it, plus rps (requests per second of the run) and
// p50_ms/p99_ms; throws when wrk fails or prints no JSON line.
export async function runWrk({ url, seconds, threads, connections, script = REPORT_LUA,
  args = [], headers = [] }) {
  const argv = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`,
    '-s', script, ...headers.flatMap((h) => ['-H', h]), url];
  if (args.length) argv.push('--', ...args);
  const r = await runProcess('wrk', argv, { timeoutMs: (seconds + 30) * 1000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('bench-json: '));
  if (r.code !== 0 || !line) {
    throw new Error(`wrk exited ${r.code}${line ? '' : ' without its JSON line'}: ` +
      tail(r.stderr || r.stdout));
  }
  const j = JSON.parse(line.slice('bench-json: '.length));
  const secs = j.duration_us / 1e6;
  return {
    ...j,
    seconds: secs,
    rps: secs > 0 ? j.requests / secs : 0,
    p50_ms: j.latency_us.p50 / 1000,
    p99_ms: j.latency_us.p99 / 1000,
  };
}

// The raw SQLite commit rate (tests/bench/commits.c) on a new file DB:
// { commits, seconds, per_second, writers, busy }.
export async function runCommits(bin, db, seconds, writers, env) {
  const r = await runProcess(bin, [db, String(seconds), String(writers)], { env,
    timeoutMs: (seconds + 30) * 1000 });
  const m = /^commits (\d+) seconds ([\d.]+) per_second ([\d.]+) writers (\d+) busy (\d+)$/m
    .exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`bench-commits exited ${r.code}: ${tail(r.stderr || r.stdout)}`);
  return { commits: Number(m[1]), seconds: Number(m[2]), per_second: Number(m[3]),
    writers: Number(m[4]), busy: Number(m[5]) };
}

// One run of the sell-out driver: its JSON line (see sellout.mjs).
export async function runSellout(base, perf, firstSeat, buyersFile, concurrency, dry, perOrder = 1) {
  const args = [join(HERE, 'sellout.mjs'), base, String(perf), String(firstSeat), buyersFile,
    String(concurrency)];
  if (dry) args.push('--dry');
  if (perOrder > 1) args.push(`--seats=${perOrder}`);
  const r = await runProcess(process.execPath, args, { timeoutMs: 600 * 1000 });
  const line = r.stdout.trim().split('\n').pop();
  let j = null;
  try { j = JSON.parse(line); } catch { /* below */ }
  if (r.code !== 0 || !j || typeof j.per_second !== 'number') {
    throw new Error(`sellout.mjs exited ${r.code}: ${tail(r.stderr || r.stdout)}`);
  }
  return j;
}
