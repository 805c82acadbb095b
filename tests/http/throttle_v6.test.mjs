// review_throttle_v6.test.mjs — one IPv6 subscriber is not a distributed
// attack. A home connection gets a /56 (256 /64 networks), many hosts a
// /48; the throttle keys each /64 apart, so one such client reaches the
// per-account ceiling (100 failures in 15 minutes) alone and closes the
// account to its owner at home. README promises that only "a dozen or more
// [addresses] guessing at full speed, a distributed attack" can.
// (Review finding; fails on main.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startStack, Client, uniqueEmail } from '../lib/stack.mjs';

function apiLogin(s, email, password, client) {
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/api/v1/sessions', agent: false,
      headers: { connection: 'close', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': client } },
    (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

test('one IPv6 /56 cannot lock the owner out at home', async () => {
  const s = await startStack({ workers: 3, realIpFrom: '127.0.0.1' });
  try {
    const email = uniqueEmail('v6owner');
    assert.equal((await new Client(s.base).signup(email)).status, 303);
    // 20 of the 256 /64s of 2001:db8:0:100::/56, five free guesses each.
    for (let net = 0; net < 20; net += 4)
      await Promise.all([0, 1, 2, 3].map(async (j) => {
        for (let i = 0; i < 5; i++)
          assert.equal(await apiLogin(s, email, `wrong ${i}`, `2001:db8:0:1${(net + j).toString(16).padStart(2, '0')}::${i + 1}`), 401);
      }));
    assert.equal(await apiLogin(s, email, 'correct horse battery', '198.51.100.1'), 201,
      'the owner, at home, logs in');
  } finally {
    await s.stop();
  }
});
