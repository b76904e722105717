'use strict';
// Tests of js/signal-server.js and the emrtc-signal CLI with real `ws` clients on 127.0.0.1.
// Message types and close reasons are written out literally (not imported) so that a change
// of the wire protocol fails here.

const http = require('http');
const path = require('path');
const { spawn } = require('child_process');
const { createSignalServer } = require('../../js/signal-server');
const { TestClient, RawClient, withTimeout, sleep, poll } = require('./signal-client');

const JOIN = 0;
const ID = 1;
const PEER_CONNECT = 2;
const PEER_DISCONNECT = 3;
const OFFER = 4;
const ANSWER = 5;
const CANDIDATE = 6;
const SEAL = 7;
const MESH = 0;
const SERVER_CLIENT = 1;
const MAX_ID = 2 ** 31 - 1;

let server;
let clients;
let logs;

/** Starts a server on 127.0.0.1 with test-friendly defaults, overridable by `options`. */
async function start(options = {}) {
  logs = [];
  server = await createSignalServer({
    host: '127.0.0.1',
    port: 0,
    noLobbyTimeoutMs: 5000,
    sealCloseTimeoutMs: 5000,
    pingIntervalMs: 0,
    logger: (line) => logs.push(line),
    ...options,
  });
  return server;
}

async function connect(wsOptions) {
  const client = await TestClient.open(server.url, wsOptions);
  clients.push(client);
  return client;
}

/** Connects, sends JOIN and collects the replies up to and including JOIN. */
async function join(lobby = '', mode = MESH) {
  const client = await connect();
  client.send(JOIN, mode, lobby);
  const msgs = [];
  for (let i = 0; i < 20; i++) {
    msgs.push(await client.next());
    if (msgs[msgs.length - 1].type === JOIN) break;
  }
  return { client, msgs, id: msgs[0].id, lobby: msgs[msgs.length - 1].data };
}

/** The server's counters once they reach `expected` (or after a bounded wait): the server
 *  handles a socket's end a moment after the client has seen its close. */
function settledStats(expected) {
  const counts = () => ({ peers: server.stats().peers, lobbies: server.stats().lobbies });
  return poll(counts, (s) => s.peers === expected.peers && s.lobbies === expected.lobbies);
}

/** Expects the server to close `client` with `code` and `reason`. */
async function expectClosed(client, code, reason) {
  expect(await client.waitClose()).toEqual({ code, reason });
}

beforeEach(() => {
  clients = [];
  server = null;
});

afterEach(async () => {
  clients.forEach((c) => c.terminate());
  if (server) await server.close();
});

