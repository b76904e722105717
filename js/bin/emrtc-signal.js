#!/usr/bin/env node
'use strict';
/**
 * emrtc-signal: command-line front end of the signaling server (js/signal-server.js).
 * Prints `emrtc-signal listening on ws://HOST:PORT` (wss:// with --cert) once ready, one log line
 * per connection event afterwards (JSON objects with --log-format json), and on SIGTERM or SIGINT
 * drains: refuses new connections, closes every socket with 1001 and exits 0.
 * Exit status 2 means bad command-line arguments.
 */

const fs = require('fs');
const { parseArgs } = require('util');
const { createSignalServer, DEFAULTS } = require('../signal-server');

/** Integer flags: flag name -> server option name. */
const INTEGER_FLAGS = {
  port: 'port',
  'max-peers': 'maxPeers',
  'handshake-timeout': 'handshakeTimeoutMs',
  'max-lobbies': 'maxLobbies',
  'max-lobby-peers': 'maxLobbyPeers',
  'max-message-size': 'maxMessageSize',
  'max-fragments': 'maxFragments',
  'max-buffered': 'maxBufferedBytes',
  rate: 'messagesPerSecond',
  burst: 'messageBurst',
  'no-lobby-timeout': 'noLobbyTimeoutMs',
  'seal-timeout': 'sealCloseTimeoutMs',
  'ping-interval': 'pingIntervalMs',
  'redis-node-ttl': 'redisNodeTtlMs',
};

const CLI_DEFAULTS = { host: '0.0.0.0', port: 9080 };

const USAGE = `Usage: emrtc-signal [options]

WebRTC signaling server speaking the protocol of Godot 4's webrtc_signaling demo.

Options:
  --port N               TCP port, 0 = any free port (default ${CLI_DEFAULTS.port})
  --host H               address to listen on (default ${CLI_DEFAULTS.host})
  --max-peers N          sockets at once, unfinished handshakes included (default ${DEFAULTS.maxPeers})
  --handshake-timeout MS drop connections that have not finished the WebSocket handshake (default ${DEFAULTS.handshakeTimeoutMs})
  --max-lobbies N        open lobbies at once (default ${DEFAULTS.maxLobbies})
  --max-lobby-peers N    members of one lobby, host included (default ${DEFAULTS.maxLobbyPeers})
  --max-message-size B   largest accepted message in bytes (default ${DEFAULTS.maxMessageSize})
  --max-fragments N      most frames per message (default ${DEFAULTS.maxFragments})
  --max-buffered B       unsent bytes held per socket before a slow reader is dropped (default ${DEFAULTS.maxBufferedBytes})
  --rate N               messages per second per socket (token refill), 0 = unlimited (default ${DEFAULTS.messagesPerSecond})
  --burst N              messages a socket may send at once (token bucket size) (default ${DEFAULTS.messageBurst})
  --no-lobby-timeout MS  close sockets that have not joined a lobby by then, 0 = never (default ${DEFAULTS.noLobbyTimeoutMs})
  --seal-timeout MS      close a sealed lobby after this delay (default ${DEFAULTS.sealCloseTimeoutMs})
  --ping-interval MS     keep-alive ping period, 0 = off (default ${DEFAULTS.pingIntervalMs})
  --allow-origin O       allowed browser Origin, repeatable (default: any)
  --cert FILE --key FILE serve wss:// (TLS) with this PEM certificate (chain) and key
  --path P               accept WebSockets on this URL path only (default: any)
  --health               answer GET /healthz on the same port
  --metrics              answer GET /metrics (Prometheus text format) on the same port
  --log-format F         text (default) or json: one JSON object per line
  --redis URL            share lobbies with other emrtc-signal processes through this Redis
                         (redis://host:port; needs the ioredis package)
  --redis-prefix P       prefix of the Redis keys and channels (default ${DEFAULTS.redisPrefix})
  --redis-node-ttl MS    liveness key TTL of this process; 0 = the ping interval (default 0)
  --help                 print this help and exit
`;

/**
 * Turns argv into server options.
 * @param {string[]} argv
 * @returns {{help: true} | {help: false, options: object}}
 * @throws {Error} on unknown flags, missing or malformed values.
 */
function parseCommandLine(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(Object.keys(INTEGER_FLAGS).map((flag) => [flag, { type: 'string' }])),
      host: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      cert: { type: 'string' },
      key: { type: 'string' },
      path: { type: 'string' },
      health: { type: 'boolean' },
      metrics: { type: 'boolean' },
      'log-format': { type: 'string' },
      redis: { type: 'string' },
      'redis-prefix': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return { help: true };
  if (positionals.length) throw new Error(`unexpected argument '${positionals[0]}'`);
  const options = { ...CLI_DEFAULTS };
  for (const [flag, option] of Object.entries(INTEGER_FLAGS)) {
    if (values[flag] === undefined) continue;
    if (!/^\d+$/.test(values[flag])) throw new Error(`--${flag} expects a non-negative integer, got '${values[flag]}'`);
    options[option] = Number(values[flag]);
  }
  if (values.host !== undefined) options.host = values.host;
  if (values['allow-origin']) options.allowedOrigins = values['allow-origin'];
  if ((values.cert === undefined) !== (values.key === undefined)) throw new Error('--cert and --key go together');
  if (values.cert !== undefined) options.tls = { cert: fs.readFileSync(values.cert), key: fs.readFileSync(values.key) };
  if (values.path !== undefined) options.path = values.path;
  if (values.health) options.health = true;
  if (values.metrics) options.metrics = true;
  if (values['log-format'] !== undefined) options.logFormat = values['log-format'];
  if (values.redis !== undefined) options.redis = values.redis;
  if (values['redis-prefix'] !== undefined) options.redisPrefix = values['redis-prefix'];
  return { help: false, options };
}

async function main() {
  let parsed;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`emrtc-signal: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }

  let server;
  try {
    server = await createSignalServer(parsed.options);
  } catch (err) {
    process.stderr.write(`emrtc-signal: ${err.message}\n`);
    process.exit(err instanceof TypeError ? 2 : 1);
  }
  const json = parsed.options.logFormat === 'json';
  const say = (event, line, fields) => console.log(json
    ? JSON.stringify({ time: new Date().toISOString(), event, ...fields, msg: line }) : line);

  let stopping = false;
  const stop = (signal) => {
    if (stopping) process.exit(1); // second signal: give up waiting
    stopping = true;
    say('shutdown', `emrtc-signal: ${signal}, shutting down`, { signal });
    server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Only now say so: whoever waits for this line may signal at once, and must find the handlers set.
  say('listening', `emrtc-signal listening on ${server.url}`, { url: server.url });
}

main();
