#!/usr/bin/env node
'use strict';
/**
 * emrtc: prints the flags and folders of the installed package, pkg-config style, for shells and
 * Makefiles: `emcc game.c $(npx emrtc --cflags --libs) -o game.js`. Values are printed in the
 * order asked, space-separated, on one line. Exit status 2 means bad arguments, 1 that --libs was
 * asked of a package without its prebuilt library.
 */
const fs = require('fs');
const emrtc = require('..');

/** Flag -> what it prints. */
const QUERIES = {
  cflags: () => emrtc.cflags.join(' '),
  libs: () => {
    if (!fs.existsSync(emrtc.library)) {
      throw new Error(`no prebuilt library at ${emrtc.library}; build from source: add_subdirectory(${emrtc.sourceDir} emrtc)`);
    }
    return emrtc.linkFlags.join(' ');
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
  --libs                 link flags (<prebuilt libemrtc.a> -lwebsocket.js)
  --include-dir          folder of emrtc.h
  --lib-dir              folder of the prebuilt libemrtc.a
  --cmake-dir            folder of emrtcConfig.cmake (for CMAKE_PREFIX_PATH)
  --source-dir           folder to add_subdirectory() to build from source
  --emscripten-version   Emscripten version the prebuilt library was built with
  --help                 print this help and exit

Example: emcc game.c $(npx emrtc --cflags --libs) -sENVIRONMENT=web -o game.js
`;

function main(argv) {
  const flags = [];
  for (const arg of argv) {
    const flag = arg.startsWith('--') ? arg.slice(2) : null;
    if (flag !== 'help' && !Object.hasOwn(QUERIES, flag)) {
      process.stderr.write(`emrtc: unknown option '${arg}'\n\n${USAGE}`);
      return 2;
    }
    flags.push(flag);
  }
  if (flags.length === 0 || flags.includes('help')) {
    (flags.length ? process.stdout : process.stderr).write(USAGE);
    return flags.length ? 0 : 2;
  }
  try {
    process.stdout.write(`${flags.map((flag) => QUERIES[flag]()).join(' ')}\n`);
  } catch (err) {
    process.stderr.write(`emrtc: ${err.message}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
