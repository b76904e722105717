'use strict';
/**
 * emrtc/testing — headless-browser tests of C programs that use emrtc.
 *
 * Launches the system Chromium (puppeteer-core, never a downloaded browser), serves a build folder
 * on a free port, starts a signaling server on a free port, opens pages, waits for conditions, and
 * shuts everything down.
 *
 *   const { createTestBed } = require('emrtc/testing');
 *   const bed = await createTestBed({ root: 'build/web', signaling: true });
 *   const [a, b] = await bed.openPages(2, 'game.html');
 *   await bed.waitFor(a, () => window.connected === true);
 *   await bed.close();
 */
const fs = require('fs');
const http = require('http');
const path = require('path');
const os = require('os');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.data': 'application/octet-stream',
};

/** Flags for headless Chromium on a machine with no network but loopback. */
const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];

/**
 * The Chromium executable: `explicit`, $CHROME_PATH or $PUPPETEER_EXECUTABLE_PATH, else the first of
 * chromium / chromium-browser / google-chrome found on the PATH.
 * @param {string} [explicit]
 * @returns {string}
 */
function findChromium(explicit) {
  const given = explicit || process.env.CHROME_PATH || process.env.PUPPETEER_EXECUTABLE_PATH;
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`emrtc/testing: no browser at ${given}`);
    return given;
  }
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    for (const name of names) {
      const p = path.join(dir, name);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      } catch (_) { /* next */ }
    }
  }
  throw new Error('emrtc/testing: no Chromium on the PATH (Debian: apt-get install chromium), or pass executablePath');
}

/**
 * Launches headless Chromium with the flags WebRTC tests need on this machine.
 * @param {{executablePath?: string, args?: string[]}} [options]
 * @returns {Promise<import('puppeteer-core').Browser>}
 */
async function launchBrowser(options = {}) {
  const puppeteer = require('puppeteer-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: findChromium(options.executablePath),
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(options.args || [])],
    userDataDir,
    protocolTimeout: 180000,
  });
  browser.once('disconnected', () => {
    // Chromium may still be writing its profile as it exits; a leftover temp folder is harmless.
    try { fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }); } catch (_) { /* left */ }
  });
  return browser;
}

/**
 * Serves `root` over HTTP on 127.0.0.1 and a free port (or `port`), with wasm's MIME type.
 * @param {string} root
 * @param {{port?: number}} [options]
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>}
 */
function serveDirectory(root, options = {}) {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.resolve(base, '.' + (urlPath.endsWith('/') ? urlPath + 'index.html' : urlPath));
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': MIME[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port || 0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/`,
        port,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}

/**
 * Waits until `fn` (run in the page, with `args`) returns a truthy value; returns it.
 * @param {import('puppeteer-core').Page} page
 * @param {Function|string} fn
 * @param {{timeout?: number, polling?: number}} [options]
 * @param {...any} args
 */
async function waitFor(page, fn, options = {}, ...args) {
  const handle = await page.waitForFunction(fn, { timeout: options.timeout ?? 30000, polling: options.polling ?? 20 }, ...args);
  const value = await handle.jsonValue();
  await handle.dispose();
  return value;
}

/**
 * Everything a test needs, torn down by one close(): a browser, a static server for `root`, and
 * optionally a signaling server.
 * @param {{root: string, signaling?: boolean|object, executablePath?: string, args?: string[]}} options
 */
async function createTestBed(options) {
  const browser = await launchBrowser(options);
  const server = await serveDirectory(options.root);
  let signal = null;
  if (options.signaling) {
    const { createSignalServer } = require('./signal-server');
    const opts = typeof options.signaling === 'object' ? options.signaling : {};
    signal = await createSignalServer({ host: '127.0.0.1', port: 0, logger: () => {}, ...opts });
  }
  const pages = [];
  const bed = {
    browser,
    url: server.url,
    signalUrl: signal ? signal.url : null,
    /** Console lines of every page, prefixed with the page's number. */
    logs: [],
    /**
     * Opens `count` pages at `file` (relative to root), each with `query` appended, and waits for
     * each page's load event.
     */
    async openPages(count, file, query = '') {
      const opened = [];
      for (let i = 0; i < count; i++) {
        const page = await browser.newPage();
        const n = pages.length;
        page.on('console', (m) => bed.logs.push(`[page ${n}] ${m.text()}`));
        page.on('pageerror', (e) => bed.logs.push(`[page ${n}] pageerror ${e.message}`));
        pages.push(page);
        const sep = query && !query.startsWith('?') ? '?' : '';
        await page.goto(server.url + file + sep + query, { waitUntil: 'load' });
        opened.push(page);
      }
      return opened;
    },
    waitFor,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      if (signal) await signal.close();
    },
  };
  return bed;
}

module.exports = { createTestBed, launchBrowser, serveDirectory, waitFor, findChromium, CHROMIUM_FLAGS };
