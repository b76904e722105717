'use strict';
/**
 * emrtc/testing — headless-browser tests of C programs that use emrtc.
 *
 * Launches the system Chromium (puppeteer-core, never a downloaded browser), serves a build folder
 * on a free port, starts a signaling server on a free port, opens pages, waits for conditions, and
 * shuts everything down with one close().
 *
 *   const { createTestBed } = require('emrtc/testing');
 *   const bed = await createTestBed({ root: 'build', signaling: true });
 *   const [a] = await bed.openPages(1, 'index.html', { signal: bed.signalUrl });
 *   const lobby = await bed.waitFor(a, () => window.chat && window.chat.lobby);
 *   await bed.close();
 *
 * Requirements: puppeteer-core (a peer dependency, loaded only when a browser is launched:
 * `npm install --save-dev puppeteer-core`) and a Chromium: `executablePath`, $CHROME_PATH,
 * $PUPPETEER_EXECUTABLE_PATH or chromium / chromium-browser / google-chrome on the PATH.
 * A complete example (C program, page, Jest test) is in examples/testing-kit/ of the sources.
 *
 * @module emrtc/testing
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

/** Flags that keep background pages running at full speed (left out with `backgroundTabs`). */
const BACKGROUND_FLAGS = [
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];

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
  ...BACKGROUND_FLAGS,
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

/** puppeteer-core, required only now so that the rest of the package works without it. */
function requirePuppeteer() {
  try {
    return require('puppeteer-core');
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND' || !/puppeteer-core/.test(err.message)) throw err;
    throw new Error('emrtc/testing needs puppeteer-core to drive Chromium: npm install --save-dev puppeteer-core');
  }
}

/**
 * Launches headless Chromium with the flags WebRTC tests need on this machine; with
 * `backgroundTabs`, without BACKGROUND_FLAGS, so that hidden pages are throttled as in a real browser.
 * @param {{executablePath?: string, args?: string[], backgroundTabs?: boolean}} [options]
 * @returns {Promise<import('puppeteer-core').Browser>}
 */
async function launchBrowser(options = {}) {
  const puppeteer = requirePuppeteer();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: findChromium(options.executablePath),
    headless: true,
    args: [...CHROMIUM_FLAGS.filter((f) => !options.backgroundTabs || !BACKGROUND_FLAGS.includes(f)), ...(options.args || [])],
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
 * The headers that make a page cross-origin isolated (`crossOriginIsolated` true), which a program
 * built with -pthread needs: without them the browser has no SharedArrayBuffer and the program
 * cannot start. Serve them with every file of a threaded game (its .html, .js, .worker.js, .wasm).
 */
const CROSS_ORIGIN_ISOLATION_HEADERS = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
});

/**
 * Serves `root` over HTTP on 127.0.0.1 (or `host`) and a free port (or `port`), with wasm's MIME
 * type; `crossOriginIsolation: true` adds {@link CROSS_ORIGIN_ISOLATION_HEADERS} to every response.
 * `server` is the Node http.Server, e.g. to attach a signaling server to (its `server` option).
 * @param {string} root
 * @param {{port?: number, host?: string, crossOriginIsolation?: boolean}} [options]
 * @returns {Promise<{url: string, port: number, server: import('http').Server, close: () => Promise<void>}>}
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
        ...(options.crossOriginIsolation ? CROSS_ORIGIN_ISOLATION_HEADERS : {}),
      });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const host = options.host || '127.0.0.1';
    server.listen(options.port || 0, host, () => {
      const { port } = server.address();
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
        port,
        server,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}

/**
 * Waits until `fn` (run in the page, with `args`) returns a truthy value (or a promise of one);
 * returns it, as JSON. `fn` is a function or the text of an expression. If `fn` throws (or its
 * promise rejects), waitFor fails at once with that exception's message and stack (the page's
 * `Error` text), instead of waiting out the timeout.
 * @param {import('puppeteer-core').Page} page
 * @param {Function|string} fn
 * @param {{timeout?: number, polling?: number}} [options] timeout in ms (default 30000), polling
 *   period in ms (default 20)
 * @param {...any} args
 */
async function waitFor(page, fn, options = {}, ...args) {
  const source = typeof fn === 'function' ? fn.toString() : `() => (${fn})`;
  const timeout = options.timeout ?? 30000;
  // The predicate runs inside a wrapper that catches what it throws and hands it back as a value.
  const handle = await page.waitForFunction(async (src, ...a) => {
    try {
      const value = await (0, eval)(`(${src})`)(...a); // eslint-disable-line no-eval
      return value ? { value } : false;
    } catch (e) {
      // the exception, and the frames of the page's own code (not this wrapper's eval frames)
      const frames = String((e && e.stack) || '').split('\n').slice(1).filter((l) => !/eval at|pptr:/.test(l));
      return { threw: [String(e), ...frames].join('\n') };
    }
  }, { timeout, polling: options.polling ?? 20 }, source, ...args);
  const result = await handle.jsonValue();
  await handle.dispose();
  if ('threw' in result) {
    throw new Error(`emrtc/testing: waitFor's condition threw: ${result.threw}\ncondition: ${source}`);
  }
  return result.value;
}

