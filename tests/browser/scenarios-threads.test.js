'use strict';
// The same conformance scenarios in Chromium, built with -pthread against libemrtc-mt.a (shared
// wasm memory: sends copy out of it, calls from other threads are refused), served with COOP/COEP;
// plus tests/browser/threads/ (calls from a pthread_create'd thread). See scenario-suite.js.
// Then the library of the wrong kind, linked as a user could: refused at link time or at run time.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { serveDirectory } = require('../../js/testing');

const suite = require('./scenario-suite').defineScenarioSuite({
  build: 'browser-mt',
  extraDirs: [path.join(__dirname, 'threads')],
  crossOriginIsolation: true,
});

const BUILD = path.join(__dirname, '../../build-wasm');
const MISMATCH = path.join(__dirname, 'mismatch.c');

function emcc(args, cwd) {
  return spawnSync('emcc', ['-O1', `-I${path.join(__dirname, '../../include')}`, MISMATCH, ...args],
    { cwd, encoding: 'utf8', env: { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' } });
}

describe('a program linked with the library of the other kind', () => {
  let tmp;
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-mismatch-')); });
  afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  test('-pthread with the plain libemrtc.a: wasm-ld refuses it', () => {
    const r = emcc(['-pthread', path.join(BUILD, 'libemrtc.a'), '-sENVIRONMENT=web,worker', '-o', 'plain_lib.js'], tmp);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--shared-memory is disallowed by emrtc\.c\.o/);
  });

  test('no -pthread with libemrtc-mt.a: emrtc_peer_create refuses, naming the plain library', async () => {
    const r = emcc([path.join(BUILD, 'libemrtc-mt.a'), '-sENVIRONMENT=web', '-sEXIT_RUNTIME=0', '-o', 'mt_lib.js'], tmp);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    fs.copyFileSync(path.join(__dirname, 'mismatch.html'), path.join(tmp, 'mismatch.html'));
    const server = await serveDirectory(tmp);
    const page = await suite.browser().newPage();
    try {
      await page.goto(`${server.url}mismatch.html?mt_lib.js`, { waitUntil: 'load' });
      await page.evaluate(() => window.emrtcReady);
      const result = await page.evaluate(() => ({ ok: Module._m_create(), message: UTF8ToString(Module._m_message()) }));
      expect(result.ok).toBe(0);
      expect(result.message).toMatch(/built without -pthread but linked with libemrtc-mt\.a .*link the plain libemrtc\.a/);
    } finally {
      await page.close();
      await server.close();
    }
  });
});
