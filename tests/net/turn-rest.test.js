'use strict';
// Time-limited TURN credentials (js/turn.js, coturn's REST scheme): coturn configured with
// use-auth-secret and a shared secret allocates for a fresh pair, refuses an expired one and one
// made with another secret. Checked with coturn's own client (turnutils_uclient relays a few
// packets through the allocation), no browser needed.
const { execFile } = require('child_process');
const { startCoturn } = require('./coturn');
const { turnCredentials } = require('../../js/turn');

const SECRET = 'shared-with-coturn';
let turn;
beforeAll(async () => { turn = await startCoturn({ secret: SECRET }); });
afterAll(async () => { if (turn) await turn.close(); });

/** turnutils_uclient: 5 packets to itself through an allocation on coturn; exit code and output. */
function uclient({ username, credential }) {
  const args = ['-y', '-n', '5', '-m', '1', '-l', '100', '-u', username, '-w', credential, '-p', String(turn.port), '127.0.0.1'];
  return new Promise((resolve) => {
    execFile('turnutils_uclient', args, { timeout: 30000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

test('turnCredentials: username "EXPIRY:user", credential base64(HMAC-SHA1(secret, username))', () => {
  // the vector from openssl: printf '1000:u' | openssl dgst -sha1 -hmac s -binary | base64
  expect(turnCredentials({ secret: 's', user: 'u', ttlSeconds: 1000, now: 0 }))
    .toEqual({ username: '1000:u', credential: 'yvGxFK1YDZHT5zcUfUOfBiKvyp0=', expires: 1000 });
  expect(turnCredentials({ secret: 's', ttlSeconds: 60, now: 5000 }).username).toBe('65');
  expect(() => turnCredentials({ secret: '' })).toThrow(/secret/);
  expect(() => turnCredentials({ secret: 's', user: 'a:b' })).toThrow(/":"/);
});

test('coturn allocates for a fresh pair and refuses an expired or foreign one', async () => {
  const fresh = await uclient(turnCredentials({ secret: SECRET, user: 'player42', ttlSeconds: 600 }));
  expect(fresh.code).toBe(0);
  expect(fresh.out).toMatch(/Total lost packets 0 /);
  const expired = turnCredentials({ secret: SECRET, user: 'late', ttlSeconds: 600, now: Date.now() - 3600 * 1000 });
  const late = await uclient(expired);
  expect(late.code).not.toBe(0);
  expect(late.out).toMatch(/Cannot complete Allocation/);
  expect(turn.log).toContain(`user <${expired.username}>: incoming packet message processed, error 401: Unauthorized`);
  const foreign = await uclient(turnCredentials({ secret: 'another-secret', user: 'intruder' }));
  expect(foreign.code).not.toBe(0);
  expect(turn.log).toMatch(/user <\d+:player42>: incoming packet ALLOCATE processed, success/);
  expect(turn.log).not.toMatch(/user <\d+:intruder>: incoming packet ALLOCATE processed, success/);
});
