'use strict';
// Recovery in the session layer (emrtc_session.h, A FAILING PEER): a 3-page mesh lobby where page C
// may only use relay candidates through coturn and pages A and B connect directly. coturn is
// stopped: C's links go down while A and B play on; coturn comes back and the sessions restart ICE
// through the signaling server: C is connected again to both, without a new peer_connected or any
// peer_disconnected, and the reliable stream on every link lost nothing and doubled nothing.
const path = require('path');
const { createTestBed } = require('../../js/testing');
const { startCoturn, interfaceAddress } = require('./coturn');
const { STATE } = require('./net');

const ROOT = path.resolve(__dirname, '../..', process.env.EMRTC_BUILD_DIR || 'build-wasm', 'tests/net');
const USER = 'emrtc';
const PASS = 'secret';

let turn;
let bed;
beforeAll(async () => {
  // relay candidates on the interface's address: A and B reach C's relay from their host candidates
  const relayIp = interfaceAddress();
  if (!relayIp) throw new Error('no non-loopback IPv4 address for the relay');
  turn = await startCoturn({ users: { [USER]: PASS }, relayIp });
  bed = await createTestBed({ root: ROOT, signaling: true });
});
afterAll(async () => {
  if (bed) await bed.close();
  if (turn) await turn.close();
});

/** bed.waitFor, failing with the events every page recorded. */
async function waitFor(page, fn, options, ...args) {
  try {
    return await bed.waitFor(page, fn, options, ...args);
  } catch (err) {
    const events = await Promise.all(bed.pages.map((p) => p.evaluate(() => JSON.stringify(window.lpEvents)).catch(() => '?')));
    err.message += `\nevents per page:\n${events.join('\n')}`;
    throw err;
  }
}

const counters = (page, peer) => page.evaluate((p) => window.lp.counters(p), peer);
const state = (page, peer) => page.evaluate((p) => window.lp.state(p), peer);

test('a lobby outage: the relayed peer comes back by ICE restart, the others play on, nothing lost', async () => {
  const pages = await bed.openPages(3, 'lobby_peer.html');
  for (const page of pages) await page.evaluate(() => window.lpReady);
  const [a, b, c] = pages;
  expect(await a.evaluate((u) => window.lp.start(u, '', '', '', '', 0), bed.signalUrl)).toBeGreaterThan(0);
  const lobby = (await waitFor(a, () => window.lp.events('lobby')[0])).text;
  expect(await b.evaluate((u, l) => window.lp.start(u, l, '', '', '', 0), bed.signalUrl, lobby)).toBeGreaterThan(0);
  expect(await c.evaluate((u, l, t, n, p) => window.lp.start(u, l, t, n, p, 1), bed.signalUrl, lobby, turn.url('udp'), USER, PASS))
    .toBeGreaterThan(0);
  for (const page of pages) await waitFor(page, () => window.lp.events('peer_connected').length === 2, { timeout: 30000 });
  const ids = await Promise.all(pages.map((page) => page.evaluate(() => window.lp.id())));
  const [ida, idb, idc] = ids;
  for (const page of pages) await page.evaluate(() => window.lp.stream(1));
  for (const [page, others] of [[a, [idb, idc]], [b, [ida, idc]], [c, [ida, idb]]]) {
    for (const id of others) await waitFor(page, (p) => window.lp.counters(p).received > 20, {}, id);
  }

  const stopped = Date.now();
  await turn.stop();
  // C's links go down, as C sees them and as A and B see theirs to C
  await waitFor(c, (x, y, ok) => window.lp.state(x) !== ok && window.lp.state(y) !== ok, { timeout: 30000, polling: 50 },
    ida, idb, STATE.CONNECTED);
  const downAfter = Date.now() - stopped;
  // A and B play on meanwhile: packets keep coming across their own link
  const abBefore = (await counters(a, idb)).received;
  await waitFor(a, (p, n) => window.lp.counters(p).received > n + 50, {}, idb, abBefore);
  expect(await state(a, idb)).toBe(STATE.CONNECTED);
  expect(await state(a, idc)).not.toBe(STATE.CONNECTED);

  await turn.start();
  const back = Date.now();
  for (const [page, peer] of [[c, ida], [c, idb], [a, idc], [b, idc]]) {
    await waitFor(page, (p, ok) => window.lp.state(p) === ok, { timeout: 30000, polling: 50 }, peer, STATE.CONNECTED);
  }
  const upAfter = Date.now() - back;
  // data again on C's links, then everything sent must arrive exactly once
  const cBefore = await Promise.all([ida, idb].map((id) => counters(c, id)));
  for (const [i, id] of [ida, idb].entries()) {
    await waitFor(c, (p, n) => window.lp.counters(p).received > n + 20, {}, id, cBefore[i].received);
  }
  for (const page of pages) await page.evaluate(() => window.lp.stream(0));
  for (const [i, page] of pages.entries()) {
    for (const [j, other] of pages.entries()) {
      if (i === j) continue;
      const sent = (await counters(other, ids[i])).sent;
      await waitFor(page, (p, n) => window.lp.counters(p).received === n, { timeout: 30000 }, ids[j], sent);
      const got = await counters(page, ids[j]);
      expect(got.gaps).toBe(0);
      expect(got.duplicates).toBe(0);
    }
  }
  for (const page of pages) {
    expect(await page.evaluate(() => window.lp.events('peer_connected').length)).toBe(2);
    expect(await page.evaluate(() => window.lp.events('peer_disconnected').length)).toBe(0);
  }
  const ac = await counters(a, idc);
  console.log(`lobby outage: C's links down ${downAfter} ms after coturn stopped; connected again ${upAfter} ms `
    + `after it came back (ICE restart through signaling); A received ${ac.received} packets from C, none lost or doubled`);
  for (const page of pages) await page.evaluate(() => window.lp.destroy());
  for (const page of pages) expect(await page.evaluate(() => window.lp.live())).toBe(0);
}, 150000);
