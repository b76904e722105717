# Sourced by the scripts: the environment Debian's Emscripten 3.1.6 needs, and the wasm build.
export NODE_PATH=/usr/share/nodejs          # emcc's optimiser needs acorn from Debian's node modules
EMRTC_WASM_BUILD=${EMRTC_WASM_BUILD:-build-wasm}

# Configures (once) and builds the Emscripten build: everything, or the targets given.
emrtc_build_wasm() {
  if [ ! -f "$EMRTC_WASM_BUILD/CMakeCache.txt" ]; then
    emcmake cmake -S . -B "$EMRTC_WASM_BUILD" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
  else
    cmake "$EMRTC_WASM_BUILD" >/dev/null   # pick up new source files (globs)
  fi
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$EMRTC_WASM_BUILD" -j"$(nproc)" "${targets[@]}"
}