/**
 * @typedef {object} TestBedOptions
 * @property {string} root Folder to serve (the build output: .html, .js, .wasm).
 * @property {boolean|import('./signal-server').SignalServerOptions} [signaling=false] true, or the
 *   server's options: start an emrtc signaling server on 127.0.0.1 and a free port (bed.signalUrl).
 * @property {string} [executablePath] Chromium to launch (see findChromium).
 * @property {string[]} [args] Extra Chromium flags, after CHROMIUM_FLAGS.
 * @property {boolean} [backgroundTabs=false] Pages behave as in a real browser: only the newest
 *   (or brought to front) page is visible; the others are hidden (document.visibilityState
 *   "hidden"), get no requestAnimationFrame and have their timers throttled. For testing a game in
 *   a background tab (see emrtc_background.h). By default every page acts as visible and focused.
 * @property {boolean} [crossOriginIsolation=false] Serve `root` with the COOP/COEP headers
 *   ({@link CROSS_ORIGIN_ISOLATION_HEADERS}), so that pages are `crossOriginIsolated` and a game
 *   built with -pthread (shared memory, SharedArrayBuffer) runs.
 */

/**
 * @typedef {object} TestBed
 * @property {import('puppeteer-core').Browser} browser
 * @property {string} url Base URL of `root`, ending in '/'.
 * @property {string|null} signalUrl `ws://127.0.0.1:PORT` of the signaling server, null without one.
 * @property {string[]} logs Console messages and uncaught errors of every page, each line prefixed
 *   with `[page N]` (N counts pages in opening order, from 0); uncaught errors read `pageerror ...`.
 * @property {import('puppeteer-core').Page[]} pages Every page opened, in order.
 * @property {(count: number, file: string, query?: string|Record<string, string>) =>
 *   Promise<import('puppeteer-core').Page[]>} openPages Opens `count` pages at `file` (relative to
 *   root, or an absolute http(s) URL such as a link a page shows) with `query` ('a=1&b=2', or an
 *   object encoded as URL parameters, added to those `file` may have) and waits for each
 *   page's load event. Every page stays focused and visible, so requestAnimationFrame (and with it
 *   emscripten_set_main_loop) keeps running in all of them, not only in the newest tab: each page
 *   gets CDP focus emulation (Emulation.setFocusEmulationEnabled) and the browser runs with
 *   CHROMIUM_FLAGS' --disable-renderer-backgrounding, --disable-background-timer-throttling and
 *   --disable-backgrounding-occluded-windows. The cost: every page renders and runs timers like the
 *   front tab (N pages, about N times the CPU of one), and no page behaves like a real background
 *   tab (no animation frames, timers about once a second) -- unless the bed has `backgroundTabs`,
 *   where none of this is done and each new page hides the ones before.
 * @property {typeof waitFor} waitFor Like {@link waitFor}; on failure the error also carries the
 *   pages' logs.
 * @property {() => Promise<void>} close Closes the browser and both servers. Idempotent.
 */

/**
 * Everything a test needs, torn down by one close(): a browser, a static server for `root`, and
 * optionally a signaling server. If starting any of them fails, those already started are closed.
 * @param {TestBedOptions} options
 * @returns {Promise<TestBed>}
 */
async function createTestBed(options) {
  const started = [];
  const closeAll = () => Promise.all(started.map((close) => close().catch(() => {})));
  let browser;
  let server;
  let signal = null;
  try {
    browser = await launchBrowser(options);
    started.push(() => browser.close());
    server = await serveDirectory(options.root, { crossOriginIsolation: !!options.crossOriginIsolation });
    started.push(() => server.close());
    if (options.signaling) {
      const { createSignalServer } = require('./signal-server');
      const opts = typeof options.signaling === 'object' ? options.signaling : {};
      signal = await createSignalServer({ host: '127.0.0.1', port: 0, logger: () => {}, ...opts });
      started.push(() => signal.close());
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  let closing = null;
  const bed = {
    browser,
    url: server.url,
    signalUrl: signal ? signal.url : null,
    logs: [],
    pages: [],
    async openPages(count, file, query = '') {
      const search = typeof query === 'object' ? new URLSearchParams(query).toString() : query;
      const sep = search && !search.startsWith('?') ? (file.includes('?') ? '&' : '?') : '';
      const base = /^https?:\/\//.test(file) ? '' : server.url; // an absolute URL is opened as it is
      const opened = [];
      for (let i = 0; i < count; i++) {
        const page = await browser.newPage();
        // Every page acts as the focused, visible one: a background tab would get no
        // requestAnimationFrame, and so no emscripten_set_main_loop frames.
        if (!options.backgroundTabs) {
          const cdp = await page.createCDPSession();
          await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
        }
        const n = bed.pages.length;
        page.on('console', (m) => bed.logs.push(`[page ${n}] ${m.text()}`));
        page.on('pageerror', (e) => bed.logs.push(`[page ${n}] pageerror ${e.message}`));
        bed.pages.push(page);
        await page.goto(base + file + sep + search, { waitUntil: 'load' });
        opened.push(page);
      }
      return opened;
    },
    async waitFor(page, fn, waitOptions, ...args) {
      try {
        return await waitFor(page, fn, waitOptions, ...args);
      } catch (err) {
        err.message += `\npage logs:\n${bed.logs.join('\n') || '(none)'}`;
        throw err;
      }
    },
    close() {
      closing = closing || closeAll();
      return closing;
    },
  };
  return bed;
}

module.exports = {
  createTestBed, launchBrowser, serveDirectory, waitFor, findChromium, CHROMIUM_FLAGS, BACKGROUND_FLAGS,
  CROSS_ORIGIN_ISOLATION_HEADERS,
};
