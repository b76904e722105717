'use strict';
// The README's multiplayer example (examples/multiplayer.c) is quoted verbatim, compiles with the
// command the README shows, and plays: three pages meet in a lobby, say hello reliably, see each
// other's positions, and see a player leave.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { createTestBed } = require('../../js/testing');

const REPO = path.join(__dirname, '../..');
const SOURCE = path.join(REPO, 'examples/multiplayer.c');
const COMMAND = 'emcc multiplayer.c -I emrtc/include emrtc/build-wasm/libemrtc.a -lwebsocket.js -sENVIRONMENT=web -o index.html';

jest.setTimeout(120000);

test('the README quotes examples/multiplayer.c and its build command', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  expect(readme).toContain('```c\n' + fs.readFileSync(SOURCE, 'utf8') + '```');
  expect(readme).toContain('```sh\n' + COMMAND + '\n```');
});

test('the multiplayer example builds with that command and plays with three pages', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-mp-readme-'));
  // The README's command, its paths pointing into this checkout (-Wall -Werror on top).
  const args = COMMAND.split(' ').slice(1).map((a) => (a === 'multiplayer.c' ? SOURCE
    : a === 'emrtc/include' ? path.join(REPO, 'include')
      : a === 'emrtc/build-wasm/libemrtc.a' ? path.join(REPO, process.env.EMRTC_BUILD_DIR || 'build-wasm', 'libemrtc.a')
        : a === 'index.html' ? path.join(dir, 'index.html') : a));
  execFileSync('emcc', [...args, '-Wall', '-Werror'], { env: { ...process.env, NODE_PATH: '/usr/share/nodejs' }, stdio: 'pipe' });
  const bed = await createTestBed({ root: dir, signaling: true });
  // Chromium sometimes runs requestAnimationFrame in a background tab at 1 frame per second
  // although the kit emulates focus; the pages take turns in front so every game loop runs.
  let turn = 0;
  const until = async (what, fn, timeout = 45000) => {
    const deadline = Date.now() + timeout;
    const t0 = Date.now();
    while (!fn() && Date.now() < deadline) {
      const open = bed.pages.filter((p) => !p.isClosed());
      if (open.length) await open[turn++ % open.length].bringToFront().catch(() => {});
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!fn()) throw new Error(`no ${what}; logs:\n${bed.logs.join('\n')}`);
    if (process.env.MP_TIME) console.log(what, Date.now() - t0);
  };
  try {
    const [host] = await bed.openPages(1, 'index.html', { signal: bed.signalUrl });
    let lobby;
    await until('lobby', () => bed.logs.some((l) => (lobby = (/^\[page 0\] lobby (\S+), I am player 1$/.exec(l) || [])[1])));
    const guests = await bed.openPages(2, 'index.html', { signal: bed.signalUrl, lobby });
    const idOf = (n) => Number((bed.logs.map((l) => new RegExp(`^\\[page ${n}\\] lobby \\S+, I am player (\\d+)$`).exec(l))
      .find(Boolean) || [])[1]);
    await until('guest ids', () => idOf(1) && idOf(2));
    const ids = [1, idOf(1), idOf(2)];
    for (let n = 0; n < 3; n++) {
      for (let m = 0; m < 3; m++) {
        if (m === n) continue;
        await until(`hello from ${ids[m]} on page ${n}`, () => bed.logs.includes(`[page ${n}] chat from ${ids[m]}: hello from ${ids[m]}`));
        await until(`a position of ${ids[m]} on page ${n}`, () => bed.logs.some((l) => l.startsWith(`[page ${n}] player ${ids[m]} is at `)));
      }
    }
    // each hello came exactly once, and positions are (x, x/2) as the example moves
    for (let n = 0; n < 3; n++) {
      for (let m = 0; m < 3; m++) {
        if (m !== n) expect(bed.logs.filter((l) => l === `[page ${n}] chat from ${ids[m]}: hello from ${ids[m]}`)).toHaveLength(1);
      }
    }
    for (const l of bed.logs.filter((x) => / is at /.test(x))) {
      const [, px, py] = / is at (\d+),(\d+)$/.exec(l);
      expect(Number(py)).toBe(Math.round(Number(px) / 2));
    }
    await guests[1].close();
    for (const n of [0, 1]) await until(`player ${ids[2]} left on page ${n}`, () => bed.logs.includes(`[page ${n}] player ${ids[2]} left`));
    await host.close();
    await until('the host leaving', () => bed.logs.includes('[page 1] player 1 left'));
    expect(bed.logs.filter((l) => l.includes('pageerror'))).toEqual([]);
  } finally {
    await bed.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
