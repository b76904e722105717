'use strict';
/**
 * emrtc signaling server.
 *
 * A WebSocket lobby server speaking the JSON protocol of Godot 4's WebRTC signaling demo
 * (godot-demo-projects, `networking/webrtc_signaling`), so Godot games and emrtc games can
 * share one server. Every frame is a text frame holding one JSON object
 * `{"type": int, "id": int, "data": string}`; see {@link MSG} for the types.
 *
 * Behaviour follows the demo's Node server (same lobby model, message order on join and
 * close reasons), with these deliberate differences:
 *  - in server/client lobbies (JOIN with id 1) a peer is only told about (and may only
 *    signal) the host, and the host about every peer; mesh lobbies (id 0) connect everyone;
 *  - ids are unique, non-host ids are random in 2..2^31-1 (the host is always 1);
 *  - fields are checked strictly (integers, string data), a second JOIN is always refused,
 *    relaying to oneself is refused, a repeated SEAL is ignored;
 *  - limits against hostile or broken clients: message size (ws close 1009) and fragments per
 *    message (1008), a per-socket message rate (token bucket), a per-socket send buffer (slow
 *    readers are dropped), lobby size, sockets including unfinished handshakes (which time
 *    out), origins, plus keep-alive pings that terminate peers which stop answering.
 *
 * Visibility (who hears of whom): in a mesh lobby every member is announced to every other and
 * may signal every other, as in the demo. In a server/client lobby this server announces only
 * the host to a client and every client to the host, and relays only between a client and the
 * host; the demo's Node server (server_node/server.js) announces every member to every member
 * and relays between any two members in both kinds of lobby (its clients are expected to ignore
 * non-host peers, as Godot's WebRTCMultiplayerPeer.add_peer refuses them in client mode).
 *
 * @module emrtc/signal-server
 */

const crypto = require('crypto');
const http = require('http');
const https = require('https');
const { WebSocket, WebSocketServer } = require('ws');

/** Message types of the protocol. */
const MSG = Object.freeze({
  JOIN: 0,
  ID: 1,
  PEER_CONNECT: 2,
  PEER_DISCONNECT: 3,
  OFFER: 4,
  ANSWER: 5,
  CANDIDATE: 6,
  SEAL: 7,
});

/** Close code used for every protocol error (as in the demo). */
const PROTOCOL_ERROR_CODE = 4000;

/** Close reasons; the strings are the demo's where it has one. */
const REASON = Object.freeze({
  NO_LOBBY: 'Have not joined lobby yet',
  HOST_DISCONNECTED: 'Room host has disconnected',
  ONLY_HOST_CAN_SEAL: 'Only host can seal the lobby',
  SEAL_COMPLETE: 'Seal complete',
  TOO_MANY_LOBBIES: 'Too many lobbies open, disconnecting',
  ALREADY_IN_LOBBY: 'Already in a lobby',
  LOBBY_DOES_NOT_EXIST: 'Lobby does not exists',
  LOBBY_IS_SEALED: 'Lobby is sealed',
  INVALID_FORMAT: 'Invalid message format',
  NEED_LOBBY: 'Invalid message when not in a lobby',
  INVALID_DEST: 'Invalid destination',
  INVALID_CMD: 'Invalid command',
  TOO_MANY_PEERS: 'Too many peers connected',
  INVALID_TRANSFER_MODE: 'Invalid transfer mode, must be text',
  RATE_LIMIT: 'Rate limit exceeded',
  LOBBY_FULL: 'Lobby is full',
  SERVER_ERROR: 'Server error',
  SHUTDOWN: 'Server shutting down',
});

