'use strict';
// Helpers of the signaling tests: pages running signal_probe.c (see signal_probe.html for
// window.probe and the recorded events) in a test bed from js/testing.js.
const fs = require('fs');
const path = require('path');
const { createTestBed } = require('../../js/testing');

/** Where the wasm build put the probe: $EMRTC_BUILD_DIR (default build-wasm)/tests/signal. */
const ROOT = path.resolve(__dirname, '../..', process.env.EMRTC_BUILD_DIR || 'build-wasm', 'tests/signal');

/** The error codes the tests expect (emrtc.h's table). */
const ERR = Object.freeze({
  OK: 0, UNAVAILABLE: 2, PARAMETER_RANGE_ERROR: 5, CANT_CONNECT: 25, CONNECTION_ERROR: 27,
  INVALID_DATA: 30, INVALID_PARAMETER: 31, PARSE_ERROR: 43,
});
/** emrtc_signal_state. */
const STATE = Object.freeze({ CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });

/**
 * A test bed serving the probe, with a signaling server (`serverOptions`: its options) unless
 * `serverOptions` is false; `bedOptions` go to createTestBed (e.g. Chromium `args`).
 */
async function createProbeBed(serverOptions = {}, bedOptions = {}) {
  if (!fs.existsSync(path.join(ROOT, 'signal_probe.js'))) {
    throw new Error(`no build in ${ROOT}: build the wasm tree first (or set EMRTC_BUILD_DIR)`);
  }
  return createTestBed({ root: ROOT, signaling: serverOptions, ...bedOptions });
}

/** Opens `count` probe pages and waits for their runtimes. */
async function openProbes(bed, count) {
  const pages = await bed.openPages(count, 'signal_probe.html');
  for (const page of pages) await page.evaluate(() => window.probeReady);
  return pages;
}

/** The events of client `h` on `page` so far. */
function eventsOf(page, h) {
  return page.evaluate((handle) => window.probeEventsOf(handle), h);
}

/**
 * Waits until client `h` has recorded `count` events named `ev`; returns the last of them.
 * On timeout, fails with the events recorded so far.
 */
async function waitEvent(bed, page, h, ev, { count = 1, timeout = 15000 } = {}) {
  try {
    await bed.waitFor(page, (handle, name, n) => window.probeEventsOf(handle).filter((e) => e.ev === name).length >= n,
      { timeout }, h, ev, count);
  } catch (err) {
    throw new Error(`client ${h}: no ${count} "${ev}" event(s) within ${timeout} ms; events: `
      + `${JSON.stringify(await eventsOf(page, h))}; logs: ${bed.logs.join(' | ')}`);
  }
  const all = (await eventsOf(page, h)).filter((e) => e.ev === ev);
  return all[count - 1];
}

/** Creates a client of `url` on `page` and waits for `connected`; returns its handle. */
async function connect(bed, page, url, { automatic = false } = {}) {
  const h = await page.evaluate((u, a) => window.probe.create(u, a ? 1 : 0), url, automatic);
  if (!h) throw new Error(`probe.create(${url}) failed: ${await page.evaluate(() => window.probe.lastError())}`);
  await waitEvent(bed, page, h, 'connected');
  return h;
}

/** Joins `lobby` ('' creates one) and waits for lobby_joined; returns {id, mesh, lobby}. */
async function join(bed, page, h, lobby, mesh) {
  const err = await page.evaluate((handle, l, m) => window.probe.join(handle, l, m ? 1 : 0), h, lobby, mesh);
  if (err !== ERR.OK) throw new Error(`join failed with ${err}: ${await page.evaluate(() => window.probe.lastError())}`);
  const joined = await waitEvent(bed, page, h, 'lobby');
  const id = (await eventsOf(page, h)).find((e) => e.ev === 'id');
  return { id: id.id, mesh: id.mesh, lobby: joined.lobby };
}

/** Calls window.probe[name](...args) on `page`. */
function call(page, name, ...args) {
  return page.evaluate((n, a) => window.probe[n](...a), name, args);
}

module.exports = { ROOT, ERR, STATE, createProbeBed, openProbes, eventsOf, waitEvent, connect, join, call };
