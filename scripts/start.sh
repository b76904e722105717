#!/usr/bin/env bash
# npm start: installs what is missing, builds the demo and serves it with a signaling server.
# Open the printed URL: two emrtc peers in one tab connect and exchange messages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
emrtc_build_wasm two_peers >/dev/null
exec node scripts/serve.js "$EMRTC_WASM_BUILD/web"
