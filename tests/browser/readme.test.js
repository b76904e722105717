'use strict';
// The README's C example compiles exactly as the README shows (emcc + libemrtc.a) and does what it
// says in Chromium. The README quotes examples/readme_example.c; this test checks the quote too.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { createTestBed } = require('../../js/testing');

const REPO = path.join(__dirname, '../..');
const SOURCE = path.join(REPO, 'examples/readme_example.c');

test.each(['examples/readme_example.c', 'examples/native_netcode_test.c'])('the README quotes %s verbatim', (file) => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const source = fs.readFileSync(path.join(REPO, file), 'utf8');
  expect(readme).toContain('```c\n' + source + '```');
});

test('the README example compiles with the command the README shows and connects in Chromium', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-readme-'));
  // The README's command, with its paths pointing into this checkout.
  execFileSync('emcc', [SOURCE, '-I', path.join(REPO, 'include'), path.join(REPO, 'build-wasm/libemrtc.a'),
    '-sENVIRONMENT=web', '-Wall', '-Werror', '-o', path.join(dir, 'index.html')],
  { env: { ...process.env, NODE_PATH: '/usr/share/nodejs' }, stdio: 'pipe' });
  const bed = await createTestBed({ root: dir });
  try {
    const [page] = await bed.openPages(1, 'index.html');
    await bed.waitFor(page, () => true);
    const deadline = Date.now() + 15000;
    while (!bed.logs.some((l) => l.endsWith('B got hello')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(bed.logs.filter((l) => l.endsWith('B got hello'))).toHaveLength(1);
  } finally {
    await bed.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
