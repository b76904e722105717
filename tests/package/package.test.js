/**
 * The npm package, used as a stranger would use it, installed both ways the README says work
 * before emrtc is published: from a packed tarball and from a git URL.
 *
 * `npm pack`s this repository (its prepare script builds the prebuilt library) and installs the
 * tarball into a new project in a temporary folder outside the repository. The install never asks
 * the registry (--offline): the package's dependency (ws) and the kit's peer (puppeteer-core) are
 * installed from this repository's node_modules folders, which npm links. Then, in that project:
 *  - checks require('emrtc'), the `emrtc` CLI and `npx emrtc-signal --help`;
 *  - builds the README's first example with the README's own command line, runs it in Chromium;
 *  - builds examples/testing-kit/chat.c, as the package ships it, with emcc (build-emcc.sh) and
 *    runs the example Jest test (chat.test.js) against it: two Chromium pages connect through the
 *    packaged signaling server and exchange data, driven by the packaged testing kit;
 *  - does the same with CMake's find_package(emrtc) (build-cmake.sh);
 *  - checks that the CMake package refuses native builds and other Emscripten versions with a
 *    message naming add_subdirectory, and that add_subdirectory on the package's sources builds.
 * A second project installs `git+file://` of a clone of this repository (its committed HEAD): npm
 * runs the prepare script there, so the library is built at install time; the README example is
 * built and run against that install too.
 * The example files are used verbatim: they are what the README quotes.
 *
 * Skipped (with a warning) only when emcc is missing.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '../..');
const EXAMPLE = path.join(REPO, 'examples', 'testing-kit');
const EXAMPLE_FILES = ['chat.c', 'index.html', 'CMakeLists.txt', 'build-emcc.sh', 'build-cmake.sh', 'chat.test.js'];
/** What npm links instead of fetching: the package's dependency and the testing kit's peer. */
const LINKED_DEPS = ['ws', 'puppeteer-core'].map((name) => path.join(REPO, 'node_modules', name));
const JEST = require.resolve('jest/bin/jest', { paths: [REPO] });

const emccVersion = (() => {
  const r = spawnSync('emcc', ['-dumpversion'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
})();
if (!emccVersion) console.warn('tests/package: emcc not found on the PATH, the package tests are SKIPPED');
const describeWithEmcc = emccVersion ? describe : describe.skip;

/**
 * The environment of a stranger's shell: none of this test run's npm_* and JEST_* variables, and no
 * NODE_PATH (which could hide a dependency missing from the package). Builds add Debian
 * Emscripten's NODE_PATH (see STYLE.md) with `forEmcc`.
 */
function strangerEnv(forEmcc = false) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|JEST_|NODE_PATH$)/i.test(k)));
  if (forEmcc) env.NODE_PATH = process.env.NODE_PATH || '/usr/share/nodejs';
  return env;
}

/** Runs a command; returns {status, stdout, stderr, output}. Never throws. */
function run(cmd, args, { cwd, env = strangerEnv(), timeout = 120000 } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  const output = `$ ${cmd} ${args.join(' ')}  (in ${cwd})\n${r.stdout}${r.stderr}${r.error ? `\n${r.error.message}` : ''}`;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, output };
}

/** Runs a command that must succeed; returns its stdout, or throws with everything it printed. */
function ok(cmd, args, options) {
  const r = run(cmd, args, options);
  if (r.status !== 0) throw new Error(`exit status ${r.status}\n${r.output}`);
  return r.stdout;
}

/** Runs the stranger's Jest on chat.test.js; returns Jest's JSON report. */
function runExampleTest(project) {
  const report = path.join(project, 'jest-report.json');
  const r = run(process.execPath, [JEST, '--ci', '--no-watchman', '--rootDir', project, '--json',
    `--outputFile=${report}`, 'chat.test.js'], { cwd: project, timeout: 90000 });
  if (!fs.existsSync(report)) throw new Error(`no Jest report\n${r.output}`);
  const json = JSON.parse(fs.readFileSync(report, 'utf8'));
  fs.rmSync(report);
  return { json, output: r.output };
}

/** A new project `name` in `dir` with `specs` installed offline; returns its folder. */
function newProject(dir, name, specs) {
  const project = path.join(dir, name);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
  ok('npm', ['install', '--offline', '--no-audit', '--no-fund', ...specs, ...LINKED_DEPS], { cwd: project, timeout: 300000 });
  return project;
}

