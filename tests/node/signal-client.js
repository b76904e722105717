'use strict';
// Test client for the signaling server: a `ws` WebSocket that queues incoming messages and
// records how the server closed it. Every wait is bounded by a timeout.

const crypto = require('crypto');
const net = require('net');
const { WebSocket } = require('ws');

const WAIT_MS = 5000; // generous: the suite runs beside browsers on two cores

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

  /** The next message, or {code, reason} if the socket closes first, waiting up to `ms`. */
  nextOrClose(ms = WAIT_MS) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return withTimeout(new Promise((resolve) => {
      this.waiters.push(resolve);
      this.closed.then(resolve);
    }), ms, 'a message or close');
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

/**
 * A WebSocket client spoken by hand over TCP, for what a well-behaved client never does: frames
 * split into many fragments, a socket that stops reading, a handshake that never comes.
 */
class RawClient {
  /** Opens a TCP connection to 127.0.0.1:`port`; with `handshake`, also upgrades it. */
  static async open(port, { handshake = true } = {}) {
    const socket = net.connect(port, '127.0.0.1');
    const client = new RawClient(socket);
    await withTimeout(new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }), WAIT_MS, 'TCP connect');
    if (handshake) await client.handshake();
    return client;
  }

  constructor(socket) {
    this.socket = socket;
    this.input = Buffer.alloc(0);
    this.frames = [];
    this.closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      this.input = Buffer.concat([this.input, chunk]);
      if (this.upgraded) this.parse();
    });
  }

  async handshake() {
    const key = crypto.randomBytes(16).toString('base64');
    this.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const head = await poll(() => this.input.indexOf('\r\n\r\n'), (i) => i >= 0);
    if (head < 0) throw new Error('no handshake response');
    const status = this.input.subarray(0, head).toString();
    if (!status.startsWith('HTTP/1.1 101')) throw new Error(`handshake refused: ${status.split('\r\n')[0]}`);
    this.input = this.input.subarray(head + 4);
    this.upgraded = true;
    this.parse();
  }

  /** Server frames (unmasked) received so far: {opcode, payload}. */
  parse() {
    for (;;) {
      const b = this.input;
      if (b.length < 2) return;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (b.length < 4) return; len = b.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (b.length < 10) return; len = Number(b.readBigUInt64BE(2)); off = 10; }
      if (b.length < off + len) return;
      this.frames.push({ opcode: b[0] & 0x0f, payload: b.subarray(off, off + len) });
      this.input = b.subarray(off + len);
    }
  }

  /** Writes one masked frame (mask key 0, so the payload goes as is). */
  sendFrame(opcode, payload, fin = true) {
    const data = Buffer.from(payload);
    const len = data.length;
    const head = len < 126 ? Buffer.from([0, 0x80 | len]) : Buffer.from([0, 0x80 | 126, len >> 8, len & 0xff]);
    if (len > 0xffff) throw new Error('sendFrame: payload too long for this helper');
    head[0] = (fin ? 0x80 : 0) | opcode;
    this.socket.write(Buffer.concat([head, Buffer.alloc(4), data]));
  }

  /** Sends `text` as a message split into `parts` frames. */
  sendFragmented(text, parts) {
    const data = Buffer.from(text);
    const size = Math.ceil(data.length / parts);
    for (let i = 0; i < parts; i++) {
      this.sendFrame(i === 0 ? 1 : 0, data.subarray(i * size, (i + 1) * size), i === parts - 1);
    }
  }

  send(type, id, data) {
    this.sendFrame(1, JSON.stringify({ type, id, data }));
  }

  /** Parsed JSON of the text frames received so far. */
  messages() {
    return this.frames.filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload.toString()));
  }

  /** Waits for the server's close frame; resolves its code (1006 when the TCP closed without one). */
  async waitClose(ms = WAIT_MS) {
    await withTimeout(this.closed, ms, 'TCP close');
    const close = this.frames.find((f) => f.opcode === 8);
    return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1006;
  }

  terminate() {
    this.socket.destroy();
  }
}

module.exports = { TestClient, RawClient, withTimeout, sleep, poll, WAIT_MS };
