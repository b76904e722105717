'use strict';
// Helpers of the network tests: pages running net_peer.c (window.np, see net_peer.html) in a test bed
// from js/testing.js, whose descriptions and candidates this process relays page to page.
const fs = require('fs');
const path = require('path');
const { createTestBed } = require('../../js/testing');

const ROOT = path.resolve(__dirname, '../..', process.env.EMRTC_BUILD_DIR || 'build-wasm', 'tests/net');

/** emrtc.h's numbers the tests compare with. */
const STATE = Object.freeze({ NEW: 0, CONNECTING: 1, CONNECTED: 2, DISCONNECTED: 3, FAILED: 4, CLOSED: 5 });
const CHANNEL = Object.freeze({ CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
const CANDIDATE = Object.freeze({ UNKNOWN: 0, HOST: 1, SRFLX: 2, PRFLX: 3, RELAY: 4 });
const PROTOCOL = Object.freeze({ UNKNOWN: 0, UDP: 1, TCP: 2, TLS: 3 });
const ERR = Object.freeze({ CANT_CONNECT: 25 });

/**
 * A test bed with `count` net_peer pages, wired so that what slot s of page i sends (npOut) reaches
 * slot s of its partner page (pages 0<->1, 2<->3, ...).
 */
async function createNetBed(count = 2) {
  if (!fs.existsSync(path.join(ROOT, 'net_peer.js'))) {
    throw new Error(`no build in ${ROOT}: build the wasm tree first (npm test does)`);
  }
  const bed = await createTestBed({ root: ROOT });
  try {
    const pages = await bed.openPages(count, 'net_peer.html');
    for (const [i, page] of pages.entries()) {
      await page.evaluate(() => window.npReady);
      const partner = pages[i ^ 1];
      await page.exposeFunction('npRelay', async (slot, kind, a, index, b) => {
        if (!partner || partner.isClosed()) return;
        await partner.evaluate((...args) => window.np.signal(...args), slot, kind, a, index, b).catch(() => {});
      });
      await page.evaluate(() => { window.npOut = (...args) => { window.npRelay(...args); }; });
    }
    return { bed, pages };
  } catch (err) {
    await bed.close();
    throw err;
  }
}

/** Starts slot `slot` on both pages (a offers) with the same ICE server; resolves when both are connected. */
async function connectPair(bed, a, b, slot, { url = '', user = '', pass = '', relay = false, timeout = 20000 } = {}) {
  for (const [page, offerer] of [[b, 0], [a, 1]]) {
    const err = await page.evaluate((...args) => window.np.start(...args), slot, offerer, url, user, pass, relay ? 1 : 0);
    if (err) throw new Error(`np.start failed: ${err} ${await page.evaluate(() => window.np.lastError())}`);
  }
  for (const page of [a, b]) {
    await bed.waitFor(page, (s, connected, open) => window.np.state(s) === connected && window.np.channelState(s) === open,
      { timeout }, slot, STATE.CONNECTED, CHANNEL.OPEN);
  }
}

/** Asks slot's stats and resolves with them (window.npStats[slot] once the stats callback ran). */
async function statsOf(bed, page, slot) {
  const before = await page.evaluate((s) => window.npStatsCount[s] || 0, slot);
  const err = await page.evaluate((s) => window.np.getStats(s), slot);
  if (err) throw new Error(`get_stats: ${err} ${await page.evaluate(() => window.np.lastError())}`);
  await bed.waitFor(page, (s, n) => (window.npStatsCount[s] || 0) > n, { timeout: 10000 }, slot, before);
  return page.evaluate((s) => window.npStats[s], slot);
}

/** Waits for the first event of `kind` (and `value`, if given) on slot; returns it. */
async function waitEvent(bed, page, slot, kind, { value, timeout = 30000 } = {}) {
  await bed.waitFor(page, (s, k, v) => window.np.events(s, k).some((e) => v === null || e.value === v),
    { timeout, polling: 50 }, slot, kind, value === undefined ? null : value);
  return page.evaluate((s, k, v) => window.np.events(s, k).find((e) => v === null || e.value === v),
    slot, kind, value === undefined ? null : value);
}

/**
 * Stops slot 0's streams on both pages and waits until each has received every packet the other
 * sent; returns both pages' counters [a, b] (the caller checks gaps and duplicates).
 */
async function drainStreams(bed, a, b, timeout = 30000) {
  for (const page of [a, b]) await page.evaluate(() => window.np.stream(0, 0));
  const counters = [];
  for (const [page, other] of [[a, b], [b, a]]) {
    const sent = (await other.evaluate(() => window.np.counters(0))).sent;
    await bed.waitFor(page, (n) => window.np.counters(0).received === n, { timeout }, sent);
    counters.push(await page.evaluate(() => window.np.counters(0)));
  }
  return counters;
}

module.exports = {
  drainStreams, createNetBed, connectPair, statsOf, waitEvent, STATE, CHANNEL, CANDIDATE, PROTOCOL, ERR };
