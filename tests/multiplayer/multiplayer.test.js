'use strict';
// The multiplayer layer (emrtc_multiplayer.h) and the session helper (emrtc_session.h) in headless
// Chromium: every page a C program (mp_page.c), real RTCPeerConnections, meeting through an emrtc
// signaling server. A mesh of four pages (broadcast, targeted, everyone-but, each transfer mode
// and extra channel on the browser's own RTCDataChannel objects, a page closing mid-game, a late
// joiner), a server with three clients (seal, the server leaving), refusals, and a plain-JS page
// with Godot's channel layout exchanging packets with an emrtc page on every channel.
const fs = require('fs');
const path = require('path');
const { createTestBed } = require('../../js/testing');

const ROOT = path.resolve(__dirname, '../..', process.env.EMRTC_BUILD_DIR || 'build-wasm', 'tests/multiplayer');
const MODE = { UNRELIABLE: 0, ORDERED: 1, RELIABLE: 2 };
const ERR = {
  OK: 0, UNAVAILABLE: 2, UNCONFIGURED: 3, UNAUTHORIZED: 4, PARAMETER_RANGE_ERROR: 5, ALREADY_IN_USE: 22,
  INVALID_PARAMETER: 31, ALREADY_EXISTS: 32,
};

jest.setTimeout(180000);

let bed;
beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'mp_page.js'))) throw new Error(`no build in ${ROOT}: build the wasm tree first`);
  bed = await createTestBed({ root: ROOT, signaling: { sealCloseTimeoutMs: 300 } });
});
afterAll(async () => { if (bed) await bed.close(); });

const events = (page, ev) => page.evaluate((e) => window.mpEvents.filter((x) => !e || x.ev === e), ev);
const packets = async (page, text) => (await events(page, 'packet')).filter((p) => p.text === text);

/** Waits until `page` has recorded `count` events named `ev` matching `fields`; returns them all. */
async function waitEvents(page, ev, fields = {}, count = 1, timeout = 45000) {
  try {
    await bed.waitFor(page, (e, f, n) => window.mpEvents.filter((x) => x.ev === e
      && Object.keys(f).every((k) => x[k] === f[k])).length >= n, { timeout }, ev, fields, count);
  } catch (err) {
    err.message = `waiting for ${count} ${ev} ${JSON.stringify(fields)}; events: `
      + `${JSON.stringify(await events(page))}\n${err.message}`;
    throw err;
  }
  return (await events(page, ev)).filter((x) => Object.keys(fields).every((k) => x[k] === fields[k]));
}

/** Opens `count` mp_page pages. */
async function open(count) {
  const pages = await bed.openPages(count, 'mp_page.html');
  for (const page of pages) await page.evaluate(() => window.mpReady);
  return pages;
}

/** Starts the session on `page`; returns its id (after id_assigned). */
async function start(page, lobby, { serverClient = false, extras = '', lifetime = -1 } = {}) {
  const h = await page.evaluate((u, l, sc, x, lt) => window.mp.start(u, l, sc, x, lt), bed.signalUrl, lobby,
    serverClient ? 1 : 0, extras, lifetime);
  expect(h).not.toBe(0);
  const [id] = await waitEvents(page, 'id');
  return id.id;
}

/** A lobby: the first page creates it, the others join; returns the ids and the lobby's name. */
async function lobbyOf(pages, options = {}) {
  const ids = [await start(pages[0], '', options)];
  const [{ lobby }] = await waitEvents(pages[0], 'lobby');
  for (const page of pages.slice(1)) ids.push(await start(page, lobby, options));
  return { ids, lobby };
}

const send = (page, target, mode, channel, text) => page.evaluate((t, m, c, s) => window.mp.send(t, m, c, s),
  target, mode, channel, text);

/** Sends until `receiver` has got `text` (for unreliable channels); returns its first copy. */
async function sendUntilReceived(sender, receiver, target, mode, channel, text) {
  for (let i = 0; i < 40; i++) {
    expect(await send(sender, target, mode, channel, text)).toBe(ERR.OK);
    try {
      await bed.waitFor(receiver, (t) => window.mpEvents.some((e) => e.ev === 'packet' && e.text === t),
        { timeout: 500 }, text);
      return (await packets(receiver, text))[0];
    } catch (err) { /* lost (unreliable): send again */ }
  }
  throw new Error(`${text} never arrived`);
}

