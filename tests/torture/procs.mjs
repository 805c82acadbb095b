// procs.mjs — processes of a running stack, for the torture tests: the
// children of a pid (the workers of a boxoffice.fcgi master, the workers of
// nginx), whether a pid is alive, and waiting for a condition.
import { readFileSync } from 'node:fs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The same, without keeping the process alive (for races against a limit).
export const timeout = (ms, value) => new Promise((r) => setTimeout(() => r(value), ms).unref());

// The pids of the direct children of pid ([] when it is gone).
export function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// Whether pid is a live process (a zombie counts as gone).
export function alive(pid) {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// Kills pid with signal, ignoring a process that is already gone.
export function kill(pid, signal = 'SIGKILL') {
  try { process.kill(pid, signal); return true; } catch { return false; }
}

// Resolves with the first truthy value of fn() (polled every `every` ms),
// or with null after ms.
export async function waitFor(fn, ms, every = 20) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return null;
    await sleep(every);
  }
}

// p50 and max of a list of numbers (null for an empty list).
export function p50max(xs) {
  if (xs.length === 0) return { p50: null, max: null };
  const s = [...xs].sort((a, b) => a - b);
  return { p50: s[Math.floor((s.length - 1) / 2)], max: s[s.length - 1] };
}