describe('joining', () => {
  test('creating a mesh lobby: ID 1 "true", then JOIN with a fresh 16-character name', async () => {
    await start();
    const a = await join('', MESH);
    expect(a.msgs).toEqual([
      { type: ID, id: 1, data: 'true' },
      { type: JOIN, id: 0, data: expect.stringMatching(/^[A-Za-z0-9]{16}$/) },
    ]);
    const b = await join('', MESH);
    expect(b.id).toBe(1);
    expect(b.lobby).not.toBe(a.lobby);
    expect(server.stats()).toMatchObject({ peers: 2, lobbies: 2 });
  });

  test('mesh: every peer learns about every other, in join order', async () => {
    await start();
    const a = await join('', MESH);
    const b = await join(a.lobby, SERVER_CLIENT); // the joiner's mode is ignored: the lobby is mesh
    expect(b.msgs).toEqual([
      { type: ID, id: b.id, data: 'true' },
      { type: PEER_CONNECT, id: 1, data: '' },
      { type: JOIN, id: 0, data: a.lobby },
    ]);
    expect(await a.client.next()).toEqual({ type: PEER_CONNECT, id: b.id, data: '' });

    const c = await join(a.lobby, MESH);
    expect(c.msgs).toEqual([
      { type: ID, id: c.id, data: 'true' },
      { type: PEER_CONNECT, id: 1, data: '' },
      { type: PEER_CONNECT, id: b.id, data: '' },
      { type: JOIN, id: 0, data: a.lobby },
    ]);
    expect(await a.client.next()).toEqual({ type: PEER_CONNECT, id: c.id, data: '' });
    expect(await b.client.next()).toEqual({ type: PEER_CONNECT, id: c.id, data: '' });
    expect(await a.client.drain()).toEqual([]);
  });

  test('server/client: peers only learn about the host, the host about every peer', async () => {
    await start();
    const a = await join('', SERVER_CLIENT);
    expect(a.msgs).toEqual([{ type: ID, id: 1, data: '' }, { type: JOIN, id: 0, data: a.lobby }]);
    const b = await join(a.lobby, MESH); // the joiner's mode is ignored: the lobby is server/client
    expect(b.msgs).toEqual([
      { type: ID, id: b.id, data: '' },
      { type: PEER_CONNECT, id: 1, data: '' },
      { type: JOIN, id: 0, data: a.lobby },
    ]);
    const c = await join(a.lobby, SERVER_CLIENT);
    expect(c.msgs).toEqual([
      { type: ID, id: c.id, data: '' },
      { type: PEER_CONNECT, id: 1, data: '' },
      { type: JOIN, id: 0, data: a.lobby },
    ]);
    expect(await a.client.take(2)).toEqual([
      { type: PEER_CONNECT, id: b.id, data: '' },
      { type: PEER_CONNECT, id: c.id, data: '' },
    ]);
    expect(await b.client.drain()).toEqual([]);
  });

  test('non-host ids are distinct random integers in 2..2^31-1', async () => {
    await start();
    const a = await join();
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await join(a.lobby)).id);
    for (const id of ids) {
      expect(Number.isInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(2);
      expect(id).toBeLessThanOrEqual(MAX_ID);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.max(...ids) - Math.min(...ids)).toBeGreaterThan(1000); // not a counter
  });
});

/** Starts a server and joins a, b, c to one mesh lobby; drains the PEER_CONNECTs a and b got. */
async function meshOfThree() {
  await start();
  const a = await join();
  const b = await join(a.lobby);
  const c = await join(a.lobby);
  await a.client.take(2);
  await b.client.take(1);
  return { a, b, c };
}

describe('relaying', () => {
  test('OFFER, ANSWER and CANDIDATE reach the destination with the source id', async () => {
    const { a, b, c } = await meshOfThree();

    b.client.send(OFFER, 1, 'v=0 offer from b');
    expect(await a.client.next()).toEqual({ type: OFFER, id: b.id, data: 'v=0 offer from b' });
    a.client.send(ANSWER, b.id, 'v=0 answer from host');
    expect(await b.client.next()).toEqual({ type: ANSWER, id: 1, data: 'v=0 answer from host' });
    const candidate = '\n0\n0\ncandidate:1 1 udp 2122260223 192.0.2.1 54321 typ host — ü';
    c.client.send(CANDIDATE, b.id, candidate);
    expect(await b.client.next()).toEqual({ type: CANDIDATE, id: c.id, data: candidate });
    b.client.send(OFFER, c.id); // no data field: relayed as ''
    expect(await c.client.next()).toEqual({ type: OFFER, id: b.id, data: '' });
    expect(await a.client.drain()).toEqual([]);
  });

  test('server/client: the host and peers signal each other, peers cannot reach peers', async () => {
    await start();
    const a = await join('', SERVER_CLIENT);
    const b = await join(a.lobby);
    const c = await join(a.lobby);
    await a.client.take(2);
    a.client.send(OFFER, c.id, 'offer to c');
    expect(await c.client.next()).toEqual({ type: OFFER, id: 1, data: 'offer to c' });
    c.client.send(ANSWER, 1, 'answer to host');
    expect(await a.client.next()).toEqual({ type: ANSWER, id: c.id, data: 'answer to host' });
    b.client.send(OFFER, c.id, 'offer to c');
    await expectClosed(b.client, 4000, 'Invalid destination');
    expect(await c.client.drain()).toEqual([]);
  });

  test.each([
    ['an unknown id', () => 12345],
    ['itself', (self) => self.id],
    ['a peer of another lobby', (self, other) => other.id],
    ['the host of another lobby only by its real id', (self, other, otherHostId) => otherHostId],
  ])('relaying to %s is refused', async (name, destOf) => {
    await start();
    const a = await join();
    const b = await join(a.lobby);
    const x = await join();
    const y = await join(x.lobby);
    // The other lobby's host is 1 to its members; its real id only shows in the server log.
    const hostLine = logs.find((l) => l.includes(`created lobby ${x.lobby}`));
    const otherHostId = Number(/^join (\d+) /.exec(hostLine)[1]);
    expect(otherHostId).toBeGreaterThanOrEqual(2);
    b.client.send(OFFER, destOf(b, y, otherHostId), 'sdp');
    await expectClosed(b.client, 4000, 'Invalid destination');
    expect(await x.client.drain()).toEqual([{ type: PEER_CONNECT, id: y.id, data: '' }]);
    expect(await y.client.drain()).toEqual([]);
  });
});

