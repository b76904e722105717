'use strict';
// What a remote can make a C program hold, in Chromium, against the README's own build (no
// -sALLOW_MEMORY_GROWTH: the default 16 MiB heap, where a failed malloc aborts the page): a plain-JS
// peer floods channels the program does not read, opens more channels than it may, sends long
// labels; and the same program with the heap exhausted (-sABORTING_MALLOC=0 build) receives a
// remote's label. tests/browser/limits_probe.c and limits.html are the two sides.
const fs = require('fs');
const path = require('path');
const { createTestBed } = require('../../js/testing');

const ROOT = path.join(__dirname, '../../build-wasm/tests/browser');
const FLOOD_MS = Number(process.env.EMRTC_FLOOD_MS || 30000); // the 30 s
const MiB = 1024 * 1024;

jest.setTimeout(180000);

let bed;
beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'limits_probe.js'))) throw new Error(`no build in ${ROOT}: run npm test (it builds first)`);
  bed = await createTestBed({ root: ROOT });
});
afterAll(async () => { if (bed) await bed.close(); });

async function openProbe(build) {
  const [page] = await bed.openPages(1, 'limits.html', build ? { build } : undefined);
  await bed.waitFor(page, () => window.probe && window.probe.ready, { timeout: 20000 });
  return page;
}

async function connect(page, opts) {
  await page.evaluate((o) => window.probe.connect(o), opts);
  const n = opts.expectChannels === undefined ? opts.labels.length : opts.expectChannels;
  await bed.waitFor(page, (k) => window.probe.c.channels() === k
    && window.probe.dcs.every((dc) => dc.readyState !== 'connecting'), { timeout: 30000 }, n);
}

test('a 30 s flood of 64 KiB messages at 4 unread channels: the page lives, delivered + dropped = sent, memory comes back', async () => {
  const page = await openProbe();
  await connect(page, { labels: ['a', 'b', 'c', 'd'] });
  const heapBefore = await page.evaluate(() => window.probe.c.heapUsed());
  const heapSize = await page.evaluate(() => window.probe.c.heapSize());
  expect(heapSize).toBe(16 * MiB); // the README's build: no growth
  // sample the heap while the flood runs (the program polls every frame, reads nothing)
  const sampler = page.evaluate(() => new Promise((resolve) => {
    let peak = 0;
    const t = setInterval(() => { peak = Math.max(peak, window.probe.c.heapUsed()); }, 200);
    window.probe.stopSampling = () => { clearInterval(t); resolve(peak); };
  }));
  const sent = await page.evaluate((ms) => window.probe.flood(ms, 65536), FLOOD_MS);
  // everything sent has arrived: available (readable) + dropped = sent, per channel
  await bed.waitFor(page, (s) => s.every((n, i) => window.probe.c.available(i) + window.probe.c.dropped(i) === n),
    { timeout: 60000 }, sent);
  await page.evaluate(() => window.probe.stopSampling());
  const peak = await sampler;
  const during = await page.evaluate(() => ({
    aborted: window.probe.aborted,
    available: window.probe.dcs.map((_, i) => window.probe.c.available(i)),
    dropped: window.probe.dcs.map((_, i) => window.probe.c.dropped(i)),
    total: window.probe.c.totalBacklog(),
    backlogErrors: window.probe.c.backlogErrors(),
    states: window.probe.c.channels() && window.probe.dcs.map((_, i) => window.probe.c.state(i)),
  }));
  expect(during.aborted).toBe(null);
  for (const [i, n] of sent.entries()) {
    expect(n).toBeGreaterThan(100);
    expect(during.available[i] + during.dropped[i]).toBe(n);
    expect(during.dropped[i]).toBeGreaterThan(0);
  }
  expect(during.total).toBeLessThanOrEqual(4 * MiB); // all channels together (default total limit)
  expect(during.states).toEqual([1, 1, 1, 1]); // DROP: the channels stay open
  expect(during.backlogErrors).toBe(4); // one per channel's burst, not one per packet
  // now the program reads: everything kept arrives intact and in order, the oldest first
  await page.evaluate(() => window.probe.c.read(1));
  await bed.waitFor(page, (a) => a.every((n, i) => window.probe.c.readCount(i) === n), { timeout: 20000 }, during.available);
  const read = await page.evaluate(() => window.probe.dcs.map((_, i) => ({
    bad: window.probe.c.readBad(i), last: window.probe.c.lastSeq(i), backlog: window.probe.c.backlog(i),
  })));
  for (const [i, r] of read.entries()) {
    expect(r.bad).toBe(0);
    expect(r.last).toBe(during.available[i] - 1);
    expect(r.backlog).toBe(0);
  }
  // and reads normally afterwards
  await page.evaluate(() => window.probe.sendNumbered(10, 65536));
  await bed.waitFor(page, (a) => a.every((n, i) => window.probe.c.readCount(i) === n + 10), { timeout: 20000 }, during.available);
  const after = await page.evaluate(() => window.probe.dcs.map((dc, i) => ({
    bad: window.probe.c.readBad(i), last: window.probe.c.lastSeq(i), sent: dc.sent,
  })));
  for (const a of after) {
    expect(a.bad).toBe(0);
    expect(a.last).toBe(a.sent - 1);
  }
  // memory: once EMRTC_BACKLOG_TRIM_POLLS (256) polls in a row have found a channel read empty, its
  // ring over 256 KiB goes back (the page polls every frame: about 4 s at 60 fps); what stays is at
  // most each channel's ring of up to 256 KiB, kept for reuse (4 channels)
  const keptBound = heapBefore + 4 * 256 * 1024 + 64 * 1024;
  const heapRead = await page.evaluate(() => window.probe.c.heapUsed());
  await bed.waitFor(page, (b) => window.probe.c.heapUsed() < b, { timeout: 60000 }, keptBound);
  const heapAfter = await page.evaluate(() => window.probe.c.heapUsed());
  console.log(`flood: sent ${sent.join('/')} packets of 64 KiB in ${FLOOD_MS / 1000} s, kept ${during.available.join('/')}, `
    + `heap in use ${(heapBefore / 1024).toFixed(0)} KiB before, peak ${(peak / 1024).toFixed(0)} KiB, `
    + `${(heapRead / 1024).toFixed(0)} KiB right after reading, ${(heapAfter / 1024).toFixed(0)} KiB after the quiet polls `
    + `(heap ${heapSize / MiB} MiB)`);
  expect(peak).toBeLessThan(heapBefore + 6 * MiB); // 4 rings of at most 1 MiB, one growing
  expect(heapAfter).toBeLessThan(keptBound);
  expect(await page.evaluate(() => window.probe.aborted)).toBe(null);
  await page.close();
});

