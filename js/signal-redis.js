'use strict';
/**
 * Lobbies shared by several emrtc signaling server processes through Redis (the `redis` option
 * of js/signal-server.js). Needs the `ioredis` package (an optional dependency of emrtc).
 *
 * Each process ("node") has a random id, keeps the key `<prefix>node:<id>` alive while it runs
 * and listens on the pub/sub channel `<prefix>node:<id>`. The lobby registry lives in three keys
 * per lobby (one hash slot, `{name}`): a hash (mesh, sealed, node of the host), a hash of members
 * (lobby id -> node) and a list of member ids in join order. Create, join (with the sealed, full
 * and id checks), leave, seal and the removal of a dead node's members are Lua scripts, so they
 * are atomic across processes. Every process keeps a view of each lobby it has members in: its
 * own sockets and stand-ins for the members on other nodes; a relay to a stand-in, and every
 * membership change, is published to the channel of the node concerned.
 *
 * Faults: a node that stops refreshing its key (killed, cut off) is found by the other nodes
 * within about 1.5 node TTLs; each drops that node's members from its views (PEER_DISCONNECT to its
 * own sockets, or 4000 "Room host has disconnected" if the host was there) and removes them from
 * the registry. Every key has a TTL, refreshed while a node with members runs, so nothing stays
 * when all nodes are gone. While Redis is unreachable, joins are refused (1011 "Server error")
 * and relays to other nodes are lost; ioredis reconnects by itself, and a node then re-registers
 * its members (a restarted Redis has lost the registry).
 */

const crypto = require('crypto');

let Redis;
function loadRedis() {
  if (Redis) return Redis;
  try {
    Redis = require('ioredis');
  } catch (err) {
    throw new Error("option redis needs the 'ioredis' package: npm install ioredis");
  }
  return Redis;
}