/** The README's command that builds its first example (the sh block after "Build and open it"). */
function readmeBuildLine() {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const m = readme.match(/Build and open it[^\n]*\n(?:[^\n]+\n)*?\n```sh\n([^\n]+)\n```/);
  if (!m) throw new Error('README.md: no ```sh block after "Build and open it"');
  return m[1];
}

/**
 * Runs the README's build line in a folder of `project` (beside a copy of readme_example.c; its
 * index.html must not replace the testing kit's), then the page.
 */
async function buildAndRunReadmeExample(project) {
  const dir = path.join(project, 'readme-example');
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(REPO, 'examples/readme_example.c'), path.join(dir, 'readme_example.c'));
  ok('sh', ['-c', readmeBuildLine()], { cwd: dir, env: strangerEnv(true), timeout: 180000 });
  const { createTestBed } = require('../../js/testing');
  const bed = await createTestBed({ root: dir });
  try {
    await bed.openPages(1, 'index.html');
    const deadline = Date.now() + 20000;
    while (!bed.logs.some((l) => l.endsWith('B got hello')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(bed.logs.filter((l) => l.endsWith('B got hello'))).toHaveLength(1);
  } finally {
    await bed.close();
  }
}

test("the README's first build line uses only the installed package", () => {
  expect(readmeBuildLine()).toBe('emcc readme_example.c $(npx emrtc --cflags --libs) -sENVIRONMENT=web -o index.html');
});

describeWithEmcc('the npm package, installed into a new project', () => {
  let tmp;
  let project;
  let packed; // npm pack's JSON entry
  let installed; // node_modules/emrtc of the project

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-package-'));
    packed = JSON.parse(ok('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: REPO, timeout: 300000 }))[0];
    project = newProject(tmp, 'stranger', [path.join(tmp, packed.filename)]);
    installed = path.join(project, 'node_modules', 'emrtc');
    // the example as the package ships it
    for (const file of EXAMPLE_FILES) fs.copyFileSync(path.join(installed, 'examples/testing-kit', file), path.join(project, file));
  }, 300000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the tarball holds headers, prebuilt library, sources, CMake package, server, kit, docs; nothing else', () => {
    const files = packed.files.map((f) => f.path).sort();
    const allowed = [
      /^(include|src|cmake)\/[^/]+$/,
      /^lib\/wasm32-emscripten\/(libemrtc\.a|libemrtc-mt\.a|emscripten-version\.txt)$/,
      /^examples\/testing-kit\/[^/]+$/,
      /^docs\/[^/]+\.md$/,
      /^js\/(index|testing|signal-server|signal-redis|turn)\.js$/,
      /^js\/bin\/(emrtc|emrtc-signal)\.js$/,
      /^(CMakeLists\.txt|LICENSE|README\.md|package\.json)$/,
    ];
    expect(files.filter((f) => !allowed.some((re) => re.test(f)))).toEqual([]);
    const required = ['CMakeLists.txt', 'LICENSE', 'package.json', 'include/emrtc.h', 'include/emrtc_signal.h',
      'src/emrtc.c', 'src/emrtc_signal.c',
      'src/backend_browser.c', 'cmake/emrtcConfig.cmake', 'cmake/emrtcConfigVersion.cmake',
      'lib/wasm32-emscripten/libemrtc.a', 'lib/wasm32-emscripten/emscripten-version.txt',
      'js/index.js', 'js/testing.js', 'js/signal-server.js', 'js/signal-redis.js', 'js/turn.js', 'js/bin/emrtc.js', 'js/bin/emrtc-signal.js'];
    required.push('lib/wasm32-emscripten/libemrtc-mt.a'); // the threaded library (-pthread programs)
    if (fs.existsSync(path.join(REPO, 'README.md'))) required.push('README.md', 'docs/API.md'); // the README links docs/
    expect(required.filter((f) => !files.includes(f))).toEqual([]);
    // every source file of the repository ships, so that add_subdirectory builds what we build
    const sources = fs.readdirSync(path.join(REPO, 'src')).map((f) => `src/${f}`);
    expect(sources.filter((f) => !files.includes(f))).toEqual([]);
    // the testing kit's example, complete: program, page, build scripts, test
    expect(EXAMPLE_FILES.filter((f) => !files.includes(`examples/testing-kit/${f}`))).toEqual([]);

    for (const name of ['libemrtc.a', 'libemrtc-mt.a']) {
      const lib = fs.readFileSync(path.join(installed, 'lib/wasm32-emscripten', name));
      expect(lib.subarray(0, 8).toString('latin1')).toBe('!<arch>\n');
      expect(lib.includes(Buffer.from('\0asm'))).toBe(true); // wasm objects inside
      for (const symbol of ['emrtc_peer_create', 'emrtc_signal_create']) expect(lib.includes(Buffer.from(symbol))).toBe(true);
      // the threaded one is compiled with atomics (shared memory), the plain one without
      expect(lib.includes(Buffer.from('\x07atomics', 'latin1'))).toBe(name === 'libemrtc-mt.a');
    }
    expect(fs.readFileSync(path.join(installed, 'lib/wasm32-emscripten/emscripten-version.txt'), 'utf8').trim())
      .toBe(emccVersion);
    expect(fs.readFileSync(path.join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the emrtc authors\n/);
  });

  test("require('emrtc') and `npx emrtc` give the installed package's flags and folders", () => {
    const info = JSON.parse(ok(process.execPath, ['-e', 'console.log(JSON.stringify(require("emrtc")))'], { cwd: project }));
    expect(info).toEqual({
      sourceDir: installed,
      includeDir: path.join(installed, 'include'),
      libDir: path.join(installed, 'lib/wasm32-emscripten'),
      library: path.join(installed, 'lib/wasm32-emscripten/libemrtc.a'),
      cmakeDir: path.join(installed, 'cmake'),
      emscriptenVersion: emccVersion,
      cflags: [`-I${path.join(installed, 'include')}`],
      linkFlags: [path.join(installed, 'lib/wasm32-emscripten/libemrtc.a'), '-lwebsocket.js'],
      threads: {
        library: path.join(installed, 'lib/wasm32-emscripten/libemrtc-mt.a'),
        linkFlags: [path.join(installed, 'lib/wasm32-emscripten/libemrtc-mt.a'), '-pthread', '-lwebsocket.js'],
      },
    });
    expect(ok('npx', ['emrtc', '--cflags', '--libs'], { cwd: project }).trim())
      .toBe([...info.cflags, ...info.linkFlags].join(' '));
    expect(ok('npx', ['emrtc', '--cflags', '--libs', '--threads'], { cwd: project }).trim())
      .toBe([...info.cflags, ...info.threads.linkFlags].join(' '));
    expect(ok('npx', ['emrtc', '--emscripten-version', '--cmake-dir'], { cwd: project }).trim())
      .toBe(`${emccVersion} ${info.cmakeDir}`);
    // the documented module names, and the files by their paths in the package
    const same = ok(process.execPath, ['-e', `const s = require('emrtc/signal-server'), t = require('emrtc/testing');
      console.log(s === require('emrtc/js/signal-server') && t === require('emrtc/js/testing')
        && typeof s.createSignalServer + typeof t.createTestBed)`], { cwd: project });
    expect(same.trim()).toBe('functionfunction');
    const bad = run('npx', ['emrtc', '--nope'], { cwd: project });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--nope'/);
  });

  test("the README's first example builds with the README's command and runs", async () => {
    await buildAndRunReadmeExample(project);
  }, 240000);

  test('`npx emrtc-signal --help` runs the packaged signaling server CLI', () => {
    const help = ok('npx', ['emrtc-signal', '--help'], { cwd: project });
    expect(help).toMatch(/^Usage: emrtc-signal \[options\]\n/);
    expect(help).toMatch(/Godot 4's webrtc_signaling demo/);
    expect(help).toMatch(/--port N +TCP port, 0 = any free port \(default 9080\)/);
  });

  /** Builds with `script`, checks the outputs, runs the example test against them. */
  function buildAndRunExample(script) {
    fs.rmSync(path.join(project, 'build'), { recursive: true, force: true });
    ok('sh', [script], { cwd: project, env: strangerEnv(true), timeout: 180000 });
    for (const f of ['index.html', 'chat.js', 'chat.wasm']) expect(fs.existsSync(path.join(project, 'build', f))).toBe(true);
    const { json, output } = runExampleTest(project);
    if (!json.success) throw new Error(`the example test failed\n${output}`);
    expect(json.numPassedTests).toBe(1);
    expect(json.numFailedTests).toBe(0);
  }

  test('emcc with the flags from the package: two pages connect through emrtc-signal and exchange data', () => {
    buildAndRunExample('build-emcc.sh');
  }, 240000);

  test('CMake find_package(emrtc) links the prebuilt library: two pages connect and exchange data', () => {
    buildAndRunExample('build-cmake.sh');
    const dir = path.join(project, 'build/CMakeFiles/chat.dir');
    const link = fs.readdirSync(dir).filter((f) => /^(link\.txt|.*\.rsp)$/.test(f))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    expect(link).toContain(path.join(installed, 'lib/wasm32-emscripten/libemrtc.a'));
    expect(link).toContain('-lwebsocket.js');
  }, 240000);

  test('emcc -pthread with `npx emrtc --libs --threads` links the threaded library (shared memory)', () => {
    const flags = ok('npx', ['emrtc', '--cflags', '--libs', '--threads'], { cwd: project }).trim().split(' ');
    const out = path.join(tmp, 'threaded-emcc');
    fs.mkdirSync(out);
    ok('emcc', ['-pthread', path.join(project, 'chat.c'), ...flags, '-sENVIRONMENT=web,worker', '-o', path.join(out, 'chat.js')],
      { cwd: project, env: strangerEnv(true), timeout: 120000 });
    expect(fs.existsSync(path.join(out, 'chat.worker.js'))).toBe(true);
    // a shared memory is imported: the program is threaded, and linked with the threaded library
    expect(fs.readFileSync(path.join(out, 'chat.js'), 'utf8')).toMatch(/["']shared["']: *true/);
  }, 180000);

  /** Configures a throwaway CMake project whose CMakeLists.txt is `lists`; returns run()'s result. */
  function configure(name, lists, { emscripten = true, args = [] } = {}) {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'CMakeLists.txt'), `cmake_minimum_required(VERSION 3.13)\nproject(${name} C)\n${lists}`);
    const cmake = ['cmake', '-S', dir, '-B', path.join(dir, 'build'), ...args];
    return run(emscripten ? 'emcmake' : cmake[0], emscripten ? cmake : cmake.slice(1), { cwd: dir, env: strangerEnv(true) });
  }
  const FIND = 'find_package(emrtc ${WANT} CONFIG REQUIRED)\nmessage(STATUS "emrtc ${emrtc_VERSION} for Emscripten ${emrtc_EMSCRIPTEN_VERSION}")\n';

  test('CMake: the version file accepts 0.1 and refuses 0.2 and 1.0; a native build is refused', () => {
    const dir = `-Demrtc_DIR=${path.join(installed, 'cmake')}`;
    expect(configure('want01', FIND, { args: [dir, '-DWANT=0.1'] }).output)
      .toContain(`emrtc 0.1.0 for Emscripten ${emccVersion}`);
    for (const want of ['0.2', '1.0']) {
      const r = configure(`want${want.replace('.', '')}`, FIND, { args: [dir, `-DWANT=${want}`] });
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/version: 0\.1\.0/);
    }
    const native = configure('native', FIND, { emscripten: false, args: [dir] });
    expect(native.status).not.toBe(0);
    expect(native.output).toMatch(/this build is not\s+Emscripten/);
    expect(native.output).toContain('add_subdirectory(');
  }, 120000);

  test('CMake: a prebuilt library of another Emscripten version is refused, unless told to ignore it', () => {
    const copy = path.join(tmp, 'other-emscripten', 'emrtc');
    fs.cpSync(installed, copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'lib/wasm32-emscripten/emscripten-version.txt'), '1.2.3\n');
    const dir = `-Demrtc_DIR=${path.join(copy, 'cmake')}`;
    const refused = configure('mismatch', FIND, { args: [dir] });
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(new RegExp(`built with Emscripten 1\\.2\\.3,\\s+this build uses Emscripten ${emccVersion.replace(/\./g, '\\.')}`));
    expect(refused.output).toContain(`add_subdirectory("${copy}" emrtc)`);
    const forced = configure('mismatch-forced', FIND, { args: [dir, '-DEMRTC_IGNORE_EMSCRIPTEN_VERSION=ON'] });
    expect(forced.status).toBe(0);
    expect(forced.output).toMatch(/CMake Warning[\s\S]*Using it\s+anyway/);
    expect(forced.output).toContain('emrtc 0.1.0 for Emscripten 1.2.3');
  }, 120000);

  test('CMake: -pthread in CMAKE_C_FLAGS (or EMRTC_THREADS) makes emrtc::emrtc the threaded library', () => {
    const dir = `-Demrtc_DIR=${path.join(installed, 'cmake')}`;
    const show = `${FIND}get_target_property(_loc emrtc::emrtc IMPORTED_LOCATION)
get_target_property(_mt emrtc::emrtc_mt IMPORTED_LOCATION)
message(STATUS "emrtc::emrtc is \${_loc}, threads \${emrtc_THREADS}; emrtc::emrtc_mt is \${_mt}")
`;
    const lib = (name) => path.join(installed, 'lib/wasm32-emscripten', name);
    const cases = [
      [[], 'libemrtc.a', 'OFF'],
      [['-DCMAKE_C_FLAGS=-O2 -pthread'], 'libemrtc-mt.a', 'ON'],
      [['-DEMRTC_THREADS=ON'], 'libemrtc-mt.a', 'ON'],
      [['-DCMAKE_C_FLAGS=-pthread', '-DEMRTC_THREADS=OFF'], 'libemrtc.a', 'OFF'],
    ];
    for (const [i, [args, name, on]] of cases.entries()) {
      const r = configure(`threads${i}`, show, { args: [dir, '-DWANT=0.1', ...args] });
      expect(r.status).toBe(0);
      expect(r.output).toContain(`emrtc::emrtc is ${lib(name)}, threads ${on}; emrtc::emrtc_mt is ${lib('libemrtc-mt.a')}`);
    }
  }, 120000);

  test('CMake: add_subdirectory on the installed package builds emrtc from source', () => {
    fs.copyFileSync(path.join(project, 'chat.c'), path.join(tmp, 'chat.c'));
    const r = configure('from-source', `add_subdirectory("${installed}" emrtc)
add_executable(chat ../chat.c)
target_link_libraries(chat PRIVATE emrtc::emrtc)
target_link_options(chat PRIVATE -sENVIRONMENT=web)
set_target_properties(chat PROPERTIES SUFFIX ".js")\n`);
    if (r.status !== 0) throw new Error(r.output);
    const dir = path.join(tmp, 'from-source', 'build');
    ok('cmake', ['--build', dir, '-j2'], { cwd: dir, env: strangerEnv(true), timeout: 180000 });
    expect(fs.existsSync(path.join(dir, 'emrtc', 'libemrtc.a'))).toBe(true); // built here, not the prebuilt one
    expect(fs.statSync(path.join(dir, 'chat.wasm')).size).toBeGreaterThan(1000);
  }, 240000);
});

