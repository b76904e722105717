'use strict';
// A test server that behaves like the Node server of Godot's WebRTC signaling demo
// (godot-demo-projects, networking/webrtc_signaling/server_node/server.js, MIT) where emrtc's
// server differs from it: every member of a lobby is announced to every other member and relays go
// between any two members, in mesh and in server/client lobbies alike. Replies come in the demo's
// order (ID, the PEER_CONNECTs, JOIN); `joinDelayMs` holds the JOIN back, as a loaded server does.
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const CMD = { JOIN: 0, ID: 1, PEER_CONNECT: 2, PEER_DISCONNECT: 3, OFFER: 4, ANSWER: 5, CANDIDATE: 6, SEAL: 7 };
const msg = (type, id, data = '') => JSON.stringify({ type, id, data });

/** Starts the server on 127.0.0.1 and a free port: {url, received, close()}. */
async function startDemoServer({ joinDelayMs = 0 } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const lobbies = new Map();
  const received = []; // every message from a client: {from, type, id, data}
  const timers = new Set();

  wss.on('connection', (ws) => {
    const peer = { ws, id: crypto.randomInt(2, 2 ** 31 - 1), lobby: null };
    const idIn = (lobby, p) => (p === lobby.host ? 1 : p.id);
    ws.on('message', (raw) => {
      const { type, id, data } = JSON.parse(raw.toString());
      received.push({ from: peer.id, type, id, data });
      if (type === CMD.JOIN) {
        let lobby = lobbies.get(data);
        if (!data) {
          lobby = { name: crypto.randomBytes(8).toString('hex'), host: peer, mesh: id === 0, peers: [] };
          lobbies.set(lobby.name, lobby);
        }
        peer.lobby = lobby;
        const own = idIn(lobby, peer);
        ws.send(msg(CMD.ID, own, lobby.mesh ? 'true' : ''));
        for (const p of lobby.peers) { // everyone, mesh or not
          p.ws.send(msg(CMD.PEER_CONNECT, own));
          ws.send(msg(CMD.PEER_CONNECT, idIn(lobby, p)));
        }
        lobby.peers.push(peer);
        const ack = () => ws.send(msg(CMD.JOIN, 0, lobby.name));
        if (!joinDelayMs) ack();
        else {
          const t = setTimeout(() => { timers.delete(t); ack(); }, joinDelayMs);
          timers.add(t);
        }
      } else if (type >= CMD.OFFER && type <= CMD.CANDIDATE) {
        const { lobby } = peer;
        const dest = lobby.peers.find((p) => idIn(lobby, p) === id);
        if (dest) dest.ws.send(msg(type, idIn(lobby, peer), data));
      }
    });
    ws.on('close', () => {
      const { lobby } = peer;
      if (!lobby) return;
      lobby.peers = lobby.peers.filter((p) => p !== peer);
      if (peer === lobby.host) {
        lobbies.delete(lobby.name);
        for (const p of lobby.peers) p.ws.close(4000, 'Room host has disconnected');
      } else {
        for (const p of lobby.peers) p.ws.send(msg(CMD.PEER_DISCONNECT, peer.id));
      }
    });
  });

  return {
    url: `ws://127.0.0.1:${wss.address().port}`,
    received,
    close: () => new Promise((resolve) => {
      timers.forEach(clearTimeout);
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}

module.exports = { startDemoServer, CMD };
