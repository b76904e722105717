'use strict';
// A game in a background tab, as a real browser treats it (the testing kit's backgroundTabs: no
// focus emulation, no anti-throttling flags). Page A starts first; page B opens after it, in
// front, so A is hidden: its requestAnimationFrame stops, and with it its
// emscripten_set_main_loop frames. Only its emrtc_background timer polls. For 30 s B streams 30
// numbered 16 KiB packets a second to A on a reliable channel, and a new peer of B offers to A
// midway. A must read every packet, in order, and answer the new peer -- without a single frame.
// Then A stops its timer (a game without it) while B sends 150 more: the receive backlog limit
// holds (unread bytes stay within it, the rest is dropped and counted: unread + dropped = sent).
// (tests/browser/background/background_web.c is the program of both pages.)
const path = require('path');
const fs = require('fs');
const { createTestBed } = require('../../js/testing');

const ROOT = path.join(__dirname, '../../build-wasm/tests/background');
const PACKETS = 900; // 30 s at 30 packets/s
const MORE = 150; // 5 s more, unread
const OPEN = 1;
const CONNECTED = 2;

let bed;
beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'background.js'))) throw new Error(`no build in ${ROOT}: run npm test (it builds first)`);
  bed = await createTestBed({ root: ROOT, backgroundTabs: true });
});
afterAll(async () => { if (bed) await bed.close(); });

const call = (page, fn, ...args) => page.evaluate((f, a) => Module[`_${f}`](...a), fn, args);
const visibility = (page) => page.evaluate(() => document.visibilityState);

test('a hidden page keeps its connections: reads all of a 30 s stream and answers a new peer, with no frame', async () => {
  const [hidden] = await bed.openPages(1, 'background.html');
  await hidden.evaluate(() => window.emrtcReady);
  const [front] = await bed.openPages(1, 'background.html'); // the newer tab, in front
  await front.evaluate(() => window.emrtcReady);
  for (const [page, other] of [[hidden, front], [front, hidden]]) {
    await page.exposeFunction('bgOut', (link, kind, a, index, b) =>
      other.evaluate((...m) => window.bgIn(...m), link, kind, a, index, b).catch(() => {}));
  }
  await call(hidden, 'bg_start');
  await call(front, 'bg_start');

  // A really is hidden: no animation frame from here on; its background timer is a Worker.
  expect(await visibility(hidden)).toBe('hidden');
  expect(await visibility(front)).toBe('visible');
  expect(await call(hidden, 'bg_uses_worker')).toBe(1);
  const rafCount = () => hidden.evaluate(() => new Promise((resolve) => {
    let n = 0;
    const count = () => { n++; requestAnimationFrame(count); };
    requestAnimationFrame(count);
    setTimeout(() => resolve(n), 1500);
  }));
  expect(await rafCount()).toBe(0);
  const framesWhileHidden = await call(hidden, 'bg_frames');

  // B offers; hidden A answers (from its background ticks) and the channel opens.
  await call(front, 'bg_offer', 0);
  await bed.waitFor(front, (o, c) => Module._bg_channel_state(0) === o && Module._bg_connection_state(0) === c,
    { timeout: 30000 }, OPEN, CONNECTED);

  // 30 packets a second from the visible page, for 30 s.
  await front.evaluate((count) => {
    window.bgSender = setInterval(() => {
      if (Module._bg_sent(0) < count) Module._bg_send(0);
      else clearInterval(window.bgSender);
    }, 1000 / 30);
  }, PACKETS);

  // Midway, a new peer offers to the hidden page: it answers.
  await bed.waitFor(front, (n) => Module._bg_sent(0) >= n, { timeout: 60000 }, PACKETS / 2);
  expect(await visibility(hidden)).toBe('hidden');
  await call(front, 'bg_offer', 1);
  await bed.waitFor(front, (o, c) => Module._bg_channel_state(1) === o && Module._bg_connection_state(1) === c,
    { timeout: 30000 }, OPEN, CONNECTED);
  // (the hidden side's getters move at its next tick)
  await bed.waitFor(hidden, (o, c) => Module._bg_channel_state(1) === o && Module._bg_connection_state(1) === c,
    { timeout: 10000 }, OPEN, CONNECTED);

  // Everything sent arrives and is read, in order, while the page stays hidden.
  await bed.waitFor(front, (n) => Module._bg_sent(0) === n, { timeout: 90000 }, PACKETS);
  await bed.waitFor(hidden, (n) => Module._bg_received() === n, { timeout: 30000 }, PACKETS);
  expect(await call(hidden, 'bg_bad')).toBe(0);
  expect(await call(hidden, 'bg_unread', 0)).toBe(0);
  expect(await call(front, 'bg_send_errors')).toBe(0);
  expect(await call(hidden, 'bg_async_errors') + await call(front, 'bg_async_errors')).toBe(0);
  expect(await visibility(hidden)).toBe('hidden');
  expect(await call(hidden, 'bg_frames')).toBe(framesWhileHidden); // not one frame: the timer did it all
  expect(await call(hidden, 'bg_ticks')).toBeGreaterThan(0);
  expect(await call(front, 'bg_ticks')).toBe(0); // the visible page's timer never ticked
  expect(await call(hidden, 'bg_dropped', 0)).toBe(0);
  expect(await call(hidden, 'bg_backlog_errors')).toBe(0);

  // Without the timer nothing reads: the backlog fills to its limit, the rest is dropped and counted.
  await call(hidden, 'bg_timer', 0);
  await front.evaluate((count) => {
    window.bgSender = setInterval(() => {
      if (Module._bg_sent(0) < count) Module._bg_send(0);
      else clearInterval(window.bgSender);
    }, 1000 / 30);
  }, PACKETS + MORE);
  await bed.waitFor(front, (n) => Module._bg_sent(0) === n, { timeout: 60000 }, PACKETS + MORE);
  // (nothing polls: the held packets are seen in the backlog's bytes, the drops are counted at arrival)
  await bed.waitFor(hidden, (n) => Module._bg_held(0) + Module._bg_dropped(0) === n, { timeout: 30000 }, MORE);
  const max = await call(hidden, 'bg_max_backlog');
  const backlog = await call(hidden, 'bg_backlog_bytes', 0);
  expect(await call(hidden, 'bg_dropped', 0)).toBeGreaterThan(0);
  expect(backlog).toBeLessThanOrEqual(max);
  expect(backlog).toBeGreaterThan(max - 2 * 16400); // full: within a packet or two of the limit
  expect(await call(hidden, 'bg_received')).toBe(PACKETS); // nothing read meanwhile
  // With the timer back, what was kept is read, in order; the drops were told once (one burst).
  const kept = await call(hidden, 'bg_held', 0);
  await call(hidden, 'bg_timer', 1);
  await bed.waitFor(hidden, (n) => Module._bg_received() === n, { timeout: 30000 }, PACKETS + kept);
  expect(await call(hidden, 'bg_bad')).toBe(0);
  expect(await call(hidden, 'bg_backlog_errors')).toBe(1);
  expect(await visibility(hidden)).toBe('hidden');

  // Brought to front, A is visible and its frames run again.
  await hidden.bringToFront();
  await bed.waitFor(hidden, () => document.visibilityState === 'visible', { timeout: 10000 });
  await bed.waitFor(hidden, (n) => Module._bg_frames() > n, { timeout: 10000 }, framesWhileHidden);
}, 180000);
