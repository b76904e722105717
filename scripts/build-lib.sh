#!/usr/bin/env bash
# build-lib.sh -- builds the prebuilt library the npm package ships.
#
# Configures a Release Emscripten build of the library alone (no tests, no examples) and writes
#   lib/wasm32-emscripten/libemrtc.a                (wasm32 objects, browser glue inside)
#   lib/wasm32-emscripten/emscripten-version.txt    (the emcc version it was built with, e.g. 3.1.6)
# which js/index.js and cmake/emrtcConfig.cmake read. package.json's "prepack" runs it, so
# `npm pack` and `npm publish` always ship a library built from the sources they ship.
#
# Environment: EMRTC_LIB_BUILD_DIR = build folder (default build-lib/, reused between runs).
# lib/ is a build product: git-ignored, never committed.
set -euo pipefail
exec 1>&2 # progress goes to stderr: `npm pack --json` prints its JSON on stdout after this runs

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EMRTC_LIB_BUILD_DIR:-$root/build-lib}"
out="$root/lib/wasm32-emscripten"

command -v emcc >/dev/null || { echo "build-lib.sh: emcc not found (install Emscripten)" >&2; exit 1; }
# Debian's Emscripten needs its node modules (acorn) for optimised builds.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

emcmake cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CROSSCOMPILING_EMULATOR="$(command -v node)" \
  -DEMRTC_BUILD_TESTS=OFF -DEMRTC_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target emrtc -j2

rm -rf "$out"
mkdir -p "$out"
cp "$build/libemrtc.a" "$out/libemrtc.a"
emcc -dumpversion > "$out/emscripten-version.txt"
echo "build-lib.sh: $out/libemrtc.a ($(wc -c < "$out/libemrtc.a") bytes, Emscripten $(cat "$out/emscripten-version.txt"))"