test('EMRTC_BACKLOG_CLOSE: the flooded channel closes, the remote sees it, nothing arrives unaccounted', async () => {
  const page = await openProbe();
  await connect(page, { labels: ['strict'], policy: 2 });
  const sent = await page.evaluate(() => window.probe.flood(3000, 65536));
  await bed.waitFor(page, () => window.probe.dcs[0].readyState === 'closed', { timeout: 20000 });
  const r = await page.evaluate(() => ({
    available: window.probe.c.available(0), dropped: window.probe.c.dropped(0), state: window.probe.c.state(0),
    errors: window.probe.errors.map((e) => e[1]), aborted: window.probe.aborted,
  }));
  expect(r.aborted).toBe(null);
  expect(r.state).toBe(3);
  expect(r.available).toBe(Math.floor(MiB / (65536 + 16)));
  // what was still in the sender's queue when the channel closed never arrives (Chromium drops it)
  expect(r.dropped).toBeGreaterThan(0);
  expect(r.available + r.dropped).toBeLessThanOrEqual(sent[0]);
  expect(r.errors.filter((m) => m.startsWith('receive: ')).length).toBe(1);
  expect(r.errors.join('\n')).toMatch(/the channel was closed \(EMRTC_BACKLOG_CLOSE\)/);
  await page.close();
});

test('channels past max_channels (256 by default) and long labels are refused and reported', async () => {
  const page = await openProbe();
  const labels = Array.from({ length: 300 }, (_, i) => `c${i}`);
  await connect(page, { labels, expectChannels: 256 });
  await bed.waitFor(page, () => window.probe.c.refused() === 44
    && window.probe.dcs.filter((dc) => dc.readyState === 'closed').length === 44, { timeout: 30000 });
  const r = await page.evaluate(() => ({
    live: window.probe.c.liveChannels(), open: window.probe.dcs.filter((dc) => dc.readyState === 'open').length,
    errors: window.probe.errors.map((e) => e[1]).filter((m) => m.startsWith('data_channel_received')),
  }));
  expect(r.live).toBe(256);
  expect(r.open).toBe(256);
  expect(r.errors.join('\n')).toMatch(/max_channels/);
  await page.evaluate(() => { window.probe.c.destroy(); window.probe.pc.close(); });

  // labels: 65535 bytes each; the remote's labels together at most 256 KiB per peer
  const big = 'L'.repeat(65535);
  await connect(page, { labels: [big, big, big, big, big], expectChannels: 4 });
  await bed.waitFor(page, () => window.probe.c.refused() === 1, { timeout: 20000 });
  const l = await page.evaluate(() => ({
    lengths: [0, 1, 2, 3].map((i) => window.probe.c.label(i)), aborted: window.probe.aborted,
    errors: window.probe.errors.map((e) => e[1]).filter((m) => m.startsWith('data_channel_received')),
  }));
  expect(l.lengths).toEqual([65535, 65535, 65535, 65535]);
  expect(l.errors.join('\n')).toMatch(/label and protocol/);
  expect(l.aborted).toBe(null);
  await page.close();
});

