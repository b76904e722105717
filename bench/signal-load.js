#!/usr/bin/env node
'use strict';
/**
 * Load figures of the signaling server (js/signal-server.js), on loopback only, bounded in count
 * and time. Not a test: it prints figures.
 *
 *   npm run bench:signal [-- --sockets N] [-- --relays N] [-- --round-trips N] [-- --quick]
 *
 * 1. One process: N sockets (default 10000) connect and join lobbies of two; the server (its own
 *    process, file-descriptor limit raised to the hard limit) reports its memory, so memory per
 *    1,000 sockets is measured; join-and-relay rate; p50/p99 relay latency with all N held.
 * 2. Two processes sharing lobbies through a real redis-server: the same with each pair split
 *    across the processes (cross-process relay latency).
 * 3. A well-behaved pair's round trip while other sockets (in another process) flood just under
 *    the rate limit or never read, side by side with the same pair on an idle server.
 *
 * Clients run in this process (its descriptor limit raised the same way). Every phase has a
 * deadline; a phase that misses it reports what it reached.
 */
const { fork, spawnSync, spawn } = require('child_process');
const path = require('path');
const { WebSocket } = require('ws');

const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const QUICK = args.includes('--quick');
const SOCKETS = flag('sockets', QUICK ? 1000 : 10000);
const RELAYS = flag('relays', QUICK ? 500 : 2000);
const ROUND_TRIPS = flag('round-trips', QUICK ? 50 : 200);
const PHASE_MS = 120000;

// ---- raise the descriptor limit: re-run under bash with `ulimit -n <hard>` ----
if (!process.env.EMRTC_BENCH_ULIMIT) {
  const r = spawnSync('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, __filename, ...args],
    { stdio: 'inherit', env: { ...process.env, EMRTC_BENCH_ULIMIT: '1' } });
  process.exit(r.status === null ? 1 : r.status);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (v) => `${v.toFixed(2)} ms`;

/** Starts a server in its own process (fork of this file with --server); resolves its handle. */
function startServer(options) {
  const child = fork(__filename, ['--server'], { env: { ...process.env }, execArgv: ['--expose-gc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => {
      if (m.error) reject(new Error(m.error));
      else {
        resolve({
          url: m.url,
          child,
          memory: () => new Promise((r) => { child.once('message', r); child.send({ cmd: 'memory' }); }),
          stop: () => new Promise((r) => { child.once('exit', r); child.send({ cmd: 'stop' }); }),
        });
      }
    });
    child.send({ cmd: 'start', options });
  });
}

if (args[0] === '--server') {
  const { createSignalServer } = require('../js/signal-server');
  let server;
  process.on('message', async (m) => {
    if (m.cmd === 'start') {
      try {
        server = await createSignalServer({ logger: () => {}, ...m.options });
        process.send({ url: server.url });
      } catch (err) {
        process.send({ error: err.message });
      }
    } else if (m.cmd === 'memory') {
      global.gc();
      const { rss, heapUsed } = process.memoryUsage();
      process.send({ rss, heapUsed, stats: server.stats() });
    } else if (m.cmd === 'stop') {
      await server.close();
      process.exit(0);
    }
  });
  return;
}