describe('leaving', () => {
  test('mesh: a leaving peer is announced to everyone with PEER_DISCONNECT', async () => {
    const { a, b, c } = await meshOfThree();
    await b.client.close();
    expect(await a.client.next()).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });
    expect(await c.client.next()).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });
    expect(await settledStats({ peers: 2, lobbies: 1 })).toEqual({ peers: 2, lobbies: 1 });
  });

  test('server/client: a leaving peer is only announced to the host', async () => {
    await start();
    const a = await join('', SERVER_CLIENT);
    const b = await join(a.lobby);
    const c = await join(a.lobby);
    await a.client.take(2);
    b.client.terminate();
    expect(await a.client.next()).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });
    expect(await c.client.drain()).toEqual([]);
  });

  test('the host leaving closes the lobby and its peers (4000 "Room host has disconnected")', async () => {
    await start();
    const a = await join();
    const b = await join(a.lobby);
    const c = await join(a.lobby);
    await a.client.close();
    await expectClosed(b.client, 4000, 'Room host has disconnected');
    await expectClosed(c.client, 4000, 'Room host has disconnected');
    expect(await settledStats({ peers: 0, lobbies: 0 })).toEqual({ peers: 0, lobbies: 0 });
    const d = await connect();
    d.send(JOIN, MESH, a.lobby);
    await expectClosed(d, 4000, 'Lobby does not exists');
  });
});

describe('sealing', () => {
  test('SEAL reaches everyone, new joins are refused, the lobby closes after the timeout', async () => {
    await start({ sealCloseTimeoutMs: 400 });
    const a = await join();
    const b = await join(a.lobby);
    await a.client.take(1);
    const sealedAt = Date.now();
    a.client.send(SEAL, 0);
    expect(await a.client.next()).toEqual({ type: SEAL, id: 0, data: '' });
    expect(await b.client.next()).toEqual({ type: SEAL, id: 0, data: '' });
    const late = await connect();
    late.send(JOIN, MESH, a.lobby);
    await expectClosed(late, 4000, 'Lobby is sealed');
    // Signaling still works while sealed.
    b.client.send(ANSWER, 1, 'late answer');
    expect(await a.client.next()).toEqual({ type: ANSWER, id: b.id, data: 'late answer' });
    await expectClosed(a.client, 1000, 'Seal complete');
    await expectClosed(b.client, 1000, 'Seal complete');
    expect(Date.now() - sealedAt).toBeGreaterThanOrEqual(350);
    expect(await settledStats({ peers: 0, lobbies: 0 })).toEqual({ peers: 0, lobbies: 0 });
  });

  test('only the host can seal', async () => {
    await start();
    const a = await join();
    const b = await join(a.lobby);
    b.client.send(SEAL, 0);
    await expectClosed(b.client, 4000, 'Only host can seal the lobby');
    const c = await join(a.lobby); // still open
    expect(c.msgs[0]).toEqual({ type: ID, id: c.id, data: 'true' });
  });
});

