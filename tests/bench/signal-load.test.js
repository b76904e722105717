'use strict';
// Keeps the signaling load bench (bench/signal-load.js) from rotting: a small run (200 sockets)
// must print every figure, finite, with every socket held. No timing is asserted: the figures are
// the bench's business.
const path = require('path');
const { spawnSync } = require('child_process');

test('bench/signal-load.js runs small and prints every figure', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, '../../bench/signal-load.js'),
    '--sockets', '200', '--relays', '100', '--round-trips', '20'], { encoding: 'utf8', timeout: 120000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = r.stdout;
  expect(out).toMatch(/sockets held: 200 \(of 200\)/);
  for (const re of [/join rate: \d+ sockets\/s/, /relay rate: \d+ relays\/s/, /with all held .*p50 [\d.]+ ms, p99 [\d.]+ ms/,
    /per 1,000 sockets: [\d.]+ MiB RSS/, /cross-process relay latency: p50 [\d.]+ ms, p99 [\d.]+ ms/,
    /same-process relay latency, same run: p50 [\d.]+ ms/, /idle server: p50 [\d.]+ ms/, /never read .*: p50 [\d.]+ ms, p99 [\d.]+ ms/]) {
    expect(out).toMatch(re);
  }
  expect(out).not.toMatch(/NaN|Infinity|undefined/);
});