/** A client: parsed messages go to `onMessage`. */
function client(url, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', (raw) => onMessage(JSON.parse(raw.toString())));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Connects and joins lobby `name` ('' creates one); resolves {ws, id, lobby, inbox}. */
async function joiner(url, name) {
  const inbox = [];
  let done;
  const joined = new Promise((r) => { done = r; });
  let id = 0;
  const c = { inbox, handlers: [] };
  c.ws = await client(url, (m) => {
    if (m.type === 1) id = m.id;
    if (m.type === 0) done(m.data);
    for (const h of c.handlers) h(m);
  });
  c.ws.send(JSON.stringify({ type: 0, id: 0, data: name }));
  c.lobby = await joined;
  c.id = id;
  return c;
}

/** Makes `pairs` lobbies of two (host on urls[0], joiner on urls[1]), `concurrency` at a time. */
async function makePairs(urls, pairs, deadline, concurrency = 200) {
  const out = [];
  let next = 0;
  async function worker() {
    while (next < pairs && Date.now() < deadline) {
      next++;
      const host = await joiner(urls[0], '');
      const guest = await joiner(urls[1], host.lobby);
      out.push([host, guest]);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Relays `count` OFFERs host->guest over `pairs` (spread, `inflight` at a time); latencies in ms. */
let runs = 0;
async function relayLatency(pairs, count, inflight = 50) {
  const lat = [];
  const tag = `T${++runs}:`;
  let sent = 0;
  const handlers = [];
  await new Promise((resolve) => {
    const onReply = (t0) => {
      lat.push(performance.now() - t0);
      if (lat.length === count) resolve();
      else if (sent < count) sendOne();
    };
    for (const [, guest] of pairs) {
      const h = (m) => { if (m.type === 4 && m.data.startsWith(tag)) onReply(Number(m.data.slice(tag.length))); };
      guest.handlers.push(h);
      handlers.push([guest, h]);
    }
    function sendOne() {
      const [host, guest] = pairs[sent % pairs.length];
      sent++;
      host.ws.send(JSON.stringify({ type: 4, id: guest.id, data: `${tag}${performance.now()}` }));
    }
    for (let i = 0; i < Math.min(inflight, count); i++) sendOne();
  });
  for (const [guest, h] of handlers) guest.handlers.splice(guest.handlers.indexOf(h), 1);
  return lat.sort((a, b) => a - b);
}

/** Round trips (guest echoes as ANSWER) of one pair, one at a time, `count` of them. */
async function roundTrips(host, guest, count) {
  guest.handlers.push((m) => { if (m.type === 4) guest.ws.send(JSON.stringify({ type: 5, id: 1, data: m.data })); });
  const lat = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await new Promise((resolve) => {
      const h = (m) => { if (m.type === 5) { host.handlers.splice(host.handlers.indexOf(h), 1); resolve(); } };
      host.handlers.push(h);
      host.ws.send(JSON.stringify({ type: 4, id: guest.id, data: `rt${i}` }));
    });
    lat.push(performance.now() - t0);
    await sleep(5);
  }
  return lat.sort((a, b) => a - b);
}

const closeAll = (pairs) => pairs.flat().forEach((c) => c.ws.terminate());

async function oneProcess() {
  const server = await startServer({ maxPeers: SOCKETS + 1000, maxLobbies: SOCKETS, noLobbyTimeoutMs: 0, pingIntervalMs: 0,
    messagesPerSecond: 0 });
  const before = await server.memory();
  const t0 = performance.now();
  const pairs = await makePairs([server.url, server.url], SOCKETS / 2, Date.now() + PHASE_MS);
  const joinSecs = (performance.now() - t0) / 1000;
  const after = await server.memory();
  const held = after.stats.peers;
  const lat = await relayLatency(pairs, RELAYS);
  const tr = performance.now();
  const burst = await relayLatency(pairs, RELAYS * 5, 500);
  const relayRate = (RELAYS * 5) / ((performance.now() - tr) / 1000);
  closeAll(pairs);
  await server.stop();
  return {
    held,
    joinRate: (pairs.length * 2) / joinSecs,
    relayRate,
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    burstP99: quantile(burst, 0.99),
    rssPer1000: ((after.rss - before.rss) / held) * 1000,
    heapPer1000: ((after.heapUsed - before.heapUsed) / held) * 1000,
  };
}

async function startRedis() {
  const { startRedis: start } = require('../tests/node/redis-server');
  return start();
}

async function twoProcesses() {
  const redis = await startRedis();
  const common = { redis: redis.url, redisPrefix: `bench${Date.now()}:`, maxPeers: SOCKETS, maxLobbies: SOCKETS,
    noLobbyTimeoutMs: 0, pingIntervalMs: 0, messagesPerSecond: 0 };
  const s1 = await startServer(common);
  const s2 = await startServer(common);
  const n = Math.min(SOCKETS, 4000); // two server processes and the clients share this machine
  const t0 = performance.now();
  const pairs = await makePairs([s1.url, s2.url], n / 2, Date.now() + PHASE_MS, 100);
  const joinSecs = (performance.now() - t0) / 1000;
  const lat = await relayLatency(pairs, RELAYS);
  // the same relays inside one process, side by side: host and guest on s1
  const local = await makePairs([s1.url, s1.url], Math.min(50, n / 2), Date.now() + PHASE_MS, 50);
  const latLocal = await relayLatency(local, RELAYS);
  closeAll(pairs);
  closeAll(local);
  await s1.stop();
  await s2.stop();
  await redis.stop();
  return {
    sockets: pairs.length * 2,
    joinRate: (pairs.length * 2) / joinSecs,
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    localP50: quantile(latLocal, 0.5),
    localP99: quantile(latLocal, 0.99),
  };
}

const FLOODERS = 100; // pairs: 200 sockets
const NEVER_READ = 20;

/** In a child process (--flood URL): 200 sockets relaying candidates at ~90 messages/s each (under
 *  the rate limit of 100/s), and 20 sockets that never read while their peers send them 60 KB
 *  offers every round (until the server drops them). */
async function flood(url) {
  const deadline = Date.now() + PHASE_MS;
  const flooders = await makePairs([url, url], FLOODERS, deadline, 50);
  const readers = await makePairs([url, url], NEVER_READ, deadline, 50);
  for (const [, g] of readers) g.ws._socket.pause(); // never reads again
  const blob = 'x'.repeat(60000);
  const cand = '\n0\n0\ncandidate:1 1 udp 1 10.0.0.1 9 typ host';
  let stop = false;
  let sent = 0;
  let bytes = 0;
  process.on('message', (m) => { if (m.cmd === 'stop') stop = true; });
  process.send({ ready: true });
  while (!stop) {
    for (const [a, b] of flooders) {
      a.ws.send(JSON.stringify({ type: 6, id: b.id, data: cand }));
      b.ws.send(JSON.stringify({ type: 6, id: 1, data: cand }));
      sent += 2;
    }
    for (const [r, g] of readers) {
      if (r.ws.readyState !== 1) continue;
      r.ws.send(JSON.stringify({ type: 4, id: g.id, data: blob }));
      bytes += blob.length;
    }
    await sleep(11);
  }
  process.send({ sent, bytes });
  process.exit(0);
}

if (args[0] === '--flood') {
  flood(args[1]);
  return;
}

async function hostile() {
  const server = await startServer({ noLobbyTimeoutMs: 0, pingIntervalMs: 0 }); // default limits
  const [[host, guest]] = await makePairs([server.url, server.url], 1, Date.now() + PHASE_MS, 1);
  const count = ROUND_TRIPS;
  const idle = await roundTrips(host, guest, count);
  const flooder = fork(__filename, ['--flood', server.url], { env: { ...process.env } });
  await new Promise((r) => flooder.once('message', r)); // ready
  await sleep(300);
  const t0 = performance.now();
  const loaded = await roundTrips(host, guest, count);
  const secs = (performance.now() - t0) / 1000;
  const done = new Promise((r) => flooder.once('message', r));
  flooder.send({ cmd: 'stop' });
  const { sent, bytes } = await done;
  const mem = await server.memory();
  closeAll([[host, guest]]);
  await server.stop();
  return { idle, loaded, refusals: mem.stats.refusals, rss: mem.rss, floodRate: sent / (secs + 0.3), blobRate: bytes / (secs + 0.3) };
}

(async () => {
  const hard = spawnSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  console.log(`emrtc signaling load bench: ${SOCKETS} sockets, ${RELAYS} timed relays, descriptor limit ${hard}, `
    + `node ${process.version}, ${require('os').cpus().length} cores`);
  const one = await oneProcess();
  console.log('\n1. one process');
  console.log(`   sockets held: ${one.held} (of ${SOCKETS})`);
  console.log(`   join rate: ${one.joinRate.toFixed(0)} sockets/s (connect + JOIN, lobbies of two)`);
  console.log(`   relay rate: ${one.relayRate.toFixed(0)} relays/s (500 in flight); p99 under it ${ms(one.burstP99)}`);
  console.log(`   relay latency with all held (50 in flight): p50 ${ms(one.p50)}, p99 ${ms(one.p99)}`);
  console.log(`   server memory per 1,000 sockets: ${(one.rssPer1000 / 2 ** 20).toFixed(1)} MiB RSS, `
    + `${(one.heapPer1000 / 2 ** 20).toFixed(1)} MiB JS heap`);
  const two = await twoProcesses();
  console.log('\n2. two processes on Redis (each lobby split across them)');
  console.log(`   sockets: ${two.sockets}; join rate: ${two.joinRate.toFixed(0)} sockets/s`);
  console.log(`   cross-process relay latency: p50 ${ms(two.p50)}, p99 ${ms(two.p99)}`);
  console.log(`   same-process relay latency, same run: p50 ${ms(two.localP50)}, p99 ${ms(two.localP99)}`);
  const h = await hostile();
  console.log('\n3. a well-behaved pair\'s round trip (OFFER -> ANSWER echo)');
  console.log(`   idle server: p50 ${ms(quantile(h.idle, 0.5))}, p99 ${ms(quantile(h.idle, 0.99))}`);
  console.log(`   while ${FLOODERS * 2} sockets (another process) relay ${h.floodRate.toFixed(0)} msg/s in all `
    + `and ${NEVER_READ} never read (${(h.blobRate / 2 ** 20).toFixed(0)} MiB/s sent to them): `
    + `p50 ${ms(quantile(h.loaded, 0.5))}, `
    + `p99 ${ms(quantile(h.loaded, 0.99))} (p50 ratio ${(quantile(h.loaded, 0.5) / quantile(h.idle, 0.5)).toFixed(1)}x)`);
  console.log(`   refusals: ${JSON.stringify(h.refusals)}; server RSS after: ${(h.rss / 2 ** 20).toFixed(0)} MiB`);
  process.exit(0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
