'use strict';
// scripts/setup.sh on a machine where it cannot install: a non-root user without sudo, with
// nothing of the toolchain on the PATH. It must say what to install (the apt-get command), not
// fail with `sudo: command not found`.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const SETUP = path.join(__dirname, '../../scripts/setup.sh');

test('setup.sh without root and without sudo prints the apt-get command it needs', () => {
  // A PATH with only what the script itself runs (bash builtins aside): no emcc, no chromium, no sudo.
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-setup-path-'));
  fs.chmodSync(bin, 0o755);
  for (const tool of ['bash', 'dirname', 'id']) {
    const real = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(real, path.join(bin, tool));
  }
  // A copy of the script in a folder every user may enter: the checkout itself may sit in a folder
  // only its owner can enter (mktemp -d makes it 0700), which `nobody` below could not run from.
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-setup-tree-'));
  fs.mkdirSync(path.join(tree, 'scripts'));
  fs.copyFileSync(SETUP, path.join(tree, 'scripts', 'setup.sh'));
  fs.chmodSync(tree, 0o755);
  fs.chmodSync(path.join(tree, 'scripts'), 0o755);
  fs.chmodSync(path.join(tree, 'scripts', 'setup.sh'), 0o755);
  const script = path.join(tree, 'scripts', 'setup.sh');
  const env = { PATH: bin, HOME: os.tmpdir() };
  const asRoot = process.getuid && process.getuid() === 0;
  // As root, run it as the real unprivileged user `nobody` (util-linux setpriv keeps the environment).
  const [cmd, args] = asRoot
    ? [spawnSync('bash', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim(), ['--reuid=nobody', '--regid=nogroup', '--clear-groups', path.join(bin, 'bash'), script]]
    : [path.join(bin, 'bash'), [script]];
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 30000 });
  fs.rmSync(bin, { recursive: true, force: true });
  fs.rmSync(tree, { recursive: true, force: true });
  if (r.error) throw r.error;
  const output = r.stdout + r.stderr;
  expect(output).not.toMatch(/command not found/);
  expect(r.status).toBe(1);
  expect(output).toMatch(/not root and no sudo/);
  // the command names every package whose tool this PATH lacks (others may join the list later)
  const command = output.match(/^ {2}apt-get update && apt-get install -y ([a-z0-9 .+-]+)$/m);
  expect(command).not.toBeNull();
  const packages = command[1].split(' ');
  for (const pkg of ['emscripten', 'chromium', 'cmake', 'gcc', 'clang', 'valgrind', 'nodejs', 'npm']) expect(packages).toContain(pkg);
});
