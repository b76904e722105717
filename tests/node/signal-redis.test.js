'use strict';
// Several signaling server processes sharing lobbies through a real redis-server (started here on
// a free port, stopped by PID): joins, relays, visibility, atomic join and seal across processes,
// a process killed mid-game, Redis restarted, TTLs. Two servers in this process stand for two
// machines (each has its own Redis connections and node id); the kill test runs emrtc-signal
// processes.
const Redis = require('ioredis');
const { createSignalServer } = require('../../js/signal-server');
const { TestClient, sleep, poll, withTimeout } = require('./signal-client');
const { startRedis } = require('./redis-server');
const { startCli } = require('./cli');

const JOIN = 0; const ID = 1; const PEER_CONNECT = 2; const PEER_DISCONNECT = 3;
const OFFER = 4; const ANSWER = 5; const CANDIDATE = 6; const SEAL = 7;

let redis;
let cleanup;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { if (redis) await redis.stop(); });
beforeEach(() => { cleanup = []; });
afterEach(async () => { for (const f of cleanup.reverse()) await f(); });

async function server(options = {}) {
  const s = await createSignalServer({ redis: redis.url, redisPrefix: `t${Math.random().toString(36).slice(2, 8)}:`,
    logger: () => {}, pingIntervalMs: 0, redisNodeTtlMs: 1000, ...options });
  cleanup.push(() => s.close());
  return s;
}

/** Two servers sharing one key prefix (one deployment); node TTL 3 s so that a loaded machine's
 *  late heartbeat does not look like a dead process. */
async function twoServers(options = {}) {
  const prefix = `t${Math.random().toString(36).slice(2, 8)}:`;
  const opts = { redisPrefix: prefix, redisNodeTtlMs: 3000, ...options };
  return [await server(opts), await server(opts)];
}

async function open(url) {
  const c = await TestClient.open(url);
  cleanup.push(() => c.terminate());
  return c;
}

/** Connects to `url`, joins `lobby` and returns {c, msgs, id, lobby} (messages up to JOIN). */
async function join(url, lobby = '', mode = 0) {
  const c = await open(url);
  c.send(JOIN, mode, lobby);
  const msgs = [];
  do msgs.push(await c.next()); while (msgs[msgs.length - 1].type !== JOIN && msgs[0].type === ID);
  return { c, msgs, id: msgs[0].id, lobby: msgs[msgs.length - 1].data };
}

// first: a failed start leaves an ioredis socket timer behind for about 2 s
test('options: a bad redis URL is a TypeError; an unreachable Redis fails at start', async () => {
  await expect(createSignalServer({ redis: 'localhost:6379', logger: () => {} })).rejects.toThrow(TypeError);
  await expect(createSignalServer({ redis: 'redis://127.0.0.1:1', logger: () => {} })).rejects.toThrow(/cannot use Redis/);
});

test('a lobby across two processes: join order, relays with source ids, leaving, the host leaving', async () => {
  const [s1, s2] = await twoServers();
  const a = await join(s1.url);
  const b = await join(s2.url, a.lobby);
  expect(b.msgs).toEqual([{ type: ID, id: b.id, data: 'true' }, { type: PEER_CONNECT, id: 1, data: '' },
    { type: JOIN, id: 0, data: a.lobby }]);
  expect(await a.c.next()).toEqual({ type: PEER_CONNECT, id: b.id, data: '' });
  const c = await join(s1.url, a.lobby);
  expect(c.msgs.slice(1, 3)).toEqual([{ type: PEER_CONNECT, id: 1, data: '' }, { type: PEER_CONNECT, id: b.id, data: '' }]);
  expect(await a.c.next()).toEqual({ type: PEER_CONNECT, id: c.id, data: '' });
  expect(await b.c.next()).toEqual({ type: PEER_CONNECT, id: c.id, data: '' });

  b.c.send(OFFER, 1, 'offer b->a');
  expect(await a.c.next()).toEqual({ type: OFFER, id: b.id, data: 'offer b->a' });
  a.c.send(ANSWER, b.id, 'answer a->b');
  expect(await b.c.next()).toEqual({ type: ANSWER, id: 1, data: 'answer a->b' });
  c.c.send(CANDIDATE, b.id, '\n0\n0\ncandidate:c');
  expect(await b.c.next()).toEqual({ type: CANDIDATE, id: c.id, data: '\n0\n0\ncandidate:c' });
  b.c.send(OFFER, 12345, 'nobody');
  expect(await b.c.waitClose()).toEqual({ code: 4000, reason: 'Invalid destination' });
  expect(await a.c.next()).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });
  expect(await c.c.next()).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });

  const d = await join(s2.url, a.lobby);
  await a.c.next(); await c.c.next(); // PEER_CONNECT d
  await a.c.close();
  expect(await c.c.waitClose()).toEqual({ code: 4000, reason: 'Room host has disconnected' });
  expect(await d.c.waitClose()).toEqual({ code: 4000, reason: 'Room host has disconnected' });
  const late = await open(s2.url);
  late.send(JOIN, 0, a.lobby);
  expect(await late.waitClose()).toEqual({ code: 4000, reason: 'Lobby does not exists' });
});

