'use strict';
/**
 * emrtc — where the installed package keeps what an Emscripten build needs.
 *
 *   const emrtc = require('emrtc');
 *   // emcc game.c ${emrtc.cflags} ${emrtc.linkFlags} -sENVIRONMENT=web -o game.js
 *   spawnSync('emcc', ['game.c', ...emrtc.cflags, ...emrtc.linkFlags, '-o', 'game.js']);
 *
 * Same from a shell: `emcc game.c $(npx emrtc --cflags --libs) -o game.js`.
 * CMake: `-DCMAKE_PREFIX_PATH=<cmakeDir>` then find_package(emrtc CONFIG REQUIRED).
 *
 * Every path is absolute. The prebuilt library is built with the Emscripten named by
 * `emscriptenVersion`; with another Emscripten, build from `sourceDir` instead
 * (CMake: add_subdirectory(<sourceDir> emrtc)).
 *
 * @module emrtc
 */
const fs = require('fs');
const path = require('path');

/** The package folder; holds CMakeLists.txt, so also the folder to add_subdirectory(). */
const sourceDir = path.resolve(__dirname, '..');
/** Folder of emrtc.h: `-I` it. */
const includeDir = path.join(sourceDir, 'include');
/** Folder of the prebuilt library (wasm32, browser glue inside). */
const libDir = path.join(sourceDir, 'lib', 'wasm32-emscripten');
/** The prebuilt static library. */
const library = path.join(libDir, 'libemrtc.a');
/** Folder of emrtcConfig.cmake: put it on CMAKE_PREFIX_PATH (or set emrtc_DIR to it). */
const cmakeDir = path.join(sourceDir, 'cmake');

/**
 * The Emscripten version the prebuilt library was built with ("3.1.6"), or null when the package
 * has no prebuilt library (a git checkout before scripts/build-lib.sh ran).
 * @type {string|null}
 */
const emscriptenVersion = (() => {
  try {
    return fs.readFileSync(path.join(libDir, 'emscripten-version.txt'), 'utf8').trim() || null;
  } catch (_) {
    return null;
  }
})();

/** Compile flags: the include folder. */
const cflags = [`-I${includeDir}`];
/** Link flags: the library, and Emscripten's WebSocket library that the signaling client uses. */
const linkFlags = [library, '-lwebsocket.js'];

module.exports = { sourceDir, includeDir, libDir, library, cmakeDir, emscriptenVersion, cflags, linkFlags };
