/**
 * Testing a C program that uses emrtc, with emrtc/testing and Jest: two pages of chat.c meet in a
 * lobby of a signaling server and say hello over a data channel.
 *
 * Build first (./build-emcc.sh or ./build-cmake.sh: both write build/index.html, chat.js and
 * chat.wasm), then run `npx jest`. Needs jest and puppeteer-core as dev dependencies, and Chromium.
 */
const path = require('path');
const { createTestBed } = require('emrtc/testing');

jest.setTimeout(60000);

let bed;
beforeAll(async () => {
  // Chromium, a web server for build/ and an emrtc signaling server, each on a free port.
  bed = await createTestBed({ root: path.join(__dirname, 'build'), signaling: true });
});
afterAll(() => bed && bed.close());

test('two pages meet in a lobby and say hello over a data channel', async () => {
  const [host] = await bed.openPages(1, 'index.html', { signal: bed.signalUrl });
  const lobby = await bed.waitFor(host, () => window.chat && window.chat.lobby);
  const [guest] = await bed.openPages(1, 'index.html', { signal: bed.signalUrl, lobby });

  // waitFor returns what the condition returned: here the page's whole window.chat.
  const chatOf = (page) => bed.waitFor(page, () => window.chat
    && window.chat.connection === 'connected' && window.chat.received.length > 0 && window.chat);
  const [h, g] = await Promise.all([chatOf(host), chatOf(guest)]);

  expect(h.id).toBe('1'); // whoever creates a lobby is its host, id 1
  expect(g.id).not.toBe('1');
  expect(h.received).toEqual([`hello from ${g.id}`]);
  expect(g.received).toEqual(['hello from 1']);
  expect(bed.logs.filter((line) => /pageerror|chat error/.test(line))).toEqual([]);
});