test('concurrent joins on both processes: every member of a mesh hears of every other exactly once', async () => {
  const [s1, s2] = await twoServers({ maxLobbyPeers: 16 });
  const host = await join(s1.url);
  const clients = await Promise.all([...Array(9).keys()].map((i) => open((i % 2 ? s1 : s2).url)));
  clients.forEach((c) => c.send(JOIN, 0, host.lobby));
  const members = [host.c, ...clients];
  const ids = [1];
  for (const c of clients) ids.push((await c.next()).id); // ID first
  // everyone ends with a PEER_CONNECT for each of the 9 others, and no more
  for (let i = 0; i < members.length; i++) {
    const heard = [];
    while (heard.length < 9) {
      const m = await members[i].next();
      if (m.type === PEER_CONNECT) heard.push(m.id);
    }
    expect(heard.sort()).toEqual(ids.filter((id) => id !== ids[i]).sort());
    expect((await members[i].drain(50)).filter((m) => m.type === PEER_CONNECT)).toEqual([]);
  }
});

test('server/client across processes: clients hear of the host only', async () => {
  const [s1, s2] = await twoServers();
  const host = await join(s2.url, '', 1);
  const c1 = await join(s1.url, host.lobby);
  const c2 = await join(s2.url, host.lobby);
  expect(c1.msgs.map((m) => m.type)).toEqual([ID, PEER_CONNECT, JOIN]);
  expect(c2.msgs.slice(0, 2)).toEqual([{ type: ID, id: c2.id, data: '' }, { type: PEER_CONNECT, id: 1, data: '' }]);
  // (members on other processes are announced as their events arrive: not necessarily in join order)
  expect((await host.c.take(2)).map((m) => m.id).sort()).toEqual([c1.id, c2.id].sort());
  c1.c.send(OFFER, c2.id, 'client to client');
  expect(await c1.c.waitClose()).toEqual({ code: 4000, reason: 'Invalid destination' });
  expect(await host.c.next()).toEqual({ type: PEER_DISCONNECT, id: c1.id, data: '' });
  expect(await c2.c.drain(100)).toEqual([]);
});

test('join is atomic across processes (lobby size cap), and so is seal', async () => {
  const [s1, s2] = await twoServers({ maxLobbyPeers: 3, sealCloseTimeoutMs: 300 });
  const host = await join(s1.url);
  // four joiners at once, two on each process: exactly two get in
  const joiners = await Promise.all([s1, s2, s1, s2].map((s) => open(s.url)));
  joiners.forEach((j) => j.send(JOIN, 0, host.lobby));
  const outcomes = await Promise.all(joiners.map((j) => j.nextOrClose().then((m) => (m.code ? m.reason : m.type))));
  expect(outcomes.filter((o) => o === ID)).toHaveLength(2);
  expect(outcomes.filter((o) => o === 'Lobby is full')).toHaveLength(2);
  const members = joiners.filter((j, i) => outcomes[i] === ID);

  host.c.send(SEAL, 0, '');
  for (const m of members) {
    let msg;
    do msg = await m.next(); while (msg.type !== SEAL);
  }
  const refused = await open(s2.url);
  refused.send(JOIN, 0, host.lobby);
  expect(await refused.waitClose()).toEqual({ code: 4000, reason: 'Lobby is sealed' });
  for (const m of members) expect(await m.waitClose()).toEqual({ code: 1000, reason: 'Seal complete' });
  expect(await host.c.waitClose()).toEqual({ code: 1000, reason: 'Seal complete' });
});

async function cli(args) {
  const p = await startCli(args);
  cleanup.push(p.stop);
  return p;
}

