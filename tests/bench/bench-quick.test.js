'use strict';
/**
 * Keeps the benchmark from rotting: runs `scripts/bench.sh --quick` (build + one headless Chromium
 * run, a few seconds of measuring) into a temporary folder and checks that the table, results.json
 * and results.svg are well-formed and the figures plausible. No timing targets are asserted: the
 * machine is noisy, and the targets are the bench's business (it marks them met/missed).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const SIZES = [64, 1024, 16384, 65536];

const haveEmcc = spawnSync('sh', ['-c', 'command -v emcc'], { encoding: 'utf8' }).status === 0;
const maybe = haveEmcc ? describe : describe.skip;

/** Minimal XML well-formedness: every element closed, in order. */
function checkXml(text) {
  const stack = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
  let m;
  while ((m = re.exec(text))) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (!close) stack.push(name);
    else if (stack.pop() !== name) throw new Error(`unbalanced </${name}> at ${m.index}`);
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
}

const finitePositive = (x) => typeof x === 'number' && Number.isFinite(x) && x > 0;

function checkSummary(s, lo, hi) {
  expect(finitePositive(s.median)).toBe(true);
  expect(s.median).toBeGreaterThan(lo);
  expect(s.median).toBeLessThan(hi);
  expect(s.q1).toBeLessThanOrEqual(s.median);
  expect(s.q3).toBeGreaterThanOrEqual(s.median);
  expect(s.min).toBeLessThanOrEqual(s.q1);
  expect(s.max).toBeGreaterThanOrEqual(s.q3);
  expect(s.values).toHaveLength(s.n);
}

