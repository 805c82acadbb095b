// sellout.mjs — the sell-out driver of tests/bench/bench.mjs (node 20).
//
//   node tests/bench/sellout.mjs BASE_URL PERFORMANCE FIRST_SEAT BUYERS_FILE
//        [CONCURRENCY] [--dry] [--seats=N]
//
// Buyer i of BUYERS_FILE (lines SESSION_TOKEN CSRF_TOKEN QUEUE_TOKEN from
// `boxoffice-admin loadtest-buyers`, admitted and with money) buys seat
// FIRST_SEAT + i as a browser does: POST /performances/P/holds (seat,
// csrf; 303 to /holds/H), then POST /holds/H/pay (csrf; 303 to
// /holds/H). CONCURRENCY lanes (default 64), each with its own
// kept-alive connection, take the next buyer as soon as theirs is done. A
// purchase counts when both answers are those 303s; its latency runs from
// the hold's request to the payment's answer. A 5xx answer or a broken
// connection is retried (at most 3 times, counted): nothing was changed.
//
// The HTTP/1.1 client is a few lines over node:net, not fetch or
// node:http: on this 2-core machine the driver shares the CPU with nginx
// and the workers, and fetch (undici) costs about 5 times, node:http about
// 3 times, the CPU per request of this client (measured with --dry).
//
// --dry sends the same requests to the hello baseline (which answers 200
// to anything), going through the buyers 5 times (a longer run, the JIT
// warm): the purchases per second this driver, nginx and FastCGI can carry
// on this machine with no application at all.
//
// --seats=N (N > 1): each buyer buys an order of N seats instead, seats
// FIRST_SEAT + i*N … + N-1, as the seat map's bar does: POST
// /performances/P/holds with N seat fields (303 to /orders/O), then POST
// /orders/O/pay (303 to /orders/O). A purchase is then an
// order of N seats, held together and paid once.
//
// Prints one JSON line: purchases, failures by kind, retries, seconds,
// per_second, p50_ms, p99_ms, max_ms, driver_cpu (cores busy in this
// node process over the run).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const dry = args.includes('--dry');
const seatsArg = args.find((a) => a.startsWith('--seats='));
const perOrder = seatsArg ? Number(seatsArg.slice(8)) : 1;
const [base, perf, firstSeat, file, conc = '64'] = args.filter((a) => !a.startsWith('--'));
if (!base || !perf || !firstSeat || !file) {
  console.error('usage: sellout.mjs BASE_URL PERFORMANCE FIRST_SEAT BUYERS_FILE [CONCURRENCY] [--dry]');
  process.exit(2);
}
const url = new URL(base);
const buyers = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
const total = buyers.length * (dry ? 5 : 1);
const concurrency = Math.min(Number(conc), total);
const failures = {};
let retries = 0;

// One kept-alive connection that sends a request and parses its answer
// (status, Location; the body by Content-Length or chunked, then dropped).
class Conn {
  constructor() { this.sock = null; this.buf = ''; this.waiter = null; }

  open() {
    this.sock = connect({ host: url.hostname, port: Number(url.port) || 80 });
    this.sock.setNoDelay(true);
    this.sock.setEncoding('latin1'); // one char per byte: lengths stay right
    this.sock.on('data', (d) => { this.buf += d; this.parse(); });
    const fail = (e) => {
      this.sock = null;
      if (this.waiter) { const w = this.waiter; this.waiter = null; w.reject(e || new Error('closed')); }
    };
    this.sock.on('error', fail);
    this.sock.on('close', () => fail());
  }

  request(text) {
    if (!this.sock) this.open();
    this.buf = '';
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.sock.write(text, 'latin1');
    });
  }

  parse() {
    const head = this.buf.indexOf('\r\n\r\n');
    if (head < 0 || !this.waiter) return;
    const lines = this.buf.slice(0, head).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    let length = -1, chunked = false, location = '', close = false;
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i].indexOf(':');
      const name = lines[i].slice(0, c).toLowerCase();
      const value = lines[i].slice(c + 1).trim();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = /chunked/i.test(value);
      else if (name === 'location') location = value;
      else if (name === 'connection') close = /close/i.test(value);
    }
    let end = head + 4;
    if (chunked) {
      for (;;) { // size line, data, CRLF; a 0 size ends (no trailers sent)
        const eol = this.buf.indexOf('\r\n', end);
        if (eol < 0) return;
        const size = parseInt(this.buf.slice(end, eol), 16);
        if (size === 0) {
          if (this.buf.length < eol + 4) return;
          end = eol + 4;
          break;
        }
        if (this.buf.length < eol + 2 + size + 2) return;
        end = eol + 2 + size + 2;
      }
    } else if (length >= 0) {
      if (this.buf.length < end + length) return;
      end += length;
    }
    this.buf = this.buf.slice(end);
    const w = this.waiter;
    this.waiter = null;
    if (close) { this.sock.removeAllListeners('close'); this.sock.destroy(); this.sock = null; }
    w.resolve([status, location]);
  }
}