test('a process killed mid-game: its members leave within the keep-alive bound, other lobbies live on; keys have TTLs', async () => {
  const PING = 1000;
  const prefix = `kill${Date.now()}:`;
  const args = ['--redis', redis.url, '--redis-prefix', prefix, '--ping-interval', String(PING)];
  const p1 = await cli(args);
  const p2 = await cli(args);
  const a = await join(p1.url); // lobby 1: host here, one member on each process
  const b = await join(p2.url, a.lobby);
  const c = await join(p1.url, a.lobby);
  await a.c.take(2); await b.c.next();
  const d = await join(p2.url); // lobby 2: host on the process that dies
  const e = await join(p1.url, d.lobby);
  await d.c.next();

  const killedAt = Date.now();
  process.kill(p2.child.pid, 'SIGKILL');
  const bound = 2 * PING + 2000; // the keep-alive bound (two ping periods), plus slack for a loaded machine
  expect(await a.c.next(bound)).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });
  expect(await c.c.next(bound)).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });
  expect(await e.c.waitClose(bound)).toEqual({ code: 4000, reason: 'Room host has disconnected' });
  const heardAfter = Date.now() - killedAt;

  // lobby 1 lives on: a newcomer meets exactly its live members and relays work
  const f = await join(p1.url, a.lobby);
  expect(f.msgs.filter((m) => m.type === PEER_CONNECT).map((m) => m.id)).toEqual([1, c.id]);
  f.c.send(OFFER, c.id, 'after the crash');
  await c.c.next(); // PEER_CONNECT f
  expect(await c.c.next()).toEqual({ type: OFFER, id: f.id, data: 'after the crash' });

  // nothing without a TTL; the dead process's keys expire
  const r = new Redis(redis.url);
  cleanup.push(() => r.quit());
  const keys = await r.keys(`${prefix}*`);
  expect(keys.length).toBeGreaterThan(0);
  for (const k of keys) expect(await r.pttl(k)).not.toBe(-1); // -1: no TTL (-2: expired meanwhile)
  expect(await r.exists(`${prefix}lobby:{${d.lobby}}`)).toBe(0);
  expect(await r.exists(`${prefix}lobby:{${d.lobby}}:members`)).toBe(0);
  expect(heardAfter).toBeGreaterThan(0);
});

test('Redis restarted: joins are refused while it is down; then the processes reconnect, lobbies are registered again, new joins work', async () => {
  const [s1, s2] = await twoServers({ health: true });
  const a = await join(s1.url);
  const b = await join(s2.url, a.lobby);
  await a.c.next();
  await redis.down();
  expect(await poll(() => s1.health().redis, (st) => st !== 'ready')).not.toBe('ready');
  const refused = await open(s1.url);
  refused.send(JOIN, 0, '');
  expect(await refused.waitClose()).toEqual({ code: 1011, reason: 'Server error' });
  await redis.up();
  // joins are refused (1011) until the connections are back; then they work across processes
  const fresh = await joinWhenReady(s1.url, '');
  const g = await join(s2.url, fresh.lobby);
  expect(g.msgs.map((m) => m.type)).toEqual([ID, PEER_CONNECT, JOIN]);
  g.c.send(OFFER, 1, 'after the restart');
  expect(await fresh.c.next()).toEqual({ type: PEER_CONNECT, id: g.id, data: '' });
  expect(await fresh.c.next()).toEqual({ type: OFFER, id: g.id, data: 'after the restart' });
  // the old lobby still relays, and once registered again (next heartbeat) it can be joined
  b.c.send(OFFER, 1, 'old lobby');
  expect(await a.c.next()).toEqual({ type: OFFER, id: b.id, data: 'old lobby' });
  const h = await joinWhenReady(s2.url, a.lobby);
  expect(h.msgs.filter((m) => m.type === PEER_CONNECT).map((m) => m.id).sort()).toEqual([1, b.id].sort());
  expect(s1.health()).toEqual({ status: 'ok', peers: 2, lobbies: 2, redis: 'ready' });
});

test('SIGTERM drains: the process closes its sockets with 1001 and the other processes tell their members at once', async () => {
  const prefix = `drain${Date.now()}:`;
  const args = ['--redis', redis.url, '--redis-prefix', prefix, '--ping-interval', '60000'];
  const p1 = await cli(args);
  const p2 = await cli(args);
  const a = await join(p1.url);
  const b = await join(p2.url, a.lobby);
  await a.c.next();
  const d = await join(p2.url); // hosted on the process that stops
  const e = await join(p1.url, d.lobby);
  await d.c.next();
  const exited = new Promise((r) => p2.child.once('exit', r));
  process.kill(p2.child.pid, 'SIGTERM');
  expect(await b.c.waitClose()).toEqual({ code: 1001, reason: 'Server shutting down' });
  // well before the 60 s node TTL: the stopping process said so itself
  expect(await a.c.next(10000)).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });
  expect(await e.c.waitClose(10000)).toEqual({ code: 4000, reason: 'Room host has disconnected' });
  expect(await withTimeout(exited, 5000, 'exit')).toBe(0);
});

/** Joins `lobby` on `url`, retrying (bounded: 50 tries 100 ms apart) while the server refuses. */
async function joinWhenReady(url, lobby) {
  for (let i = 0; i < 50; i++) {
    const c = await open(url);
    c.send(JOIN, 0, lobby);
    const msgs = [];
    const first = await c.nextOrClose();
    if (first.type === ID) {
      msgs.push(first);
      do msgs.push(await c.next()); while (msgs[msgs.length - 1].type !== JOIN);
      return { c, msgs, id: first.id, lobby: msgs[msgs.length - 1].data };
    }
    await sleep(100);
  }
  throw new Error(`could not join '${lobby}' on ${url}`);
}

