'use strict';
// The signaling client's error paths in headless Chromium: unreachable server, bad URLs, sends in
// the wrong state, a server sending garbage, destroy from inside callbacks, close, and seal.
const { WebSocketServer } = require('ws');
const {
  ERR, STATE, createProbeBed, openProbes, eventsOf, waitEvent, connect, join, call,
} = require('./probe');

const SEAL_CLOSE_MS = 1500; // the server closes a sealed lobby after this

let bed;
let page;
beforeAll(async () => {
  bed = await createProbeBed({ sealCloseTimeoutMs: SEAL_CLOSE_MS });
  [page] = await openProbes(bed, 1);
});
afterAll(async () => { if (bed) await bed.close(); });
afterEach(async () => {
  // every test destroys what it made: nothing is left alive, nothing was thrown
  expect(await call(page, 'liveSignals')).toBe(0);
  expect(bed.logs.filter((l) => l.includes('pageerror'))).toEqual([]);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A ws server on a free port that runs `onConnection(ws)` for each client. */
async function tinyServer(onConnection) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', onConnection);
  return {
    url: `ws://127.0.0.1:${wss.address().port}`,
    close: () => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }),
  };
}

test('an unreachable server: CANT_CONNECT then closed 1006; sends are refused before open and after close', async () => {
  const url = 'ws://127.0.0.1:1';
  const early = await page.evaluate((u) => {
    const h = window.probe.create(u, 0);
    return {
      h,
      state: window.probe.state(h),
      join: window.probe.join(h, '', 1),
      joinWhy: window.probe.lastError(),
      offer: window.probe.sendOffer(h, 2, 'v=0'),
      offerWhy: window.probe.lastError(),
    };
  }, url);
  expect(early).toEqual({
    h: expect.any(Number),
    state: STATE.CONNECTING,
    join: ERR.UNAVAILABLE,
    joinWhy: 'emrtc_signal_join: the connection is connecting; wait for the connected callback',
    offer: ERR.UNAVAILABLE,
    offerWhy: 'emrtc_signal_send_offer: the connection is connecting; wait for the connected callback',
  });
  const { h } = early;
  await waitEvent(bed, page, h, 'closed');
  expect(await eventsOf(page, h)).toEqual([
    { ev: 'error', code: ERR.CANT_CONNECT, name: 'EMRTC_ERR_CANT_CONNECT', message: `cannot connect to ${url}` },
    { ev: 'closed', code: 1006, reason: '' },
  ]);
  expect(await call(page, 'state', h)).toBe(STATE.CLOSED);
  expect(await call(page, 'join', h, '', 1)).toBe(ERR.UNAVAILABLE);
  expect(await call(page, 'lastError')).toBe('emrtc_signal_join: the connection is closed');
  await call(page, 'destroy', h);
  // a destroyed handle is refused, and getters give neutral values
  expect(await call(page, 'poll', h)).toBe(ERR.INVALID_PARAMETER);
  expect(await call(page, 'lastError')).toBe(`emrtc_signal_poll: signal handle ${h} is not a live client`);
  expect(await call(page, 'join', h, '', 1)).toBe(ERR.INVALID_PARAMETER);
  expect([await call(page, 'state', h), await call(page, 'id', h), await call(page, 'lobby', h)]).toEqual([STATE.CLOSED, 0, '']);
});

test('URLs that are not ws:// or wss:// are refused at create', async () => {
  for (const url of ['http://127.0.0.1:9', 'ws://127.0.0.1:9/#frag', 'ws://[::1', '', 'not a url']) {
    expect(await call(page, 'create', url, 0)).toBe(0);
    expect(await call(page, 'lastError')).toBe(`emrtc_signal_create: "${url}" is not a ws:// or wss:// URL (without #)`);
  }
});