/**
 * @typedef {object} SignalServerOptions
 * @property {string} [host='127.0.0.1'] Address to listen on (the CLI defaults to 0.0.0.0).
 * @property {number} [port=0] TCP port; 0 picks a free one.
 * @property {number} [maxPeers=4096] Sockets at once, counting connections whose WebSocket
 *   handshake has not finished; a TCP connection beyond it gets HTTP 503 and is closed (with TLS
 *   it is closed at once: there is no TLS yet to answer in).
 * @property {number} [handshakeTimeoutMs=5000] A connection that has not finished its WebSocket
 *   handshake by then is destroyed.
 * @property {number} [maxLobbies=1024] Open lobbies at once; creating more is refused (4000).
 * @property {number} [maxLobbyPeers=64] Members of one lobby, host included; joining a full
 *   lobby is refused (4000 "Lobby is full").
 * @property {number} [maxMessageSize=65536] Largest accepted message in bytes, fragments
 *   included (ws closes 1009).
 * @property {number} [maxFragments=64] Most frames one message may be split into (ws closes 1008).
 * @property {number} [maxBufferedBytes=1048576] Bytes the server may hold queued for one socket
 *   (WebSocket bufferedAmount); a socket that reads slower than that is terminated.
 * @property {number} [messagesPerSecond=100] Per-socket rate: a token bucket refilled at this
 *   rate; 0 = unlimited.
 * @property {number} [messageBurst=200] Size of that bucket: messages a socket may send at once
 *   (a mesh of 8 peers' candidates arriving together). Over it: 4000 "Rate limit exceeded".
 * @property {number} [noLobbyTimeoutMs=1000] Close sockets that have not joined by then
 *   (4000 "Have not joined lobby yet"; the demo's value); 0 = never. A game that connects
 *   before its player has typed a lobby code needs a longer timeout (or 0).
 * @property {number} [sealCloseTimeoutMs=10000] Delay between SEAL and closing the lobby.
 * @property {number} [pingIntervalMs=10000] Keep-alive ping period; a socket that has not
 *   answered the previous ping is terminated. 0 = no pings.
 * @property {string[]} [allowedOrigins=[]] Allowed `Origin` headers; empty = any. Handshakes
 *   with another Origin get HTTP 403. Requests without Origin (non-browser clients) pass.
 * @property {(line: string) => void} [logger=console.log] Receives one line per event.
 * @property {'text'|'json'} [logFormat='text'] 'json': each line is one JSON object
 *   `{"time", "event", "msg", ...fields}` (fields such as peer, lobby, reason, code, remote).
 * @property {{cert: string|Buffer, key: string|Buffer}|null} [tls=null] PEM certificate (chain)
 *   and key: serve `wss://` (HTTPS) instead of `ws://`.
 * @property {http.Server|https.Server|null} [server=null] An existing HTTP or HTTPS server to
 *   attach to instead of listening: the signaling server handles its WebSocket upgrades on
 *   `path` and leaves everything else to it (requests; upgrades on other paths when the server
 *   has other 'upgrade' listeners, otherwise those get HTTP 404); host, port, tls, maxPeers'
 *   handshake counting and handshakeTimeoutMs are then the host server's business, and closing
 *   the signaling server does not close it.
 * @property {string|null} [path=null] The only URL path (without query) accepted for the
 *   WebSocket; null accepts any path on an own server, '/' when attached.
 * @property {boolean} [health=false] Answer `GET /healthz` (`{"status":"ok",...}`, 503 while
 *   shutting down) on the server's port.
 * @property {boolean} [metrics=false] Answer `GET /metrics` in Prometheus text format.
 * @property {string|null} [redis=null] `redis://host:port[/db]`: share lobbies with the other
 *   server processes using this Redis (js/signal-redis.js; needs the ioredis package). null: this
 *   process alone, keeping everything in memory.
 * @property {string} [redisPrefix='emrtc:'] Prefix of every Redis key and channel.
 * @property {number} [redisNodeTtlMs=0] How long this process's liveness key lives without a
 *   refresh (refreshed every third of it): other processes drop its members within about 1.5 of
 *   it after it dies. 0 = pingIntervalMs, or 10000 if pings are off. Lobby keys live 3 times as long.
 */

const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  maxPeers: 4096,
  handshakeTimeoutMs: 5000,
  maxLobbies: 1024,
  maxLobbyPeers: 64,
  maxMessageSize: 64 * 1024,
  maxFragments: 64,
  maxBufferedBytes: 1024 * 1024,
  messagesPerSecond: 100,
  messageBurst: 200,
  noLobbyTimeoutMs: 1000,
  sealCloseTimeoutMs: 10000,
  pingIntervalMs: 10000,
  allowedOrigins: [],
  logger: (line) => console.log(line),
  logFormat: 'text',
  tls: null,
  server: null,
  path: null,
  health: false,
  metrics: false,
  redis: null,
  redisPrefix: 'emrtc:',
  redisNodeTtlMs: 0,
});

/** Smallest allowed value of each integer option (all must be integers). */
const INTEGER_MINIMUMS = Object.freeze({
  port: 0,
  maxPeers: 1,
  handshakeTimeoutMs: 1,
  maxLobbies: 1,
  maxLobbyPeers: 1,
  maxMessageSize: 1,
  maxFragments: 1,
  maxBufferedBytes: 1,
  messagesPerSecond: 0,
  messageBurst: 1,
  noLobbyTimeoutMs: 0,
  sealCloseTimeoutMs: 0,
  pingIntervalMs: 0,
  redisNodeTtlMs: 0,
});

const MAX_ID = 2 ** 31 - 1;
const HOST_ID = 1;
const LOBBY_NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOBBY_NAME_LENGTH = 16;
const RANDOM_TRIES = 64;
const SHUTDOWN_GRACE_MS = 1000;

