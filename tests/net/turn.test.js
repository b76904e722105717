'use strict';
// TURN through a real coturn (tests/net/coturn.js): two pages whose C programs may only use relay
// candidates connect through it over UDP and over TCP; their stats say relay on both sides, coturn's
// own log shows the allocations and the bytes it relayed, data flows both ways. Wrong credentials and
// an unreachable TURN server end in the error callback (EMRTC_ERR_CANT_CONNECT) within a bounded time;
// the times are printed (the README quotes them).
const { startCoturn, freePort } = require('./coturn');
const { createNetBed, connectPair, drainStreams, statsOf, waitEvent, CANDIDATE, PROTOCOL, ERR } = require('./net');

const USER = 'emrtc';
const PASS = 'secret';
/** Longest the tests wait for a failure report: Chromium gives up on a TURN server in under 40 s. */
const REPORT_BOUND_MS = 60000;

let turn;
let bed;
let a;
let b;
// Gatherings that must fail, on page b's slots 1..3, started first: Chromium takes 40 s to give up
// on a TURN server over UDP that does not answer, and the relayed tests run meanwhile.
let failing;
const started = {};
beforeAll(async () => {
  turn = await startCoturn({ users: { [USER]: PASS } });
  ({ bed, pages: [a, b] } = await createNetBed(2));
  const closedPort = await freePort(); // nothing listens there
  failing = [
    { slot: 1, name: 'wrong credentials (UDP)', url: turn.url('udp'), pass: 'wrong', expect: /401 Unauthorized/ },
    { slot: 2, name: 'unreachable server (UDP)', url: `turn:127.0.0.1:${closedPort}?transport=udp`, pass: PASS, expect: /701/ },
    { slot: 3, name: 'unreachable server (TCP)', url: `turn:127.0.0.1:${closedPort}?transport=tcp`, pass: PASS, expect: /701/ },
  ];
  for (const k of failing) {
    started[k.slot] = Date.now();
    const err = await b.evaluate((...args) => window.np.start(...args), k.slot, 1, k.url, USER, k.pass, 1);
    if (err) throw new Error(`np.start(${k.name}): ${err}`);
  }
});
afterAll(async () => {
  if (bed) await bed.close();
  if (turn) await turn.close();
});