async function finish(pages) {
  for (const page of pages) {
    if (page.isClosed()) continue;
    const errors = (await events(page, 'error'));
    expect(errors).toEqual([]);
    await page.evaluate(() => window.mp.destroy());
    expect(await page.evaluate(() => window.mp.live())).toBe(0); // sessions, multiplayers, peers, JS objects
    await page.close();
  }
  expect(bed.logs.filter((l) => l.includes('pageerror'))).toEqual([]);
}

test('mesh of four pages: broadcast, targeted, everyone-but, transfer modes, a page leaving, a late joiner', async () => {
  const pages = await open(4);
  const options = { extras: '012', lifetime: 250 }; // extra channels: unreliable, ordered, reliable
  const { ids, lobby } = await lobbyOf(pages, options);
  expect(ids[0]).toBe(1);
  expect(new Set(ids).size).toBe(4);
  for (let i = 0; i < 4; i++) {
    const connected = await waitEvents(pages[i], 'peer_connected', {}, 3);
    expect(connected.map((e) => e.peer).sort((a, b) => a - b)).toEqual(ids.filter((id) => id !== ids[i]).sort((a, b) => a - b));
    expect((await events(pages[i], 'id'))[0].mesh).toBe(true);
  }

  // Godot's channel layout, as the browser itself holds it
  const channels = await pages[0].evaluate((p) => window.mp.browserChannels(p), ids[1]);
  expect(channels).toEqual([
    { label: 'reliable', id: 1, ordered: true, maxPacketLifeTime: null, maxRetransmits: null },
    { label: 'ordered', id: 2, ordered: true, maxPacketLifeTime: 250, maxRetransmits: null },
    { label: 'unreliable', id: 3, ordered: false, maxPacketLifeTime: 250, maxRetransmits: null },
    { label: '4', id: 4, ordered: false, maxPacketLifeTime: 1, maxRetransmits: null },
    { label: '5', id: 5, ordered: true, maxPacketLifeTime: 1, maxRetransmits: null },
    { label: '6', id: 6, ordered: true, maxPacketLifeTime: null, maxRetransmits: null },
  ].map((c) => ({ ...c, negotiated: true, binaryType: 'arraybuffer', readyState: 'open', protocol: '' })));

  // a broadcast reaches every other page exactly once
  for (let i = 0; i < 4; i++) expect(await send(pages[i], 0, MODE.RELIABLE, 0, `all from ${ids[i]}`)).toBe(ERR.OK);
  for (let i = 0; i < 4; i++) {
    await waitEvents(pages[i], 'packet', {}, 3);
    for (let j = 0; j < 4; j++) {
      const got = await packets(pages[i], `all from ${ids[j]}`);
      expect(got.length).toBe(i === j ? 0 : 1);
      if (i !== j) expect(got[0]).toMatchObject({ from: ids[j], channel: 0, mode: MODE.RELIABLE });
    }
  }
  // targeted: only its target; everyone but ids[1]: not ids[1]. A reliable, ordered marker from the
  // same senders afterwards proves the others really got nothing.
  expect(await send(pages[0], ids[2], MODE.RELIABLE, 0, 'just you')).toBe(ERR.OK);
  expect(await send(pages[3], -ids[1], MODE.RELIABLE, 0, 'not you')).toBe(ERR.OK);
  for (const i of [0, 3]) expect(await send(pages[i], 0, MODE.RELIABLE, 0, `sync ${i}`)).toBe(ERR.OK);
  for (let i = 0; i < 4; i++) {
    if (i !== 0) await waitEvents(pages[i], 'packet', { text: 'sync 0' });
    if (i !== 3) await waitEvents(pages[i], 'packet', { text: 'sync 3' });
  }
  expect((await Promise.all(pages.map((p) => packets(p, 'just you')))).map((g) => g.length)).toEqual([0, 0, 1, 0]);
  expect((await Promise.all(pages.map((p) => packets(p, 'not you')))).map((g) => g.length)).toEqual([1, 0, 1, 0]);

  // each transfer mode on its channel, each extra channel whatever the mode: the receiver's
  // get_packet_channel / get_packet_mode say which
  const cases = [
    [MODE.RELIABLE, 0, 0, MODE.RELIABLE], [MODE.ORDERED, 0, 0, MODE.ORDERED], [MODE.UNRELIABLE, 0, 0, MODE.UNRELIABLE],
    [MODE.RELIABLE, 1, 1, MODE.UNRELIABLE], [MODE.RELIABLE, 2, 2, MODE.ORDERED], [MODE.UNRELIABLE, 3, 3, MODE.RELIABLE],
  ];
  for (const [mode, channel, wantChannel, wantMode] of cases) {
    const got = await sendUntilReceived(pages[1], pages[0], ids[0], mode, channel, `mode ${mode} channel ${channel}`);
    expect(got).toMatchObject({ from: ids[1], channel: wantChannel, mode: wantMode });
  }
  expect(await send(pages[1], ids[0], MODE.RELIABLE, 4, 'no such channel')).toBe(ERR.PARAMETER_RANGE_ERROR);
  expect(await send(pages[1], 12345, MODE.RELIABLE, 0, 'no such peer')).toBe(ERR.INVALID_PARAMETER);

  // a page closes mid-game: every other page gets peer_disconnected and plays on
  await pages[1].close();
  const rest = [pages[0], pages[2], pages[3]];
  for (const page of rest) await waitEvents(page, 'peer_disconnected', { peer: ids[1] });
  expect(await send(pages[0], 0, MODE.RELIABLE, 0, 'after')).toBe(ERR.OK);
  for (const page of [pages[2], pages[3]]) await waitEvents(page, 'packet', { text: 'after', from: 1 });
  expect((await pages[0].evaluate(() => window.mp.peers())).sort((a, b) => a - b)).toEqual([ids[2], ids[3]].sort((a, b) => a - b));

  // a page joins late: everyone connects to it
  const [late] = await open(1);
  const lateId = await start(late, lobby, options);
  for (const page of rest) await waitEvents(page, 'peer_connected', { peer: lateId });
  await waitEvents(late, 'peer_connected', {}, 3);
  expect(await send(late, 0, MODE.RELIABLE, 0, 'late')).toBe(ERR.OK);
  for (const page of rest) expect((await waitEvents(page, 'packet', { text: 'late' }))[0].from).toBe(lateId);
  await finish([...rest, late]);
});

