'use strict';
// The signaling client against js/signal-server.js in headless Chromium: a three-page mesh and a
// host with two clients set up real emrtc peers through relayed offers, answers and candidates;
// a plain-Node client speaking the protocol (as a Godot game would) shares a lobby with C clients.
const { TestClient } = require('../node/signal-client');
const {
  ERR, createProbeBed, openProbes, eventsOf, waitEvent, connect, join, call,
} = require('./probe');

let bed;
beforeAll(async () => { bed = await createProbeBed(); });
afterAll(async () => { if (bed) await bed.close(); });

/** Events named `ev` of client h, sorted by peer. */
async function byPeer(page, h, ev) {
  return (await eventsOf(page, h)).filter((e) => e.ev === ev).sort((x, y) => x.peer - y.peer);
}

/** What a page must have received from each of `from` (ids), as data events sorted by peer. */
function hellos(from, to) {
  return [...from].sort((x, y) => x - y).map((id) => ({ ev: 'data', peer: id, text: `hello from ${id} to ${to}` }));
}

/** Opens a page per client, makes the first the host of a new lobby and joins the others. */
async function lobbyOfPages(count, mesh) {
  const pages = await openProbes(bed, count);
  const hs = [];
  const joined = [];
  for (let i = 0; i < count; i++) {
    hs.push(await connect(bed, pages[i], bed.signalUrl, { automatic: true }));
    joined.push(await join(bed, pages[i], hs[i], i === 0 ? '' : joined[0].lobby, i === 0 ? mesh : true));
  }
  return { pages, hs, ids: joined.map((j) => j.id), joined };
}

async function expectCleanRun(pages, hs) {
  for (let i = 0; i < pages.length; i++) {
    const bad = (await eventsOf(pages[i], hs[i])).filter((e) => e.ev === 'error' || e.ev === 'rtc_error');
    expect(bad).toEqual([]);
  }
  expect(bed.logs.filter((l) => l.includes('pageerror'))).toEqual([]);
}

test('mesh lobby: three pages connect pairwise through the server and exchange data', async () => {
  const { pages, hs, ids, joined } = await lobbyOfPages(3, true);
  expect(ids[0]).toBe(1);
  expect(new Set(ids).size).toBe(3);
  for (const j of joined) {
    expect(j.mesh).toBe(true);
    expect(j.lobby).toBe(joined[0].lobby);
  }
  expect(joined[0].lobby).toMatch(/^[A-Za-z0-9]{16}$/);

  for (let i = 0; i < 3; i++) await waitEvent(bed, pages[i], hs[i], 'data', { count: 2, timeout: 30000 });
  for (let i = 0; i < 3; i++) {
    const others = ids.filter((id) => id !== ids[i]);
    expect(await byPeer(pages[i], hs[i], 'data')).toEqual(hellos(others, ids[i]));
    expect((await byPeer(pages[i], hs[i], 'peer_connected')).map((e) => e.peer)).toEqual([...others].sort((x, y) => x - y));
    // each side saw exactly one description from each peer: an offer from a higher id, an answer from a lower
    const offers = (await byPeer(pages[i], hs[i], 'offer')).map((e) => e.peer);
    const answers = (await byPeer(pages[i], hs[i], 'answer')).map((e) => e.peer);
    expect(offers).toEqual(others.filter((id) => id > ids[i]).sort((x, y) => x - y));
    expect(answers).toEqual(others.filter((id) => id < ids[i]).sort((x, y) => x - y));
    expect((await byPeer(pages[i], hs[i], 'candidate')).length).toBeGreaterThanOrEqual(2);
    expect(await call(pages[i], 'lobby', hs[i])).toBe(joined[0].lobby);
    expect(await call(pages[i], 'id', hs[i])).toBe(ids[i]);
    expect(await call(pages[i], 'mesh', hs[i])).toBe(1);
  }
  await expectCleanRun(pages, hs);
  for (let i = 0; i < 3; i++) {
    await call(pages[i], 'destroy', hs[i]);
    expect(await call(pages[i], 'liveSignals')).toBe(0);
    expect(await call(pages[i], 'livePeers')).toBe(0);
    await pages[i].close();
  }
});

test('server/client lobby: two clients connect to the host only', async () => {
  const { pages, hs, ids, joined } = await lobbyOfPages(3, false);
  const [host, c1, c2] = ids;
  expect(host).toBe(1);
  // the clients asked for a mesh; the lobby the host created decides
  expect(joined.map((j) => j.mesh)).toEqual([false, false, false]);

  await waitEvent(bed, pages[0], hs[0], 'data', { count: 2, timeout: 30000 });
  for (let i = 1; i < 3; i++) await waitEvent(bed, pages[i], hs[i], 'data', { timeout: 30000 });
  expect(await byPeer(pages[0], hs[0], 'data')).toEqual(hellos([c1, c2], 1));
  expect(await byPeer(pages[1], hs[1], 'data')).toEqual(hellos([1], c1));
  expect(await byPeer(pages[2], hs[2], 'data')).toEqual(hellos([1], c2));
  expect((await byPeer(pages[0], hs[0], 'peer_connected')).map((e) => e.peer)).toEqual([c1, c2].sort((x, y) => x - y));
  expect((await byPeer(pages[1], hs[1], 'peer_connected')).map((e) => e.peer)).toEqual([1]);
  expect((await byPeer(pages[2], hs[2], 'peer_connected')).map((e) => e.peer)).toEqual([1]);
  // the host never offers: it got an offer from each client and sent answers
  expect((await byPeer(pages[0], hs[0], 'offer')).map((e) => e.peer)).toEqual([c1, c2].sort((x, y) => x - y));
  expect(await byPeer(pages[0], hs[0], 'answer')).toEqual([]);
  await expectCleanRun(pages, hs);

  // a client leaving reaches the host only
  await call(pages[2], 'destroy', hs[2]);
  expect(await waitEvent(bed, pages[0], hs[0], 'peer_disconnected')).toEqual({ ev: 'peer_disconnected', peer: c2 });
  expect(await byPeer(pages[1], hs[1], 'peer_disconnected')).toEqual([]);
  expect(await call(pages[0], 'livePeers')).toBe(1); // the host's peer of c2 went with it
  for (const p of pages) await p.close();
});

