#!/usr/bin/env bash
# npm test: installs what is missing, runs the native checks (gcc and clang, sanitizers, fuzzers,
# valgrind), builds everything for the browser and runs the Jest suite (Node tests and headless
# Chromium tests). Jest's summary line is the last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

if [ -f scripts/test-native.sh ]; then
  echo "== native tests"
  bash scripts/test-native.sh
fi

echo "== browser build"
emrtc_build_wasm

echo "== Jest (Node and headless Chromium)"
npx jest --ci "$@"