describe('protocol errors close with 4000 and the reason', () => {
  const BEFORE_JOIN = false;
  const AFTER_JOIN = true;
  test.each([
    ['non-JSON text', BEFORE_JOIN, 'hello', 'Invalid message format'],
    ['truncated JSON', AFTER_JOIN, '{"type": 4, "id": 1, "data": "x"', 'Invalid message format'],
    ['a JSON array', BEFORE_JOIN, '[0, 0, ""]', 'Invalid message format'],
    ['JSON null', BEFORE_JOIN, 'null', 'Invalid message format'],
    ['a JSON number', AFTER_JOIN, '4', 'Invalid message format'],
    ['type as a string', BEFORE_JOIN, '{"type": "0", "id": 0, "data": ""}', 'Invalid message format'],
    ['fractional type', AFTER_JOIN, '{"type": 4.5, "id": 1, "data": ""}', 'Invalid message format'],
    ['negative type', AFTER_JOIN, '{"type": -1, "id": 1, "data": ""}', 'Invalid message format'],
    ['id as a string', AFTER_JOIN, '{"type": 4, "id": "1", "data": ""}', 'Invalid message format'],
    ['missing id', BEFORE_JOIN, '{"type": 0, "data": ""}', 'Invalid message format'],
    ['negative id', AFTER_JOIN, '{"type": 4, "id": -1, "data": ""}', 'Invalid message format'],
    ['id above 2^31-1', AFTER_JOIN, '{"type": 4, "id": 2147483648, "data": ""}', 'Invalid message format'],
    ['data as a number', AFTER_JOIN, '{"type": 4, "id": 1, "data": 5}', 'Invalid message format'],
    ['unknown type before joining', BEFORE_JOIN, '{"type": 99, "id": 0, "data": ""}', 'Invalid message when not in a lobby'],
    ['unknown type', AFTER_JOIN, '{"type": 99, "id": 0, "data": ""}', 'Invalid command'],
    ['a server-only type (ID)', AFTER_JOIN, '{"type": 1, "id": 1, "data": ""}', 'Invalid command'],
    ['a server-only type (PEER_CONNECT)', AFTER_JOIN, '{"type": 2, "id": 1, "data": ""}', 'Invalid command'],
    ['a server-only type (PEER_DISCONNECT)', AFTER_JOIN, '{"type": 3, "id": 1, "data": ""}', 'Invalid command'],
    ['OFFER before joining', BEFORE_JOIN, '{"type": 4, "id": 1, "data": "sdp"}', 'Invalid message when not in a lobby'],
    ['ANSWER before joining', BEFORE_JOIN, '{"type": 5, "id": 1, "data": "sdp"}', 'Invalid message when not in a lobby'],
    ['CANDIDATE before joining', BEFORE_JOIN, '{"type": 6, "id": 1, "data": "\\n0\\n0\\nc"}', 'Invalid message when not in a lobby'],
    ['SEAL before joining', BEFORE_JOIN, '{"type": 7, "id": 0, "data": ""}', 'Invalid message when not in a lobby'],
    ['a second JOIN creating a lobby', AFTER_JOIN, '{"type": 0, "id": 0, "data": ""}', 'Already in a lobby'],
    ['joining an unknown lobby', BEFORE_JOIN, '{"type": 0, "id": 0, "data": "NoSuchLobby"}', 'Lobby does not exists'],
  ])('%s', async (name, joinedFirst, payload, reason) => {
    await start();
    const client = joinedFirst ? (await join()).client : await connect();
    client.sendRaw(payload);
    await expectClosed(client, 4000, reason);
    expect(logs).toContainEqual(expect.stringMatching(new RegExp(`^error \\d+: ${reason}$`)));
  });

  test('a second JOIN naming the own lobby', async () => {
    await start();
    const a = await join();
    const b = await join(a.lobby);
    b.client.send(JOIN, MESH, a.lobby);
    await expectClosed(b.client, 4000, 'Already in a lobby');
  });

  test('binary frames', async () => {
    await start();
    const a = await join();
    a.client.sendRaw(Buffer.from(JSON.stringify({ type: SEAL, id: 0, data: '' })), { binary: true });
    await expectClosed(a.client, 4000, 'Invalid transfer mode, must be text');
  });

  test('frames above maxMessageSize close with 1009; a frame of exactly the limit passes', async () => {
    await start({ maxMessageSize: 1024 });
    const a = await join();
    const b = await join(a.lobby);
    const overhead = JSON.stringify({ type: OFFER, id: 1, data: '' }).length;
    const exact = JSON.stringify({ type: OFFER, id: 1, data: 'x'.repeat(1024 - overhead) });
    expect(exact.length).toBe(1024);
    b.client.sendRaw(exact);
    await a.client.next(); // PEER_CONNECT
    expect((await a.client.next()).data).toHaveLength(1024 - overhead);
    b.client.sendRaw(JSON.stringify({ type: OFFER, id: 1, data: 'x'.repeat(1025 - overhead) }));
    expect((await b.client.waitClose()).code).toBe(1009);
    expect(await a.client.next()).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });
  });

  test('a socket that does not join in time is closed (4000 "Have not joined lobby yet")', async () => {
    await start({ noLobbyTimeoutMs: 250 });
    const t0 = Date.now();
    const idle = await connect();
    const joined = await join();
    await expectClosed(idle, 4000, 'Have not joined lobby yet');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    await sleep(150);
    expect(joined.client.ws.readyState).toBe(joined.client.ws.OPEN);
  });
});

