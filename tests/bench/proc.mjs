// proc.mjs — what the benchmark reads from the machine around each row:
// CPU time of process trees (/proc), the load average and pressure stall,
// the work counters of build/bench-count.so (tests/bench/count.c).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism } from 'node:os';

let hz = 0;
// Clock ticks per second of the times in /proc/PID/stat.
function clockTicks() {
  if (!hz) {
    try { hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; }
    catch { hz = 100; }
  }
  return hz;
}

// The fields of /proc/PID/stat after "(comm)", numbered as in proc(5)
// minus 3 (state is [0], ppid [1], utime [11], stime [12], cutime [13],
// cstime [14]); null when the process is gone.
function statFields(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch { return null; }
}

// CPU seconds used so far by the processes PIDS and all their
// descendants. A reaped child's time has moved into its parent's cutime,
// so each process counts its own time and its reaped children's: a
// worker that died and was respawned during a row still counts.
export function treeCpuSeconds(pids) {
  const children = new Map();
  const fields = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(name);
    if (!f) continue;
    fields.set(Number(name), f);
    const ppid = Number(f[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  let ticks = 0;
  const seen = new Set();
  const walk = (pid) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    const f = fields.get(pid);
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    for (const c of children.get(pid) || []) walk(c);
  };
  for (const p of pids) if (p) walk(p);
  return ticks / clockTicks();
}

// CPU seconds of this process's reaped children (wrk, node, bench-commits
// once they have exited): the driver's CPU.
export function childCpuSeconds() {
  const f = statFields('self');
  return f ? (Number(f[13]) + Number(f[14])) / clockTicks() : 0;
}

// "0.52 0.61 0.70": the 1, 5 and 15 minute load averages.
export function loadAverage() {
  try { return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '); }
  catch { return '?'; }
}

// The share of the last 10 s in which some task waited for the CPU or the
// disk (Linux PSI), when the kernel tells: { cpu, io } in percent or null.
export function pressure() {
  const read = (what) => {
    try {
      const m = /^some avg10=([\d.]+)/m.exec(readFileSync(`/proc/pressure/${what}`, 'utf8'));
      return m ? Number(m[1]) : null;
    } catch { return null; }
  };
  return { cpu: read('cpu'), io: read('io') };
}

export function machine() {
  const c = cpus();
  return { cores: availableParallelism(), cpu: c.length ? c[0].model.trim() : 'unknown CPU' };
}

// The counters of tests/bench/count.c, in its file order.
export const WORK = ['statements', 'steps', 'vm_ops', 'pages', 'syncs'];
const SLOTS = 8;

// A counters file for build/bench-count.so: create() writes it empty,
// read() gives { statements, steps, vm_ops, pages, syncs }.
export class Counters {
  constructor(path) { this.path = path; }

  create() { writeFileSync(this.path, Buffer.alloc(SLOTS * 8)); }

  read() {
    const b = readFileSync(this.path);
    const out = {};
    WORK.forEach((k, i) => { out[k] = Number(b.readBigUInt64LE(i * 8)); });
    return out;
  }

  // The work between two reads, per unit (request, purchase, commit):
  // { statements, … } rounded to 2 decimals; null when nothing was counted.
  static per(before, after, units) {
    if (!before || !after || !(units > 0)) return null;
    const out = {};
    for (const k of WORK) out[k] = Math.round(((after[k] - before[k]) / units) * 100) / 100;
    return out;
  }
}
