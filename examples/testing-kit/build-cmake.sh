#!/bin/sh
# Builds chat.c into build/ with CMake: CMakeLists.txt finds the emrtc npm package's CMake package.
set -e
emcmake cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -Demrtc_DIR="$(npx emrtc --cmake-dir)"
cmake --build build
