'use strict';
// Runs the emrtc-signal CLI (js/bin/emrtc-signal.js) as a child process on 127.0.0.1 and a free port.
const path = require('path');
const { spawn } = require('child_process');
const { stopChild } = require('./redis-server');

const CLI = path.join(__dirname, '../../js/bin/emrtc-signal.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts emrtc-signal with `args` (after --port 0 --host 127.0.0.1); resolves {child, url, out,
 * stop} once it has printed its URL (bounded: 10 s). `out.stdout`/`out.stderr` keep growing.
 */
async function startCli(args) {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => { out.stdout += d; });
  child.stderr.on('data', (d) => { out.stderr += d; });
  const re = /listening on (wss?:\/\/[^\s"]+)/;
  for (let i = 0; i < 200 && !re.test(out.stdout) && child.exitCode === null; i++) await sleep(50);
  const m = re.exec(out.stdout);
  if (!m) {
    await stopChild(child);
    throw new Error(`emrtc-signal did not start: ${out.stdout} ${out.stderr}`);
  }
  return { child, url: m[1], out, stop: () => stopChild(child) };
}

module.exports = { startCli, CLI };
