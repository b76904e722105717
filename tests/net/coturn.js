'use strict';
// A real TURN server for the network tests: Debian's coturn (`turnserver`), started on 127.0.0.1 and a
// free port (UDP and TCP on the same number) with a config file and user database in a temporary
// folder, long-term credentials, loopback peers allowed, its log kept in memory; stopped (and
// restartable on the same port) by the test. One per test file.
const { spawn, execFileSync } = require('child_process');
const dgram = require('dgram');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const REALM = 'emrtc.test';

/** A port free for both TCP and UDP on 127.0.0.1 (asked from the kernel, then released). */
async function freePort() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
    });
    const udpFree = await new Promise((resolve) => {
      const sock = dgram.createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free TCP+UDP port');
}

/** The machine's first non-loopback IPv4 address (Chromium's host candidates use it), or null. */
function interfaceAddress() {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list || []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

/**
 * Starts coturn. `users`: {name: password}; `secret`: instead of users, coturn's REST scheme
 * (use-auth-secret, static-auth-secret: see js/turn.js); `relayIp`: the address of its relay candidates (default
 * 127.0.0.1: enough between relay candidates; a peer that uses host candidates needs the
 * interface's address, since Linux does not route from 127.0.0.1 to it). Resolves once it listens. The returned object:
 * url(transport) ('turn:127.0.0.1:PORT?transport=udp|tcp'), port, log (text so far), stop() (SIGTERM,
 * waits for the exit; idempotent), start() (again, same port and folder), close() (stop and remove
 * the folder).
 */
async function startCoturn({ users = { emrtc: 'secret' }, secret = null, relayIp = '127.0.0.1' } = {}) {
  execFileSync('turnserver', ['--version'], { stdio: 'ignore' }); // a clear error when it is missing
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-coturn-'));
  const port = await freePort();
  // relay ports above Linux's ephemeral range (32768-60999), a band per instance
  const minPort = 61000 + (port % 40) * 100;
  const conf = [
    'listening-ip=127.0.0.1',
    `relay-ip=${relayIp}`,
    `listening-port=${port}`,
    `min-port=${minPort}`,
    `max-port=${minPort + 99}`,
    'lt-cred-mech',
    // long-term credentials: fixed users, or time-limited ones made from a shared secret (REST)
    ...(secret ? ['use-auth-secret', `static-auth-secret=${secret}`]
      : Object.entries(users).map(([name, pass]) => `user=${name}:${pass}`)),
    `realm=${REALM}`,
    `userdb=${path.join(dir, 'turndb')}`,
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    'no-cli',
    'no-tls',
    'no-dtls',
    'allow-loopback-peers',
    'no-multicast-peers',
    'log-file=stdout',
    'simple-log',
    'verbose',
  ].join('\n') + '\n';
  const confFile = path.join(dir, 'turnserver.conf');
  fs.writeFileSync(confFile, conf);

  const server = { port, dir, log: '', proc: null, exited: null };
  server.url = (transport = 'udp') => `turn:127.0.0.1:${port}?transport=${transport}`;
  server.start = async () => {
    const proc = spawn('turnserver', ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.proc = proc;
    server.exited = new Promise((resolve) => proc.once('exit', resolve));
    const take = (chunk) => { server.log += chunk.toString(); };
    proc.stdout.on('data', take);
    proc.stderr.on('data', take);
    // listening: a TCP connect succeeds
    const deadline = Date.now() + 15000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`turnserver exited (${proc.exitCode}):\n${server.log}`);
      const up = await new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.once('error', () => resolve(false));
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error(`turnserver did not listen on ${port}:\n${server.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  server.stop = async () => {
    const proc = server.proc;
    if (!proc || proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await server.exited;
    clearTimeout(timer);
  };
  server.close = async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await server.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}

module.exports = { startCoturn, freePort, interfaceAddress, REALM };