test('with the heap exhausted, a remote label is refused, never written at wasm address 0', async () => {
  const page = await openProbe('limits_oom');
  await connect(page, { labels: ['first'] });
  const hoarded = await page.evaluate(() => window.probe.c.exhaust());
  expect(hoarded).toBeGreaterThan(4 * MiB);
  // a channel with a 60000-byte label while C has no memory: the glue must not write it anywhere
  await page.evaluate(() => {
    const dc = window.probe.pc.createDataChannel('Z'.repeat(60000));
    window.probe.dcs.push(dc);
  });
  await bed.waitFor(page, () => window.probe.dcs[1].readyState === 'closed', { timeout: 20000 });
  const r = await page.evaluate(() => {
    const heap = window.probe.heap();
    let run = 0, longest = 0;
    for (let i = 0; i < 1 << 20; i++) { run = heap[i] === 90 ? run + 1 : 0; if (run > longest) longest = run; }
    return { longest, intact: window.probe.c.okName(), aborted: window.probe.aborted };
  });
  expect(r.longest).toBeLessThan(100); // no run of the remote's "ZZZ..." in the first MiB of memory
  expect(r.intact).toBe(1);
  expect(r.aborted).toBe(null);
  // memory back: the loss is told at the next poll, and the program carries on
  await page.evaluate(() => window.probe.c.release());
  await bed.waitFor(page, () => window.probe.errors.some((e) => /events of this peer or its channels were lost/.test(e[1])),
    { timeout: 20000 });
  expect(await page.evaluate(() => window.probe.c.channels())).toBe(1);
  await page.close();
});

// ---- the signaling client (emrtc_signal.h) under a hostile server: a Node ws server of this test ----

const { WebSocketServer } = require('ws');

async function hostileServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const sockets = [];
  wss.on('connection', (ws) => sockets.push(ws));
  return {
    url: `ws://127.0.0.1:${wss.address().port}`,
    socket: async () => { while (!sockets.length) await new Promise((r) => setTimeout(r, 20)); return sockets[0]; },
    close: () => new Promise((r) => { for (const s of wss.clients) s.terminate(); wss.close(r); }),
  };
}

async function openSignal(page, url, policy = 0) {
  await page.evaluate((u, p) => { window.probe.toC(0, u); return window.probe.c.sigOpen(p); }, url, policy);
  await bed.waitFor(page, () => window.probe.c.sigCount(0) === 1, { timeout: 20000 });
}

// Sends `count` frames as fast as the socket takes them; resolves when they have all gone out.
async function sendAll(ws, count, frame) {
  for (let i = 0; i < count; i++) {
    ws.send(frame(i));
    if (ws.bufferedAmount > 4 * MiB) await new Promise((r) => setTimeout(r, 5));
  }
  while (ws.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 20));
}