describe('limits', () => {
  async function raw(options) {
    const client = await RawClient.open(server.port, options);
    clients.push(client);
    return client;
  }

  test('maxPeers counts unfinished handshakes: one connection too many gets HTTP 503', async () => {
    await start({ maxPeers: 3, handshakeTimeoutMs: 60000 });
    const a = await join();
    const silent = [await raw({ handshake: false }), await raw({ handshake: false })]; // TCP only
    expect(await poll(() => server.stats().pending, (n) => n === 2)).toBe(2);
    const refused = new TestClient(server.url);
    clients.push(refused);
    await expect(withTimeout(refused.opened, 3000, 'refusal')).rejects.toThrow('HTTP 503');
    expect(logs).toContainEqual(expect.stringMatching(/^refused .*: Too many peers connected$/));
    silent[0].terminate();
    expect(await poll(() => server.stats().pending, (n) => n === 1)).toBe(1);
    expect((await join(a.lobby)).msgs[0].type).toBe(ID); // the freed place is usable
  });

  test('a connection that does not finish its handshake within handshakeTimeoutMs is destroyed', async () => {
    await start({ handshakeTimeoutMs: 300 });
    const silent = await raw({ handshake: false });
    const upgraded = await raw();
    expect(await silent.waitClose(3000)).toBe(1006);
    expect(logs).toContainEqual(expect.stringMatching(/no WebSocket handshake within 300 ms/));
    expect(await poll(() => server.stats().pending, (n) => n === 0)).toBe(0);
    await sleep(200);
    expect(upgraded.socket.destroyed).toBe(false); // a finished handshake is not timed
  });

  test('maxLobbies: creating one too many is refused, joining still works', async () => {
    await start({ maxLobbies: 1 });
    const a = await join();
    const refused = await connect();
    refused.send(JOIN, MESH, '');
    await expectClosed(refused, 4000, 'Too many lobbies open, disconnecting');
    const b = await join(a.lobby);
    expect(b.msgs[0].type).toBe(ID);
    await a.client.close();
    expect(await settledStats({ peers: 0, lobbies: 0 })).toEqual({ peers: 0, lobbies: 0 });
    expect((await join()).id).toBe(1);
  });

  test('maxLobbyPeers: the lobby takes that many members, host included; one more gets 4000 "Lobby is full"', async () => {
    await start({ maxLobbyPeers: 3 });
    const a = await join();
    await join(a.lobby);
    const c = await join(a.lobby);
    expect(c.msgs.map((m) => m.type)).toEqual([ID, PEER_CONNECT, PEER_CONNECT, JOIN]);
    const full = await connect();
    full.send(JOIN, MESH, a.lobby);
    await expectClosed(full, 4000, 'Lobby is full');
    await c.client.close(); // a place frees up
    expect((await join(a.lobby)).msgs[0].type).toBe(ID);
  });

  test('rate limit (defaults): a burst of 200 messages passes, as a mesh of 8 sends its candidates', async () => {
    await start({ messagesPerSecond: undefined, messageBurst: undefined });
    const a = await join();
    const b = await join(a.lobby);
    await a.client.next(); // PEER_CONNECT
    // JOIN took one token; 199 candidates at once fit in the bucket of 200
    for (let i = 0; i < 199; i++) b.client.send(CANDIDATE, 1, `\n0\n0\ncandidate:${i} 1 udp 1 10.0.0.1 ${i} typ host`);
    const got = await b.client.drain(0).then(() => a.client.take(199));
    expect(got.map((m) => m.data.split(' ')[0])).toEqual([...Array(199).keys()].map((i) => `\n0\n0\ncandidate:${i}`));
    expect(b.client.ws.readyState).toBe(b.client.ws.OPEN);
  });

  test('rate limit edge: a socket may send messageBurst messages at once, one more closes it', async () => {
    await start({ messagesPerSecond: 1, messageBurst: 10 });
    const a = await join();
    const b = await join(a.lobby); // JOIN took 1 of b's 10 tokens
    await a.client.next();
    for (let i = 0; i < 9; i++) b.client.send(OFFER, 1, `b${i}`);
    expect((await a.client.take(9)).map((m) => m.data)).toEqual([...Array(9).keys()].map((i) => `b${i}`));
    b.client.send(OFFER, 1, 'one too many');
    await expectClosed(b.client, 4000, 'Rate limit exceeded');
    expect(await a.client.next()).toEqual({ type: PEER_DISCONNECT, id: b.id, data: '' });
    expect(server.stats().refusals).toEqual({ 'Rate limit exceeded': 1 });
  });

  test('rate limit: the bucket refills at messagesPerSecond', async () => {
    await start({ messagesPerSecond: 1, messageBurst: 10 });
    const a = await join();
    const c = await join(a.lobby);
    await a.client.next();
    for (let i = 0; i < 9; i++) c.client.send(OFFER, 1, `c${i}`); // the bucket is empty now
    await a.client.take(9);
    await sleep(1100); // one token back
    c.client.send(OFFER, 1, 'refilled');
    expect(await a.client.next()).toEqual({ type: OFFER, id: c.id, data: 'refilled' });
    expect(c.client.ws.readyState).toBe(c.client.ws.OPEN);
  });

  test('a message in maxFragments frames passes; one more fragment closes 1008', async () => {
    await start({ maxFragments: 8 });
    const host = await raw();
    host.sendFragmented(JSON.stringify({ type: JOIN, id: MESH, data: '' }), 8);
    expect(await poll(() => host.messages().length, (n) => n === 2)).toBe(2);
    expect(host.messages()[1].type).toBe(JOIN);
    const joiner = await raw();
    joiner.sendFragmented(JSON.stringify({ type: JOIN, id: MESH, data: host.messages()[1].data }), 9);
    expect(await joiner.waitClose()).toBe(1008);
  });

  test('maxMessageSize counts every fragment: unfinished fragments over it close 1009', async () => {
    await start({ maxMessageSize: 1024 });
    const c = await raw();
    for (let i = 0; i < 4; i++) c.sendFrame(i === 0 ? 1 : 0, 'x'.repeat(300), false); // 1200 bytes, never finished
    expect(await c.waitClose()).toBe(1009);
  });

  test('a socket that stops reading is dropped once maxBufferedBytes wait for it; readers are not', async () => {
    await start({ maxBufferedBytes: 256 * 1024, messagesPerSecond: 0, maxMessageSize: 70000 });
    const host = await join();
    const reader = await join(host.lobby);
    const slow = await raw();
    slow.send(JOIN, MESH, host.lobby);
    expect(await poll(() => slow.messages().length, (n) => n === 4)).toBe(4);
    const slowId = slow.messages()[0].id;
    slow.socket.pause(); // stops reading: the kernel buffers fill, then the server's
    await host.client.take(2); // PEER_CONNECTs
    const blob = 'x'.repeat(60000);
    // rounds of 10 offers to each, until the server has dropped the slow one; a round ends when the
    // reader has its 10 (so the server has handled the round). Bounded: at most 60 rounds (72 MB),
    // far more than loopback's socket buffers hold.
    let rounds = 0;
    while (rounds < 60 && !logs.some((l) => l.includes('slow reader'))) {
      for (let i = 0; i < 10; i++) {
        host.client.send(OFFER, slowId, blob);
        host.client.send(OFFER, reader.id, blob);
      }
      rounds++;
      for (let got = 0; got < 10;) if ((await reader.client.next(5000)).type === OFFER) got++;
    }
    expect(logs).toContainEqual(expect.stringMatching(new RegExp(`^error ${slowId}: slow reader, \\d+ bytes unsent`)));
    expect(await host.client.next(5000)).toEqual({ type: PEER_DISCONNECT, id: slowId, data: '' });
    expect(await reader.client.next(5000)).toEqual({ type: PEER_DISCONNECT, id: slowId, data: '' });
    expect(reader.client.ws.readyState).toBe(reader.client.ws.OPEN);
    expect(server.stats().refusals).toEqual({ 'slow reader': 1 });
  });
});