test('server with three clients: clients reach only the server; seal; the server leaving', async () => {
  const pages = await open(4);
  const { ids } = await lobbyOf(pages, { serverClient: true });
  const [host, ...clients] = pages;
  await waitEvents(host, 'peer_connected', {}, 3);
  for (let i = 0; i < 3; i++) {
    await waitEvents(clients[i], 'connection_succeeded');
    expect((await events(clients[i], 'peer_connected')).map((e) => e.peer)).toEqual([1]);
    expect(await clients[i].evaluate(() => window.mp.peers())).toEqual([1]);
    expect((await events(clients[i], 'id'))[0].mesh).toBe(false);
  }
  expect((await host.evaluate(() => window.mp.peers())).sort((a, b) => a - b)).toEqual(ids.slice(1).sort((a, b) => a - b));
  // a client's broadcast goes to the server only; another client is not even a target
  expect(await send(clients[0], 0, MODE.RELIABLE, 0, 'from a client')).toBe(ERR.OK);
  expect(await send(clients[0], ids[2], MODE.RELIABLE, 0, 'to a client')).toBe(ERR.INVALID_PARAMETER);
  expect((await waitEvents(host, 'packet', { text: 'from a client' }))[0].from).toBe(ids[1]);
  expect(await send(host, 0, MODE.RELIABLE, 0, 'sync')).toBe(ERR.OK);
  for (const c of clients) await waitEvents(c, 'packet', { text: 'sync', from: 1 });
  for (const c of clients) expect(await packets(c, 'from a client')).toEqual([]);

  // seal: the lobby closes, the game plays on
  expect(await clients[0].evaluate(() => window.mp.seal())).toBe(ERR.UNAVAILABLE); // host only
  expect(await host.evaluate(() => window.mp.seal())).toBe(ERR.OK);
  for (const page of pages) {
    await waitEvents(page, 'lobby_sealed');
    expect((await waitEvents(page, 'lobby_closed'))[0]).toMatchObject({ sealed: true, code: 1000 });
  }
  expect(await host.evaluate(() => window.mp.peers())).toHaveLength(3);
  expect(await host.evaluate(() => window.mp.refuse(1))).toBe(ERR.OK);
  expect(await send(host, 0, MODE.RELIABLE, 0, 'after the seal')).toBe(ERR.OK);
  for (const c of clients) await waitEvents(c, 'packet', { text: 'after the seal' });
  expect(await send(clients[2], 1, MODE.RELIABLE, 0, 'client after the seal')).toBe(ERR.OK);
  await waitEvents(host, 'packet', { text: 'client after the seal', from: ids[3] });

  // the server's page closes (no signaling any more): its connections close, every client gets
  // peer_disconnected(1) then server_disconnected
  await host.close();
  for (const c of clients) {
    await waitEvents(c, 'server_disconnected');
    const order = (await events(c)).map((e) => e.ev).filter((e) => /disconnected|succeeded|failed/.test(e));
    expect(order).toEqual(['connection_succeeded', 'peer_disconnected', 'server_disconnected']);
    expect(await send(c, 0, MODE.RELIABLE, 0, 'anyone?')).toBe(ERR.UNCONFIGURED);
  }
  await finish(clients);
});