maybe('npm run bench -- --quick', () => {
  let out, run, R;

  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-bench-'));
    run = spawnSync('bash', [path.join(ROOT, 'scripts', 'bench.sh'), '--quick', '--out', out], {
      cwd: ROOT, encoding: 'utf8', timeout: 600000, maxBuffer: 64 << 20,
    });
    if (run.status !== 0) {
      throw new Error(`bench.sh --quick exited ${run.status}${run.error ? ` (${run.error.message})` : ''}\n` +
        `${(run.stderr || '').slice(-4000)}`);
    }
    R = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  }, 600000);

  afterAll(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  test('prints the table with every section and a met/missed line per target', () => {
    const text = run.stdout;
    for (const heading of ['1. Throughput', '2. RTT', '3. Idle emrtc_peer_poll()', '4. Heap', '5. Code size', '6. Multiplayer', '7. One stats request', 'Targets']) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('(--quick)');
    const targetLines = text.split('\n').filter((l) => /^\s+(MET|MISSED)\s/.test(l));
    expect(targetLines.length).toBe(R.targets.length);
    expect(text.trim()).toBe(R.table.trim());
  });

  test('results.json: throughput of both paths at every size, with pairs and ratios', () => {
    expect(R.quick).toBe(true);
    expect(R.info.crossOriginIsolated).toBe(true);
    expect(R.throughput.map((r) => r.size)).toEqual(SIZES);
    for (const row of R.throughput) {
      expect(row.integrityOk).toBe(true);
      expect(row.reps).toBeGreaterThanOrEqual(2);
      for (const p of ['emrtc', 'js']) {
        checkSummary(row[p].msgsPerSec, 10, 1e8);          /* messages/s */
        checkSummary(row[p].mbPerSec, 1e-4, 1e5);          /* MB/s */
        expect(row[p].msgsPerSec.n).toBe(row.reps);
        expect(row[p].mbPerSec.median).toBeCloseTo(row[p].msgsPerSec.median * row.size / 1e6, 3);
      }
      checkSummary(row.ratio, 0.01, 100);
      expect(row.ratio.n).toBe(row.reps);
    }
  });

  test('results.json: the threaded build against JS at every size, on a shared heap', () => {
    expect(R.info.threadsHeapShared).toBe(true);
    expect(R.throughputThreads.map((r) => r.size)).toEqual(SIZES);
    for (const row of R.throughputThreads) {
      expect(row.integrityOk).toBe(true);
      for (const p of ['emrtc', 'js']) checkSummary(row[p].mbPerSec, 1e-4, 1e5);
      checkSummary(row.ratio, 0.01, 100);
    }
    expect(R.targets.filter((t) => t.id.startsWith('ratio_mt_')).map((t) => t.id)).toEqual(SIZES.map((s) => `ratio_mt_${s}`));
    expect(run.stdout).toContain('1b. The same, threaded build');
  });

  test('results.json: RTT p50/p99 of both paths, idle poll, allocations, cycles, code size', () => {
    for (const p of ['emrtc', 'js', 'jsDirect']) {
      checkSummary(R.rtt[p].p50, 1, 1e6); /* us */
      expect(R.rtt[p].p99.median).toBeGreaterThanOrEqual(R.rtt[p].p50.median);
    }
    checkSummary(R.rtt.ratioP50, 0.01, 100);

    checkSummary(R.poll.nsPerCall, 0.01, 1e6);
    expect(Number.isInteger(R.poll.imports.calls)).toBe(true);
    expect(R.poll.imports.controlCalls).toBe(2); /* the counter sees wasm->JS calls */
    expect(R.poll.imports.failedPolls).toBe(0);

    expect(R.allocs.map((a) => a.kind)).toEqual(['throughput', 'throughput', 'throughput', 'throughput', 'rtt', 'stats']);
    // one stats request: both paths timed (us, under a second), the call itself, alternating pairs
    checkSummary(R.stats.emrtc, 0, 1e6);
    checkSummary(R.stats.js, 0, 1e6);
    checkSummary(R.stats.callUs, 0, 1e6);
    expect(R.stats.ratio.values).toHaveLength(R.stats.reps);
    for (const a of R.allocs) {
      expect(a.bad).toBe(false);
      expect(a.messages).toBeGreaterThan(0);
      expect(a.allocCalls).toBeGreaterThanOrEqual(0);
      expect(a.perMessage).toBeCloseTo(a.allocCalls / a.messages, 9);
    }

    expect(R.cycles.failed).toBe(false);
    expect(R.cycles.done).toBe(R.settings.cycles);
    expect(R.cycles.liveLeft).toBe(0);
    expect(R.cycles.backendLiveLeft).toBe(0);
    for (const k of ['usedBefore', 'usedWarm', 'usedAfter', 'heapBefore', 'heapWarm', 'heapAfter']) {
      expect(finitePositive(R.cycles[k])).toBe(true);
    }

    for (const opt of ['O2', 'Os']) {
      const s = R.size[opt];
      for (const k of ['emrtc_wasm', 'emrtc_js', 'stub_wasm', 'stub_js']) {
        expect(finitePositive(s[k].raw)).toBe(true);
        expect(s[k].gzip).toBeGreaterThan(0);
        expect(s[k].gzip).toBeLessThan(s[k].raw + 64);
      }
      expect(s.added.wasm.raw).toBeGreaterThan(0); /* emrtc is not free: the stub really is smaller */
      expect(s.added.total.gzip).toBe(s.added.wasm.gzip + s.added.js.gzip);
    }

    const ids = R.targets.map((t) => t.id);
    expect(ids).toEqual(['ratio_64', 'ratio_1024', 'ratio_16384', 'ratio_65536', 'ratio_mt_64', 'ratio_mt_1024', 'ratio_mt_16384',
      'ratio_mt_65536', 'rtt_p50', 'poll_ns', 'poll_js', 'allocs',
      'heap_growth', 'mp_ratio_64', 'mp_ratio_1024', 'mp_ratio_16384', 'mp_ratio_65536', 'mp_ratio_64_to3', 'mp_ratio_1024_to3',
      'mp_allocs', 'size_os']);
    for (const t of R.targets) expect(typeof t.met).toBe('boolean');
  });

  test('results.json: the multiplayer layer against raw channels, one peer at every size and a broadcast to three', () => {
    expect(R.multiplayer.map((r) => [r.size, r.targets])).toEqual([...SIZES.map((s) => [s, 1]), [64, 3], [1024, 3]]);
    for (const row of R.multiplayer) {
      expect(row.integrityOk).toBe(true); /* every packet arrived, whole, on both paths */
      for (const p of ['layer', 'raw']) {
        checkSummary(row[p].msgsPerSec, 10, 1e8);
        expect(row[p].msgsPerSec.n).toBe(row.reps);
      }
      checkSummary(row.ratio, 0.01, 100);
      expect(row.layerAllocsPerMessage).toBeGreaterThanOrEqual(0);
    }
  });

  test('results.svg: a well-formed chart of both paths against message size', () => {
    const svg = fs.readFileSync(path.join(out, 'results.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(() => checkXml(svg)).not.toThrow();
    expect((svg.match(/<polyline /g) || []).length).toBe(2); /* emrtc and JS */
    const y = (svg.match(/<polyline [^>]*points="([^"]+)"/g) || []).map((p) => p.match(/points="([^"]+)"/)[1].split(' '));
    for (const pts of y) {
      expect(pts).toHaveLength(SIZES.length);
      for (const pt of pts) for (const v of pt.split(',').map(Number)) expect(Number.isFinite(v)).toBe(true);
    }
    expect(svg).toContain('emrtc');
    expect(svg).toContain('plain JS');
  });
});

test('--quick writes its figures into the build folder, never over the committed bench/results.*', () => {
  const { parseArgs } = require('../../bench/run');
  expect(parseArgs(['--quick']).out).toBe(path.join(ROOT, 'build-wasm-bench', 'quick'));
  expect(parseArgs(['--build-dir', '/tmp/b', '--quick']).out).toBe(path.join('/tmp/b', 'quick'));
  expect(parseArgs([]).out).toBe(path.join(ROOT, 'bench')); // a full run updates the committed figures
  expect(parseArgs(['--quick', '--out', '/tmp/o']).out).toBe('/tmp/o');
  expect(parseArgs(['--multiplayer-only']).multiplayerOnly).toBe(true); // section 6 alone, no results written
});