test('sends are checked: before open, before an id, twice joined, bad arguments, refused by the server', async () => {
  const early = await page.evaluate((u) => {
    const h = window.probe.create(u, 0);
    return { h, join: window.probe.join(h, '', 1), seal: window.probe.seal(h), state: window.probe.state(h) };
  }, bed.signalUrl);
  expect(early).toEqual({ h: expect.any(Number), join: ERR.UNAVAILABLE, seal: ERR.UNAVAILABLE, state: STATE.CONNECTING });
  const { h } = early;
  await waitEvent(bed, page, h, 'connected');
  expect(await call(page, 'state', h)).toBe(STATE.OPEN);
  expect(await call(page, 'sendOffer', h, 2, 'v=0')).toBe(ERR.UNAVAILABLE);
  expect(await call(page, 'lastError')).toBe('emrtc_signal_send_offer: no id assigned yet; wait for the id_assigned callback');
  expect(await call(page, 'join', h, '', 0)).toBe(ERR.OK);
  expect(await call(page, 'join', h, '', 0)).toBe(ERR.UNAVAILABLE);
  expect(await call(page, 'lastError')).toBe('emrtc_signal_join: already joined (once per client)');
  const { id, mesh, lobby } = (await waitEvent(bed, page, h, 'lobby')) && {
    id: await call(page, 'id', h), mesh: await call(page, 'mesh', h), lobby: await call(page, 'lobby', h),
  };
  expect([id, mesh]).toEqual([1, 0]);
  expect(lobby).toMatch(/^[A-Za-z0-9]{16}$/);

  expect(await call(page, 'sendOffer', h, 0, 'v=0')).toBe(ERR.PARAMETER_RANGE_ERROR);
  expect(await call(page, 'lastError')).toBe('emrtc_signal_send_offer: peer id 0 is outside 1..2147483647');
  expect(await call(page, 'sendAnswer', h, -5, 'v=0')).toBe(ERR.PARAMETER_RANGE_ERROR);
  expect(await call(page, 'sendCandidate', h, 2, 'a\nb', 0, 'c')).toBe(ERR.INVALID_PARAMETER);
  expect(await call(page, 'lastError')).toBe('emrtc_signal_send_candidate: mid contains a newline');
  expect(await call(page, 'sendCandidate', h, 2, '0', -1, 'c')).toBe(ERR.PARAMETER_RANGE_ERROR);
  expect(await call(page, 'sendCandidate', h, 2, '0', 65536, 'c')).toBe(ERR.PARAMETER_RANGE_ERROR);
  expect(await call(page, 'lastError')).toBe('emrtc_signal_send_candidate: index 65536 is outside 0..65535');

  // a destination the server does not know: it closes the connection with its reason
  expect(await call(page, 'sendOffer', h, 12345, 'v=0')).toBe(ERR.OK);
  expect(await waitEvent(bed, page, h, 'closed')).toEqual({ ev: 'closed', code: 4000, reason: 'Invalid destination' });
  expect((await eventsOf(page, h)).map((e) => e.ev)).toEqual(['connected', 'id', 'lobby', 'closed']);
  await call(page, 'destroy', h);
});

// Frames the garbage server sends, each with the error it must cause (null: a valid message).
const GARBAGE = [
  ['not json', 'malformed message from the server (8 bytes): expected a JSON object at byte 0'],
  [Buffer.from([1, 2, 3]), 'a binary frame (3 bytes) from the server: the protocol uses text frames'],
  ['', 'malformed message from the server (0 bytes): expected a JSON object, found the end at byte 0'],
  ['{"type":"1","id":2,"data":""}',
    'malformed message from the server (29 bytes): "type" is not an integer in 0..2147483647 at byte 8'],
  ['{"type":4,"id":2,"data":5}', 'malformed message from the server (26 bytes): "data" is not a string at byte 24'],
  ['{"type":4,"id":2,"data":"a\\u0000b"}',
    'malformed message from the server (35 bytes): \\u0000 cannot be passed on in a C string at byte 32'],
  ['{"type":4,"id":2,"data":"cut', 'malformed message from the server (28 bytes): unterminated string at byte 28'],
  ['{"type":4,"id":2} {}', 'malformed message from the server (20 bytes): unexpected text after the object at byte 18'],
  ['{"type":42,"id":2,"data":""}', 'unknown message type 42 from the server'],
  ['{"type":6,"id":2,"data":"no newlines"}', 'a candidate from peer 2 is not "\\n" mid "\\n" index "\\n" sdp'],
  ['{"type":2,"id":0,"data":""}', 'a message from the server names peer id 0'],
  ['{"type":4,"id":2,"data":"\\ud83d\\ude00 \\"ok\\"\\n","extra":[1,{"x":null}]}', null],
  ['{"id":7,"type":1,"data":"true"}', null],
];

test('a server sending garbage: each bad frame is one PARSE_ERROR, good frames still arrive, then closed', async () => {
  const server = await tinyServer((ws) => {
    for (const [frame] of GARBAGE) ws.send(frame);
    ws.close(4000, 'bye now');
  });
  try {
    const h = await call(page, 'create', server.url, 0);
    await waitEvent(bed, page, h, 'closed');
    const errors = GARBAGE.filter(([, why]) => why).map(([, message]) => (
      { ev: 'error', code: ERR.PARSE_ERROR, name: 'EMRTC_ERR_PARSE_ERROR', message }));
    expect(await eventsOf(page, h)).toEqual([
      { ev: 'connected' },
      ...errors,
      { ev: 'offer', peer: 2, sdp: '\u{1F600} "ok"\n' },
      { ev: 'id', id: 7, mesh: true },
      { ev: 'closed', code: 4000, reason: 'bye now' },
    ]);
    expect([await call(page, 'state', h), await call(page, 'id', h), await call(page, 'mesh', h)]).toEqual([STATE.CLOSED, 7, 1]);
    await call(page, 'destroy', h);
  } finally {
    await server.close();
  }
});