/** Lua scripts; KEYS are always [lobby hash, members hash, order list]. */
const SCRIPTS = {
  // ARGV: mesh ('1'/'0'), node, ttl ms. -> 'ok' | 'exists'
  emrtcCreate: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
redis.call('HSET', KEYS[1], 'mesh', ARGV[1], 'sealed', '0', 'node', ARGV[2])
redis.call('HSET', KEYS[2], '1', ARGV[2])
redis.call('RPUSH', KEYS[3], '1')
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return 'ok'`,
  // ARGV: id, node, max members, ttl ms. -> {'ok', mesh, host node, id1, node1, ...} (members
  // before the joiner, in join order) | {'nolobby'} | {'sealed'} | {'full'} | {'idtaken'}
  emrtcJoin: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'nolobby'} end
local lobby = redis.call('HMGET', KEYS[1], 'mesh', 'sealed', 'node')
if lobby[2] == '1' then return {'sealed'} end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[3]) then return {'full'} end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {'idtaken'} end
local out = {'ok', lobby[1], lobby[3]}
for _, id in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[3], ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return out`,
  // ARGV: id. The host leaving deletes the lobby. -> the nodes of the members left (distinct):
  // every node that must hear of it, including those whose members' join events are still on
  // their way to the caller
  emrtcLeave: `
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('LREM', KEYS[3], 0, ARGV[1])
local nodes, seen = {}, {}
for _, n in ipairs(redis.call('HVALS', KEYS[2])) do
  if not seen[n] then seen[n] = true; nodes[#nodes + 1] = n end
end
if ARGV[1] == '1' then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
return nodes`,
  // Seals the lobby (no join after this one succeeds). -> the members' nodes (distinct)
  emrtcSeal: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
redis.call('HSET', KEYS[1], 'sealed', '1')
local nodes, seen = {}, {}
for _, n in ipairs(redis.call('HVALS', KEYS[2])) do
  if not seen[n] then seen[n] = true; nodes[#nodes + 1] = n end
end
return nodes`,
  // Deletes the lobby. -> the members' nodes (distinct)
  emrtcClose: `
local nodes, seen = {}, {}
for _, n in ipairs(redis.call('HVALS', KEYS[2])) do
  if not seen[n] then seen[n] = true; nodes[#nodes + 1] = n end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return nodes`,
  // ARGV: dead node. Removes its members (the whole lobby if the host was one). -> removed ids
  emrtcReap: `
local removed = {}
local members = redis.call('HGETALL', KEYS[2])
for i = 1, #members, 2 do
  if members[i + 1] == ARGV[1] then
    removed[#removed + 1] = members[i]
    redis.call('HDEL', KEYS[2], members[i])
    redis.call('LREM', KEYS[3], 0, members[i])
  end
end
for _, id in ipairs(removed) do
  if id == '1' then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
end
return removed`,
  // ARGV: ttl ms, mesh, sealed, host node, recreate ('1' after a reconnect), then id, node pairs
  // of one node's members: refreshes the TTLs; after a Redis restart puts the lobby and the
  // members back. (Without recreate a lobby that is gone stays gone: it was closed.)
  emrtcRefresh: `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[5] ~= '1' then return 0 end
  redis.call('HSET', KEYS[1], 'mesh', ARGV[2], 'sealed', ARGV[3], 'node', ARGV[4])
end
for i = 6, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) == 1 then redis.call('RPUSH', KEYS[3], ARGV[i]) end
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
return 1`,
};

/** A member of a lobby connected to another node: relays to it go through that node's channel. */
class RemotePeer {
  constructor(id, node, cluster) {
    this.id = id;
    this.node = node;
    this.cluster = cluster;
    this.remote = true;
    /** Local members already sent PEER_CONNECT for this one (its join event may come later). */
    this.told = new Set();
  }

  send(type, from, data) {
    this.cluster.publish(this.node, { k: 'relay', l: this.lobbyName, to: this.id, t: type, f: from, d: data });
  }

  close() {}
}

class RedisCluster {
  /**
   * @param {object} server the SignalServer
   * @param {{url: string, prefix: string, nodeTtlMs: number}} options
   */
  constructor(server, { url, prefix, nodeTtlMs }) {
    const IORedis = loadRedis();
    this.server = server;
    this.prefix = prefix;
    this.ttl = nodeTtlMs;
    this.lobbyTtl = 3 * nodeTtlMs;
    this.node = crypto.randomBytes(8).toString('hex');
    this.channel = `${prefix}node:${this.node}`;
    const common = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true,
      retryStrategy: (times) => Math.min(50 * times, 1000) };
    this.redis = new IORedis(url, common);
    this.sub = new IORedis(url, { ...common, enableOfflineQueue: true });
    for (const [name, lua] of Object.entries(SCRIPTS)) this.redis.defineCommand(name, { numberOfKeys: 3, lua });
    this.redis.on('error', (err) => this.onRedisError(err));
    this.sub.on('error', () => {}); // reported through the command connection
    this.redis.on('ready', () => this.onReady());
    this.sub.on('message', (channel, text) => this.onMessage(text));
    this.early = new Map(); // lobby -> [{at, msg}]: events for a view not made yet
    this.hosted = 0; // lobbies whose host is here
    this.timers = [];
    this.checkAfter = 0; // no death checks before (just after a reconnect)
    this.lastError = '';
  }

  keys(name) {
    const base = `${this.prefix}lobby:{${name}}`;
    return [base, `${base}:members`, `${base}:order`];
  }

  async start() {
    await Promise.all([this.redis.connect(), this.sub.connect()]);
    await this.sub.subscribe(this.channel);
    await this.heartbeat();
    this.timers.push(setInterval(() => this.heartbeat().catch(() => {}), Math.max(1, Math.floor(this.ttl / 3))));
    this.timers.push(setInterval(() => this.checkNodes().catch(() => {}), Math.max(1, Math.floor(this.ttl / 2))));
    this.server.log(`redis node ${this.node} on ${this.redis.options.host}:${this.redis.options.port}`, { node: this.node });
  }

  onRedisError(err) {
    if (err.message === this.lastError) return;
    this.lastError = err.message;
    this.server.log(`redis error: ${err.message}`, { node: this.node });
  }

  /** (Re)connected: refresh at once, and give the other nodes one TTL to do so before judging them. */
  onReady() {
    if (!this.started) {
      this.started = true;
      return;
    }
    this.lastError = '';
    this.checkAfter = Date.now() + this.ttl;
    this.server.log(`redis reconnected, node ${this.node}`, { node: this.node });
    this.heartbeat(true).catch(() => {});
  }

  /** Refreshes this node's key and the registry entries (and TTLs) of every lobby it has members in. */
  async heartbeat(recreate = false) {
    const pipe = this.redis.pipeline();
    pipe.set(this.channel, '1', 'PX', this.ttl);
    for (const lobby of this.server.lobbies.values()) {
      const mine = [...lobby.peers.entries()].filter(([, p]) => !p.remote).flatMap(([id]) => [String(id), this.node]);
      const hostNode = lobby.host.remote ? lobby.host.node : this.node;
      pipe.emrtcRefresh(...this.keys(lobby.name), this.lobbyTtl, lobby.mesh ? '1' : '0', lobby.sealed ? '1' : '0',
        hostNode, recreate ? '1' : '0', ...mine);
    }
    await pipe.exec();
  }

  /** Drops the members of nodes whose key has expired. */
  async checkNodes() {
    const now = Date.now();
    for (const [name, entries] of this.early) {
      const fresh = entries.filter((e) => now - e.at < 5000);
      if (fresh.length) this.early.set(name, fresh); else this.early.delete(name);
    }
    if (now < this.checkAfter || this.redis.status !== 'ready') return;
    const nodes = new Set();
    for (const lobby of this.server.lobbies.values()) {
      for (const p of lobby.peers.values()) if (p.remote) nodes.add(p.node);
    }
    if (!nodes.size) return;
    const list = [...nodes];
    const pipe = this.redis.pipeline();
    for (const n of list) pipe.exists(`${this.prefix}node:${n}`);
    const results = await pipe.exec();
    const dead = list.filter((n, i) => !results[i][0] && results[i][1] === 0);
    for (const n of dead) this.nodeDied(n);
  }

  nodeDied(node) {
    this.server.log(`redis node ${node} is gone: dropping its members`, { node });
    for (const lobby of [...this.server.lobbies.values()]) {
      const gone = [...lobby.peers.values()].filter((p) => p.remote && p.node === node);
      if (!gone.length) continue;
      this.redis.emrtcReap(...this.keys(lobby.name), node).catch(() => {});
      if (gone.includes(lobby.host)) {
        lobby.peers.delete(1);
        this.server.closeLobby(lobby, 4000, this.server.reasons.HOST_DISCONNECTED, { local: true });
        continue;
      }
      for (const p of gone) lobby.remove(p);
    }
  }

  publish(node, msg) {
    this.redis.publish(`${this.prefix}node:${node}`, JSON.stringify(msg)).catch(() => {
      this.server.refuse('redis publish failed');
    });
  }

  /** The nodes of the members on other nodes that `lobby`'s view knows. */
  viewNodes(lobby) {
    return new Set([...lobby.peers.values()].filter((p) => p.remote).map((p) => p.node));
  }

  /** Publishes `msg` to every node in `nodes` but this one. */
  broadcast(msg, nodes) {
    for (const n of new Set(nodes)) if (n !== this.node) this.publish(n, msg);
  }

  /**
   * Runs registry script `name` on `lobby`, then publishes `msg` to the nodes it returns and those
   * the view knows (taken now: the view may change meanwhile). The registry's list matters: a
   * member that has just joined elsewhere may not be in this view yet.
   */
  changeAndTell(name, lobby, args, msg) {
    const known = [...this.viewNodes(lobby)];
    this.redis[name](...this.keys(lobby.name), ...args)
      .then((nodes) => this.broadcast(msg, [...known, ...nodes]))
      .catch(() => this.broadcast(msg, known));
  }

  /** Makes a stand-in for member `id` on `node` in `lobby`. */
  stub(lobby, id, node) {
    const p = new RemotePeer(id, node, this);
    p.lobbyName = lobby.name;
    return p;
  }

  /** Creates a lobby for `peer` (its host) in the registry; resolves the local view. */
  async create(peer, mesh) {
    const { Lobby, pickName, ProtocolError, reasons } = this.server.parts;
    if (this.hosted >= this.server.opts.maxLobbies) throw new ProtocolError(reasons.TOO_MANY_LOBBIES);
    for (let i = 0; i < 16; i++) {
      const name = pickName();
      if ((await this.redis.emrtcCreate(...this.keys(name), mesh ? '1' : '0', this.node, this.lobbyTtl)) === 'ok') {
        const lobby = new Lobby(name, peer, mesh);
        this.hosted++;
        return lobby;
      }
    }
    throw new Error('could not pick an unused lobby name');
  }

  /** Joins `peer` to lobby `name` through the registry; resolves the local view (with stand-ins). */
  async join(peer, name, pickId) {
    const { Lobby, ProtocolError, reasons } = this.server.parts;
    let reply;
    for (let i = 0; i < 16; i++) {
      reply = await this.redis.emrtcJoin(...this.keys(name), String(peer.id), this.node,
        this.server.opts.maxLobbyPeers, this.lobbyTtl);
      if (reply[0] !== 'idtaken') break;
      pickId(peer);
    }
    const [status, mesh, hostNode, ...members] = reply;
    if (status === 'nolobby') throw new ProtocolError(reasons.LOBBY_DOES_NOT_EXIST);
    if (status === 'sealed') throw new ProtocolError(reasons.LOBBY_IS_SEALED);
    if (status === 'full') throw new ProtocolError(reasons.LOBBY_FULL);
    if (status !== 'ok') throw new Error(`redis join: ${status}`);
    let lobby = this.server.lobbies.get(name);
    const nodes = new Set();
    if (!lobby) {
      // the host is here but its view is gone: the registry is behind a leave
      if (hostNode === this.node) throw new ProtocolError(reasons.LOBBY_DOES_NOT_EXIST);
      lobby = new Lobby(name, null, mesh === '1');
      lobby.host = this.stub(lobby, 1, hostNode);
      // at once: another join to it may be answered before this one's caller goes on
      this.server.lobbies.set(name, lobby);
    }
    for (let i = 0; i < members.length; i += 2) {
      const id = Number(members[i]);
      const node = members[i + 1];
      nodes.add(node);
      if (!lobby.peers.has(id) && node !== this.node) {
        const p = id === 1 && lobby.host ? lobby.host : this.stub(lobby, id, node);
        lobby.peers.set(id, p);
      }
    }
    return { lobby, nodes };
  }

  /** After `peer` was added to the view: tell the other nodes, then apply early events. */
  joined(lobby, peer, nodes) {
    this.broadcast({ k: 'join', l: lobby.name, id: lobby.idOf(peer), n: this.node }, nodes);
    const early = this.early.get(lobby.name);
    this.early.delete(lobby.name);
    if (early) for (const e of early) this.apply(e.msg);
  }

  /** A joiner left before Redis answered: take it out of the registry again (nobody was told). */
  undo(lobby, id, wasHost) {
    if (wasHost) this.hosted--;
    this.redis.emrtcLeave(...this.keys(lobby.name), String(id)).catch(() => {});
  }

  /** A local member left (its socket closed): update the registry and tell the other nodes. */
  left(lobby, id, wasHost) {
    if (wasHost) this.hosted--;
    this.changeAndTell('emrtcLeave', lobby, [String(id)], wasHost
      ? { k: 'close', l: lobby.name, c: 4000, r: this.server.reasons.HOST_DISCONNECTED }
      : { k: 'leave', l: lobby.name, id });
  }

  sealed(lobby) {
    this.changeAndTell('emrtcSeal', lobby, [], { k: 'seal', l: lobby.name });
  }

  /** The host's node closes a lobby (seal timeout): drop it from the registry, tell the others. */
  closed(lobby, code, reason) {
    this.hosted--;
    this.changeAndTell('emrtcClose', lobby, [], { k: 'close', l: lobby.name, c: code, r: reason });
  }

  onMessage(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    this.apply(msg);
  }

  apply(msg) {
    const lobby = this.server.lobbies.get(msg.l);
    if (!lobby) {
      // a membership change that overtook the answer to a local join: apply it after that
      if (msg.k !== 'relay') {
        const list = this.early.get(msg.l) || [];
        list.push({ at: Date.now(), msg });
        this.early.set(msg.l, list);
      }
      return;
    }
    switch (msg.k) {
      case 'relay': {
        const dest = lobby.peers.get(msg.to);
        if (dest && !dest.remote) {
          this.server.counters.relays++;
          dest.send(msg.t, msg.f, msg.d);
        }
        return;
      }
      case 'join': {
        // known already when a local joiner's registry answer listed it: tell those not told yet
        let p = lobby.peers.get(msg.id);
        if (p && !p.remote) return;
        if (!p) {
          p = this.stub(lobby, msg.id, msg.n);
          lobby.peers.set(msg.id, p);
        }
        for (const other of lobby.linkedTo(p)) {
          if (other.remote || p.told.has(other)) continue;
          other.send(this.server.msg.PEER_CONNECT, msg.id);
          p.told.add(other);
        }
        return;
      }
      case 'leave': {
        const p = lobby.peers.get(msg.id);
        if (p && p.remote) lobby.remove(p);
        return;
      }
      case 'seal':
        if (lobby.sealed) return;
        lobby.sealed = true;
        for (const p of lobby.peers.values()) if (!p.remote) p.send(this.server.msg.SEAL, 0);
        return;
      case 'close':
        this.server.closeLobby(lobby, msg.c, msg.r, { local: true });
        return;
      default:
    }
  }

  async stop() {
    this.timers.forEach(clearInterval);
    if (this.redis.status === 'ready') await this.redis.del(this.channel).catch(() => {});
    this.sub.disconnect(false);
    this.redis.disconnect(false);
  }
}

module.exports = { RedisCluster };