test('every refusal of add_peer has its own error, on browser connections', async () => {
  const [page] = await open(1);
  const got = await page.evaluate(() => window.mp.refusals());
  const errs = Object.fromEntries(got.map((r) => [r.what, r.err]));
  expect(errs).toEqual({
    unconfigured: ERR.UNCONFIGURED,
    'client adds a non-server id': ERR.INVALID_PARAMETER,
    'server adds id 1': ERR.ALREADY_IN_USE,
    'id 0': ERR.PARAMETER_RANGE_ERROR,
    'id -1': ERR.PARAMETER_RANGE_ERROR,
    'connection not in STATE_NEW': ERR.UNAVAILABLE,
    ok: ERR.OK,
    'duplicate id': ERR.ALREADY_EXISTS,
    'refusing new connections': ERR.UNAUTHORIZED,
    'ok after refusing': ERR.OK,
  });
  // the five refusals Godot makes differ in code, and each says what it refused
  const godots = ['client adds a non-server id', 'server adds id 1', 'id 0', 'connection not in STATE_NEW', 'duplicate id'];
  expect(new Set(godots.map((w) => errs[w])).size).toBe(5);
  for (const r of got.filter((x) => x.err !== ERR.OK)) expect(r.message).toMatch(/^emrtc_multiplayer_add_peer: ./);
  expect(await page.evaluate(() => window.mp.live())).toBe(0);

  // a session's own refusals: bad options give no session; an unreachable server is told later
  const startWith = (url, extras, lifetime) => page.evaluate((u, x, lt) => window.mp.start(u, '', 0, x, lt), url, extras, lifetime);
  expect(await startWith(bed.signalUrl, '3', -1)).toBe(0); // 3 is not a transfer mode
  expect(await startWith(bed.signalUrl, '', 65536)).toBe(0); // lifetime past 16 bits
  expect(await startWith('http://127.0.0.1:1', '', -1)).toBe(0); // not a ws:// URL
  expect(await startWith('ws://127.0.0.1:1', '', -1)).not.toBe(0);
  expect((await waitEvents(page, 'error'))[0]).toMatchObject({ peer: 0, code: 25 }); // EMRTC_ERR_CANT_CONNECT
  expect((await waitEvents(page, 'lobby_closed'))[0]).toMatchObject({ code: 1006, sealed: false });
  await page.evaluate(() => { window.mp.destroy(); window.mpEvents = []; });
  expect(await page.evaluate(() => window.mp.live())).toBe(0);

  // a session whose multiplayer refuses new connections: the joiner is reported, not connected
  const [joiner] = await open(1);
  await start(page, '');
  const [{ lobby }] = await waitEvents(page, 'lobby');
  expect(await page.evaluate(() => window.mp.refuse(1))).toBe(ERR.OK);
  const joinerId = await start(joiner, lobby);
  const [refused] = await waitEvents(page, 'error', { peer: joinerId });
  expect(refused.code).toBe(ERR.UNAUTHORIZED);
  expect(await events(page, 'peer_connected')).toEqual([]);
  await page.evaluate(() => { window.mpEvents = window.mpEvents.filter((e) => e.ev !== 'error'); });
  await finish([page, joiner]);
});

