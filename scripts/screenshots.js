'use strict';
// Makes the README's screenshots of the game: two pages of one lobby on npm start's own server
// (scripts/serve.js), after a move and a chat line each, written to docs/game-host.png and
// docs/game-guest.png. Run after a build (npm start or npm test builds build-wasm/game):
//   node scripts/screenshots.js
// tests/game/game.test.js checks that the committed pictures have the size made here (VIEWPORT).
const path = require('path');
const { spawn } = require('child_process');
const { GAME_DIR, createGameBed, host, join, seesPlayers, idOf, hold, say, restingPosition } = require('../tests/game/play');

/** Starts npm start's server on a free port; resolves with { url, stop }. */
function startServer() {
  const child = spawn(process.execPath, [path.join(__dirname, 'serve.js'), GAME_DIR], {
    env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/emrtc game: (http:\/\/\S+)/);
      if (m) resolve({ url: m[1], stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`serve.js exited (${code}): ${out}`)));
  });
}

async function main() {
  const server = await startServer();
  const bed = await createGameBed();
  try {
    const { page: a, link } = await host(bed, server.url);
    const b = await join(bed, link);
    const ids = [await idOf(bed, a), await idOf(bed, b)];
    await Promise.all([seesPlayers(bed, a, ids), seesPlayers(bed, b, ids)]);
    await hold(bed, a, 'ArrowRight', 110);
    await hold(bed, b, 'ArrowDown', 90);
    await hold(bed, b, 'ArrowRight', 50);
    await say(a, 'hello from the host');
    await say(b, 'hi! I came in through the link');
    await Promise.all([restingPosition(bed, a), restingPosition(bed, b)]);
    for (const page of [a, b]) {
      await bed.waitFor(page, () => window.game.chat.length === 2
        && Object.values(window.game.players).every((p) => p.me || p.ping !== null));
    }
    await new Promise((r) => setTimeout(r, 300)); // the far player's last position is drawn
    for (const [page, name] of [[a, 'game-host.png'], [b, 'game-guest.png']]) {
      const file = path.resolve(__dirname, '../docs', name);
      await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
      await page.screenshot({ path: file });
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  } finally {
    await bed.close();
    server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
