'use strict';
// The conformance scenarios (tests/scenarios/*.c) in headless Chromium against the browser backend,
// for one build: each single-page scenario in a fresh page; two-sided scenarios (named two_*) in two
// pages whose relay goes through this test (and "bye" from side 0 closes side 1's page, a real
// closed page). scenarios.test.js runs it on the plain build, scenarios-threads.test.js on the
// -pthread build (served cross-origin isolated, plus the threaded-only scenarios of threads/).
const fs = require('fs');
const path = require('path');
const { createTestBed } = require('../../js/testing');

/** SCENARIO(name, ...) names of the .c files in `dir`, sorted by file. */
function scenarioNames(dir) {
  const names = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.c')).sort()) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/^SCENARIO\((\w+),/gm)) names.push(m[1]);
  }
  return names;
}

/**
 * Defines the suite. `build`: folder under build-wasm/tests; `extraDirs`: more scenario folders
 * compiled into that build; `crossOriginIsolation`: serve with COOP/COEP (threaded builds).
 */
function defineScenarioSuite({ build, extraDirs = [], crossOriginIsolation = false }) {
  const ROOT = path.join(__dirname, '../../build-wasm/tests', build);
  const all = [path.join(__dirname, '../scenarios'), ...extraDirs].flatMap(scenarioNames);
  const single = all.filter((n) => !n.startsWith('two_'));
  const twoSided = all.filter((n) => n.startsWith('two_'));

  let bed;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'scenarios.js'))) throw new Error(`no build in ${ROOT}: run npm test (it builds first)`);
    bed = await createTestBed({ root: ROOT, crossOriginIsolation });
  });
  afterAll(async () => { if (bed) await bed.close(); });
  const suite = { browser: () => bed.browser };

  async function openScenarioPage() {
    const [page] = await bed.openPages(1, 'scenarios.html');
    await page.evaluate(() => window.emrtcReady);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(crossOriginIsolation);
    return page;
  }

  test('the scenario list compiled into the page matches the sources', async () => {
    const page = await openScenarioPage();
    const compiled = await page.evaluate(() => {
      const out = [];
      for (let i = 0; i < Module._t_count(); i++) out.push(Module.UTF8ToString(Module._t_name(i)));
      return out;
    });
    await page.close();
    expect(compiled.sort()).toEqual([...all].sort());
  });

  describe.each(single)('%s', (name) => {
    test('passes in Chromium and leaves no live object', async () => {
      const page = await openScenarioPage();
      const result = await page.evaluate((n) => window.runScenario(n, 0), name);
      await page.close();
      if (result.failures) console.log(`${name}:\n${result.report}`);
      expect(result.report).toBe('');
      expect(result.failures).toBe(0);
      expect(result.checks).toBeGreaterThan(0);
      expect(result.livePeers).toBe(0);
      expect(result.liveChannels).toBe(0);
      expect(result.liveObjects).toBe(0);
    });
  });

  if (twoSided.length) describe.each(twoSided)('%s', (name) => {
    test('passes across two pages relayed by the test', async () => {
      const pages = [await openScenarioPage(), await openScenarioPage()];
      let closed = false;
      for (const [i, page] of pages.entries()) {
        const other = pages[1 - i];
        await page.exposeFunction('emrtcRelayOut', async (msg) => {
          if (i === 0 && msg === 'bye') {
            closed = true;
            await other.close();
            return;
          }
          if (!other.isClosed()) await other.evaluate((m) => window.emrtcRelayIn(m), msg).catch(() => {});
        });
      }
      const side1 = pages[1].evaluate((n) => window.runScenario(n, 1), name).catch((e) => ({ closedEarly: String(e) }));
      const side0 = await pages[0].evaluate((n) => window.runScenario(n, 0), name);
      if (side0.failures) console.log(`${name} side 0:\n${side0.report}`);
      expect(side0.report).toBe('');
      expect(side0.failures).toBe(0);
      expect(side0.checks).toBeGreaterThan(0);
      expect(closed).toBe(true);
      await side1;
      await pages[0].close();
    });
  });  return suite;
}

module.exports = { defineScenarioSuite, scenarioNames };
