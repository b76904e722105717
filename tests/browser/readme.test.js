'use strict';
// The README quotes its C examples verbatim. (Its first build command is run, as written, against
// the installed package by tests/package/package.test.js; the native example is a ctest test.)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const REPO = path.join(__dirname, '../..');

test.each(['examples/readme_example.c', 'examples/native_netcode_test.c', 'examples/turn_and_stats.c',
  'examples/background_tab.c'])('the README quotes %s verbatim', (file) => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const source = fs.readFileSync(path.join(REPO, file), 'utf8');
  expect(readme).toContain('```c\n' + source + '```');
});

test('no README link leaves the repository: relative links name files that exist here', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(3);
  for (const link of links) {
    if (/^https:\/\//.test(link)) continue; // public references
    if (link.startsWith('#')) continue; // sections, checked below
    const file = path.resolve(REPO, link.split('#')[0]);
    expect({ link, inside: file.startsWith(REPO + path.sep) && fs.existsSync(file) }).toEqual({ link, inside: true });
  }
  // anchors name headings of the README (GitHub's slugs)
  const slugs = [...readme.matchAll(/^#+ (.+)$/gm)].map((m) => m[1].toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  for (const link of links.filter((l) => l.startsWith('#'))) expect(slugs).toContain(link.slice(1));
  expect(readme).not.toMatch(/shared\//);
});

test('the README background-tab recipe compiles (plain and -pthread), warning-free', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-readme-bg-'));
  try {
    for (const [lib, extra] of [['libemrtc.a', ['-sENVIRONMENT=web']], ['libemrtc-mt.a', ['-pthread', '-sENVIRONMENT=web,worker']]]) {
      execFileSync('emcc', [path.join(REPO, 'examples/background_tab.c'), '-I', path.join(REPO, 'include'),
        path.join(REPO, 'build-wasm', lib), ...extra, '-Wall', '-Wextra', '-Werror', '-o', path.join(dir, 'game.js')],
      { env: { ...process.env, NODE_PATH: '/usr/share/nodejs' }, stdio: 'pipe' });
      expect(fs.statSync(path.join(dir, 'game.wasm')).size).toBeGreaterThan(1000);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
