/**
 * The testing kit (js/testing.js) on a plain page, without Emscripten: what package.test.js relies
 * on when it runs the example, checked directly so that a failure names the kit's part.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { WebSocket } = require('ws');
const { createTestBed } = require('../../js/testing');

// Shows its URL parameters; frames500() counts the animation frames of half a second (answering
// after 700 ms by timer, so a page that gets no frames answers too).
const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script>
window.params = Object.fromEntries(new URLSearchParams(location.search));
window.frames500 = () => new Promise((resolve) => {
  let n = 0; const t0 = performance.now();
  (function f() { n++; if (performance.now() - t0 < 500) requestAnimationFrame(f); })();
  setTimeout(() => resolve(n), 700);
});
console.log('loaded ' + location.search);
</script>`;

let root;
let bed;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-kit-'));
  fs.writeFileSync(path.join(root, 'index.html'), PAGE);
  bed = await createTestBed({ root, signaling: { noLobbyTimeoutMs: 0 } });
});
afterAll(async () => {
  if (bed) await bed.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('openPages encodes a query object and logs each page under its number', async () => {
  const [a, b] = await bed.openPages(2, 'index.html', { signal: 'ws://127.0.0.1:1/x', lobby: 'a b&c' });
  const [c] = await bed.openPages(1, 'index.html', 'plain=1');
  expect(await a.evaluate(() => window.params)).toEqual({ signal: 'ws://127.0.0.1:1/x', lobby: 'a b&c' });
  expect(await b.evaluate(() => window.params.lobby)).toBe('a b&c');
  expect(await c.evaluate(() => window.params)).toEqual({ plain: '1' });
  // an absolute URL (a link a page shows), with more parameters
  const [d] = await bed.openPages(1, `${bed.url}index.html?from=link`, { more: '2' });
  expect(await d.evaluate(() => window.params)).toEqual({ from: 'link', more: '2' });
  await d.close();
  expect(bed.pages).toEqual([a, b, c, d]);
  expect(bed.logs).toEqual(expect.arrayContaining([
    '[page 0] loaded ?signal=ws%3A%2F%2F127.0.0.1%3A1%2Fx&lobby=a+b%26c',
    '[page 2] loaded ?plain=1',
  ]));
});

test('every page keeps getting animation frames, not only the newest tab', async () => {
  const [first, second] = bed.pages;
  const counts = await Promise.all([first.evaluate(() => window.frames500()), second.evaluate(() => window.frames500())]);
  // a background tab gets no frame at all; a visible page about 30 in half a second at 60 Hz
  for (const n of counts) expect(n).toBeGreaterThan(5);
  expect(await first.evaluate(() => document.visibilityState)).toBe('visible');
});

test('waitFor returns the value the condition returned; its timeout error carries the logs', async () => {
  const [page] = bed.pages;
  setTimeout(() => page.evaluate(() => { window.answer = { n: 42 }; }), 100);
  expect(await bed.waitFor(page, () => window.answer)).toEqual({ n: 42 });
  await expect(bed.waitFor(page, () => window.never, { timeout: 300 }))
    .rejects.toThrow(/300ms exceeded[\s\S]*page logs:\n\[page 0\] loaded/);
});

test('waitFor fails at once with the exception of a condition that throws, not after its timeout', async () => {
  const [page] = bed.pages;
  // a timeout far beyond Jest's: only the exception can end this wait in time
  const wait = bed.waitFor(page, (n) => { if (n > 1) throw new RangeError(`bad n ${n}`); }, { timeout: 600000 }, 2);
  await expect(wait).rejects.toThrow(/condition threw: RangeError: bad n 2\ncondition: \(?n\)? => /);
  await expect(wait).rejects.toThrow(/page logs:\n\[page 0\] loaded/);
  // a string condition, and an async one whose promise rejects
  await expect(bed.waitFor(page, 'window.nothing.here', { timeout: 600000 }))
    .rejects.toThrow(/condition threw: TypeError: Cannot read properties of undefined \(reading 'here'\)/);
  await expect(bed.waitFor(page, async () => { throw new Error('async no'); }, { timeout: 600000 }))
    .rejects.toThrow(/condition threw: Error: async no/);
  // arguments and async conditions that succeed
  expect(await bed.waitFor(page, async (a, b) => a * b, {}, 6, 7)).toBe(42);
}, 30000);

test('the signaling server answers on signalUrl', async () => {
  expect(bed.signalUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  const ws = new WebSocket(bed.signalUrl);
  const reply = await new Promise((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 0, id: 0, data: '' })));
    ws.on('message', (m) => resolve(JSON.parse(m.toString())));
    ws.on('error', reject);
  });
  ws.close();
  expect(reply).toEqual({ type: 1, id: 1, data: 'true' }); // ID: host of a new mesh lobby
});

/** Chromium processes started by this test process. */
function chromiumChildren() {
  const { execFileSync } = require('child_process');
  return execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n').filter((name) => /chrom/i.test(name)).length;
}

test('createTestBed fails clearly, and closes what it had started when a later step fails', async () => {
  await expect(createTestBed({ root, signaling: true, executablePath: '/nonexistent/chromium' }))
    .rejects.toThrow('emrtc/testing: no browser at /nonexistent/chromium');
  const before = chromiumChildren();
  // the browser and the web server start, then the signaling server refuses its options
  await expect(createTestBed({ root, signaling: { noSuchOption: 1 } })).rejects.toThrow('unknown option(s): noSuchOption');
  expect(chromiumChildren()).toBe(before);
});

test('close() stops the browser and the servers, and can be called again', async () => {
  const before = chromiumChildren();
  const other = await createTestBed({ root, signaling: true });
  expect(chromiumChildren()).toBe(before + 1);
  const signalPort = new URL(other.signalUrl).port;
  await Promise.all([other.close(), other.close()]);
  expect(chromiumChildren()).toBe(before);
  expect(other.browser.connected).toBe(false);
  await expect(fetch(other.url)).rejects.toThrow();
  await expect(new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${signalPort}`);
    ws.on('open', resolve);
    ws.on('error', reject);
  })).rejects.toThrow(/ECONNREFUSED/);
});
