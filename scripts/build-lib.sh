#!/usr/bin/env bash
# build-lib.sh -- builds the prebuilt library the npm package ships.
#
# Builds the library target of the project's Release Emscripten build (scripts/env.sh) and writes
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
out="$root/lib/wasm32-emscripten"
command -v emcc >/dev/null || { echo "build-lib.sh: emcc not found (install Emscripten)" >&2; exit 1; }

cd "$root"
source scripts/env.sh # NODE_PATH for Debian's emcc, and emrtc_build_wasm (the Release wasm build)
# Its own build folder: the shared build-wasm/ may be in use by browser tests while this runs.
EMRTC_WASM_BUILD="${EMRTC_LIB_BUILD_DIR:-build-lib}"
emrtc_build_wasm emrtc

rm -rf "$out"
mkdir -p "$out"
cp "$EMRTC_WASM_BUILD/libemrtc.a" "$out/libemrtc.a"
emcc -dumpversion > "$out/emscripten-version.txt"
echo "build-lib.sh: $out/libemrtc.a ($(wc -c < "$out/libemrtc.a") bytes, Emscripten $(cat "$out/emscripten-version.txt"))"
