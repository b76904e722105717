'use strict';
// `npm start` as a user runs it, on a free port: it prints its URLs and serves the game's page and
// the signaling server (on /signal); SIGTERM to the npm process stops every process it started and
// frees the port. (Without its setup step, which npm test has run already: an `npm ci` under this
// running Jest would pull node_modules away.)
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { TestClient } = require('./signal-client');

const REPO = path.resolve(__dirname, '../..');
const haveEmcc = spawnSync('sh', ['-c', 'command -v emcc'], { encoding: 'utf8' }).status === 0;
const maybe = haveEmcc ? test : test.skip;

/** Every live descendant of `pid`, from /proc. */
function descendants(pid) {
  const parent = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch (_) { /* gone */ }
  }
  const found = [];
  const walk = (p) => { for (const [child, pp] of parent) if (pp === p) { found.push(child); walk(child); } };
  walk(pid);
  return found;
}
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (_) { return false; } };
const refused = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(false); });
  s.once('error', () => resolve(true));
});

maybe('`npm start` serves the game and signaling on one port; SIGTERM stops every process it started', async () => {
  const npm = spawn('npm', ['start'], { cwd: REPO, env: { ...process.env, PORT: '0', SIGNAL_PORT: '0', EMRTC_SKIP_SETUP: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  npm.stdout.on('data', (d) => { out += d; });
  npm.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  let pids = [];
  try {
    const deadline = Date.now() + 240000;
    while (!/signaling server: ws:\/\/\S+:\d+/.test(out) && Date.now() < deadline && npm.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const web = out.match(/(http:\/\/[\d.]+:(\d+)\/\S*)/);
    const signal = out.match(/signaling server: ws:\/\/[\d.]+:(\d+)/);
    if (!web || !signal) throw new Error(`npm start printed no URLs:\n${out}`);
    const page = await fetch(web[1]);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="game.js"></script>'); // the game's page
    // the signaling server answers on the same port, at /signal (where the page looks for it)
    expect(signal[0]).toBe(`signaling server: ws://127.0.0.1:${web[2]}`);
    const client = await TestClient.open(`ws://127.0.0.1:${web[2]}/signal`);
    client.send(0, 0, ''); // JOIN: create a mesh lobby
    expect(await client.next()).toEqual({ type: 1, id: 1, data: 'true' }); // ID: its host
    await client.close();
    pids = descendants(npm.pid);
    expect(pids.length).toBeGreaterThanOrEqual(2); // the script and the server at least

    npm.kill('SIGTERM');
    await exited;
    // the processes finish exiting right after npm
    const until = Date.now() + 10000;
    while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
    expect(await refused(Number(web[2]))).toBe(true);
  } finally {
    if (npm.exitCode === null) npm.kill('SIGKILL');
    for (const pid of [...pids, ...descendants(npm.pid)]) try { process.kill(pid, 'SIGKILL'); } catch (_) { /* gone */ }
    npm.stdout.destroy();
    npm.stderr.destroy();
  }
}, 300000);

maybe('`--host 0.0.0.0` serves the LAN: every printed address serves the game and its signaling', async () => {
  const serve = spawn(process.execPath, [path.join(REPO, 'scripts/serve.js'), path.join(REPO, 'build-wasm/game'), '--host', '0.0.0.0'],
    { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  serve.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => serve.once('exit', resolve));
  try {
    while (!/signaling server:/.test(out) && serve.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    const urls = [...out.matchAll(/emrtc game: (http:\/\/\S+)/g)].map((m) => m[1]);
    const lan = Object.values(require('os').networkInterfaces()).flat().filter((a) => a.family === 'IPv4' && !a.internal);
    expect(urls.length).toBe(1 + lan.length); // 127.0.0.1 and each address of the machine
    for (const url of urls) {
      expect((await fetch(url)).status).toBe(200);
      await (await TestClient.open(`${url.replace('http', 'ws')}signal`)).close();
    }
  } finally {
    serve.kill('SIGTERM');
    await exited;
  }
}, 60000);