/** Error that closes the offending socket with {@link PROTOCOL_ERROR_CODE} and its message. */
class ProtocolError extends Error {}

/**
 * Merges options with defaults and validates them.
 * @param {SignalServerOptions} options
 * @returns {Required<SignalServerOptions>}
 */
function resolveOptions(options = {}) {
  const unknown = Object.keys(options).filter((k) => !(k in DEFAULTS));
  if (unknown.length) throw new TypeError(`unknown option(s): ${unknown.join(', ')}`);
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const opts = { ...DEFAULTS, ...given };
  for (const [name, min] of Object.entries(INTEGER_MINIMUMS)) {
    if (!Number.isInteger(opts[name]) || opts[name] < min) {
      throw new TypeError(`option ${name} must be an integer >= ${min}, got ${opts[name]}`);
    }
  }
  if (opts.port > 65535) throw new TypeError(`option port must be <= 65535, got ${opts.port}`);
  if (typeof opts.host !== 'string' || !opts.host) throw new TypeError('option host must be a non-empty string');
  if (!Array.isArray(opts.allowedOrigins) || !opts.allowedOrigins.every((o) => typeof o === 'string')) {
    throw new TypeError('option allowedOrigins must be an array of strings');
  }
  if (typeof opts.logger !== 'function') throw new TypeError('option logger must be a function');
  if (opts.logFormat !== 'text' && opts.logFormat !== 'json') throw new TypeError("option logFormat must be 'text' or 'json'");
  if (opts.tls !== null && (typeof opts.tls !== 'object' || !opts.tls.cert || !opts.tls.key)) {
    throw new TypeError('option tls must be {cert, key} (PEM)');
  }
  if (opts.server !== null && !(opts.server instanceof http.Server || opts.server instanceof https.Server)) {
    throw new TypeError('option server must be an http.Server or https.Server');
  }
  if (opts.path !== null && (typeof opts.path !== 'string' || !opts.path.startsWith('/'))) {
    throw new TypeError("option path must be a string starting with '/'");
  }
  if (opts.server && opts.path === null) opts.path = '/';
  if (opts.redis !== null && (typeof opts.redis !== 'string' || !/^rediss?:\/\//.test(opts.redis))) {
    throw new TypeError('option redis must be a redis:// or rediss:// URL');
  }
  if (typeof opts.redisPrefix !== 'string') throw new TypeError('option redisPrefix must be a string');
  for (const name of ['health', 'metrics']) {
    if (typeof opts[name] !== 'boolean') throw new TypeError(`option ${name} must be a boolean`);
  }
  return opts;
}

/** Serializes one protocol message. */
function encode(type, id, data = '') {
  return JSON.stringify({ type, id, data });
}

/**
 * Parses and validates one text frame.
 * @param {string} text
 * @returns {{type: number, id: number, data: string}}
 * @throws {ProtocolError} when it is not a `{type, id, data?}` object with integer
 *   type >= 0, integer id in 0..2^31-1 and string data (missing data means '').
 */
function decode(text) {
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    throw new ProtocolError(REASON.INVALID_FORMAT);
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) throw new ProtocolError(REASON.INVALID_FORMAT);
  const { type, id, data = '' } = msg;
  if (!Number.isInteger(type) || type < 0 || !Number.isInteger(id) || id < 0 || id > MAX_ID
      || typeof data !== 'string') {
    throw new ProtocolError(REASON.INVALID_FORMAT);
  }
  return { type, id, data };
}

/**
 * Returns a value from `make()` for which `taken(value)` is false, trying a bounded number
 * of times (collisions are astronomically rare in the id and name spaces used here).
 */
function pickUnused(make, taken) {
  for (let i = 0; i < RANDOM_TRIES; i++) {
    const value = make();
    if (!taken(value)) return value;
  }
  throw new Error('could not pick an unused random value');
}

function randomLobbyName() {
  let name = '';
  for (let i = 0; i < LOBBY_NAME_LENGTH; i++) name += LOBBY_NAME_CHARS[crypto.randomInt(LOBBY_NAME_CHARS.length)];
  return name;
}

/** One WebSocket connection. */
class Peer {
  /**
   * @param {number} id Unique id in 2..2^31-1 (a lobby host is seen as 1 by its lobby).
   * @param {WebSocket} ws
   */
  constructor(id, ws, server) {
    this.id = id;
    this.ws = ws;
    this.server = server;
    /** @type {Lobby|null} */
    this.lobby = null;
    this.alive = true;
    this.joinTimer = null;
    this.tokens = server.opts.messageBurst;
    this.tokensAt = performance.now();
  }

  /** Sends a message if the socket is still open; drops the socket if it reads too slowly. */
  send(type, id, data) {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(encode(type, id, data));
    if (this.ws.bufferedAmount > this.server.opts.maxBufferedBytes) this.server.dropSlowReader(this);
  }

