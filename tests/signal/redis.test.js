'use strict';
// Two pages joined through two emrtc-signal processes that share lobbies through a real
// redis-server meet in one lobby: offers, answers and candidates cross processes and the emrtc
// peers connect over WebRTC.
const { startRedis } = require('../node/redis-server');
const { startCli } = require('../node/cli');
const {
  ERR, createProbeBed, openProbes, eventsOf, waitEvent, connect, call,
} = require('./probe');

let redis;
let processes = [];
let bed;
beforeAll(async () => {
  redis = await startRedis();
  const args = ['--redis', redis.url, '--redis-prefix', `page${Date.now()}:`];
  processes = [await startCli(args), await startCli(args)];
  bed = await createProbeBed(false);
});
afterAll(async () => {
  if (bed) await bed.close();
  for (const p of processes) await p.stop();
  if (redis) await redis.stop();
});

test('two pages on two server processes meet in one lobby and connect', async () => {
  const pages = await openProbes(bed, 2);
  const host = await connect(bed, pages[0], processes[0].url, { automatic: true });
  expect(await call(pages[0], 'join', host, '', 1)).toBe(ERR.OK);
  const { lobby } = await waitEvent(bed, pages[0], host, 'lobby');
  const joiner = await connect(bed, pages[1], processes[1].url, { automatic: true });
  expect(await call(pages[1], 'join', joiner, lobby, 1)).toBe(ERR.OK);
  const jid = (await waitEvent(bed, pages[1], joiner, 'id')).id;
  expect(await waitEvent(bed, pages[0], host, 'data', { timeout: 30000 })).toEqual({ ev: 'data', peer: jid, text: `hello from ${jid} to 1` });
  expect(await waitEvent(bed, pages[1], joiner, 'data', { timeout: 30000 })).toEqual({ ev: 'data', peer: 1, text: `hello from 1 to ${jid}` });
  const evs = [await eventsOf(pages[0], host), await eventsOf(pages[1], joiner)];
  expect(evs[0].filter((e) => e.ev === 'offer').map((e) => e.peer)).toEqual([jid]); // the joiner offered
  expect(evs[1].filter((e) => e.ev === 'answer').map((e) => e.peer)).toEqual([1]);
  expect(evs[0].filter((e) => e.ev === 'candidate').length).toBeGreaterThan(0);
  for (const e of evs) expect(e.filter((x) => x.ev === 'error' || x.ev === 'rtc_error')).toEqual([]);
  await call(pages[1], 'destroy', joiner);
  expect(await waitEvent(bed, pages[0], host, 'peer_disconnected')).toEqual({ ev: 'peer_disconnected', peer: jid });
  await call(pages[0], 'destroy', host);
  for (const p of pages) await p.close();
});
