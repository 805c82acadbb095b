// waiting.mjs — how many waiting buyers one machine holds, from the rate
// it serves the public queue state at and the waiting room's interval
// policy; the arithmetic written out for the report. No I/O.
//
// The policy is core/queue.c queue_poll_after_ms(ahead): a buyer with
// `ahead` places before them polls every `ms`. Kept here as data (the
// bench cannot call C); bench-check compares it with what the site says.
export const POLL_POLICY = [
  { below: 20, ms: 1000 },
  { below: 100, ms: 2000 },
  { below: 1000, ms: 5000 },
  { below: 10000, ms: 15000 },
  { below: Infinity, ms: 30000 },
];

// Polls per second of a line of n waiting buyers: each band of places
// polls at its own interval.
export function pollRate(n, policy = POLL_POLICY) {
  let rate = 0, from = 0;
  for (const band of policy) {
    const inBand = Math.max(0, Math.min(n, band.below) - from);
    rate += inBand * 1000 / band.ms;
    from = band.below;
  }
  return rate;
}

// The longest line a rate of `rps` polls per second serves: the bands
// near the front first (they are always full in a long line), then the
// far back at its interval. Answers { buyers, lines } (lines: the
// arithmetic, one step a line).
export function buyersHeld(rps, policy = POLL_POLICY) {
  let left = rps, from = 0, buyers = 0;
  const lines = [];
  for (const band of policy) {
    const size = band.below - from;
    const perSecond = size * 1000 / band.ms;
    if (left >= perSecond && Number.isFinite(size)) {
      lines.push(`places ${(from + 1).toLocaleString('en-US')}–${band.below.toLocaleString('en-US')}: ${size.toLocaleString('en-US')} buyers ` +
        `every ${band.ms / 1000} s = ${fmt(perSecond)} polls/s`);
      left -= perSecond;
      buyers += size;
    } else {
      const n = Math.floor(left * band.ms / 1000);
      lines.push(`the rest, ${fmt(left)} polls/s, every ${band.ms / 1000} s: ${n.toLocaleString('en-US')} buyers ` +
        `from place ${(from + 1).toLocaleString('en-US')}`);
      buyers += n;
      break;
    }
    from = band.below;
  }
  return { buyers, lines };
}

const fmt = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

// The poll rate a line of `buyers` needs (the goal's side of the sum).
export function rateNeeded(buyers, policy = POLL_POLICY) {
  return pollRate(buyers, policy);
}