describeWithEmcc('the package installed from a git URL', () => {
  let tmp;
  let project;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-git-'));
    const clone = path.join(tmp, 'emrtc-clone');
    ok('git', ['clone', '--quiet', REPO, clone], { cwd: tmp });
    project = newProject(tmp, 'gitstranger', [`git+file://${clone}`]);
  }, 300000);
  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('npm built the prebuilt library at install time; --libs accepts this emcc', () => {
    const lib = path.join(project, 'node_modules/emrtc/lib/wasm32-emscripten');
    expect(fs.readFileSync(path.join(lib, 'emscripten-version.txt'), 'utf8').trim()).toBe(emccVersion);
    expect(ok('npx', ['emrtc', '--libs'], { cwd: project, env: strangerEnv(true) }).trim())
      .toBe(`${path.join(lib, 'libemrtc.a')} -lwebsocket.js`);
  });

  test("the README's first example builds with the README's command and runs", async () => {
    await buildAndRunReadmeExample(project);
  }, 240000);
});

/**
 * The README quotes the example files verbatim: a fenced block right after a line
 * `<!-- file: examples/testing-kit/NAME -->` must equal that file. Once the README has such
 * blocks they are enforced; until then the test says so on the console.
 */
test('the README quotes the example files of the package verbatim', () => {
  const readmePath = path.join(REPO, 'README.md');
  const readme = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, 'utf8') : '';
  const quotes = [...readme.matchAll(/<!-- file: (examples\/testing-kit\/[\w.-]+) -->\n```\w*\n([\s\S]*?)```\n/g)];
  if (quotes.length === 0) console.warn('tests/package: README.md quotes no examples/testing-kit/ file yet');
  for (const [, file, body] of quotes) {
    expect({ file, body }).toEqual({ file, body: fs.readFileSync(path.join(REPO, file), 'utf8') });
  }
});
