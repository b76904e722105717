'use strict';
// Serves the demo folder and runs a signaling server next to it until Ctrl-C.
// PORT (default 8080) and SIGNAL_PORT (default 9080) choose the ports; 0 picks free ones.
const { serveDirectory } = require('../js/testing');
const { createSignalServer } = require('../js/signal-server');

async function main() {
  const root = process.argv[2];
  const web = await serveDirectory(root, { port: Number(process.env.PORT ?? 8080) });
  const signal = await createSignalServer({ host: '127.0.0.1', port: Number(process.env.SIGNAL_PORT ?? 9080) });
  console.log(`emrtc demo: ${web.url}  (two peers in one tab)`);
  console.log(`signaling server: ${signal.url}`);
  const stop = async () => {
    await Promise.all([web.close(), signal.close()]);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`emrtc start: ${e.message}`);
  process.exit(1);
});
