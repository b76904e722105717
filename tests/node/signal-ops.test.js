'use strict';
// The signaling server in deployment: TLS (wss://) from options and from the CLI's --cert/--key,
// attached to an existing http/https server on a path, health and metrics endpoints, JSON log
// lines, and draining on SIGTERM. Real sockets on 127.0.0.1, a certificate made with openssl.
const http = require('http');
const https = require('https');
const { spawn } = require('child_process');
const { createSignalServer } = require('../../js/signal-server');
const { TestClient, RawClient, withTimeout, sleep, poll } = require('./signal-client');
const { makeCertificate } = require('./tls-cert');
const { startCli, CLI } = require('./cli');

let cert;
let cleanup;
beforeAll(() => { cert = makeCertificate(); });
afterAll(() => cert.remove());
beforeEach(() => { cleanup = []; });
afterEach(async () => { for (const f of cleanup.reverse()) await f(); });

async function open(url, options) {
  const c = await TestClient.open(url, options);
  cleanup.push(() => c.terminate());
  return c;
}

/** GET url; resolves {status, type, body}. */
function get(url, options = {}) {
  const lib = url.startsWith('https') ? https : http;
  return withTimeout(new Promise((resolve, reject) => {
    lib.get(url, options, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body }));
    }).on('error', reject);
  }), 3000, `GET ${url}`);
}

/** A mesh lobby of two clients on `url`; returns [host, joiner, joinerId]. */
async function pair(url, options) {
  const a = await open(url, options);
  a.send(0, 0, '');
  const [, { data: lobby }] = await a.take(2);
  const b = await open(url, options);
  b.send(0, 0, lobby);
  const [{ id }] = await b.take(3);
  await a.next(); // PEER_CONNECT
  return [a, b, id];
}

test('tls: serves wss://; clients that trust the certificate relay, others fail the handshake', async () => {
  const server = await createSignalServer({ tls: { cert: cert.cert, key: cert.key }, logger: () => {}, pingIntervalMs: 0 });
  cleanup.push(() => server.close());
  expect(server.url).toBe(`wss://127.0.0.1:${server.port}`);
  const [a, b, bid] = await pair(server.url, { ca: cert.cert });
  // finished TLS + WebSocket handshakes no longer count as pending (nor are they timed out)
  expect(await poll(() => server.stats().pending, (n) => n === 0)).toBe(0);
  b.send(4, 1, 'offer over tls');
  expect(await a.next()).toEqual({ type: 4, id: bid, data: 'offer over tls' });
  const untrusting = new TestClient(server.url);
  cleanup.push(() => untrusting.terminate());
  await expect(withTimeout(untrusting.opened, 3000, 'refusal')).rejects.toThrow(/self.signed|certificate/i);
});

test('tls: a connection that never starts its TLS handshake counts toward maxPeers and is dropped after handshakeTimeoutMs', async () => {
  const logs = [];
  const server = await createSignalServer({
    tls: { cert: cert.cert, key: cert.key }, maxPeers: 1, handshakeTimeoutMs: 300, logger: (l) => logs.push(l),
  });
  cleanup.push(() => server.close());
  const silent = await RawClient.open(server.port, { handshake: false }); // TCP only, no ClientHello
  cleanup.push(() => silent.terminate());
  expect(await poll(() => server.stats().pending, (n) => n === 1)).toBe(1);
  const refused = new TestClient(server.url, { ca: cert.cert });
  cleanup.push(() => refused.terminate());
  await expect(withTimeout(refused.opened, 5000, 'refusal')).rejects.toThrow(); // the place is taken
  expect(await silent.waitClose(5000)).toBe(1006);
  expect(logs).toContainEqual(expect.stringMatching(/no WebSocket handshake within 300 ms/));
  expect(await poll(() => server.stats().pending, (n) => n === 0)).toBe(0);
  const one = await open(server.url, { ca: cert.cert }); // the place is free again
  expect(one.ws.readyState).toBe(one.ws.OPEN);
});

test.each([['http', false], ['https', true]])('attached to an existing %s server on a path', async (kind, secure) => {
  const web = secure
    ? https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => res.end('the game'))
    : http.createServer((req, res) => res.end('the game'));
  await new Promise((r) => web.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => { web.closeAllConnections(); web.close(r); }));
  const server = await createSignalServer({ server: web, path: '/signal', logger: () => {}, pingIntervalMs: 0 });
  const { port } = web.address();
  expect(server.url).toBe(`${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/signal`);
  const tlsOpts = secure ? { ca: cert.cert } : {};
  // the game's own pages are still served; the signaling runs beside them
  expect((await get(`${secure ? 'https' : 'http'}://127.0.0.1:${port}/index.html`, tlsOpts)).body).toBe('the game');
  const [a, b, bid] = await pair(`${server.url}?game=1`, tlsOpts);
  b.send(6, 1, '\n0\n0\ncandidate:1 1 udp 1 10.0.0.1 9 typ host');
  expect(await a.next()).toEqual({ type: 6, id: bid, data: '\n0\n0\ncandidate:1 1 udp 1 10.0.0.1 9 typ host' });
  // another path: the host server has no other upgrade handler, so it gets 404
  const other = new TestClient(`${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/other`, tlsOpts);
  cleanup.push(() => other.terminate());
  await expect(withTimeout(other.opened, 3000, 'other path')).rejects.toThrow('HTTP 404');
  // closing the signaling server closes its sockets (1001) and leaves the web server running
  await server.close();
  expect(await a.waitClose()).toEqual({ code: 1001, reason: 'Server shutting down' });
  expect((await get(`${secure ? 'https' : 'http'}://127.0.0.1:${port}/`, tlsOpts)).body).toBe('the game');
});