/** coturn's log lines of `user`'s sessions, once `count` sessions have been deleted. */
async function finishedSessions(count, fromOffset) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const log = turn.log.slice(fromOffset);
    const deleted = log.match(new RegExp(`delete: realm=<[^>]*>, username=<${USER}>`, 'g')) || [];
    if (deleted.length >= count) return log;
    if (Date.now() > deadline) throw new Error(`coturn: ${deleted.length} of ${count} sessions ended; log:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Connects slot 0 relay-only through coturn over `transport`, streams both ways, checks it all. */
async function relayedPair(transport, relayProtocol) {
  const logFrom = turn.log.length;
  await connectPair(bed, a, b, 0, { url: turn.url(transport), user: USER, pass: PASS, relay: true });
  for (const page of [a, b]) await page.evaluate(() => window.np.stream(0, 1));
  await bed.waitFor(a, () => window.np.counters(0).received >= 100 && window.np.counters(0).sent >= 100);
  await bed.waitFor(b, () => window.np.counters(0).received >= 100 && window.np.counters(0).sent >= 100);
  // everything sent has arrived, in order
  const counts = await drainStreams(bed, a, b);
  for (const c of counts) {
    expect(c.gaps).toBe(0);
    expect(c.duplicates).toBe(0);
  }
  const stats = [await statsOf(bed, a, 0), await statsOf(bed, b, 0)];
  for (const [i, st] of stats.entries()) {
    expect(st.local.type).toBe(CANDIDATE.RELAY);
    expect(st.remote.type).toBe(CANDIDATE.RELAY);
    expect(st.local.relayProtocol).toBe(relayProtocol);
    expect(st.local.protocol).toBe(PROTOCOL.UDP); // the relayed address itself is UDP
    expect(st.local.address).toBe('127.0.0.1');
    expect(st.local.port).toBeGreaterThan(60999); // coturn's relay ports (min-port/max-port)
    // ms resolution: a check may read 0 on one host, their sum over the connection's checks does not
    expect(st.responses).toBeGreaterThan(0);
    expect(st.totalRtt).toBeGreaterThan(0);
    expect(st.rtt).toBeGreaterThanOrEqual(0);
    expect(st.totalRtt / st.responses).toBeLessThan(1000);
    // the channel's counters are exact: what the programs sent and received
    expect(st.channel.messagesSent).toBe(counts[i].sent);
    expect(st.channel.bytesSent).toBe(counts[i].payloadSent);
    expect(st.channel.messagesReceived).toBe(counts[i].received);
    expect(st.channel.bytesReceived).toBe(counts[i].payloadReceived);
    expect(st.bytesSent).toBeGreaterThanOrEqual(counts[i].payloadSent);
  }
  // each side's selected pair is the other's, crossed
  expect(stats[0].local.port).toBe(stats[1].remote.port);
  expect(stats[1].local.port).toBe(stats[0].remote.port);

  // closing releases both allocations; coturn then logs what it relayed for each
  for (const page of [a, b]) await page.evaluate(() => window.np.stop(0));
  const log = await finishedSessions(2, logFrom);
  const allocations = log.match(new RegExp(`user <${USER}>: incoming packet ALLOCATE processed, success`, 'g')) || [];
  expect(allocations.length).toBe(2);
  const peerUsage = [...log.matchAll(new RegExp(`peer usage: realm=<[^>]*>, username=<${USER}>, rp=(\\d+), rb=(\\d+), sp=(\\d+), sb=(\\d+)`, 'g'))]
    .map((m) => ({ rb: Number(m[2]), sb: Number(m[4]) }));
  expect(peerUsage.length).toBe(2);
  // coturn relayed at least every byte the two transports sent (plus ICE checks and what came after
  // the stats were taken)
  const relayed = peerUsage.reduce((n, u) => n + u.sb, 0);
  expect(relayed).toBeGreaterThanOrEqual(stats[0].bytesSent + stats[1].bytesSent);
  console.log(`TURN over ${transport}: ${counts[0].sent + counts[1].sent} packets both ways, transports sent `
    + `${stats[0].bytesSent} + ${stats[1].bytesSent} bytes, coturn relayed ${relayed} bytes to peers, `
    + `RTT current ${stats[0].rtt} ms, mean ${(stats[0].totalRtt / stats[0].responses).toFixed(1)} ms over ${stats[0].responses} checks`);
}

test('relay only over UDP: both sides relay, coturn relays every byte, data both ways', async () => {
  await relayedPair('udp', PROTOCOL.UDP);
});

test('relay only over TCP (?transport=tcp): the same, with TCP to the TURN server', async () => {
  await relayedPair('tcp', PROTOCOL.TCP);
});

test('wrong credentials and unreachable servers: the error callback says so, within a bound', async () => {
  const lines = [];
  for (const k of failing) {
    const ev = await waitEvent(bed, b, k.slot, 'error', { timeout: REPORT_BOUND_MS });
    expect(ev.value).toBe(ERR.CANT_CONNECT);
    expect(ev.text).toMatch(/^gathering: no local candidate \(ice_transport_policy relay/);
    expect(ev.text).toMatch(k.expect);
    expect(ev.at - started[k.slot]).toBeLessThan(REPORT_BOUND_MS);
    const candidates = await b.evaluate((s) => window.np.events(s, 'candidate').length, k.slot);
    expect(candidates).toBe(0);
    lines.push(`${k.name}: reported after ${ev.at - started[k.slot]} ms: "${ev.text}"`);
  }
  console.log(lines.join('\n'));
  for (const k of failing) await b.evaluate((s) => window.np.stop(s), k.slot);
  expect(await b.evaluate(() => window.np.liveObjects())).toBe(0);
}, REPORT_BOUND_MS + 10000);
