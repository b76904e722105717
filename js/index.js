'use strict';
/**
 * emrtc — where the installed package keeps what an Emscripten build needs.
 *
 *   const emrtc = require('emrtc');
 *   // emcc game.c ${emrtc.cflags} ${emrtc.linkFlags} -sENVIRONMENT=web -o game.js
 *   spawnSync('emcc', ['game.c', ...emrtc.cflags, ...emrtc.linkFlags, '-o', 'game.js']);
 *
 * Same from a shell: `emcc game.c $(npx emrtc --cflags --libs) -o game.js`.
 * A game built with -pthread links the threaded library instead: `emrtc.threads.linkFlags`, or
 * `emcc -pthread game.c $(npx emrtc --cflags --libs --threads) -o game.js` (and is served with the
 * COOP/COEP headers, see README "Threads"). Each library refuses a program of the other kind.
 * CMake: `emcmake cmake -Demrtc_DIR=<cmakeDir> ...` then find_package(emrtc CONFIG REQUIRED).
 * (Not CMAKE_PREFIX_PATH: Emscripten's toolchain file searches packages only inside its sysroot.)
 *
 * Every path is absolute. The prebuilt library is built with the Emscripten named by
 * `emscriptenVersion`; checkEmscripten() compares it with the emcc a build will use. With another
 * Emscripten, build from `sourceDir` instead (CMake: add_subdirectory(<sourceDir> emrtc)).
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
/** The prebuilt static library (programs without -pthread). */
const library = path.join(libDir, 'libemrtc.a');
/** Folder of emrtcConfig.cmake: pass it as -Demrtc_DIR=<cmakeDir>. */
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

/**
 * The threaded build, for programs compiled and linked with -pthread (shared wasm memory):
 * `library` is libemrtc-mt.a, `linkFlags` the same as above with it (and -pthread).
 */
const threads = (() => {
  const lib = path.join(libDir, 'libemrtc-mt.a');
  return { library: lib, linkFlags: [lib, '-pthread', '-lwebsocket.js'] };
})();

/**
 * Checks that the prebuilt library suits the Emscripten a build will use, as find_package(emrtc)
 * does: runs `<emcc> -dumpversion` and compares it with `emscriptenVersion`. Objects of different
 * Emscripten versions may fail to link or misbehave, so a mismatch is refused.
 *
 * @param {{emcc?: string, threads?: boolean}} [options] emcc to ask: default $EMCC, else `emcc` on
 *   the PATH; `threads`: check the threaded library (libemrtc-mt.a) instead of the plain one.
 * @returns {{ok: boolean, emccVersion: string|null, message: string}} `message` says what is wrong
 *   and what to do (empty when ok).
 */
function checkEmscripten(options = {}) {
  const emcc = options.emcc || process.env.EMCC || 'emcc';
  const fromSource = `build emrtc from source instead: CMake add_subdirectory(${sourceDir} emrtc), or `
    + `\`emcmake cmake -S ${sourceDir} -B build-emrtc && cmake --build build-emrtc --target emrtc\` `
    + 'and link build-emrtc/libemrtc.a';
  const lib = options.threads ? threads.library : library;
  if (!emscriptenVersion || !fs.existsSync(lib)) {
    return { ok: false, emccVersion: null, message: `this package has no prebuilt library (${lib}); ${fromSource}` };
  }
  const r = require('child_process').spawnSync(emcc, ['-dumpversion'], { encoding: 'utf8' });
  const emccVersion = r.status === 0 ? r.stdout.trim() : null;
  if (!emccVersion) {
    return {
      ok: false,
      emccVersion,
      message: `cannot run '${emcc} -dumpversion' (${r.error ? r.error.code : `exit status ${r.status}`}) to check that `
        + `the prebuilt library (Emscripten ${emscriptenVersion}) suits your Emscripten: put emcc on the PATH `
        + '(emsdk: source emsdk_env.sh) or name it in $EMCC',
    };
  }
  if (emccVersion !== emscriptenVersion) {
    return {
      ok: false,
      emccVersion,
      message: `the prebuilt ${lib} was built with Emscripten ${emscriptenVersion}, your emcc is `
        + `${emccVersion}; objects of different Emscripten versions may fail to link or misbehave. To fix it, ${fromSource}.`,
    };
  }
  return { ok: true, emccVersion, message: '' };
}

module.exports = {
  sourceDir, includeDir, libDir, library, cmakeDir, emscriptenVersion, cflags, linkFlags, threads, checkEmscripten,
};
