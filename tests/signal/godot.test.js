'use strict';
// The signaling client against a server that behaves like Godot's demo Node server
// (demo-server.js): replies in its order with JOIN 300 ms late, and every member announced to
// every member in server/client lobbies. C clients on one page, in "auto" mode, set up real emrtc
// peers; plain-Node clients stand in for Godot games.
const { TestClient, poll } = require('../node/signal-client');
const { startDemoServer, CMD } = require('./demo-server');
const {
  ERR, createProbeBed, openProbes, eventsOf, waitEvent, connect, call,
} = require('./probe');

let bed;
let page;
let demo;
beforeAll(async () => {
  bed = await createProbeBed();
  [page] = await openProbes(bed, 1);
});
afterAll(async () => { if (bed) await bed.close(); });
afterEach(async () => {
  if (demo) await demo.close();
  demo = null;
  expect(await call(page, 'liveSignals')).toBe(0);
  expect(bed.logs.filter((l) => l.includes('pageerror'))).toEqual([]);
});

const named = async (h, ev) => (await eventsOf(page, h)).filter((e) => e.ev === ev);
const problems = async (h) => (await eventsOf(page, h)).filter((e) => e.ev === 'error' || e.ev === 'rtc_error');

/** Sends JOIN from client h without waiting for lobby_joined. */
async function sendJoin(h, lobby, mesh) {
  expect(await call(page, 'join', h, lobby, mesh ? 1 : 0)).toBe(ERR.OK);
}

test('JOIN 300 ms late: sends work from id_assigned on, so offers made in peer_connected connect', async () => {
  demo = await startDemoServer({ joinDelayMs: 300 });
  // by hand: an offer and a candidate sent between peer_connected and lobby_joined reach the host
  const godotHost = await TestClient.open(demo.url);
  godotHost.send(CMD.JOIN, 0, '');
  const [, { data: name }] = await godotHost.take(2);
  const h = await connect(bed, page, demo.url);
  await sendJoin(h, name, true);
  await waitEvent(bed, page, h, 'peer_connected');
  const early = await page.evaluate((handle) => ({
    lobbyYet: window.probeEventsOf(handle).some((e) => e.ev === 'lobby'),
    offer: window.probe.sendOffer(handle, 1, 'v=0 early offer'),
    candidate: window.probe.sendCandidate(handle, 1, '0', 0, 'candidate:1 1 udp 1 10.0.0.1 9 typ host'),
  }), h);
  expect(early).toEqual({ lobbyYet: false, offer: ERR.OK, candidate: ERR.OK });
  const { id } = (await named(h, 'id'))[0];
  expect((await godotHost.take(3)).slice(1)).toEqual([
    { type: CMD.OFFER, id, data: 'v=0 early offer' },
    { type: CMD.CANDIDATE, id, data: '\n0\n0\ncandidate:1 1 udp 1 10.0.0.1 9 typ host' },
  ]);
  await waitEvent(bed, page, h, 'lobby');
  godotHost.terminate();
  await call(page, 'destroy', h);

  // the README recipe: two automatic clients, the joiner offering from peer_connected
  const host = await connect(bed, page, demo.url, { automatic: true });
  await sendJoin(host, '', true);
  const { lobby } = await waitEvent(bed, page, host, 'lobby');
  const joiner = await connect(bed, page, demo.url, { automatic: true });
  await sendJoin(joiner, lobby, true);
  const jid = (await waitEvent(bed, page, joiner, 'id')).id;
  expect(await waitEvent(bed, page, host, 'data', { timeout: 30000 })).toEqual(
    { ev: 'data', peer: jid, text: `hello from ${jid} to 1` });
  expect(await waitEvent(bed, page, joiner, 'data', { timeout: 30000 })).toEqual(
    { ev: 'data', peer: 1, text: `hello from 1 to ${jid}` });
  expect(await problems(host)).toEqual([]);
  expect(await problems(joiner)).toEqual([]);
  await call(page, 'destroy', host);
  await call(page, 'destroy', joiner);
});

test('server/client lobby on a server that announces everyone: clients ignore non-host peers', async () => {
  demo = await startDemoServer();
  const host = await connect(bed, page, demo.url, { automatic: true });
  await sendJoin(host, '', false);
  const { lobby } = await waitEvent(bed, page, host, 'lobby');
  const cs = [];
  for (let i = 0; i < 2; i++) {
    cs.push(await connect(bed, page, demo.url, { automatic: true }));
    await sendJoin(cs[i], lobby, false);
    await waitEvent(bed, page, cs[i], 'lobby');
  }
  const ids = [];
  for (const c of cs) ids.push((await named(c, 'id'))[0].id);
  // a Godot client joins too and signals the first C client directly, as the demo server allows
  const godot = await TestClient.open(demo.url);
  godot.send(CMD.JOIN, 1, lobby);
  const godotMsgs = await godot.take(5); // ID, PEER_CONNECT x3 (everyone), JOIN
  const gid = godotMsgs[0].id;
  expect(godotMsgs.filter((m) => m.type === CMD.PEER_CONNECT).map((m) => m.id).sort()).toEqual([1, ...ids].sort());
  godot.send(CMD.OFFER, ids[0], 'v=0 from a client to a client');
  godot.send(CMD.CANDIDATE, ids[0], '\n0\n0\ncandidate:1 1 udp 1 10.0.0.1 9 typ host');

  await waitEvent(bed, page, host, 'data', { count: 2, timeout: 30000 });
  for (let i = 0; i < 2; i++) {
    expect(await waitEvent(bed, page, cs[i], 'data', { timeout: 30000 })).toEqual(
      { ev: 'data', peer: 1, text: `hello from 1 to ${ids[i]}` });
  }
  expect((await named(host, 'peer_connected')).map((e) => e.peer).sort()).toEqual([...ids, gid].sort());
  for (const c of cs) {
    expect((await named(c, 'peer_connected')).map((e) => e.peer)).toEqual([1]); // not the other clients
    expect(await problems(c)).toEqual([]);
  }
  // the client-to-client offer and candidate were not delivered: only the host's answer arrived
  expect((await named(cs[0], 'offer'))).toEqual([]);
  expect((await named(cs[0], 'candidate')).every((e) => e.peer === 1)).toBe(true);
  // sending to a non-host is refused before it goes out
  // (in one evaluate: the page's frame loop sets the last error too)
  expect(await page.evaluate((c, g) => [window.probe.sendOffer(c, g, 'v=0'), window.probe.lastError()], cs[0], gid))
    .toEqual([ERR.INVALID_PARAMETER,
      `emrtc_signal_send_offer: peer ${gid} is not the host; a client of a server/client lobby signals only the host (1)`]);
  expect(await call(page, 'sendOffer', cs[0], 1, 'v=0 to the host')).toBe(ERR.OK);
  // a client leaving: the other client hears nothing of it, the host does
  await call(page, 'destroy', cs[1]);
  expect(await waitEvent(bed, page, host, 'peer_disconnected')).toEqual({ ev: 'peer_disconnected', peer: ids[1] });
  godot.terminate();
  await waitEvent(bed, page, host, 'peer_disconnected', { count: 2 });
  expect(await named(cs[0], 'peer_disconnected')).toEqual([]);
  const offersOfC0 = () => demo.received.filter((m) => m.from === ids[0] && m.type === CMD.OFFER).map((m) => m.data);
  expect(await poll(offersOfC0, (o) => o.length >= 2)).toEqual([expect.stringMatching(/^v=0\r\n/), 'v=0 to the host']);
  await call(page, 'destroy', cs[0]);
  await call(page, 'destroy', host);
});