test('destroy from inside a callback: the rest of the queue never reaches C', async () => {
  // events pile up while the client is not polled, then the first error callback destroys it
  let sent;
  const allSent = new Promise((r) => { sent = r; });
  const server = await tinyServer((ws) => {
    for (const [frame] of GARBAGE) ws.send(frame);
    sent();
  });
  try {
    const h = await page.evaluate((u) => {
      const handle = window.probe.create(u, 0);
      window.probe.pause(handle, 1);
      window.probe.destroyOn(handle, 'error');
      return handle;
    }, server.url);
    await allSent;
    await sleep(300);
    await call(page, 'pause', h, 0);
    await waitEvent(bed, page, h, 'destroyed');
    await sleep(100);
    expect(await eventsOf(page, h)).toEqual([
      { ev: 'connected' },
      { ev: 'error', code: ERR.PARSE_ERROR, name: 'EMRTC_ERR_PARSE_ERROR', message: GARBAGE[0][1] },
      { ev: 'destroyed' },
    ]);
  } finally {
    await server.close();
  }

  // the same against the real server, destroyed in id_assigned with the lobby's messages queued
  const h2 = await connect(bed, page, bed.signalUrl);
  await page.evaluate((handle) => { window.probe.pause(handle, 1); window.probe.destroyOn(handle, 'id'); }, h2);
  expect(await call(page, 'join', h2, '', 1)).toBe(ERR.OK);
  await sleep(300);
  await call(page, 'pause', h2, 0);
  await waitEvent(bed, page, h2, 'destroyed');
  await sleep(100);
  expect((await eventsOf(page, h2)).map((e) => e.ev)).toEqual(['connected', 'id', 'destroyed']);
});

test('close(): CLOSING at once, then closed 1000 and no error; while connecting: closed 1006 and no error', async () => {
  const h = await connect(bed, page, bed.signalUrl);
  await join(bed, page, h, '', true);
  // close, state and send in one evaluate: the page's poll may deliver `closed` between two evaluates
  expect(await page.evaluate((handle) => {
    window.probe.close(handle);
    return { state: window.probe.state(handle), send: window.probe.sendOffer(handle, 2, 'x') };
  }, h)).toEqual({ state: STATE.CLOSING, send: ERR.UNAVAILABLE });
  expect(await waitEvent(bed, page, h, 'closed')).toEqual({ ev: 'closed', code: 1000, reason: '' });
  expect(await call(page, 'state', h)).toBe(STATE.CLOSED);
  expect((await eventsOf(page, h)).map((e) => e.ev)).toEqual(['connected', 'id', 'lobby', 'closed']);
  await call(page, 'destroy', h);

  const h2 = await page.evaluate((u) => {
    const handle = window.probe.create(u, 0);
    window.probe.close(handle);
    return handle;
  }, bed.signalUrl);
  expect(await waitEvent(bed, page, h2, 'closed')).toEqual({ ev: 'closed', code: 1006, reason: '' });
  await sleep(100);
  expect(await eventsOf(page, h2)).toEqual([{ ev: 'closed', code: 1006, reason: '' }]);
  await call(page, 'destroy', h2);
});

test('seal: host only; every member gets lobby_sealed, then the server closes the lobby', async () => {
  const host = await connect(bed, page, bed.signalUrl);
  const { lobby } = await join(bed, page, host, '', true);
  const member = await connect(bed, page, bed.signalUrl);
  const { id: memberId } = await join(bed, page, member, lobby, true);
  await waitEvent(bed, page, host, 'peer_connected');

  expect(await call(page, 'seal', member)).toBe(ERR.UNAVAILABLE);
  expect(await call(page, 'lastError')).toBe(`emrtc_signal_seal: only the host (id 1) may seal; you are ${memberId}`);
  const sealedAt = Date.now();
  expect(await call(page, 'seal', host)).toBe(ERR.OK);
  await waitEvent(bed, page, member, 'sealed');
  // sealed: nobody else gets in (the server has SEAL_CLOSE_MS to go before it closes the lobby)
  const refused = await connect(bed, page, bed.signalUrl);
  expect(await call(page, 'join', refused, lobby, true)).toBe(ERR.OK);
  expect(await waitEvent(bed, page, refused, 'closed')).toEqual({ ev: 'closed', code: 4000, reason: 'Lobby is sealed' });
  expect(Date.now() - sealedAt).toBeLessThan(SEAL_CLOSE_MS);
  for (const h of [host, member]) {
    await waitEvent(bed, page, h, 'closed');
    expect((await eventsOf(page, h)).slice(-2)).toEqual([
      { ev: 'sealed' }, { ev: 'closed', code: 1000, reason: 'Seal complete' }]);
  }
  // then the lobby is gone
  const late = await connect(bed, page, bed.signalUrl);
  expect(await call(page, 'join', late, lobby, true)).toBe(ERR.OK);
  expect(await waitEvent(bed, page, late, 'closed')).toEqual({ ev: 'closed', code: 4000, reason: 'Lobby does not exists' });
  for (const h of [host, member, refused, late]) await call(page, 'destroy', h);
});