test("Godot's channel layout: a plain-JS Godot-style peer exchanges packets with an emrtc page on every channel", async () => {
  // round 1: the emrtc page hosts, the Godot-style page joins and offers (its id is the higher)
  const [emrtc] = await open(1);
  await start(emrtc, '');
  const [{ lobby }] = await waitEvents(emrtc, 'lobby');
  const [godot] = await bed.openPages(1, 'godot_peer.html', { signal: bed.signalUrl, lobby });
  const godotId = await bed.waitFor(godot, () => window.godot.id);
  await waitEvents(emrtc, 'peer_connected', { peer: godotId });
  await bed.waitFor(godot, () => window.godot.channelsOf(1).every((c) => c.readyState === 'open'));
  // Godot's web backend hands its Dictionary to createDataChannel as is: "maxPacketLifetime" is not
  // the browser's key (maxPacketLifeTime), so a Godot web peer's channels 2 and 3 send reliably;
  // negotiated channels still pair up (each sender picks its own reliability)
  expect(await godot.evaluate(() => window.godot.channelsOf(1))).toEqual([
    { label: 'reliable', id: 1, readyState: 'open', ordered: true, maxPacketLifeTime: null },
    { label: 'ordered', id: 2, readyState: 'open', ordered: true, maxPacketLifeTime: null },
    { label: 'unreliable', id: 3, readyState: 'open', ordered: false, maxPacketLifeTime: null },
  ]);
  const labels = { 1: 'reliable', 2: 'ordered', 3: 'unreliable' };
  const modes = { 1: MODE.RELIABLE, 2: MODE.ORDERED, 3: MODE.UNRELIABLE };
  for (const id of [1, 2, 3]) {
    // Godot -> emrtc: raw bytes, the channel tells the mode; the page echoes on the same mode
    await godot.evaluate((c, t) => window.godot.sendOn(1, c, t), id, `echo:${labels[id]}`);
    expect((await waitEvents(emrtc, 'packet', { text: `echo:${labels[id]}` }))[0])
      .toMatchObject({ from: godotId, channel: 0, mode: modes[id] });
    const back = await bed.waitFor(godot, (t) => window.godot.received.find((r) => r.text === t), {}, `re:echo:${labels[id]}`);
    expect(back).toMatchObject({ from: 1, channel: id, label: labels[id], binary: true });
  }
  // emrtc -> Godot, each transfer mode on the channel Godot reads it from, byte for byte
  for (const id of [1, 2, 3]) {
    expect(await send(emrtc, godotId, modes[id], 0, `emrtc ${labels[id]}`)).toBe(ERR.OK);
    const got = await bed.waitFor(godot, (t) => window.godot.received.find((r) => r.text === t), {}, `emrtc ${labels[id]}`);
    expect(got).toMatchObject({ from: 1, channel: id, binary: true });
  }
  await finish([emrtc]);
  await godot.close();

  // round 2: the Godot-style page hosts (id 1, never offers), the emrtc page joins and offers
  const [host] = await bed.openPages(1, 'godot_peer.html', { signal: bed.signalUrl });
  const lobby2 = await bed.waitFor(host, () => window.godot.lobby);
  const [joiner] = await open(1);
  const joinerId = await start(joiner, lobby2);
  await waitEvents(joiner, 'peer_connected', { peer: 1 });
  await bed.waitFor(host, (p) => window.godot.peers[p] && window.godot.channelsOf(p).every((c) => c.readyState === 'open'),
    {}, joinerId);
  await host.evaluate((p) => window.godot.sendOn(p, 1, 'echo:host'), joinerId);
  expect((await bed.waitFor(host, () => window.godot.received.find((r) => r.text === 're:echo:host')))).toMatchObject({ channel: 1 });
  expect(await host.evaluate(() => window.godot.errors)).toEqual([]);
  await finish([joiner]);
  await host.close();
});
