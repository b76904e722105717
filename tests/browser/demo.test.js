'use strict';
// The npm start page: two peers in one tab connect through emrtc and show the messages they exchange.
const path = require('path');
const { createTestBed } = require('../../js/testing');

test('the demo page connects two peers and shows their messages', async () => {
  const bed = await createTestBed({ root: path.join(__dirname, '../../build-wasm/web') });
  try {
    const [page] = await bed.openPages(1, 'index.html');
    const lines = await bed.waitFor(page, () => {
      const text = [...document.querySelectorAll('#log div')].map((d) => d.textContent);
      return text.includes('A: got "pong for ping 2"') && text;
    }, { timeout: 20000 });
    expect(lines).toEqual(expect.arrayContaining([
      'A: connection connected',
      'B: connection connected',
      'B: received channel',
      'B: got "ping 1"',
      'A: got "pong for ping 1"',
      'B: got "ping 2"',
    ]));
    // two peers and two channels, all alive while the demo runs
    expect(await page.evaluate(() => Module.emrtcLiveObjects())).toBe(4);
    if (process.env.EMRTC_SCREENSHOT) await page.screenshot({ path: process.env.EMRTC_SCREENSHOT });
  } finally {
    await bed.close();
  }
});
