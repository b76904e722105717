#!/usr/bin/env node
'use strict';
/**
 * emrtc: prints the flags and folders of the installed package, pkg-config style, for shells and
 * Makefiles: `emcc game.c $(npx emrtc --cflags --libs) -o game.js`. Values are printed in the
 * order asked, space-separated, on one line. --libs first checks, like find_package(emrtc), that
 * the emcc on the PATH ($EMCC if set) is the Emscripten version the prebuilt library was built
 * with. Exit status 2 means bad arguments; 1 that --libs refused (no prebuilt library, no emcc,
 * or another Emscripten version), with what to do on stderr and nothing on stdout. --threads
 * anywhere makes --libs give the threaded library (for -pthread programs).
 */
const emrtc = require('..');

const IGNORE_VERSION = 'ignore-emscripten-version';
const THREADS = 'threads';

/** Flag -> what it prints; `flags` are all the flags given. */
const QUERIES = {
  cflags: () => emrtc.cflags.join(' '),
  libs: (flags) => {
    const check = emrtc.checkEmscripten({ threads: flags.includes(THREADS) });
    if (!check.ok) {
      if (!emrtc.emscriptenVersion || !flags.includes(IGNORE_VERSION)) {
        throw new Error(`${check.message}${emrtc.emscriptenVersion ? ` (--${IGNORE_VERSION} prints the flags anyway, at your own risk.)` : ''}`);
      }
      process.stderr.write(`emrtc: warning: ${check.message} Printing the flags anyway (--${IGNORE_VERSION}).\n`);
    }
    return (flags.includes(THREADS) ? emrtc.threads : emrtc).linkFlags.join(' ');
  },
  'include-dir': () => emrtc.includeDir,
  'lib-dir': () => emrtc.libDir,
  'cmake-dir': () => emrtc.cmakeDir,
  'source-dir': () => emrtc.sourceDir,
  'emscripten-version': () => emrtc.emscriptenVersion || '',
};

const USAGE = `Usage: emrtc [options]

Prints what an Emscripten build needs to use emrtc, in the order asked, on one line.

Options:
  --cflags               compile flags (-I<include dir>)
  --libs                 link flags (<prebuilt libemrtc.a> -lwebsocket.js), after checking that
                         emcc (on the PATH, or $EMCC) is the Emscripten the library was built with
  --threads              with --libs: the threaded library for -pthread programs
                         (<prebuilt libemrtc-mt.a> -pthread -lwebsocket.js)
  --ignore-emscripten-version
                         with --libs: print the link flags even for another Emscripten (a warning)
  --include-dir          folder of emrtc.h
  --lib-dir              folder of the prebuilt libemrtc.a
  --cmake-dir            folder of emrtcConfig.cmake, for  emcmake cmake -Demrtc_DIR=<it>
                         (not CMAKE_PREFIX_PATH: Emscripten's toolchain ignores it for packages)
  --source-dir           folder to add_subdirectory() to build from source
  --emscripten-version   Emscripten version the prebuilt library was built with
  --help                 print this help and exit

Example: emcc game.c $(npx emrtc --cflags --libs) -sENVIRONMENT=web -o game.js
Threads: emcc -pthread game.c $(npx emrtc --cflags --libs --threads) -sENVIRONMENT=web,worker -o game.js
`;

function main(argv) {
  const flags = [];
  for (const arg of argv) {
    const flag = arg.startsWith('--') ? arg.slice(2) : null;
    if (flag !== 'help' && flag !== IGNORE_VERSION && flag !== THREADS && !Object.hasOwn(QUERIES, flag)) {
      process.stderr.write(`emrtc: unknown option '${arg}'\n\n${USAGE}`);
      return 2;
    }
    flags.push(flag);
  }
  const queries = flags.filter((flag) => flag !== IGNORE_VERSION && flag !== THREADS);
  if (queries.length === 0 || flags.includes('help')) {
    (flags.includes('help') ? process.stdout : process.stderr).write(USAGE);
    return flags.includes('help') ? 0 : 2;
  }
  try {
    process.stdout.write(`${queries.map((flag) => QUERIES[flag](flags)).join(' ')}\n`);
  } catch (err) {
    process.stderr.write(`emrtc: ${err.message}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
