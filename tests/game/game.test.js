'use strict';
/**
 * The game of `npm start` (examples/game/game.c), played in headless Chromium by the same links a
 * person would use: a page creates a lobby, two more join through the link it shows. One player
 * moves with the keyboard; the others must draw it where the mover says it is, within
 * TOLERANCE_PX, once it stops (positions travel on the unreliable channel, drawn 100 ms late and
 * interpolated: at rest every page converges on the last position sent). Chat lines arrive on every
 * page; each page shows a ping for every other player; a page that closes disappears everywhere.
 * Also: the committed README screenshots have the size scripts/screenshots.js makes, and a fresh
 * screenshot shows every player (pixels of each player's colour).
 */
const fs = require('fs');
const path = require('path');
const {
  GAME_DIR, VIEWPORT, createGameBed, host, join, seesPlayers, idOf, hold, say, restingPosition,
} = require('./play');

/** How far (pixels, each axis) a drawn remote player may be from where its own page has it. */
const TOLERANCE_PX = 1;
const SCREENSHOTS = ['game-host.png', 'game-guest.png'].map((f) => path.resolve(__dirname, '../../docs', f));

let bed;
beforeAll(async () => {
  if (!fs.existsSync(path.join(GAME_DIR, 'game.wasm'))) throw new Error(`no game built in ${GAME_DIR} (npm test builds it)`);
  bed = await createGameBed();
});
afterAll(() => bed && bed.close());

/** Waits until `page` draws player `id` within TOLERANCE_PX of `at`; returns what it draws. */
function drawsAt(page, id, at) {
  return bed.waitFor(page, (pid, want, tol) => {
    const p = window.game.players[pid];
    return p && Math.abs(p.x - want.x) <= tol && Math.abs(p.y - want.y) <= tol && p;
  }, { timeout: 30000 }, id, at, TOLERANCE_PX);
}
const chatOf = (page, line) => bed.waitFor(page, (l) => window.game.chat.includes(l) && window.game.chat, { timeout: 30000 }, line);

/** Counts, in a PNG screenshot of `page`, the pixels of each colour "#rrggbb" of `colors`. */
async function pixelsOf(page, colors) {
  const png = await page.screenshot({ encoding: 'base64' });
  return page.evaluate(async (data, want) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const c = new OffscreenCanvas(img.width, img.height).getContext('2d');
    c.drawImage(img, 0, 0);
    const px = c.getImageData(0, 0, img.width, img.height).data;
    const counts = Object.fromEntries(want.map((w) => [w, 0]));
    for (let i = 0; i < px.length; i += 4) {
      const hex = `#${[px[i], px[i + 1], px[i + 2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      if (hex in counts) counts[hex]++;
    }
    return counts;
  }, png, colors);
}

test('two, then three pages join through the link; moves, chat, pings and leaving reach every page', async () => {
  const { page: a, link } = await host(bed);
  expect(link).toMatch(/\?signal=.*&lobby=\w+$/);
  const b = await join(bed, link);
  const [ida, idb] = [await idOf(bed, a), await idOf(bed, b)];
  expect(ida).toBe('1'); // the page that created the lobby is its host
  await Promise.all([seesPlayers(bed, a, [ida, idb]), seesPlayers(bed, b, [ida, idb])]);

  // A moves right and down; B draws A where A says A is
  const start = await restingPosition(bed, a);
  await hold(bed, a, 'ArrowRight', 60);
  await hold(bed, a, 'KeyS', 40);
  const moved = await restingPosition(bed, a);
  expect(moved.x - start.x).toBeGreaterThan(20);
  expect(moved.y - start.y).toBeGreaterThan(20);
  await drawsAt(b, ida, moved);

  await say(a, 'hello from the host');
  await chatOf(b, '1: hello from the host');

  // a third player joins through the same link, moves, and talks
  const c = await join(bed, link);
  const idc = await idOf(bed, c);
  const everyone = [ida, idb, idc];
  await Promise.all([a, b, c].map((p) => seesPlayers(bed, p, everyone)));
  await drawsAt(c, ida, moved); // the newcomer sees A where A rests
  await hold(bed, c, 'ArrowLeft', 40);
  await hold(bed, c, 'ArrowUp', 40);
  const cAt = await restingPosition(bed, c);
  await Promise.all([drawsAt(a, idc, cAt), drawsAt(b, idc, cAt)]);
  await say(c, 'hi, I am three');
  await Promise.all([chatOf(a, `${idc}: hi, I am three`), chatOf(b, `${idc}: hi, I am three`)]);
  expect(await c.evaluate(() => window.game.chat)).toEqual([`${idc}: hi, I am three`]); // own line; came after A's

  // every page shows a ping for every other player, taken from the connection's stats (the
  // selected pair's RTT, once it has STUN responses: Chromium's whole ms, 0-1 here); the game's
  // own round trip is measured too
  const pings = await Promise.all([a, b, c].map((p) => bed.waitFor(p, () => {
    const others = Object.values(window.game.players).filter((q) => !q.me);
    return others.length === 2 && others.every((q) => q.statsResponses > 0 && q.gamePing > 0) && others;
  }, { timeout: 30000 })));
  for (const q of pings.flat()) {
    expect(q.ping).toBe(q.statsPing); // what is shown is the stats' RTT
    expect(q.ping).toBeGreaterThanOrEqual(0);
    expect(q.ping).toBeLessThan(5000);
    expect(q.gamePing).toBeLessThan(5000);
  }

  // a fresh screenshot shows every player: pixels of each player's colour
  const players = await a.evaluate(() => window.game.players);
  const colors = Object.values(players).map((p) => p.color);
  expect(new Set(colors).size).toBe(3);
  const counts = await pixelsOf(a, colors);
  for (const color of colors) expect({ color, some: counts[color] >= 24 * 24 / 2 }).toEqual({ color, some: true });

  // B closes its tab: its player disappears from the other pages
  await b.close();
  await Promise.all([seesPlayers(bed, a, [ida, idc]), seesPlayers(bed, c, [ida, idc])]);
  expect(bed.logs.filter((l) => /pageerror|error \(peer/.test(l))).toEqual([]);
}, 180000);

test('the README screenshots are committed at the size scripts/screenshots.js makes', () => {
  for (const file of SCREENSHOTS) {
    const png = fs.readFileSync(file);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20
    expect({ file: path.basename(file), width: png.readUInt32BE(16), height: png.readUInt32BE(20) })
      .toEqual({ file: path.basename(file), ...VIEWPORT });
  }
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  for (const file of SCREENSHOTS) expect(readme).toContain(`](docs/${path.basename(file)})`);
});
