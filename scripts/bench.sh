#!/usr/bin/env bash
# npm run bench [-- --quick] [-- --reps N] [-- --out DIR]
# Builds the benchmark (bench/CMakeLists.txt, target bench_all) into its own build folder and runs
# bench/run.js: one headless Chromium page, emrtc (C via wasm) against plain JS, alternated.
# The table goes to stdout; progress and build output to stderr; results.json and results.svg to
# bench/ (or --out DIR); with --quick to build-wasm-bench/quick/, so that a quick run never
# replaces the committed figures. Environment: EMRTC_BENCH_BUILD_DIR (default build-wasm-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${EMRTC_BENCH_BUILD_DIR:-build-wasm-bench}
# Debian's emcc needs acorn & co. from /usr/share/nodejs for optimised builds
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  emcmake cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >&2
fi
cmake --build "$BUILD_DIR" -j2 --target bench_all >&2
exec node bench/run.js --build-dir "$BUILD_DIR" "$@"
