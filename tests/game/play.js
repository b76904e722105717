'use strict';
// Playing the game of `npm start` (examples/game/) from Node: opens pages as players do, through
// the join link the first page shows. Used by game.test.js and scripts/screenshots.js.
const path = require('path');
const { createTestBed } = require('../../js/testing');

/** The game as npm start builds it. */
const GAME_DIR = path.resolve(__dirname, '../../build-wasm/game');
/** The page size of the screenshots (README) and of every page opened here. */
const VIEWPORT = { width: 680, height: 660 };

/** A browser, a web server for the game's folder and a signaling server. */
function createGameBed() {
  return createTestBed({ root: GAME_DIR, signaling: true });
}
/** The URL that creates a lobby on this bed's servers. */
const startUrl = (bed) => `${bed.url}index.html?${new URLSearchParams({ signal: bed.signalUrl })}`;

/** Opens `url` (which creates a lobby); returns { page, link } with the join link the page shows. */
async function host(bed, url = startUrl(bed)) {
  const [page] = await bed.openPages(1, url);
  await page.setViewport(VIEWPORT);
  const link = await bed.waitFor(page, () => window.game && window.game.joinUrl
    && document.getElementById('join').href === window.game.joinUrl && window.game.joinUrl);
  return { page, link };
}

/** Opens `link` (a page's join link) as a new player's page. */
async function join(bed, link) {
  const [page] = await bed.openPages(1, link);
  await page.setViewport(VIEWPORT);
  return page;
}

/** Waits until `page` draws exactly the players `ids` (strings); returns window.game.players. */
function seesPlayers(bed, page, ids) {
  return bed.waitFor(page, (want) => {
    const got = Object.keys((window.game && window.game.players) || {}).sort();
    return got.join() === want.join() && window.game.players;
  }, { timeout: 30000 }, [...ids].sort());
}

/** The page's own player id. */
function idOf(bed, page) {
  return bed.waitFor(page, () => window.game && window.game.id);
}

/**
 * Holds `key` down in `page` until its own player has moved `px` pixels (a player moving), then
 * releases it. By distance, not by time: on a loaded machine frames may be late, and a key that is
 * down and up again between two frames moves nothing.
 */
async function hold(bed, page, key, px) {
  const where = () => page.evaluate(() => Object.values(window.game.players).find((p) => p.me));
  const from = await where();
  await page.keyboard.down(key);
  try {
    await bed.waitFor(page, (start, d) => {
      const me = Object.values(window.game.players).find((p) => p.me);
      return me && Math.abs(me.x - start.x) + Math.abs(me.y - start.y) >= d;
    }, { timeout: 30000 }, from, px);
  } finally {
    await page.keyboard.up(key);
  }
}

/** Types `text` into the chat box of `page` and sends it. */
async function say(page, text) {
  await page.type('#say', text);
  await page.keyboard.press('Enter');
}

/** Waits until `page`'s own player has not moved for 300 ms; returns its position {x, y}. */
function restingPosition(bed, page) {
  return bed.waitFor(page, () => new Promise((resolve) => {
    const me = () => Object.values(window.game.players).find((p) => p.me);
    const a = me();
    setTimeout(() => { const b = me(); resolve(a && b && a.x === b.x && a.y === b.y && { x: b.x, y: b.y }); }, 300);
  }), { timeout: 30000 });
}

module.exports = { GAME_DIR, VIEWPORT, createGameBed, host, join, seesPlayers, idOf, hold, say, restingPosition };
