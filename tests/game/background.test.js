'use strict';
/**
 * The game of `npm start` in a background tab, as a real browser treats one (the testing kit's
 * backgroundTabs: no focus emulation, no anti-throttling flags). The host's page is hidden as soon
 * as the joining page opens in front of it, so it gets no animation frame, and with it no game
 * frame: everything the host does from then on (answering the newcomer's connection, sending its
 * position, answering pings, taking in chat) runs from its emrtc_background timer.
 */
const fs = require('fs');
const path = require('path');
const { createTestBed } = require('../../js/testing');
const { GAME_DIR, host, join, seesPlayers, idOf, say } = require('./play');

let bed;
beforeAll(async () => {
  if (!fs.existsSync(path.join(GAME_DIR, 'game.wasm'))) throw new Error(`no game built in ${GAME_DIR} (npm test builds it)`);
  bed = await createTestBed({ root: GAME_DIR, signaling: true, backgroundTabs: true });
});
afterAll(() => bed && bed.close());

/** Animation frames `page` gets in `ms` (0 in a hidden page). */
const framesIn = (page, ms) => page.evaluate((t) => new Promise((resolve) => {
  let n = 0;
  requestAnimationFrame(function f() { n++; requestAnimationFrame(f); });
  setTimeout(() => resolve(n), t);
}), ms);

test('a hidden host lets a newcomer in, is seen, answers pings and gets chat, without a frame', async () => {
  const { page: a, link } = await host(bed);
  const ida = await idOf(bed, a);
  const b = await join(bed, link); // opens in front of the host's page
  expect(await a.evaluate(() => document.visibilityState)).toBe('hidden');
  const framesBefore = await a.evaluate(() => window.game.frames);
  expect(await framesIn(a, 1500)).toBe(0);

  const idb = await idOf(bed, b);
  const seen = await seesPlayers(bed, b, [ida, idb]); // the host answered the connection and sends its position
  expect(seen[ida]).toMatchObject({ color: expect.any(String) });
  await bed.waitFor(b, (id) => window.game.players[id].gamePing > 0, { timeout: 30000 }, ida); // and answers pings
  await say(b, 'are you there?');
  await bed.waitFor(a, (line) => window.game.chat.includes(line), { timeout: 30000 }, `${idb}: are you there?`);

  expect(await a.evaluate(() => document.visibilityState)).toBe('hidden');
  expect(await a.evaluate(() => window.game.frames)).toBe(framesBefore); // no game frame all along
  expect(bed.logs.filter((l) => /pageerror|error \(peer/.test(l))).toEqual([]);
}, 120000);
