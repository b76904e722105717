'use strict';
// Test client for the signaling server: a `ws` WebSocket that queues incoming messages and
// records how the server closed it. Every wait is bounded by a timeout.

const { WebSocket } = require('ws');

const WAIT_MS = 3000;

/** Rejects after `ms` with `what` unless `promise` settles first. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read()` every 20 ms until `accept(value)` holds or `ms` pass; returns the last value. */
async function poll(read, accept, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  let value = read();
  while (!accept(value) && Date.now() < deadline) {
    await sleep(20);
    value = read();
  }
  return value;
}

class TestClient {
  /**
   * @param {string} url
   * @param {object} [wsOptions] passed to `new WebSocket` (e.g. headers, autoPong)
   */
  constructor(url, wsOptions) {
    this.ws = new WebSocket(url, wsOptions);
    this.queue = [];
    this.waiters = [];
    this.ws.on('message', (raw, isBinary) => {
      const msg = isBinary ? raw : JSON.parse(raw.toString());
      const waiter = this.waiters.shift();
      if (waiter) waiter(msg); else this.queue.push(msg);
    });
    this.ws.on('error', () => {}); // handshake failures are observed through `opened`
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('unexpected-response', (req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  /** Connects and waits until the socket is open. */
  static async open(url, wsOptions) {
    const client = new TestClient(url, wsOptions);
    await withTimeout(client.opened, WAIT_MS, 'open');
    return client;
  }

  send(type, id, data) {
    this.ws.send(JSON.stringify(data === undefined ? { type, id } : { type, id, data }));
  }

  sendRaw(payload, options) {
    this.ws.send(payload, options);
  }

  /** Next message (parsed JSON), waiting up to `ms`. */
  next(ms = WAIT_MS) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    let waiter;
    const p = new Promise((resolve) => { waiter = resolve; this.waiters.push(resolve); });
    return withTimeout(p, ms, 'a message').catch((err) => {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      throw err;
    });
  }

  /** The next `n` messages. */
  async take(n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  /** Messages received within `ms` (used to check that nothing arrives). */
  async drain(ms = 150) {
    await sleep(ms);
    return this.queue.splice(0);
  }

  /** Waits for the server to close the socket; resolves {code, reason}. */
  waitClose(ms = WAIT_MS) {
    return withTimeout(this.closed, ms, 'close');
  }

  close() {
    this.ws.close();
    return this.waitClose();
  }

  terminate() {
    this.ws.terminate();
  }
}

module.exports = { TestClient, withTimeout, sleep, poll, WAIT_MS };
