#!/usr/bin/env bash
# Installs what emrtc's build, tests and demo need on Debian -- only what is missing -- and the npm
# dependencies (npm ci) when node_modules is absent or older than package-lock.json.
# Used by `npm start` and `npm test`; safe to run again (it then does nothing).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have emcc || missing+=(emscripten)
have chromium || missing+=(chromium)
have cmake || missing+=(cmake)
have make || missing+=(make)
have gcc || missing+=(gcc)
have clang || missing+=(clang)
have valgrind || missing+=(valgrind)
have turnserver || missing+=(coturn)          # TURN server of the network tests (tests/net)
have redis-server || missing+=(redis-server)  # shared lobbies of the signaling tests (tests/node, tests/signal)
have openssl || missing+=(openssl)            # certificates of the wss:// tests
have gzip || missing+=(gzip)
compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a' >/dev/null || missing+=(libclang-rt-14-dev)
have node || missing+=(nodejs)
have npm || missing+=(npm)

if ((${#missing[@]})); then
  echo "emrtc setup: installing ${missing[*]} (apt-get)"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! have sudo; then
      echo "emrtc setup: missing ${missing[*]}; not root and no sudo, so install them as root:" >&2
      echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "emrtc setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
