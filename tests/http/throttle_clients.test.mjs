// throttle_clients.test.mjs — who counts as one client, in nginx and in
// the workers, over real HTTP:
//  - nginx's login limit (limit_req) keys an IPv6 client by its /64, as the
//    login throttle does: a host stepping through the addresses of its /64
//    is one client; IPv4 (and IPv4-mapped IPv6) stays keyed by the address;
//  - a malformed e-mail is answered at once (core/account.c; that no scrypt
//    work is done is proved in tests/unit/test_login.c, by memory);
//  - a client address that is not an IP address (nginx on a unix socket,
//    behind a local proxy, gives "unix:") is logged once per worker, with
//    what to configure, and the README's advice (set_real_ip_from unix:)
//    gives each client its own count again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';

import { startStack, Client, uniqueEmail } from '../lib/stack.mjs';

const PASSWORD = 'correct horse battery';
const FREE = 5; // core/login_throttle.h

// One API login; { status, body }. via: { port } or { socketPath }.
function apiLogin(via, email, password, headers = {}) {
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = request({
      ...(via.socketPath ? { socketPath: via.socketPath } : { host: '127.0.0.1', port: via.port }),
      method: 'POST', path: '/api/v1/sessions', agent: false,
      headers: { connection: 'close', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test("nginx's login limit counts an IPv6 client by its /64, IPv4 by its address", async () => {
  // The site's burst of 20 at one login a minute, behind the real_ip sample.
  const s = await startStack({ workers: 2, realIpFrom: '127.0.0.1', loginRate: '1r/m' });
  try {
    // A malformed e-mail: the workers answer 401 without counting, so a
    // 429 here can only be nginx's.
    const from = (client) => apiLogin(s, 'x', 'wrong', { 'x-forwarded-for': client });
    const burst = async (clients) => {
      const statuses = [];
      for (const c of clients) {
        const r = await from(c);
        if (r.status === 429) assert.match(r.body, /Too many logins from this address/);
        else assert.equal(r.status, 401, r.body);
        statuses.push(r.status);
      }
      return statuses;
    };
    const limited = (statuses) => statuses.filter((st) => st === 429).length;

    // 25 logins, each from another address of one /64: one client.
    const v6 = await burst(Array.from({ length: 25 }, (_, i) => `2001:db8:aa:1::${(i + 1).toString(16)}`));
    assert.ok(limited(v6) >= 3 && v6.at(-1) === 429, `one /64: ${v6}`);
    assert.equal((await from('2001:db8:aa:2::1')).status, 401, 'the next /64 is another client');

    // IPv4: the address.
    const v4 = await burst(Array.from({ length: 25 }, () => '203.0.113.5'));
    assert.ok(limited(v4) >= 3 && v4.at(-1) === 429, `one IPv4 address: ${v4}`);
    assert.equal((await from('203.0.113.6')).status, 401, 'the next IPv4 address is another client');

    // IPv4-mapped IPv6 is its IPv4 address, not ::ffff:0:0/64 shared by all.
    const mapped = await burst(Array.from({ length: 25 }, () => '::ffff:203.0.113.7'));
    assert.ok(limited(mapped) >= 3 && mapped.at(-1) === 429, `one mapped address: ${mapped}`);
    assert.equal((await from('::ffff:203.0.113.8')).status, 401, 'another mapped address is another client');
  } finally {
    await s.stop();
  }
});

test('a malformed e-mail is answered like a wrong password and counts nothing', async () => {
  const s = await startStack({ workers: 1 });
  try {
    for (const email of ['x', '', 'no at sign', 'a@b']) {
      const r = await apiLogin(s, email, 'wrong password');
      assert.equal(r.status, 401, email);
      assert.equal(JSON.parse(r.body).error.code, 'invalid_credentials');
    }
    assert.equal(s.sql('SELECT count(*) FROM login_attempt'), '0');
  } finally {
    await s.stop();
  }
});

test('clients on a unix socket: logged once per worker, and set_real_ip_from unix: separates them', async () => {
  // Two more servers of the same nginx, each on a unix socket as behind a
  // local proxy: one as is (every client is "unix:"), one with the
  // README's real_ip lines for that case.
  const s = await startStack({
    workers: 1,
    extraConf: ({ dir, sock }) => `
      server {
        listen unix:${join(dir, 'plain.sock')};
        location / { include /etc/nginx/fastcgi_params; fastcgi_pass unix:${sock}; }
      }
      server {
        listen unix:${join(dir, 'realip.sock')};
        set_real_ip_from unix:;
        real_ip_header X-Forwarded-For;
        location / { include /etc/nginx/fastcgi_params; fastcgi_pass unix:${sock}; }
      }`,
  });
  try {
    const email = uniqueEmail('unix');
    assert.equal((await new Client(s.base).signup(email)).status, 303);
    const plain = { socketPath: join(s.dir, 'plain.sock') };
    const realip = { socketPath: join(s.dir, 'realip.sock') };
    const warnings = () => s.fcgiLog.join('').split('\n').filter((l) => l.includes('is not an IP address'));

    // Five wrong guesses by "someone" through the plain socket: everyone
    // there is that someone, the owner too.
    for (let i = 0; i < FREE; i++)
      assert.equal((await apiLogin(plain, email, `wrong ${i}`)).status, 401);
    assert.equal((await apiLogin(plain, email, PASSWORD)).status, 429);
    // The worker said so once, with what to configure.
    await new Promise((r) => setTimeout(r, 100)); // stderr is a pipe: let it drain
    assert.equal(warnings().length, 1, s.fcgiLog.join(''));
    assert.match(warnings()[0], /REMOTE_ADDR "unix:" is not an IP address.*set_real_ip_from unix:/);

    // With set_real_ip_from unix: each client is itself again.
    for (let i = 0; i < FREE; i++)
      assert.equal((await apiLogin(realip, email, `wrong ${i}`, { 'x-forwarded-for': '198.51.100.20' })).status, 401);
    assert.equal((await apiLogin(realip, email, PASSWORD, { 'x-forwarded-for': '198.51.100.20' })).status, 429);
    assert.equal((await apiLogin(realip, email, PASSWORD, { 'x-forwarded-for': '198.51.100.21' })).status, 201);
    assert.equal(warnings().length, 1, 'once per worker, not per request');
  } finally {
    await s.stop();
  }
});