test('health and metrics: off by default; on, they report peers, lobbies, messages and refusals by reason', async () => {
  const plain = await createSignalServer({ logger: () => {} });
  cleanup.push(() => plain.close());
  expect((await get(`http://127.0.0.1:${plain.port}/healthz`)).status).toBe(426);
  expect((await get(`http://127.0.0.1:${plain.port}/metrics`)).status).toBe(426);

  const server = await createSignalServer({ health: true, metrics: true, logger: () => {}, pingIntervalMs: 0 });
  cleanup.push(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;
  const [a, b, bid] = await pair(server.url);
  b.send(4, 1, 'x');
  await a.next();
  a.send(5, bid, 'y');
  await b.next();
  const lost = await open(server.url);
  lost.send(0, 0, 'NoSuchLobby');
  await lost.waitClose();
  await sleep(50);
  const health = await get(`${base}/healthz`);
  expect(health).toEqual({ status: 200, type: 'application/json', body: `${JSON.stringify({ status: 'ok', peers: 2, lobbies: 1 })}\n` });
  const metrics = await get(`${base}/metrics`);
  expect(metrics.type).toBe('text/plain; version=0.0.4');
  const sample = (name) => {
    const line = metrics.body.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  expect(sample('emrtc_signal_peers')).toBe(2);
  expect(sample('emrtc_signal_lobbies')).toBe(1);
  expect(sample('emrtc_signal_joins_total')).toBe(2);
  expect(sample('emrtc_signal_relays_total')).toBe(2);
  expect(sample('emrtc_signal_messages_total')).toBe(5); // 2 JOINs, 2 relays, the refused JOIN
  expect(sample('emrtc_signal_refusals_total{reason="Lobby does not exists"}')).toBe(1);
  expect(metrics.body).toMatch(/^# TYPE emrtc_signal_refusals_total counter$/m);
});

test('logFormat json: one JSON object per line with the event and its fields', async () => {
  const lines = [];
  const server = await createSignalServer({ logFormat: 'json', logger: (l) => lines.push(l), pingIntervalMs: 0 });
  cleanup.push(() => server.close());
  const [a, , bid] = await pair(server.url);
  await a.close();
  await sleep(50);
  const events = lines.map((l) => JSON.parse(l));
  for (const e of events) expect(e).toEqual(expect.objectContaining({ time: expect.any(String), event: expect.any(String), msg: expect.any(String) }));
  expect(events).toContainEqual(expect.objectContaining({ event: 'join', peer: bid, as: bid, size: 2 }));
  expect(events).toContainEqual(expect.objectContaining({ event: 'lobby', reason: 'Room host has disconnected' }));
});

async function cli(args) {
  const p = await startCli(args);
  cleanup.push(p.stop);
  return p;
}

test('emrtc-signal --cert --key serves wss://, --health on the same port; SIGTERM drains with 1001 and exits 0', async () => {
  const { child, url, out } = await cli(['--cert', cert.certPath, '--key', cert.keyPath, '--health', '--log-format', 'json']);
  expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
  const [a, b] = await pair(url, { ca: cert.cert });
  const port = new URL(url).port;
  expect(JSON.parse((await get(`https://127.0.0.1:${port}/healthz`, { ca: cert.cert })).body)).toEqual({ status: 'ok', peers: 2, lobbies: 1 });
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  expect(await a.waitClose()).toEqual({ code: 1001, reason: 'Server shutting down' });
  expect(await b.waitClose()).toEqual({ code: 1001, reason: 'Server shutting down' });
  expect(await withTimeout(exited, 5000, 'exit')).toBe(0);
  const events = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(events[0]).toEqual(expect.objectContaining({ event: 'listening', url }));
  expect(events.map((e) => e.event)).toContain('shutdown');
});

test('emrtc-signal: --cert without --key exits 2', async () => {
  const child = spawn(process.execPath, [CLI, '--cert', cert.certPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise((r) => child.once('exit', r));
  expect(code).toBe(2);
  expect(err).toMatch(/--cert and --key go together/);
});
