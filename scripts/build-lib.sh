#!/usr/bin/env bash
# build-lib.sh -- builds the prebuilt library the npm package ships.
#
# Builds the library targets of the project's Release Emscripten build (scripts/env.sh) and writes
#   lib/wasm32-emscripten/libemrtc.a                (wasm32 objects, browser glue inside)
#   lib/wasm32-emscripten/libemrtc-mt.a             (the same compiled with -pthread, for threaded programs)
#   lib/wasm32-emscripten/emscripten-version.txt    (the emcc version it was built with, e.g. 3.1.6)
# which js/index.js and cmake/emrtcConfig.cmake read. package.json's "prepare" runs it, so
# `npm pack` and `npm publish` always ship a library built from the sources they ship, and
# `npm install git+URL` builds it in npm's clone before installing (npm runs only "prepare" for git
# dependencies). A checkout's own `npm install` / `npm ci` skips it (nothing is being packed).
# Installing from git without emcc installs the package without its prebuilt library (a warning;
# `npx emrtc --libs` and find_package then say how to build from source).
#
# Environment: EMRTC_LIB_BUILD_DIR = build folder (default build-lib/, reused between runs).
# lib/ is a build product: git-ignored, never committed.
set -euo pipefail
exec 1>&2 # progress goes to stderr: `npm pack --json` prints its JSON on stdout after this runs

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/lib/wasm32-emscripten"
installing=false
case "${npm_command:-}" in install | ci | i | add) installing=true ;; esac
if $installing && [ "${INIT_CWD:-}" = "$root" ]; then
  exit 0 # npm install in this checkout itself: dependencies only
fi
if ! command -v emcc >/dev/null; then
  if $installing; then
    echo "build-lib.sh: WARNING: emcc not found, so emrtc is installed without its prebuilt library (install Emscripten and reinstall, or build from source)"
    exit 0
  fi
  echo "build-lib.sh: emcc not found (install Emscripten)"
  exit 1
fi

cd "$root"
source scripts/env.sh # NODE_PATH for Debian's emcc, and emrtc_build_wasm (the Release wasm build)
# Its own build folder: the shared build-wasm/ may be in use by browser tests while this runs.
EMRTC_WASM_BUILD="${EMRTC_LIB_BUILD_DIR:-build-lib}"
emrtc_build_wasm emrtc emrtc_mt

rm -rf "$out"
mkdir -p "$out"
cp "$EMRTC_WASM_BUILD/libemrtc.a" "$out/libemrtc.a"
cp "$EMRTC_WASM_BUILD/libemrtc-mt.a" "$out/libemrtc-mt.a"
emcc -dumpversion > "$out/emscripten-version.txt"
echo "build-lib.sh: $out/libemrtc.a ($(wc -c < "$out/libemrtc.a") bytes), libemrtc-mt.a ($(wc -c < "$out/libemrtc-mt.a") bytes), Emscripten $(cat "$out/emscripten-version.txt")"
