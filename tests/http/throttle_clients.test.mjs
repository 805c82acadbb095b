// throttle_clients.test.mjs — who counts as one client, in nginx and in
// the workers, over real HTTP:
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