  close(code, reason) {
    this.ws.close(code, reason);
  }
}

/** A group of peers signaling each other, created by its host. */
class Lobby {
  /**
   * @param {string} name
   * @param {Peer} host
   * @param {boolean} mesh true: everyone is linked; false: peers are linked to the host only.
   */
  constructor(name, host, mesh) {
    this.name = name;
    this.host = host;
    this.mesh = mesh;
    /** @type {Map<number, Peer>} peers by the id the lobby knows them as. */
    this.peers = new Map();
    this.sealed = false;
    this.sealTimer = null;
  }

  /** The id other members know `peer` by. */
  idOf(peer) {
    return peer === this.host ? HOST_ID : peer.id;
  }

  /** Whether two members may know about and signal each other. */
  linked(a, b) {
    return a !== b && (this.mesh || a === this.host || b === this.host);
  }

  /** Members linked to `peer`, in join order. */
  linkedTo(peer) {
    return [...this.peers.values()].filter((p) => this.linked(peer, p));
  }

  /** Adds `peer`: sends it ID then a PEER_CONNECT per linked member, and tells those members. */
  add(peer) {
    const id = this.idOf(peer);
    peer.send(MSG.ID, id, this.mesh ? 'true' : '');
    for (const other of this.linkedTo(peer)) {
      if (other.remote) other.told.add(peer); // members on other processes hear of `peer` from theirs
      else other.send(MSG.PEER_CONNECT, id);
      peer.send(MSG.PEER_CONNECT, this.idOf(other));
    }
    this.peers.set(id, peer);
  }

  /** Whether a member is connected to this process (always, without Redis). */
  hasLocal() {
    for (const p of this.peers.values()) if (!p.remote) return true;
    return false;
  }

  /** Removes a non-host `peer` and sends PEER_DISCONNECT to the members linked to it. */
  remove(peer) {
    const id = this.idOf(peer);
    this.peers.delete(id);
    for (const other of this.linkedTo(peer)) {
      if (!other.remote) other.send(MSG.PEER_DISCONNECT, id);
      else other.told.delete(peer);
    }
  }
}

