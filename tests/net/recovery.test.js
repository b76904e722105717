'use strict';
// Fault and recovery: two pages connected relay-only through coturn stream sequence-numbered packets
// both ways on a reliable channel; coturn is stopped. Both connections go DISCONNECTED, then FAILED
// (each reported through connection_state_changed), the channels stay open and hold what is sent
// meanwhile. coturn comes back on the same port, one program restarts ICE: both are CONNECTED again,
// the same channels carry on, and every packet sent across the outage arrives exactly once, in order.
// The times are printed (the README quotes them).
const { startCoturn } = require('./coturn');
const { createNetBed, connectPair, drainStreams, statsOf, STATE, CHANNEL, CANDIDATE } = require('./net');

const USER = 'emrtc';
const PASS = 'secret';

let turn;
let bed;
let a;
let b;
beforeAll(async () => {
  turn = await startCoturn({ users: { [USER]: PASS } });
  ({ bed, pages: [a, b] } = await createNetBed(2));
});
afterAll(async () => {
  if (bed) await bed.close();
  if (turn) await turn.close();
});

/** The first connection_state event with `value` at or after `since` (Date.now() ms) on slot 0. */
async function stateAfter(page, value, since, timeout) {
  await bed.waitFor(page, (v, t) => window.np.events(0, 'connection_state').some((e) => e.value === v && e.at >= t),
    { timeout, polling: 100 }, value, since);
  return page.evaluate((v, t) => window.np.events(0, 'connection_state').find((e) => e.value === v && e.at >= t), value, since);
}

test('coturn stopped: DISCONNECTED then FAILED; back and ICE restarted: CONNECTED, nothing lost or doubled', async () => {
  await connectPair(bed, a, b, 0, { url: turn.url('udp'), user: USER, pass: PASS, relay: true });
  for (const page of [a, b]) await page.evaluate(() => window.np.stream(0, 1));
  for (const page of [a, b]) await bed.waitFor(page, () => window.np.counters(0).received >= 50);

  const stopped = Date.now();
  await turn.stop();
  const times = {};
  for (const [name, page] of [['a', a], ['b', b]]) {
    times[`${name} disconnected`] = (await stateAfter(page, STATE.DISCONNECTED, stopped, 30000)).at - stopped;
  }
  // sending goes on: the channel stays open and holds the packets
  const during = await a.evaluate(() => ({ state: window.np.channelState(0), sent: window.np.counters(0).sent }));
  expect(during.state).toBe(CHANNEL.OPEN);
  for (const [name, page] of [['a', a], ['b', b]]) {
    times[`${name} failed`] = (await stateAfter(page, STATE.FAILED, stopped, 90000)).at - stopped;
  }
  const outage = await Promise.all([a, b].map((page) => page.evaluate(() => ({
    state: window.np.channelState(0), buffered: window.np.buffered(0), counters: window.np.counters(0),
  }))));
  for (const o of outage) expect(o.state).toBe(CHANNEL.OPEN);
  // and say that nothing gets through: what was sent waits in the browser
  expect(outage[0].buffered + outage[1].buffered).toBeGreaterThan(0);
  // the far side's packets stopped arriving while ours kept being accepted
  expect(outage[0].counters.sent).toBeGreaterThan(during.sent);

  await turn.start(); // same port, same folder: a new process with no allocations
  const restarted = Date.now();
  const receivedBefore = await Promise.all([a, b].map((page) => page.evaluate(() => window.np.counters(0).received)));
  expect(await a.evaluate(() => window.np.restartIce(0))).toBe(0);
  for (const [name, page] of [['a', a], ['b', b]]) {
    times[`${name} connected again`] = (await stateAfter(page, STATE.CONNECTED, restarted, 30000)).at - restarted;
  }
  // the same channels, still streaming: stop, then everything sent must arrive exactly once
  for (const [i, page] of [a, b].entries()) {
    await bed.waitFor(page, (n) => window.np.counters(0).received > n + 50, {}, receivedBefore[i]);
  }
  const final = await drainStreams(bed, a, b);
  for (const c of final) {
    expect(c.gaps).toBe(0);
    expect(c.duplicates).toBe(0);
  }
  for (const page of [a, b]) {
    const channelStates = await page.evaluate(() => window.np.events(0, 'channel_state').map((e) => e.value));
    expect(channelStates).not.toContain(CHANNEL.CLOSED);
    expect(channelStates).not.toContain(CHANNEL.CLOSING);
    expect(await page.evaluate(() => window.np.events(0, 'data_channel').length)).toBe(page === b ? 1 : 0);
    const st = await statsOf(bed, page, 0);
    expect(st.local.type).toBe(CANDIDATE.RELAY);
  }
  console.log(`outage through coturn: ${JSON.stringify(times)} (ms); packets across it: a sent ${final[1].received}, `
    + `b sent ${final[0].received}, none lost or doubled; buffered during the outage: a ${outage[0].buffered}, `
    + `b ${outage[1].buffered} bytes`);
}, 240000);

test('a page closed: the other side learns it from its channel at once, and from the connection', async () => {
  // (after the outage test: the pair is connected again through coturn)
  expect(await a.evaluate(() => window.np.state(0))).toBe(STATE.CONNECTED);
  const closed = Date.now();
  await b.close(); // pagehide: the glue closes the page's connections, the far end hears an SCTP abort
  await bed.waitFor(a, (v, t) => window.np.events(0, 'channel_state').some((e) => e.value === v && e.at >= t),
    { timeout: 30000, polling: 50 }, CHANNEL.CLOSED, closed);
  const channelClosed = (await a.evaluate((v) => window.np.events(0, 'channel_state').find((e) => e.value === v), CHANNEL.CLOSED)).at - closed;
  // the connection itself only notices that checks go unanswered
  await bed.waitFor(a, (t, ok) => window.np.events(0, 'connection_state').some((e) => e.at >= t && e.value !== ok),
    { timeout: 30000, polling: 50 }, closed, STATE.CONNECTED);
  const left = await a.evaluate((t) => window.np.events(0, 'connection_state').find((e) => e.at >= t), closed);
  expect([STATE.DISCONNECTED, STATE.FAILED, STATE.CLOSED]).toContain(left.value);
  console.log(`page closed: the other side's channel CLOSED after ${channelClosed} ms, its connection `
    + `${['NEW', 'CONNECTING', 'CONNECTED', 'DISCONNECTED', 'FAILED', 'CLOSED'][left.value]} after ${left.at - closed} ms`);
}, 90000);