describe('origins', () => {
  test('with an allow-list, other Origins are refused at the handshake (HTTP 403)', async () => {
    await start({ allowedOrigins: ['https://game.example', 'http://localhost:8080'] });
    const evil = new TestClient(server.url, { headers: { Origin: 'https://evil.example' } });
    clients.push(evil);
    await expect(withTimeout(evil.opened, 3000, 'handshake')).rejects.toThrow('HTTP 403');
    expect(logs).toContainEqual(expect.stringContaining('origin https://evil.example not allowed'));
    await connect({ headers: { Origin: 'http://localhost:8080' } });
    await connect(); // no Origin header: a native (non-browser) client
    expect(server.stats().peers).toBe(2);
  });

  test('without an allow-list any Origin is accepted', async () => {
    await start();
    await connect({ headers: { Origin: 'https://anything.example' } });
    expect(server.stats().peers).toBe(1);
  });
});

describe('keep-alive', () => {
  test('a peer that stops answering pings is terminated, live peers stay', async () => {
    await start({ pingIntervalMs: 100 });
    const a = await join();
    const deadClient = await TestClient.open(server.url, { autoPong: false });
    clients.push(deadClient);
    deadClient.send(JOIN, MESH, a.lobby);
    const [idMsg] = await deadClient.take(3);
    expect(await a.client.next()).toEqual({ type: PEER_CONNECT, id: idMsg.id, data: '' });
    expect(await a.client.next(2000)).toEqual({ type: PEER_DISCONNECT, id: idMsg.id, data: '' });
    expect((await deadClient.waitClose()).code).toBe(1006);
    expect(logs).toContainEqual(`timeout ${idMsg.id}: no pong, terminating`);
    await sleep(300);
    expect(a.client.ws.readyState).toBe(a.client.ws.OPEN);
  });
});

