'use strict';
// A real redis-server (Debian's redis-server package) for the tests: on 127.0.0.1 and a free
// port, no persistence (--save '' --appendonly no), its folder a temporary one; stopped by PID.
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

/** A TCP port that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on `port` in `dir`; resolves the child once it accepts connections. */
function spawnRedis(port, dir) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
    '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`redis-server did not start: ${out}`)); }, 10000);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited ${code}: ${out}`)); });
    let ready = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!ready && /Ready to accept connections/.test(out)) {
        ready = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
    child.stderr.on('data', (d) => { out += d; });
  });
}

/** Stops `child` by its PID (SIGTERM, then SIGKILL after 5 s); resolves when it has exited. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    process.kill(child.pid, 'SIGTERM');
  });
}

/** Starts a Redis: {port, url, pid, stop(), restart(), down(), up()} (restart = down + up: the same
 *  port, empty data). */
async function startRedis() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-redis-'));
  const port = await freePort();
  let child = await spawnRedis(port, dir);
  const redis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() { return child.pid; },
    async down() {
      await stopChild(child);
    },
    async up() {
      child = await spawnRedis(port, dir);
    },
    async restart() {
      await redis.down();
      await redis.up();
    },
    async stop() {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return redis;
}

module.exports = { startRedis, stopChild, freePort };
