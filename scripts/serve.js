'use strict';
// npm start's server: serves the game's folder and runs a signaling server on the same port (path
// /signal, where the page looks for it), until SIGTERM or Ctrl-C.
//   node scripts/serve.js FOLDER [--host H]
// PORT (default 8080; 0 = a free one) picks the port. --host (or $HOST) is the address to listen
// on: 127.0.0.1 by default; 0.0.0.0 lets other machines of the LAN play (their URL is printed).
const os = require('os');
const { serveDirectory } = require('../js/testing');
const { createSignalServer } = require('../js/signal-server');

function parseArgs(argv) {
  const o = { root: null, host: process.env.HOST || '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--host' && i + 1 < argv.length) o.host = argv[++i];
    else if (!argv[i].startsWith('--') && !o.root) o.root = argv[i];
    else throw new Error(`unknown argument ${argv[i]} (usage: npm start -- [--host 0.0.0.0])`);
  }
  return o;
}

/** The addresses other machines reach this one at: its non-internal IPv4 addresses. */
function lanAddresses() {
  return Object.values(os.networkInterfaces()).flat().filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address);
}

async function main() {
  const { root, host } = parseArgs(process.argv.slice(2));
  const web = await serveDirectory(root, { port: Number(process.env.PORT ?? 8080), host });
  const signal = await createSignalServer({ server: web.server, path: '/signal', logger: () => {} });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await signal.close();
    await web.close();
    process.exit(0);
  };
  // before printing the URLs: whoever stops us on seeing them must find the handlers in place
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const hosts = host === '0.0.0.0' ? ['127.0.0.1', ...lanAddresses()] : [host];
  for (const h of hosts) console.log(`emrtc game: http://${h}:${web.port}/`);
  console.log('  open it to create a lobby; the page shows the link that joins it (a second tab, or another machine)');
  console.log(`signaling server: ws://${hosts[0]}:${web.port}/signal`);
  if (host === '127.0.0.1') console.log('  (this machine only: npm start -- --host 0.0.0.0 to play over the LAN)');
}

main().catch((e) => {
  console.error(`emrtc start: ${e.message}`);
  process.exit(1);
});