describe('server lifecycle', () => {
  test('close() closes sockets with 1001 and stops listening', async () => {
    await start();
    const a = await join();
    const b = await join(a.lobby);
    const idle = await connect();
    const { url } = server;
    await server.close();
    for (const c of [a.client, b.client, idle]) await expectClosed(c, 1001, 'Server shutting down');
    const late = new TestClient(url);
    await expect(withTimeout(late.opened, 3000, 'refused')).rejects.toThrow(/ECONNREFUSED/);
    await server.close(); // idempotent
    server = null;
  });

  test('plain HTTP requests get 426', async () => {
    await start();
    const status = await withTimeout(new Promise((resolve, reject) => {
      http.get(`http://127.0.0.1:${server.port}/`, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
    }), 3000, 'HTTP response');
    expect(status).toBe(426);
  });

  test('invalid options are rejected', async () => {
    await expect(createSignalServer({ maxPeers: 0, logger: () => {} })).rejects.toThrow(TypeError);
    await expect(createSignalServer({ pingIntervalMs: 1.5, logger: () => {} })).rejects.toThrow(/pingIntervalMs/);
    await expect(createSignalServer({ maxPeer: 3 })).rejects.toThrow(/unknown option/);
    await expect(createSignalServer({ allowedOrigins: 'x' })).rejects.toThrow(/allowedOrigins/);
  });

  test('the logger gets one line per connection event', async () => {
    await start();
    const a = await join();
    const b = await join(a.lobby);
    b.client.send(SEAL, 0);
    await b.client.waitClose();
    await a.client.next();
    await a.client.next();
    const bId = b.id;
    const lines = logs.filter((l) => l.includes(` ${bId}`));
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^connect ${bId} from 127\\.0\\.0\\.1$`)),
      `join ${bId} joined lobby ${a.lobby} (mesh) as ${bId}, 2 peer(s)`,
      `error ${bId}: Only host can seal the lobby`,
      `close ${bId} 4000 Only host can seal the lobby`,
      `leave ${bId} lobby ${a.lobby}`,
    ]);
  });
});

describe('emrtc-signal CLI', () => {
  const BIN = path.join(__dirname, '..', '..', 'js', 'bin', 'emrtc-signal.js');
  let child;

  /** Spawns the CLI; resolves {child, exited} where exited resolves {code, signal, stdout, stderr}. */
  function run(args) {
    child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d) => { out.stdout += d; });
    child.stderr.on('data', (d) => { out.stderr += d; });
    const exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        // give the pipes a moment to flush their last chunks
        setImmediate(() => resolve({ code, signal, ...out }));
      });
    });
    return { child, out, exited: withTimeout(exited, 10000, 'CLI exit') };
  }

  /** Waits for the listening line; returns the URL it prints. */
  async function listening(out) {
    const re = /^emrtc-signal listening on (ws:\/\/127\.0\.0\.1:(\d+))$/m;
    for (let i = 0; i < 100 && !re.test(out.stdout); i++) await sleep(50);
    const m = re.exec(out.stdout);
    if (!m) throw new Error(`no listening line; stdout: ${out.stdout}`);
    return m[1];
  }

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = null;
  });

  test('starts, serves, and exits 0 on SIGTERM after closing sockets with 1001', async () => {
    const proc = run(['--port', '0', '--host', '127.0.0.1']);
    const url = await listening(proc.out);
    const client = await TestClient.open(url);
    clients.push(client);
    client.send(JOIN, MESH, '');
    expect(await client.next()).toEqual({ type: ID, id: 1, data: 'true' });
    proc.child.kill('SIGTERM');
    await expectClosed(client, 1001, 'Server shutting down');
    const result = await proc.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^join \d+ created lobby [A-Za-z0-9]{16} \(mesh\)/m);
  });

  test('exits 0 on SIGINT', async () => {
    const proc = run(['--port', '0', '--host', '127.0.0.1']);
    await listening(proc.out);
    proc.child.kill('SIGINT');
    expect((await proc.exited).code).toBe(0);
  });

  test('flags reach the server (--no-lobby-timeout, --allow-origin)', async () => {
    const proc = run(['--port', '0', '--host', '127.0.0.1', '--no-lobby-timeout', '200',
      '--allow-origin', 'https://a.example', '--allow-origin', 'https://b.example']);
    const url = await listening(proc.out);
    const evil = new TestClient(url, { headers: { Origin: 'https://c.example' } });
    clients.push(evil);
    await expect(withTimeout(evil.opened, 3000, 'handshake')).rejects.toThrow('HTTP 403');
    const good = await TestClient.open(url, { headers: { Origin: 'https://b.example' } });
    clients.push(good);
    await expectClosed(good, 4000, 'Have not joined lobby yet');
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });

  test('--help prints usage and exits 0', async () => {
    const result = await run(['--help']).exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: emrtc-signal/);
    for (const flag of ['--port', '--host', '--max-peers', '--max-lobbies', '--max-message-size', '--rate',
      '--no-lobby-timeout', '--seal-timeout', '--ping-interval', '--allow-origin', '--help']) {
      expect(result.stdout).toContain(flag);
    }
  });

  test.each([
    [['--bogus'], /bogus/],
    [['--port', 'abc'], /--port expects a non-negative integer/],
    [['--rate', '-1'], /--rate/],
    [['--max-peers', '0'], /maxPeers must be an integer >= 1/],
    [['stray'], /unexpected argument 'stray'/],
  ])('bad arguments %j exit 2', async (args, message) => {
    const result = await run(args).exited;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
