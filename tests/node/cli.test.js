'use strict';
// The `emrtc` CLI (js/bin/emrtc.js) on a package laid out as npm installs it, in a temporary
// folder, with stand-in emcc scripts: --libs refuses another Emscripten version, a missing emcc
// and a missing prebuilt library, each with what to do; the real emcc is checked by
// tests/package/package.test.js.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const REPO = path.resolve(__dirname, '../..');
let pkg;
let bin;

/** A stand-in emcc that answers -dumpversion with `version`. */
function fakeEmcc(version) {
  const file = path.join(pkg, '..', `emcc-${version}`);
  fs.writeFileSync(file, `#!/bin/sh\n[ "$1" = -dumpversion ] && echo ${version}\n`, { mode: 0o755 });
  return file;
}

function cli(args, emcc) {
  const r = spawnSync(process.execPath, [path.join(pkg, 'js/bin/emrtc.js'), ...args],
    { encoding: 'utf8', env: { ...process.env, EMCC: emcc } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-cli-'));
  pkg = path.join(tmp, 'emrtc');
  fs.mkdirSync(path.join(pkg, 'js/bin'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'js/index.js'), path.join(pkg, 'js/index.js'));
  fs.copyFileSync(path.join(REPO, 'js/bin/emrtc.js'), path.join(pkg, 'js/bin/emrtc.js'));
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
  bin = path.join(pkg, 'lib/wasm32-emscripten');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'libemrtc.a'), '!<arch>\n');
  fs.writeFileSync(path.join(bin, 'emscripten-version.txt'), '3.1.6\n');
});
afterAll(() => fs.rmSync(path.dirname(pkg), { recursive: true, force: true }));

const LIBS = () => `${path.join(bin, 'libemrtc.a')} -lwebsocket.js`;

test('--libs with the Emscripten the library was built with prints the flags', () => {
  const r = cli(['--cflags', '--libs'], fakeEmcc('3.1.6'));
  expect(r).toEqual({ status: 0, stdout: `-I${path.join(pkg, 'include')} ${LIBS()}\n`, stderr: '' });
});

test('--libs with another Emscripten refuses, names both versions and how to build from source', () => {
  const r = cli(['--cflags', '--libs'], fakeEmcc('3.1.50'));
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/built with Emscripten 3\.1\.6, your emcc is 3\.1\.50/);
  expect(r.stderr).toContain(`add_subdirectory(${pkg} emrtc)`);
  expect(r.stderr).toContain(`emcmake cmake -S ${pkg} -B build-emrtc`);
  expect(r.stderr).toContain('--ignore-emscripten-version');
  // other queries do not need emcc at all
  expect(cli(['--emscripten-version'], fakeEmcc('3.1.50'))).toEqual({ status: 0, stdout: '3.1.6\n', stderr: '' });
});

test('--ignore-emscripten-version prints the flags anyway, with a warning', () => {
  const r = cli(['--libs', '--ignore-emscripten-version'], fakeEmcc('3.1.50'));
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(`${LIBS()}\n`);
  expect(r.stderr).toMatch(/^emrtc: warning: .*your emcc is 3\.1\.50.*Printing the flags anyway/);
});

test('--libs without an emcc to ask refuses and says how to make one found', () => {
  const r = cli(['--libs'], path.join(pkg, 'no-such-emcc'));
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/cannot run '.*no-such-emcc -dumpversion' \(ENOENT\)/);
  expect(r.stderr).toMatch(/put emcc on the PATH/);
});

test('--libs of a package without its prebuilt library refuses, even when told to ignore the version', () => {
  fs.renameSync(bin, `${bin}.away`);
  try {
    const r = cli(['--libs', '--ignore-emscripten-version'], fakeEmcc('3.1.6'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no prebuilt library .*build emrtc from source instead/);
  } finally {
    fs.renameSync(`${bin}.away`, bin);
  }
});

test('--help recommends emrtc_DIR for CMake, never CMAKE_PREFIX_PATH alone', () => {
  const r = cli(['--help'], fakeEmcc('3.1.6'));
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('emcmake cmake -Demrtc_DIR=<it>');
  expect(r.stdout).toMatch(/not CMAKE_PREFIX_PATH/);
  // the same advice in the Node entry point's documentation
  const index = fs.readFileSync(path.join(REPO, 'js/index.js'), 'utf8');
  expect(index).toContain('-Demrtc_DIR=<cmakeDir>');
  expect(index).not.toMatch(/put it on CMAKE_PREFIX_PATH|-DCMAKE_PREFIX_PATH/);
  expect(cli(['--nope'], fakeEmcc('3.1.6')).status).toBe(2);
  expect(cli(['--ignore-emscripten-version'], fakeEmcc('3.1.6')).status).toBe(2);
});

test('--libs --threads gives the threaded library, and refuses when the package lacks it', () => {
  const missing = cli(['--libs', '--threads'], fakeEmcc('3.1.6'));
  expect(missing.status).toBe(1);
  expect(missing.stdout).toBe('');
  expect(missing.stderr).toContain(`no prebuilt library (${path.join(bin, 'libemrtc-mt.a')})`);
  fs.writeFileSync(path.join(bin, 'libemrtc-mt.a'), '!<arch>\n');
  try {
    expect(cli(['--threads', '--libs'], fakeEmcc('3.1.6')))
      .toEqual({ status: 0, stdout: `${path.join(bin, 'libemrtc-mt.a')} -pthread -lwebsocket.js\n`, stderr: '' });
  } finally {
    fs.rmSync(path.join(bin, 'libemrtc-mt.a'));
  }
});
