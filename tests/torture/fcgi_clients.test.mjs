// fcgi_clients.test.mjs — stalled and hostile FastCGI clients on the
// workers' own unix socket (a local process that can write to it), with
// more of them than there are workers: the site keeps answering.
//
// libfcgi reads a request's records inside FCGX_Accept_r with no timeout of
// its own; a client that announces a 1 GiB parameter name and then sends
// nothing used to hold a worker for ever, and two of them stopped the site.
// Each worker now gives a client --client-timeout seconds to send its whole
// request (and again to take its answer), then drops it with a log line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startStack } from '../lib/stack.mjs';
import { report } from './report.mjs';
import { childrenOf, sleep, timeout, waitFor } from './procs.mjs';

const WORKERS = 2;
const TIMEOUT = 2; // --client-timeout, seconds
// Long enough for anything but a worker held for ever.
const PATIENCE_MS = (TIMEOUT * 4 + 10) * 1000;

// ------------------------------------------------------------- the protocol

const BEGIN = 1, END = 3, PARAMS = 4, STDIN = 5, STDOUT = 6;

function record(type, content = Buffer.alloc(0), id = 1) {
  const head = Buffer.from([1, type, id >> 8, id & 255, content.length >> 8, content.length & 255, 0, 0]);
  return Buffer.concat([head, content]);
}
const begin = (flags = 0) => record(BEGIN, Buffer.from([0, 1, flags, 0, 0, 0, 0, 0]));
function length(n) {
  if (n < 128) return Buffer.from([n]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((n | 0x80000000) >>> 0);
  return b;
}
function params(obj) {
  return Buffer.concat(Object.entries(obj).map(([k, v]) =>
    Buffer.concat([length(Buffer.byteLength(k)), length(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)])));
}
function getRequest(path = '/', extra = {}) {
  return Buffer.concat([
    begin(),
    record(PARAMS, params({ REQUEST_METHOD: 'GET', DOCUMENT_URI: path, REQUEST_URI: path, QUERY_STRING: '',
      REMOTE_ADDR: '127.0.0.1', CONTENT_LENGTH: '0', ...extra })),
    record(PARAMS),
  ]);
}
// A params record whose first pair announces a name of `name` bytes, with
// the first bytes of it, and nothing more.
const hugeName = (name) => Buffer.concat([begin(),
  record(PARAMS, Buffer.concat([length(name), length(1), Buffer.from('abc')]))]);

// A connection to the workers' socket. closedBy: resolves with the ms from
// connecting to the worker closing it (or null when we closed first).
function client(sock, bytes, { end = false } = {}) {
  const s = connect(sock);
  const t0 = Date.now();
  const chunks = [];
  let ours = false;
  s.on('data', (d) => chunks.push(d));
  s.on('error', () => {});
  const closed = new Promise((r) => s.on('close', () => r(ours ? null : Date.now() - t0)));
  s.on('connect', () => { if (bytes.length) s.write(bytes); if (end) s.end(); });
  return {
    s, closed,
    data: () => Buffer.concat(chunks),
    destroy() { ours = true; s.destroy(); },
  };
}

// The STDOUT of a complete FastCGI answer, or null.
function stdoutOf(buf) {
  const out = [];
  for (let i = 0; i + 8 <= buf.length;) {
    const type = buf[i + 1], len = (buf[i + 4] << 8) | buf[i + 5], pad = buf[i + 6];
    if (type === STDOUT) out.push(buf.subarray(i + 8, i + 8 + len));
    if (type === END) return Buffer.concat(out).toString('latin1');
    i += 8 + len + pad;
  }
  return null;
}

// ------------------------------------------------------------------ the test

let stack;
const figures = { workers: WORKERS, client_timeout_s: TIMEOUT, hostile_clients: 0, slowest_answer_ms: 0 };
before(async () => { stack = await startStack({ workers: WORKERS, args: ['--client-timeout', TIMEOUT] }); });
after(async () => {
  figures.dropped_logged = stack ? (stack.fcgiLog.join('').match(/dropped a FastCGI client/g) || []).length : 0;
  report('fcgi_clients', figures);
  await stack?.stop();
});

// The site answers a page through nginx while the hostile clients are
// connected; returns the time it took.
async function siteAnswers(what) {
  const t0 = Date.now();
  const res = await fetch(stack.base + '/', { signal: AbortSignal.timeout(PATIENCE_MS) })
    .catch((e) => assert.fail(`${what}: the site did not answer within ${PATIENCE_MS} ms (${e.message})`));
  assert.equal(res.status, 200, what);
  await res.text();
  const ms = Date.now() - t0;
  figures.slowest_answer_ms = Math.max(figures.slowest_answer_ms, ms);
  return ms;
}

async function allDroppedByWorkers(clients, what) {
  const closes = await Promise.all(clients.map((c) =>
    Promise.race([c.closed, timeout(PATIENCE_MS, 'open')])));
  for (const c of clients) c.destroy();
  assert.ok(closes.every((ms) => typeof ms === 'number'),
    `${what}: every client was dropped by a worker (got ${closes.join(', ')})`);
  return Math.max(...closes);
}

test('more clients stalled in a params record than workers: the site still answers, each is dropped after the timeout', async () => {
  const n = WORKERS + 2;
  const stalled = Array.from({ length: n }, () => client(stack.sock, hugeName(1 << 30)));
  figures.hostile_clients += n;
  await sleep(300); // every worker now holds one
  await siteAnswers('with stalled clients');
  figures.stalled_dropped_after_ms = await allDroppedByWorkers(stalled, 'stalled params');
  // The worker logs as it drops the client; the line may reach us a
  // moment after the socket closed.
  const logged = () => (stack.fcgiLog.join('').match(/did not send a complete request within 2 s/g) || []).length;
  for (let i = 0; i < 50 && logged() < n; i++) await sleep(100);
  assert.ok(logged() >= n, `each stalled client is logged once:\n${stack.fcgiLog.join('')}`);
});

test('half a header, garbage, early closes, a stalled body, an answer never read: the site keeps answering', async () => {
  const garbage = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const kinds = {
    half_header: () => client(stack.sock, begin().subarray(0, 4)),
    silent: () => client(stack.sock, Buffer.alloc(0)),
    garbage: () => client(stack.sock, garbage),
    garbage_closed: () => client(stack.sock, garbage, { end: true }),
    closed_mid_params: () => client(stack.sock, hugeName(100000), { end: true }),
    // a whole request whose body never comes
    stalled_body: () => client(stack.sock, Buffer.concat([begin(),
      record(PARAMS, params({ REQUEST_METHOD: 'POST', DOCUMENT_URI: '/login', REQUEST_URI: '/login',
        QUERY_STRING: '', CONTENT_TYPE: 'application/x-www-form-urlencoded', CONTENT_LENGTH: '100' })),
      record(PARAMS), record(STDIN, Buffer.from('email=a'))])),
    // keeps its connection (FCGI_KEEP_CONN), asks again and again, reads nothing
    never_reads: () => {
      const one = Buffer.concat([record(BEGIN, Buffer.from([0, 1, 1, 0, 0, 0, 0, 0])),
        getRequest('/performances/1').subarray(16), record(STDIN)]);
      return client(stack.sock, Buffer.concat(Array(40).fill(one)));
    },
  };
  const open = [];
  for (const [kind, make] of Object.entries(kinds)) {
    for (let i = 0; i < WORKERS + 1; i++) open.push(make());
    figures.hostile_clients += WORKERS + 1;
    await siteAnswers(kind);
  }
  // A well-formed request straight to the socket is answered too.
  const good = client(stack.sock, Buffer.concat([getRequest('/'), record(STDIN)]));
  const done = await Promise.race([good.closed, timeout(PATIENCE_MS)]);
  assert.ok(done !== undefined, 'a well-formed FastCGI request is answered and closed');
  assert.match(stdoutOf(good.data()) || '', /^Status: 200 OK\r\n/);
  await allDroppedByWorkers(open.filter((c) => c.s.writable || !c.s.destroyed), 'hostile clients');
  await siteAnswers('after the hostile clients');
});

test('a params record announcing lengths near 2^31 (libfcgi aborts in Malloc): the worker is replaced', async () => {
  const before = childrenOf(stack.fcgi.pid);
  assert.equal(before.length, WORKERS);
  const bombs = Array.from({ length: WORKERS + 1 }, () => client(stack.sock, Buffer.concat([begin(),
    record(PARAMS, Buffer.concat([length(0x7ffffff0), length(0x7ffffff0), Buffer.from('abc')]))])));
  figures.hostile_clients += bombs.length;
  await allDroppedByWorkers(bombs, 'oversized lengths');
  await siteAnswers('after oversized lengths');
  const back = await waitFor(() => childrenOf(stack.fcgi.pid).length === WORKERS, PATIENCE_MS);
  assert.ok(back, `${WORKERS} workers again`);
  figures.workers_replaced = childrenOf(stack.fcgi.pid).filter((p) => !before.includes(p)).length;
});