function form(path, session, body) {
  return `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nCookie: bo_s=${session}\r\n` +
    'Content-Type: application/x-www-form-urlencoded\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

// POSTs a form; answers [status, location], retrying 5xx and broken
// connections.
async function post(conn, path, session, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      const [status, location] = await conn.request(form(path, session, body));
      if (status >= 500 && attempt < 3) { retries++; continue; }
      return [status, location];
    } catch (e) {
      if (attempt >= 3) return [0, String(e.code || e.message)];
      retries++;
    }
  }
}

function failed(kind) {
  failures[kind] = (failures[kind] || 0) + 1;
}

const latencies = [];
let next = 0;

// An order of perOrder seats: held together, paid once.
async function buyOrder(conn, i) {
  const [session, csrf] = buyers[i % buyers.length];
  const first = Number(firstSeat) + (i % buyers.length) * perOrder;
  const seats = Array.from({ length: perOrder }, (_, k) => `seat=${first + k}`).join('&');
  const t0 = performance.now();
  const [hs, hloc] = await post(conn, `/performances/${perf}/holds`, session,
    `${seats}&csrf=${encodeURIComponent(csrf)}`);
  let order;
  if (dry && hs === 200) order = '1';
  else if (hs === 303 && /^\/orders\/\d+$/.test(hloc)) order = hloc.slice(8);
  else return failed(`hold ${hs}${hloc ? ' ' + hloc.replace(/\?.*/, '') : ''}`);
  const [ps, ploc] = await post(conn, `/orders/${order}/pay`, session,
    `csrf=${encodeURIComponent(csrf)}`);
  if (!(dry ? ps === 200 : ps === 303 && ploc === `/orders/${order}`))
    return failed(`pay ${ps}${ploc ? ' ' + ploc.replace(/\?.*/, '') : ''}`);
  latencies.push(performance.now() - t0);
}

async function buy(conn, i) {
  if (perOrder > 1) return buyOrder(conn, i);
  const [session, csrf] = buyers[i % buyers.length];
  const seat = Number(firstSeat) + (i % buyers.length);
  const t0 = performance.now();
  const [hs, hloc] = await post(conn, `/performances/${perf}/holds`, session,
    `seat=${seat}&csrf=${encodeURIComponent(csrf)}`);
  let hold;
  if (dry && hs === 200) hold = '1';
  else if (hs === 303 && /^\/holds\/\d+$/.test(hloc)) hold = hloc.slice(7);
  else return failed(`hold ${hs}${hloc ? ' ' + hloc.replace(/\?.*/, '') : ''}`);
  const [ps, ploc] = await post(conn, `/holds/${hold}/pay`, session,
    `csrf=${encodeURIComponent(csrf)}`);
  if (!(dry ? ps === 200 : ps === 303 && ploc === `/holds/${hold}`))
    return failed(`pay ${ps}${ploc ? ' ' + ploc.replace(/\?.*/, '') : ''}`);
  latencies.push(performance.now() - t0);
}

async function lane() {
  const conn = new Conn();
  while (next < total) await buy(conn, next++);
  if (conn.sock) conn.sock.destroy();
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, lane));
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);

latencies.sort((a, b) => a - b);
const pct = (p) => latencies.length ?
  latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] : 0;
console.log(JSON.stringify({
  purchases: latencies.length,
  buyers: total,
  failures,
  retries,
  seconds: +seconds.toFixed(3),
  per_second: Math.round(latencies.length / seconds),
  p50_ms: +pct(0.5).toFixed(2),
  p99_ms: +pct(0.99).toFixed(2),
  max_ms: +pct(1).toFixed(2),
  driver_cpu: +((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2),
}));
