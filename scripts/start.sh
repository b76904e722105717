#!/usr/bin/env bash
# npm start [-- --host 0.0.0.0]: installs what is missing, builds the game (examples/game/) and
# serves it with a signaling server on the same port (scripts/serve.js; PORT picks the port).
# Open the printed URL: it creates a lobby; the page shows the link that joins it. --host 0.0.0.0
# serves the LAN too.
#
# Every step runs as a child of this script in its own process group; SIGTERM or SIGINT (Ctrl-C)
# to this script stops the step that is running (the build, or the server, which then closes its
# ports) and waits for it before exiting. package.json runs this script with `exec`, so the
# signal npm forwards reaches this script, not an intermediate shell.
set -euo pipefail
cd "$(dirname "$0")/.."

child=0
stop() {
  trap - TERM INT
  if [ "$child" -ne 0 ]; then
    kill -TERM -- "-$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit 143
}
trap stop TERM INT
# Runs "$@" in its own process group and waits for it; the trap can interrupt the wait.
step() {
  setsid "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=0
  return "$rc"
}

# EMRTC_SKIP_SETUP=1: the caller already ran scripts/setup.sh (the test of this script does, as
# part of npm test: a setup that reinstalled node_modules under a running Jest would break it).
[ "${EMRTC_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
source scripts/env.sh
step bash -c 'source scripts/env.sh && emrtc_build_wasm game >/dev/null'
step node scripts/serve.js "$EMRTC_WASM_BUILD/game" "$@"