/** The server; use {@link createSignalServer}. */
class SignalServer {
  /** @param {SignalServerOptions} options */
  constructor(options) {
    this.opts = resolveOptions(options);
    /** @type {Map<number, Peer>} */
    this.peers = new Map();
    /** @type {Map<string, Lobby>} */
    this.lobbies = new Map();
    /**
     * Connections whose handshake is unfinished, by "address:port" (the TCP socket and, with TLS,
     * the TLS socket the upgrade arrives on share it).
     * @type {Map<string, {socket: import('net').Socket, timer: NodeJS.Timeout}>}
     */
    this.pending = new Map();
    /** Refusals and drops by reason (close reason or a short name), for logs and metrics. */
    this.refusals = new Map();
    this.closing = null;
    this.pingTimer = null;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.opts.maxMessageSize,
      maxFragments: this.opts.maxFragments,
    });
    this.counters = { messages: 0, relays: 0, joins: 0 };
    this.attached = this.opts.server !== null;
    this.onUpgradeEvent = (req, socket, head) => this.onUpgrade(req, socket, head);
    if (this.attached) {
      this.http = this.opts.server;
    } else {
      const onRequest = (req, res) => this.onRequest(req, res);
      this.http = this.opts.tls ? https.createServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, onRequest)
        : http.createServer(onRequest);
      // counted from the TCP connection on (with TLS: before the TLS handshake, the slow part)
      this.http.on('connection', (socket) => this.onTcpConnection(socket));
    }
    this.http.on('upgrade', this.onUpgradeEvent);
    this.parts = { Lobby, ProtocolError, pickName: randomLobbyName, reasons: REASON };
    this.reasons = REASON;
    this.msg = MSG;
    this.cluster = null;
    if (this.opts.redis) {
      const { RedisCluster } = require('./signal-redis');
      this.cluster = new RedisCluster(this, {
        url: this.opts.redis,
        prefix: this.opts.redisPrefix,
        nodeTtlMs: this.opts.redisNodeTtlMs || this.opts.pingIntervalMs || 10000,
      });
    }
  }

  /** Whether the server speaks TLS (own HTTPS server, or attached to one). */
  get secure() {
    return this.http instanceof https.Server;
  }

  /** Plain HTTP on an own server: health and metrics when enabled, 426 otherwise. */
  onRequest(req, res) {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'GET' && this.opts.health && url.pathname === '/healthz') {
      const body = JSON.stringify(this.health());
      res.writeHead(this.closing ? 503 : 200, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(`${body}\n`);
    } else if (req.method === 'GET' && this.opts.metrics && url.pathname === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', Connection: 'close' });
      res.end(this.metricsText());
    } else {
      res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end('emrtc-signal: WebSocket endpoint\n');
    }
  }

  /** What /healthz answers. */
  health() {
    const h = { status: this.closing ? 'shutting down' : 'ok', peers: this.peers.size, lobbies: this.lobbies.size };
    if (this.cluster) h.redis = this.cluster.redis.status; // 'ready' when connected
    return h;
  }

  /** The counters in Prometheus text exposition format. */
  metricsText() {
    const lines = [];
    const metric = (name, type, help, samples) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('emrtc_signal_peers', 'gauge', 'Connected WebSocket peers.', [['', this.peers.size]]);
    metric('emrtc_signal_pending_handshakes', 'gauge', 'Connections whose WebSocket handshake is unfinished.',
      [['', this.pending.size]]);
    metric('emrtc_signal_lobbies', 'gauge', 'Open lobbies.', [['', this.lobbies.size]]);
    metric('emrtc_signal_messages_total', 'counter', 'Messages received from peers.', [['', this.counters.messages]]);
    metric('emrtc_signal_relays_total', 'counter', 'Offers, answers and candidates relayed.', [['', this.counters.relays]]);
    metric('emrtc_signal_joins_total', 'counter', 'Lobbies created or joined.', [['', this.counters.joins]]);
    if (this.cluster) {
      metric('emrtc_signal_redis_up', 'gauge', 'Whether the Redis connection is ready.',
        [['', this.cluster.redis.status === 'ready' ? 1 : 0]]);
    }
    metric('emrtc_signal_refusals_total', 'counter', 'Sockets refused, closed or dropped, by reason.',
      [...this.refusals].map(([reason, n]) => [`{reason=${JSON.stringify(reason)}}`, n]));
    return `${lines.join('\n')}\n`;
  }

  /** Counts a refusal or drop under `reason`. */
  refuse(reason) {
    this.refusals.set(reason, (this.refusals.get(reason) || 0) + 1);
  }

  /**
   * A new TCP connection: counted toward maxPeers until its WebSocket handshake finishes (or it
   * closes), destroyed if it has not finished within handshakeTimeoutMs.
   */
  onTcpConnection(socket) {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.peers.size + this.pending.size >= this.opts.maxPeers) {
      this.refuse(REASON.TOO_MANY_PEERS);
      this.log(`refused ${socket.remoteAddress}: ${REASON.TOO_MANY_PEERS}`);
      socket.on('error', () => {});
      if (this.secure) { // before TLS: no plain-text answer
        socket.destroy();
        return;
      }
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n`
        + `Content-Length: ${REASON.TOO_MANY_PEERS.length}\r\n\r\n${REASON.TOO_MANY_PEERS}`);
      return;
    }
    const timer = setTimeout(() => {
      this.refuse('handshake timeout');
      this.log(`refused ${socket.remoteAddress}: no WebSocket handshake within ${this.opts.handshakeTimeoutMs} ms`);
      socket.destroy();
    }, this.opts.handshakeTimeoutMs);
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    this.pending.set(key, { socket, timer });
    socket.once('close', () => this.settle(key));
  }

  /** The connection `key` finished or failed its handshake: it no longer counts as pending. */
  settle(key) {
    const entry = this.pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(key);
  }

  /** Terminates a socket whose unsent data grew over maxBufferedBytes (it does not read). */
  dropSlowReader(peer) {
    if (peer.ws.readyState !== WebSocket.OPEN) return;
    this.refuse('slow reader');
    this.log(`error ${peer.id}: slow reader, ${peer.ws.bufferedAmount} bytes unsent, terminating`);
    peer.ws.terminate();
  }

  /** One log line: `line` as is, or with logFormat 'json' an object with `fields` beside it. */
  log(line, fields = {}) {
    if (this.opts.logFormat === 'text') {
      this.opts.logger(line);
      return;
    }
    this.opts.logger(JSON.stringify({ time: new Date().toISOString(), event: line.split(/[ :]/, 1)[0], ...fields, msg: line }));
  }

  /** Starts listening (or, attached, starts the timers) and joins Redis if configured; resolves the port. */
  async listen() {
    if (this.cluster) {
      try {
        await this.cluster.start();
      } catch (err) {
        await this.cluster.stop();
        throw new Error(`cannot use Redis at ${this.opts.redis}: ${err.message}`);
      }
    }
    return this.listenHttp();
  }

  listenHttp() {
    if (this.attached) {
      if (this.opts.pingIntervalMs > 0) this.pingTimer = setInterval(() => this.pingAll(), this.opts.pingIntervalMs);
      const address = this.http.address();
      return Promise.resolve(address && typeof address === 'object' ? address.port : 0);
    }
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port, this.opts.host, () => {
        this.http.off('error', reject);
        if (this.opts.pingIntervalMs > 0) this.pingTimer = setInterval(() => this.pingAll(), this.opts.pingIntervalMs);
        resolve(this.http.address().port);
      });
    });
  }

  onUpgrade(req, socket, head) {
    if (this.opts.path !== null && new URL(req.url, 'http://x').pathname !== this.opts.path) {
      // another path of the host server: not ours, unless nobody else handles upgrades there
      if (this.attached && this.http.listenerCount('upgrade') > 1) return;
      this.refuse('wrong path');
      socket.on('error', () => {});
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const origin = req.headers.origin;
    const { allowedOrigins } = this.opts;
    if (this.closing || (origin !== undefined && allowedOrigins.length && !allowedOrigins.includes(origin))) {
      this.refuse(this.closing ? 'shutting down' : 'origin not allowed');
      this.log(`refused ${req.socket.remoteAddress}: ${this.closing ? 'shutting down' : `origin ${origin} not allowed`}`,
        { remote: req.socket.remoteAddress });
      socket.on('error', () => {});
      socket.end(`HTTP/1.1 ${this.closing ? '503 Service Unavailable' : '403 Forbidden'}\r\n`
        + 'Connection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.settle(`${socket.remoteAddress}:${socket.remotePort}`);
      this.onConnection(ws, req);
    });
  }

  onConnection(ws, req) {
    const id = pickUnused(() => crypto.randomInt(HOST_ID + 1, MAX_ID + 1), (n) => this.peers.has(n));
    const peer = new Peer(id, ws, this);
    const full = this.peers.size >= this.opts.maxPeers;
    this.peers.set(peer.id, peer);
    this.log(`connect ${peer.id} from ${req.socket.remoteAddress}`, { peer: peer.id, remote: req.socket.remoteAddress });
    ws.on('message', (raw, isBinary) => this.onMessage(peer, raw, isBinary));
    ws.on('pong', () => { peer.alive = true; });
    ws.on('error', (err) => this.log(`error ${peer.id}: ${err.message}`));
    ws.on('close', (code, reason) => this.onClose(peer, code, reason.toString()));
    if (full) {
      this.fail(peer, REASON.TOO_MANY_PEERS);
    } else if (this.opts.noLobbyTimeoutMs > 0) {
      peer.joinTimer = setTimeout(() => this.fail(peer, REASON.NO_LOBBY), this.opts.noLobbyTimeoutMs);
    }
  }

  /** Logs a protocol error and closes the peer's socket with 4000 and `reason`. */
  fail(peer, reason) {
    this.refuse(reason);
    this.log(`error ${peer.id}: ${reason}`, { peer: peer.id, reason });
    peer.close(PROTOCOL_ERROR_CODE, reason);
  }

  onMessage(peer, raw, isBinary) {
    if (peer.ws.readyState !== WebSocket.OPEN) return; // already being closed
    try {
      this.counters.messages++;
      this.countMessage(peer);
      if (isBinary) throw new ProtocolError(REASON.INVALID_TRANSFER_MODE);
      const pending = this.dispatch(peer, decode(raw.toString('utf8')));
      if (pending) pending.catch((err) => this.onError(peer, err)); // a join through Redis
    } catch (err) {
      this.onError(peer, err);
    }
  }

  /** A message failed: a protocol error closes with 4000 and its reason, anything else with 1011. */
  onError(peer, err) {
    if (err instanceof ProtocolError) {
      this.fail(peer, err.message);
    } else {
      this.refuse(REASON.SERVER_ERROR);
      this.log(`error ${peer.id}: internal: ${err.stack || err}`, { peer: peer.id, reason: String(err.message || err) });
      peer.close(1011, REASON.SERVER_ERROR);
    }
  }

  /** Token bucket: messageBurst tokens, refilled at messagesPerSecond; a message takes one. */
  countMessage(peer) {
    const rate = this.opts.messagesPerSecond;
    if (rate === 0) return;
    const now = performance.now();
    peer.tokens = Math.min(this.opts.messageBurst, peer.tokens + ((now - peer.tokensAt) * rate) / 1000);
    peer.tokensAt = now;
    if (peer.tokens < 1) throw new ProtocolError(REASON.RATE_LIMIT);
    peer.tokens -= 1;
  }

  dispatch(peer, msg) {
    if (msg.type === MSG.JOIN) return this.join(peer, msg);
    const lobby = peer.lobby;
    if (!lobby) throw new ProtocolError(REASON.NEED_LOBBY);
    switch (msg.type) {
      case MSG.SEAL: return this.seal(peer, lobby);
      case MSG.OFFER:
      case MSG.ANSWER:
      case MSG.CANDIDATE: return this.relay(peer, lobby, msg);
      default: throw new ProtocolError(REASON.INVALID_CMD);
    }
  }

  /** JOIN: `data` '' creates a lobby (mesh if `id` is 0), otherwise names the lobby to join. */
  join(peer, { id, data }) {
    if (peer.lobby || peer.joining) throw new ProtocolError(REASON.ALREADY_IN_LOBBY);
    if (this.cluster) return this.joinShared(peer, id === 0, data);
    let lobby;
    if (data === '') {
      if (this.lobbies.size >= this.opts.maxLobbies) throw new ProtocolError(REASON.TOO_MANY_LOBBIES);
      lobby = new Lobby(pickUnused(randomLobbyName, (name) => this.lobbies.has(name)), peer, id === 0);
      this.lobbies.set(lobby.name, lobby);
    } else {
      lobby = this.lobbies.get(data);
      if (!lobby) throw new ProtocolError(REASON.LOBBY_DOES_NOT_EXIST);
      if (lobby.sealed) throw new ProtocolError(REASON.LOBBY_IS_SEALED);
      if (lobby.peers.size >= this.opts.maxLobbyPeers) throw new ProtocolError(REASON.LOBBY_FULL);
    }
    this.admit(peer, lobby);
    return undefined;
  }

  /** JOIN through the Redis registry (atomic across processes); resolves when done. */
  async joinShared(peer, mesh, name) {
    peer.joining = true;
    let lobby;
    let nodes = null;
    try {
      if (name === '') {
        lobby = await this.cluster.create(peer, mesh);
      } else {
        ({ lobby, nodes } = await this.cluster.join(peer, name, (p) => this.renumber(p)));
      }
    } finally {
      peer.joining = false;
    }
    if (peer.ws.readyState !== WebSocket.OPEN) { // left while Redis answered
      this.cluster.undo(lobby, lobby.host === peer ? HOST_ID : peer.id, lobby.host === peer);
      if (!lobby.hasLocal() && this.lobbies.get(lobby.name) === lobby) this.lobbies.delete(lobby.name);
      return;
    }
    this.lobbies.set(lobby.name, lobby);
    this.admit(peer, lobby);
    if (nodes) this.cluster.joined(lobby, peer, nodes);
  }

  /** Gives `peer` another unused id (its id was taken in the lobby it joins). */
  renumber(peer) {
    this.peers.delete(peer.id);
    peer.id = pickUnused(() => crypto.randomInt(HOST_ID + 1, MAX_ID + 1), (n) => this.peers.has(n));
    this.peers.set(peer.id, peer);
  }

  /** Puts `peer` into `lobby`: ID, PEER_CONNECTs, JOIN (the order of both servers). */
  admit(peer, lobby) {
    clearTimeout(peer.joinTimer);
    peer.lobby = lobby;
    lobby.add(peer);
    peer.send(MSG.JOIN, 0, lobby.name);
    this.counters.joins++;
    this.log(`join ${peer.id} ${lobby.host === peer ? 'created' : 'joined'} lobby ${lobby.name} `
      + `(${lobby.mesh ? 'mesh' : 'server/client'}) as ${lobby.idOf(peer)}, ${lobby.peers.size} peer(s)`,
    { peer: peer.id, lobby: lobby.name, as: lobby.idOf(peer), size: lobby.peers.size });
  }

  /** SEAL (host only): tells everyone, refuses new joins, closes the lobby after the timeout. */
  seal(peer, lobby) {
    if (peer !== lobby.host) throw new ProtocolError(REASON.ONLY_HOST_CAN_SEAL);
    if (lobby.sealed) return;
    lobby.sealed = true;
    for (const p of lobby.peers.values()) if (!p.remote) p.send(MSG.SEAL, 0);
    if (this.cluster) this.cluster.sealed(lobby);
    lobby.sealTimer = setTimeout(() => this.closeLobby(lobby, 1000, REASON.SEAL_COMPLETE), this.opts.sealCloseTimeoutMs);
    this.log(`seal ${peer.id} sealed lobby ${lobby.name} with ${lobby.peers.size} peer(s)`, { peer: peer.id, lobby: lobby.name });
  }

  /** OFFER/ANSWER/CANDIDATE: `id` is the destination; it is rewritten to the source's id. */
  relay(peer, lobby, { type, id, data }) {
    const dest = lobby.peers.get(id);
    if (!dest || !lobby.linked(peer, dest)) throw new ProtocolError(REASON.INVALID_DEST);
    this.counters.relays++;
    dest.send(type, lobby.idOf(peer), data);
  }

  /**
   * Deletes a lobby and closes the sockets still in it. With Redis, the host's process also
   * removes it from the registry and tells the other processes, unless `local` (they know).
   */
  closeLobby(lobby, code, reason, { local = false } = {}) {
    clearTimeout(lobby.sealTimer);
    if (this.cluster && !local) this.cluster.closed(lobby, code, reason);
    this.lobbies.delete(lobby.name);
    for (const p of lobby.peers.values()) {
      p.lobby = null;
      p.close(code, reason);
    }
    lobby.peers.clear();
    this.log(`lobby ${lobby.name} closed: ${reason}`, { lobby: lobby.name, reason });
  }

  onClose(peer, code, reason) {
    clearTimeout(peer.joinTimer);
    this.peers.delete(peer.id);
    this.log(`close ${peer.id} ${code}${reason ? ` ${reason}` : ''}`, { peer: peer.id, code, reason });
    const lobby = peer.lobby;
    if (!lobby) return;
    peer.lobby = null;
    this.log(`leave ${peer.id} lobby ${lobby.name}`, { peer: peer.id, lobby: lobby.name });
    const isHost = peer === lobby.host;
    if (this.cluster) this.cluster.left(lobby, lobby.idOf(peer), isHost); // before the view changes
    if (this.closing) return;
    if (isHost) {
      lobby.peers.delete(HOST_ID);
      this.closeLobby(lobby, PROTOCOL_ERROR_CODE, REASON.HOST_DISCONNECTED, { local: true });
    } else {
      lobby.remove(peer);
      if (this.cluster && !lobby.hasLocal()) this.lobbies.delete(lobby.name); // members elsewhere only
    }
  }

  /** Counters: sockets, unfinished handshakes, lobbies, refusals and drops by reason. */
  stats() {
    return {
      peers: this.peers.size,
      pending: this.pending.size,
      lobbies: this.lobbies.size,
      refusals: Object.fromEntries(this.refusals),
    };
  }

  /** Terminates peers that did not answer the previous ping, pings the others. */
  pingAll() {
    for (const peer of this.peers.values()) {
      if (!peer.alive) {
        this.refuse('no pong');
        this.log(`timeout ${peer.id}: no pong, terminating`, { peer: peer.id });
        peer.ws.terminate();
        continue;
      }
      peer.alive = false;
      peer.ws.ping();
    }
  }

  /**
   * Stops listening, closes every socket with 1001 (terminating those that do not finish
   * the closing handshake within a short grace period) and cancels all timers.
   * @returns {Promise<void>}
   */
  close() {
    if (this.closing) return this.closing;
    this.closing = new Promise((resolve) => {
      clearInterval(this.pingTimer);
      for (const lobby of this.lobbies.values()) clearTimeout(lobby.sealTimer);
      this.lobbies.clear();
      for (const { socket } of this.pending.values()) socket.destroy();
      const sockets = [...this.peers.values()].map((p) => p.ws).filter((ws) => ws.readyState !== WebSocket.CLOSED);
      const socketsClosed = Promise.all(sockets.map((ws) => new Promise((r) => ws.once('close', r))));
      for (const ws of sockets) ws.close(1001, REASON.SHUTDOWN);
      const grace = setTimeout(() => sockets.forEach((ws) => ws.terminate()), SHUTDOWN_GRACE_MS);
      // new connections are refused meanwhile (this.closing); then an own server stops listening
      // (not earlier: an HTTPS server's close() would destroy the upgraded sockets before their
      // close frames are out), an attached one stays and only loses our upgrade handler
      socketsClosed.then(() => {
        clearTimeout(grace);
        if (this.attached) this.http.off('upgrade', this.onUpgradeEvent);
        return this.attached ? null : new Promise((r) => this.http.close(r));
      }).then(() => this.cluster && this.cluster.stop()).then(() => {
        this.wss.close();
        this.log('server closed');
        resolve();
      });
    });
    return this.closing;
  }
}

/**
 * Starts a signaling server.
 * @param {SignalServerOptions} [options]
 * @returns {Promise<{port: number, url: string, close: () => Promise<void>,
 *   stats: () => {peers: number, pending: number, lobbies: number, refusals: Object<string, number>}}>}
 *   `url` is `ws://host:port`; stats() counts connected sockets, unfinished handshakes, open lobbies
 *   and refusals or drops by reason.
 */
async function createSignalServer(options = {}) {
  const server = new SignalServer(options);
  const port = await server.listen();
  const host = server.attached ? '127.0.0.1' : server.opts.host;
  return {
    port,
    url: `${server.secure ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${port}${server.opts.path || ''}`,
    close: () => server.close(),
    stats: () => server.stats(),
    health: () => server.health(),
    metrics: () => server.metricsText(),
  };
}

module.exports = { createSignalServer, MSG, REASON, PROTOCOL_ERROR_CODE, DEFAULTS };