test('signaling: a server floods 100,000 messages at a client that does not poll: the page lives, delivered + dropped = sent', async () => {
  const server = await hostileServer();
  const page = await openProbe();
  try {
    await openSignal(page, server.url);
    await page.evaluate(() => window.probe.c.sigPoll(0)); // the game loop stops polling
    const ws = await server.socket();
    const N = 100000;
    await sendAll(ws, N, (i) => JSON.stringify({ type: 2, id: i + 2, data: '' }));
    // the page takes them in while the program does not poll: wait until the limit has been met
    await bed.waitFor(page, () => window.probe.c.sigDropped() > 0, { timeout: 30000 });
    expect(await page.evaluate(() => window.probe.aborted)).toBe(null);
    await page.evaluate(() => window.probe.c.sigPoll(1));
    await bed.waitFor(page, (n) => window.probe.c.sigCount(1) + window.probe.c.sigDropped() === n, { timeout: 30000 }, N);
    const r = await page.evaluate(() => ({
      delivered: window.probe.c.sigCount(1), dropped: window.probe.c.sigDropped(), reports: window.probe.c.sigCount(4),
      state: window.probe.c.sigState(), aborted: window.probe.aborted,
      errors: window.probe.errors.map((e) => e[1]).filter((m) => m.startsWith('messages from the server')),
    }));
    expect(r.aborted).toBe(null);
    expect(r.delivered + r.dropped).toBe(N);
    expect(r.dropped).toBeGreaterThan(0);
    expect(r.reports).toBe(1); // one burst, one report
    expect(r.errors[0]).toMatch(/max_backlog_bytes|EMRTC_MAX_QUEUED_EVENTS/);
    expect(r.state).toBe(1); // still open
    // and it works normally afterwards
    ws.send(JSON.stringify({ type: 2, id: 7, data: '' }));
    await bed.waitFor(page, (n) => window.probe.c.sigCount(1) === n + 1 && window.probe.c.sigCount(7) === 7,
      { timeout: 20000 }, r.delivered);
    console.log(`signaling flood: ${N} messages, ${r.delivered} delivered, ${r.dropped} dropped, ${r.reports} report`);
  } finally {
    await page.close();
    await server.close();
  }
});

test('signaling: an 8 MiB offer relayed by a server is refused with a clear error, not an abort', async () => {
  const server = await hostileServer();
  const page = await openProbe();
  try {
    await openSignal(page, server.url);
    const ws = await server.socket();
    // 8 MiB (the offer), then 12 MiB: more than the heap has free, so even Emscripten's own
    // copy of the message would abort the page; the client refuses both before they reach wasm memory
    ws.send(JSON.stringify({ type: 4, id: 2, data: 'v=0\r\n' + 'a'.repeat(8 * MiB) }));
    ws.send(JSON.stringify({ type: 4, id: 2, data: 'v=0\r\n' + 'a'.repeat(12 * MiB) }));
    ws.send(JSON.stringify({ type: 4, id: 2, data: 'v=0\r\nsmall' }));
    await bed.waitFor(page, () => window.probe.c.sigCount(2) === 1, { timeout: 30000 });
    const r = await page.evaluate(() => ({
      offers: window.probe.c.sigCount(2), bytes: window.probe.c.sigCount(3), dropped: window.probe.c.sigDropped(),
      aborted: window.probe.aborted, state: window.probe.c.sigState(),
      errors: window.probe.errors.map((e) => e[1]).filter((m) => m.startsWith('messages from the server')),
    }));
    expect(r.aborted).toBe(null);
    expect(r.bytes).toBe(10); // the small offer got through
    expect(r.dropped).toBe(2);
    expect(r.errors.length).toBe(1); // one burst
    expect(r.errors[0]).toMatch(/of 8388\d+ bytes, is over max_message_bytes \(65536/); // the burst, as it began
    expect(r.state).toBe(1);
  } finally {
    await page.close();
    await server.close();
  }
  // EMRTC_BACKLOG_CLOSE: the client closes the connection (4009) instead
  const server2 = await hostileServer();
  const page2 = await openProbe();
  try {
    await openSignal(page2, server2.url, 2);
    const ws = await server2.socket();
    const closed = new Promise((r, reject) => {
      ws.once('close', (code) => r(code));
      setTimeout(() => reject(new Error('the client did not close')), 20000);
    });
    ws.send(JSON.stringify({ type: 4, id: 2, data: 'a'.repeat(100000) }));
    expect(await closed).toBe(4009);
    await bed.waitFor(page2, () => window.probe.c.sigState() === 3, { timeout: 20000 });
    expect(await page2.evaluate(() => window.probe.c.sigCount(6))).toBe(4009);
    expect(await page2.evaluate(() => window.probe.aborted)).toBe(null);
  } finally {
    await page2.close();
    await server2.close();
  }
});

test("Chromium's own limit: about 500 live RTCPeerConnections per page; emrtc_peer_create then fails with the browser's reason", async () => {
  const page = await openProbe();
  const n = await page.evaluate(() => window.probe.c.peersUntilRefused(1500));
  const r = await page.evaluate(() => ({ errors: window.probe.errors.map((e) => e[1]), live: window.probe.c.liveChannels() }));
  console.log(`Chromium refused RTCPeerConnection number ${n + 1}: ${r.errors[r.errors.length - 1]}`);
  expect(n).toBeGreaterThan(300);
  expect(n).toBeLessThan(1500);
  expect(r.errors[r.errors.length - 1]).toMatch(/RTCPeerConnection: .*Cannot create so many PeerConnections/);
  await page.close();
});