test('a plain-Node client (a Godot game) and C clients signal each other in one mesh lobby', async () => {
  const [page] = await openProbes(bed, 1);
  const a = await connect(bed, page, bed.signalUrl);
  const { lobby } = await join(bed, page, a, '', true);
  const b = await connect(bed, page, bed.signalUrl);
  const bId = (await join(bed, page, b, lobby, true)).id;

  // the Godot side: JSON text frames {type, id, data}, JOIN with the lobby name and id 0 (mesh)
  const godot = await TestClient.open(bed.signalUrl);
  try {
    godot.send(0, 0, lobby);
    const [idMsg, ...rest] = await godot.take(4);
    const gid = idMsg.id;
    expect(idMsg).toEqual({ type: 1, id: gid, data: 'true' });
    expect(rest).toEqual([{ type: 2, id: 1, data: '' }, { type: 2, id: bId, data: '' }, { type: 0, id: 0, data: lobby }]);
    expect(await waitEvent(bed, page, a, 'peer_connected', { count: 2 })).toEqual({ ev: 'peer_connected', peer: gid });
    expect(await waitEvent(bed, page, b, 'peer_connected', { count: 2 })).toEqual({ ev: 'peer_connected', peer: gid });

    // its offer reaches A exactly, with its id as the source
    const offer = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=- "quoted" back\\slash \u00e9 \ud83d\ude00\r\nt=0 0\r\n';
    godot.send(4, 1, offer);
    expect(await waitEvent(bed, page, a, 'offer')).toEqual({ ev: 'offer', peer: gid, sdp: offer });

    // A answers and sends a candidate: the Godot side gets them with A's id (1) as the source
    const answer = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\na=tls-id:"x"\r\n';
    expect(await call(page, 'sendAnswer', a, gid, answer)).toBe(ERR.OK);
    expect(await godot.next()).toEqual({ type: 5, id: 1, data: answer });
    const cand = 'candidate:842163049 1 udp 1677729535 127.0.0.1 41000 typ srflx raddr 0.0.0.0 rport 0';
    expect(await call(page, 'sendCandidate', a, gid, '0', 0, cand)).toBe(ERR.OK);
    const candMsg = await godot.next();
    expect(candMsg).toEqual({ type: 6, id: 1, data: `\n0\n0\n${cand}` });
    // Godot's parser: data.split("\n", false) -> [mid, index, sdp]
    expect(candMsg.data.split('\n').filter((s) => s !== '')).toEqual(['0', '0', cand]);
    // end-of-candidates is accepted but not sent ("\n0\n0\n" would break Godot's parser): the
    // next message the Godot side gets is the one sent after it
    expect(await call(page, 'sendCandidate', a, gid, '0', 0, '')).toBe(ERR.OK);
    expect(await call(page, 'sendOffer', a, gid, 'after end-of-candidates')).toBe(ERR.OK);
    expect(await godot.next()).toEqual({ type: 4, id: 1, data: 'after end-of-candidates' });

    // its candidate reaches A split into mid, index and sdp
    godot.send(6, 1, '\naudio\n1\ncandidate:1 1 udp 2122260223 10.0.0.1 9 typ host');
    expect(await waitEvent(bed, page, a, 'candidate')).toEqual(
      { ev: 'candidate', peer: gid, mid: 'audio', index: 1, sdp: 'candidate:1 1 udp 2122260223 10.0.0.1 9 typ host' });
    // a candidate in another shape is dropped with a parse error, and B stays connected
    godot.send(6, bId, 'audio 1 candidate');
    expect(await waitEvent(bed, page, b, 'error')).toEqual({
      ev: 'error', code: ERR.PARSE_ERROR, name: 'EMRTC_ERR_PARSE_ERROR',
      message: `a candidate from peer ${gid} is not "\\n" mid "\\n" index "\\n" sdp`,
    });
    expect(await call(page, 'sendOffer', b, gid, 'offer from b')).toBe(ERR.OK);
    expect(await godot.next()).toEqual({ type: 4, id: bId, data: 'offer from b' });

    // it leaves: both C clients are told
    await godot.close();
    expect(await waitEvent(bed, page, a, 'peer_disconnected')).toEqual({ ev: 'peer_disconnected', peer: gid });
    expect(await waitEvent(bed, page, b, 'peer_disconnected')).toEqual({ ev: 'peer_disconnected', peer: gid });
  } finally {
    godot.terminate();
  }
  await call(page, 'destroy', a);
  await call(page, 'destroy', b);
  expect(await call(page, 'liveSignals')).toBe(0);
  await page.close();
});
