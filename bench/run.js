#!/usr/bin/env node
'use strict';
/**
 * emrtc benchmark runner (npm run bench -> scripts/bench.sh -> this file).
 *
 *   node bench/run.js [--quick] [--build-dir build-wasm-bench] [--out bench] [--reps N] [--multiplayer-only]
 *
 * Serves <build-dir>/bench-web (built by bench/CMakeLists.txt), opens bench/page.html in ONE headless
 * Chromium page and runs every workload through emrtc (C compiled to wasm) and through plain JS,
 * alternated (ABBA order) and repeated; reports medians, spread and the ratio of each pair; prints a
 * table, writes <out>/results.json and <out>/results.svg (throughput against message size).
 * <out> defaults to bench/ (the committed figures) for a full run, and to <build-dir>/quick for
 * --quick, whose few repetitions must never replace the committed figures.
 * Figures only: nothing here fails on a missed target (the table marks them met/missed).
 */
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { execFileSync } = require('child_process');
const { launchBrowser, serveDirectory, waitFor } = require('../js/testing');

const ROOT = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const o = { quick: false, buildDir: path.join(ROOT, 'build-wasm-bench'), out: null, reps: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--build-dir') o.buildDir = path.resolve(argv[++i]);
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else if (a === '--reps') o.reps = parseInt(argv[++i], 10);
    else if (a === '--multiplayer-only') o.multiplayerOnly = true;
    else throw new Error(`bench/run.js: unknown argument ${a}`);
  }
  if (!o.out) o.out = o.quick ? path.join(o.buildDir, 'quick') : path.join(ROOT, 'bench');
  return o;
}

/* ---- settings ---- */

const SIZES = [64, 1024, 16384, 65536];
const HWM = 1024 * 1024;   /* send while bufferedAmount < 1 MiB */
const LWM = 256 * 1024;    /* resume on bufferedamountlow at 256 KiB */

function settings(quick, reps) {
  return quick
    ? { reps: reps || 3, trialMs: 40, minCount: 200, minCountLarge: 20, rttCount: 200, rttReps: reps || 3, pollCalls: 100000, pollReps: 3,
        allocCount: 300, cycles: 12, warmCycles: 4, statsCount: 30, statsReps: reps || 3 }
    : { reps: reps || 13, trialMs: 500, minCount: 2000, minCountLarge: 50, rttCount: 2000, rttReps: reps || 13, pollCalls: 1000000, pollReps: 7,
        allocCount: 3000, cycles: 1000, warmCycles: 10, statsCount: 200, statsReps: reps || 13 };
}

/* ---- statistics ---- */

function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (v) => quantile(v, 0.5);
function summary(values) {
  return { median: median(values), q1: quantile(values, 0.25), q3: quantile(values, 0.75),
    min: Math.min(...values), max: Math.max(...values), n: values.length, values };
}

/* ---- code size ---- */

function gzipSize(file) {
  try {
    return execFileSync('gzip', ['-9', '-c', file], { maxBuffer: 64 << 20 }).length;
  } catch (_) {
    return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
  }
}

function codeSize(buildDir) {
  const dir = path.join(buildDir, 'bench-web', 'size');
  const out = {};
  for (const opt of ['O2', 'Os']) {
    const row = {};
    for (const kind of ['emrtc', 'stub', 'stublibc']) {
      for (const ext of ['wasm', 'js']) {
        const f = path.join(dir, `size_${kind}_${opt}.${ext}`);
        if (!fs.existsSync(f)) throw new Error(`bench/run.js: ${f} is missing (build target bench_all)`);
        row[`${kind}_${ext}`] = { raw: fs.statSync(f).size, gzip: gzipSize(f) };
      }
    }
    /* added: over the bare stub (the target); addedOverLibc: over the stub that also uses malloc and
       vsnprintf, i.e. what emrtc adds to a program that already has them */
    for (const [key, base] of [['added', 'stub'], ['addedOverLibc', 'stublibc']]) {
      const add = (ext, k) => row[`emrtc_${ext}`][k] - row[`${base}_${ext}`][k];
      row[key] = {
        wasm: { raw: add('wasm', 'raw'), gzip: add('wasm', 'gzip') },
        js: { raw: add('js', 'raw'), gzip: add('js', 'gzip') },
      };
      row[key].total = { raw: row[key].wasm.raw + row[key].js.raw, gzip: row[key].wasm.gzip + row[key].js.gzip };
    }
    out[opt] = row;
  }
  return out;
}

/* ---- browser ---- */

async function openBenchPage(buildDir) {
  const web = path.join(buildDir, 'bench-web');
  if (!fs.existsSync(path.join(web, 'page.html'))) throw new Error(`bench/run.js: ${web}/page.html missing: build first (scripts/bench.sh)`);
  /* --expose-gc: Chromium refuses a 501st RTCPeerConnection until closed ones are garbage collected,
     so the connect/destroy cycles collect every 20 cycles (page.js) */
  const browser = await launchBrowser({ args: ['--js-flags=--expose-gc'] });
  const server = await serveDirectory(web);
  const page = await browser.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(`pageerror ${e.message}`));
  /* The page is made cross-origin isolated (COOP/COEP on the document) so that performance.now()
     has Chromium's 5 us resolution instead of 100 us: RTTs on loopback are a few hundred us. */
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.pathname === '/page.html') {
      req.respond({
        status: 200,
        headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' },
        contentType: 'text/html; charset=utf-8',
        body: fs.readFileSync(path.join(web, 'page.html')),
      });
    } else {
      req.continue();
    }
  });
  await page.goto(server.url + 'page.html', { waitUntil: 'load' });
  await waitFor(page, () => window.benchReady === true, { timeout: 30000 });
  const close = async () => { await browser.close().catch(() => {}); await server.close(); };
  return { page, logs, close };
}

const call = (page, fn, ...args) => page.evaluate((f, a) => window.bench[f](...a), fn, args);

function log(msg) { process.stderr.write(msg + '\n'); }

/* ---- workloads ---- */

/* path: 'emrtc' (the plain build) or 'emrtcMt' (the -pthread build); each against plain JS */
async function runThroughput(page, S, path = 'emrtc') {
  const out = [];
  for (const size of SIZES) {
    /* calibrate the count on the JS path so a trial lasts about S.trialMs; one discarded trial each */
    const minCount = size <= 1024 ? S.minCount : S.minCountLarge;
    const probeCount = Math.max(minCount, Math.ceil((size <= 1024 ? 2e6 : 20e6) * S.trialMs / 1000 / size / 4));
    const probe = await call(page, 'throughput', 'js', size, probeCount, HWM, LWM);
    await call(page, 'throughput', path, size, probeCount, HWM, LWM);
    const rate = probe.messages / (probe.ms / 1000);
    const count = Math.max(minCount, Math.round(rate * S.trialMs / 1000));
    const runs = { emrtc: [], js: [] }, ratios = [];
    let bad = false;
    for (let r = 0; r < S.reps; r++) {
      const order = r % 2 === 0 ? ['emrtc', 'js'] : ['js', 'emrtc'];
      const pairRes = {};
      for (const p of order) {
        const t = await call(page, 'throughput', p === 'emrtc' ? path : p, size, count, HWM, LWM);
        if (t.bad || t.messages !== count || t.bytes !== count * size) bad = true;
        pairRes[p] = t;
      }
      for (const p of ['emrtc', 'js']) {
        const t = pairRes[p];
        runs[p].push({ ms: t.ms, msgsPerSec: t.messages / (t.ms / 1000), mbPerSec: t.bytes / (t.ms / 1000) / 1e6,
          sendUs: t.fillMs * 1000 / t.messages });
      }
      ratios.push(runs.emrtc[r].msgsPerSec / runs.js[r].msgsPerSec);
    }
    const row = {
      size, count, hwm: HWM, lwm: LWM, reps: S.reps, integrityOk: !bad,
      unit: size <= 1024 ? 'msg/s' : 'MB/s',
      emrtc: { msgsPerSec: summary(runs.emrtc.map((x) => x.msgsPerSec)), mbPerSec: summary(runs.emrtc.map((x) => x.mbPerSec)),
        sendUsPerMsg: summary(runs.emrtc.map((x) => x.sendUs)), ms: runs.emrtc.map((x) => x.ms) },
      js: { msgsPerSec: summary(runs.js.map((x) => x.msgsPerSec)), mbPerSec: summary(runs.js.map((x) => x.mbPerSec)),
        sendUsPerMsg: summary(runs.js.map((x) => x.sendUs)), ms: runs.js.map((x) => x.ms) },
      ratio: summary(ratios),
    };
    log(`  throughput${path === 'emrtc' ? '' : ' (threads)'} ${size} B: ${count} msgs x ${S.reps} pairs, ratio median ${row.ratio.median.toFixed(3)}`);
    out.push(row);
  }
  return out;
}

async function runRtt(page, S) {
  const per = { emrtc: [], js: [], jsDirect: [] }, ratios50 = [], ratios99 = [];
  await call(page, 'rtt', 'emrtc', Math.min(200, S.rttCount));
  await call(page, 'rtt', 'js', Math.min(200, S.rttCount));
  for (let r = 0; r < S.rttReps; r++) {
    const order = r % 2 === 0 ? ['emrtc', 'js'] : ['js', 'emrtc'];
    const res = {};
    for (const p of order) res[p] = await call(page, 'rtt', p, S.rttCount);
    res.jsDirect = await call(page, 'rtt', 'jsDirect', S.rttCount);
    for (const p of Object.keys(per)) {
      const ms = res[p];
      per[p].push({ p50: quantile(ms, 0.5) * 1000, p99: quantile(ms, 0.99) * 1000, n: ms.length });
    }
    ratios50.push(per.emrtc[r].p50 / per.js[r].p50);
    ratios99.push(per.emrtc[r].p99 / per.js[r].p99);
  }
  const s = (p, k) => summary(per[p].map((x) => x[k]));
  const out = { count: S.rttCount, reps: S.rttReps, unit: 'us' };
  for (const p of Object.keys(per)) out[p] = { p50: s(p, 'p50'), p99: s(p, 'p99') };
  out.ratioP50 = summary(ratios50);
  out.ratioP99 = summary(ratios99);
  log(`  rtt: p50 emrtc ${out.emrtc.p50.median.toFixed(1)} us, js ${out.js.p50.median.toFixed(1)} us`);
  return out;
}

async function runStats(page, S) {
  const count = S.statsCount;
  const per = { emrtc: [], js: [] }, ratios = [], callUs = [];
  await call(page, 'stats', 'emrtc', Math.min(20, count));
  await call(page, 'stats', 'js', Math.min(20, count));
  for (let r = 0; r < S.statsReps; r++) {
    const order = r % 2 === 0 ? ['emrtc', 'js'] : ['js', 'emrtc'];
    const res = {};
    for (const p of order) res[p] = await call(page, 'stats', p, count);
    for (const p of order) per[p].push(quantile(res[p].samples, 0.5) * 1000);
    callUs.push(res.emrtc.callUs);
    ratios.push(per.emrtc[r] / per.js[r]);
  }
  const out = { count, reps: S.statsReps, unit: 'us', emrtc: summary(per.emrtc), js: summary(per.js),
    ratio: summary(ratios), callUs: summary(callUs) };
  log(`  stats: p50 emrtc ${out.emrtc.median.toFixed(1)} us, js ${out.js.median.toFixed(1)} us`);
  return out;
}

async function runPoll(page, S) {
  const ns = [];
  for (let i = 0; i < S.pollReps; i++) ns.push(await call(page, 'pollCost', S.pollCalls));
  const imports = await call(page, 'pollImports', S.pollCalls);
  return { calls: S.pollCalls, reps: S.pollReps, nsPerCall: summary(ns), imports };
}

async function runAllocs(page, S) {
  const out = [];
  /* enough traffic to wrap the receive ring many times: at least 16 MiB or allocCount messages */
  for (const size of SIZES) {
    const count = Math.max(Math.min(S.allocCount, Math.ceil(16 * 1024 * 1024 / size)), Math.min(S.allocCount, 200));
    out.push(await call(page, 'allocs', 'throughput', size, count, HWM, LWM));
  }
  out.push(await call(page, 'allocs', 'rtt', 1, Math.min(S.allocCount, 1000), HWM, LWM));
  out.push(await call(page, 'allocs', 'stats', 0, Math.min(S.allocCount, S.statsCount * 4), HWM, LWM));
  return out;
}

/* The multiplayer layer against raw channel put/get on the same connections (bench_mp.c): peer 1
   to peer 2 at every size, and a broadcast to three peers; alternating pairs as above. Warm-up
   trials first, until a layer trial allocates nothing (rings grow by doubling to the backlog). */
const MP_CASES = [...SIZES.map((size) => ({ size, targets: 1 })), { size: 64, targets: 3 }, { size: 1024, targets: 3 }];
/* a lower high-water mark than section 1: three receivers in one page stay under the receive backlog limit */
const MP_HWM = 256 * 1024, MP_LWM = 64 * 1024;

async function runMultiplayer(page, S) {
  const out = [];
  for (const { size, targets } of MP_CASES) {
    const minCount = size <= 1024 ? S.minCount : S.minCountLarge;
    const probeCount = Math.max(minCount, Math.ceil((size <= 1024 ? 2e6 : 20e6) * S.trialMs / 1000 / size / 4 / targets));
    const probe = await call(page, 'mp', 'raw', targets, size, probeCount, MP_HWM, MP_LWM);
    const count = Math.max(minCount, Math.round(probe.messages / targets / (probe.ms / 1000) * S.trialMs / 1000));
    let warmups = 0;
    for (let grew = true; grew && warmups < 8; warmups++) {
      await call(page, 'mp', 'raw', targets, size, count, MP_HWM, MP_LWM);
      grew = (await call(page, 'mp', 'layer', targets, size, count, MP_HWM, MP_LWM)).allocCalls !== 0;
    }
    const runs = { layer: [], raw: [] }, ratios = [], cpu = { layer: [], raw: [] };
    let bad = false, layerAllocs = 0, rawAllocs = 0;
    for (let r = 0; r < S.reps; r++) {
      const order = r % 2 === 0 ? ['layer', 'raw'] : ['raw', 'layer'];
      const res = {};
      for (const p of order) {
        const t = await call(page, 'mp', p, targets, size, count, MP_HWM, MP_LWM);
        if (t.bad || t.messages !== count * targets || t.bytes !== count * targets * size) bad = true;
        res[p] = t;
      }
      for (const p of ['layer', 'raw']) {
        runs[p].push(res[p].messages / (res[p].ms / 1000));
        cpu[p].push((res[p].putMs + res[p].getMs) * 1000 / res[p].messages); /* us per delivered packet */
      }
      layerAllocs += res.layer.allocCalls;
      rawAllocs += res.raw.allocCalls;
      ratios.push(runs.layer[r] / runs.raw[r]);
    }
    const row = {
      size, targets, count, reps: S.reps, integrityOk: !bad, warmups,
      layer: { msgsPerSec: summary(runs.layer), cpuUsPerPacket: summary(cpu.layer) },
      raw: { msgsPerSec: summary(runs.raw), cpuUsPerPacket: summary(cpu.raw) }, ratio: summary(ratios),
      layerAllocsPerMessage: layerAllocs / (S.reps * count * targets), rawAllocsPerMessage: rawAllocs / (S.reps * count * targets),
    };
    log(`  multiplayer ${size} B to ${targets}: ${count} msgs x ${S.reps} pairs, layer/raw median ${row.ratio.median.toFixed(3)}`);
    out.push(row);
  }
  return out;
}

/* ---- report ---- */

const fmtInt = (x) => Math.round(x).toLocaleString('en-US');
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const kb = (b) => `${(b / 1024).toFixed(2)} KiB`;

function targets(R) {
  const t = [];
  for (const row of R.throughput) {
    t.push({ id: `ratio_${row.size}`, what: `throughput emrtc/JS at ${row.size} B`, target: '>= 0.97',
      value: row.ratio.median, shown: fmt(row.ratio.median, 3), met: row.ratio.median >= 0.97 && row.integrityOk });
  }
  for (const row of R.throughputThreads || []) {
    t.push({ id: `ratio_mt_${row.size}`, what: `threaded build: throughput emrtc/JS at ${row.size} B`, target: '>= 0.95',
      value: row.ratio.median, shown: fmt(row.ratio.median, 3), met: row.ratio.median >= 0.95 && row.integrityOk });
  }
  t.push({ id: 'rtt_p50', what: 'RTT p50 emrtc vs JS', target: '<= +5%', value: R.rtt.ratioP50.median,
    shown: `${((R.rtt.ratioP50.median - 1) * 100).toFixed(1)}%`, met: R.rtt.ratioP50.median <= 1.05 });
  t.push({ id: 'poll_ns', what: 'idle poll() cost', target: '< 50 ns', value: R.poll.nsPerCall.median,
    shown: `${fmt(R.poll.nsPerCall.median, 1)} ns`, met: R.poll.nsPerCall.median < 50 });
  t.push({ id: 'poll_js', what: 'idle poll() calls into JS', target: '0 calls', value: R.poll.imports.calls,
    shown: `${R.poll.imports.calls} in ${fmtInt(R.poll.imports.polls)} polls`, met: R.poll.imports.calls === 0 && R.poll.imports.callbacks === 0 && R.poll.imports.controlCalls === 2 });
  const maxPer = Math.max(...R.allocs.map((a) => a.perMessage));
  t.push({ id: 'allocs', what: 'heap allocations per message (steady state)', target: '0', value: maxPer,
    shown: fmt(maxPer, 4), met: maxPer === 0 });
  const growth = R.cycles.usedAfter - R.cycles.usedWarm;
  t.push({ id: 'heap_growth', what: `heap growth over ${R.settings.cycles} connect/destroy cycles`, target: '0 B',
    value: growth, shown: `${growth} B in use, ${R.cycles.heapAfter - R.cycles.heapWarm} B heap` +
      (R.cycles.failed ? ` - but only ${R.cycles.done} cycles ran (browser refused more peers)` : ''),
    met: growth <= 0 && R.cycles.heapAfter === R.cycles.heapWarm && !R.cycles.failed && R.cycles.liveLeft === 0 && R.cycles.backendLiveLeft === 0 });
  for (const row of R.multiplayer) {
    t.push({ id: `mp_ratio_${row.size}${row.targets > 1 ? `_to${row.targets}` : ''}`,
      what: `multiplayer layer/raw ${row.targets > 1 ? `broadcast to ${row.targets}` : 'put/get'} at ${row.size} B`,
      target: '>= 0.97', value: row.ratio.median, shown: fmt(row.ratio.median, 3), met: row.ratio.median >= 0.97 && row.integrityOk });
  }
  const mpAllocs = Math.max(...R.multiplayer.map((row) => row.layerAllocsPerMessage));
  const rawAllocs = Math.max(...R.multiplayer.map((row) => row.rawAllocsPerMessage));
  t.push({ id: 'mp_allocs', what: 'multiplayer: heap allocations per packet', target: '0', value: mpAllocs,
    shown: `${fmt(mpAllocs, 4)} (raw channels: ${fmt(rawAllocs, 4)})`, met: mpAllocs === 0 });
  const os = R.size.Os.added.total.gzip;
  t.push({ id: 'size_os', what: 'code size added, gzip -9, -Os', target: '<= 8 KB', value: os, shown: `${(os / 1000).toFixed(2)} KB`, met: os <= 8000 });
  return t;
}

function pad(s, n, right) { s = String(s); return right ? s.padStart(n) : s.padEnd(n); }

function table(R) {
  const L = [];
  const I = R.info;
  L.push(`emrtc bench${R.quick ? ' (--quick)' : ''} - ${I.date}`);
  L.push(`${I.userAgent}`);
  L.push(`crossOriginIsolated ${I.crossOriginIsolated}, performance.now() step ${fmt(I.timerResolutionMs * 1000, 1)} us; ${I.cpus} CPUs; one page, two peers per path, loopback`);
  L.push('');
  L.push(`1. Throughput, reliable ordered channel, send while bufferedAmount < ${HWM / 1024} KiB, resume on bufferedamountlow (${LWM / 1024} KiB)`);
  L.push(`   delivered (counted on the receiver); median [q1 - q3] of ${R.throughput[0].reps} alternating pairs; ratio = median of the pairs' emrtc/JS`);
  L.push('   ' + pad('size', 8) + pad('count', 8, true) + pad('emrtc', 34, true) + pad('JS', 34, true) + pad('emrtc/JS', 22, true));
  for (const row of R.throughput) {
    const k = row.size <= 1024 ? 'msgsPerSec' : 'mbPerSec';
    const f = (s) => row.size <= 1024 ? `${fmtInt(s.median)} [${fmtInt(s.q1)}-${fmtInt(s.q3)}]` : `${fmt(s.median)} [${fmt(s.q1)}-${fmt(s.q3)}]`;
    L.push('   ' + pad(row.size >= 1024 ? `${row.size / 1024} KiB` : `${row.size} B`, 8) + pad(row.count, 8, true) +
      pad(`${f(row.emrtc[k])} ${row.unit}`, 34, true) + pad(`${f(row.js[k])} ${row.unit}`, 34, true) +
      pad(`${fmt(row.ratio.median, 3)} [${fmt(row.ratio.q1, 2)}-${fmt(row.ratio.q3, 2)}]`, 22, true) + (row.integrityOk ? '' : '  DATA ERROR'));
  }
  L.push('   main-thread time in the send loop per message (put_packet + buffered amount vs dc.send + bufferedAmount), median us:');
  L.push('   ' + R.throughput.map((row) => `${row.size >= 1024 ? row.size / 1024 + ' KiB' : row.size + ' B'}: emrtc ${fmt(row.emrtc.sendUsPerMsg.median, 2)}, JS ${fmt(row.js.sendUsPerMsg.median, 2)}`).join('; '));
  if (R.throughputThreads) {
    L.push(`1b. The same, threaded build (-pthread, libemrtc-mt.a, shared heap: ${I.threadsHeapShared}): each send copies out of the shared heap once`);
    L.push('   ' + pad('size', 8) + pad('count', 8, true) + pad('emrtc -pthread', 34, true) + pad('JS', 34, true) + pad('emrtc/JS', 22, true));
    for (const row of R.throughputThreads) {
      const k = row.size <= 1024 ? 'msgsPerSec' : 'mbPerSec';
      const f = (s) => row.size <= 1024 ? `${fmtInt(s.median)} [${fmtInt(s.q1)}-${fmtInt(s.q3)}]` : `${fmt(s.median)} [${fmt(s.q1)}-${fmt(s.q3)}]`;
      L.push('   ' + pad(row.size >= 1024 ? `${row.size / 1024} KiB` : `${row.size} B`, 8) + pad(row.count, 8, true) +
        pad(`${f(row.emrtc[k])} ${row.unit}`, 34, true) + pad(`${f(row.js[k])} ${row.unit}`, 34, true) +
        pad(`${fmt(row.ratio.median, 3)} [${fmt(row.ratio.q1, 2)}-${fmt(row.ratio.q3, 2)}]`, 22, true) + (row.integrityOk ? '' : '  DATA ERROR'));
    }
    L.push('   main-thread time per send, median us: ' + R.throughputThreads.map((row) => `${row.size >= 1024 ? row.size / 1024 + ' KiB' : row.size + ' B'}: emrtc ${fmt(row.emrtc.sendUsPerMsg.median, 2)}, JS ${fmt(row.js.sendUsPerMsg.median, 2)}`).join('; '));
  }
  L.push('');
  const r = R.rtt;
  L.push(`2. RTT, 1-byte ping-pong, both paths ticked by the same MessageChannel scheduler (${r.count} round trips x ${r.reps} alternating pairs)`);
  L.push('   ' + pad('', 34) + pad('p50 us', 24, true) + pad('p99 us', 26, true));
  const rl = (name, x) => L.push('   ' + pad(name, 34) + pad(`${fmt(x.p50.median)} [${fmt(x.p50.q1)}-${fmt(x.p50.q3)}]`, 24, true) +
    pad(`${fmt(x.p99.median)} [${fmt(x.p99.q1)}-${fmt(x.p99.q3)}]`, 26, true));
  rl('emrtc (C polls every turn)', r.emrtc);
  rl('JS (same tick)', r.js);
  rl('JS answering in onmessage (info)', r.jsDirect);
  L.push('   ' + pad('emrtc/JS (median of pairs)', 34) + pad(fmt(r.ratioP50.median, 3), 24, true) + pad(fmt(r.ratioP99.median, 3), 26, true));
  L.push('');
  const p = R.poll;
  L.push(`3. Idle emrtc_peer_poll() (connected peer, open channel, nothing queued), timed in C over ${fmtInt(p.calls)} calls x ${p.reps}`);
  L.push(`   ${fmt(p.nsPerCall.median, 2)} ns/call [${fmt(p.nsPerCall.min, 2)}-${fmt(p.nsPerCall.max, 2)}]; wasm->JS calls during ${fmtInt(p.imports.polls)} polls: ${p.imports.calls}` +
    `, callbacks fired: ${p.imports.callbacks}`);
  L.push(`   (method: every wasm import of a second instance wrapped in a counting JS function; control: the timed loop there counts ${p.imports.controlCalls} = its 2 clock reads)`);
  L.push('');
  L.push('4. Heap (counting allocator build: every malloc/calloc/realloc/memalign counted)');
  for (const a of R.allocs) {
    L.push(`   ${pad(a.kind === 'rtt' ? 'ping-pong 1 B' : a.kind === 'stats' ? 'get_stats requests' : `throughput ${a.size} B`, 22)} ${pad(fmtInt(a.messages), 7, true)} msgs: ${a.allocCalls} allocation calls = ${fmt(a.perMessage, 4)}/msg, in-use delta ${a.heapUsedDelta} B (after ${a.warmups} warm-up trials)`);
  }
  const c = R.cycles;
  L.push(`   ${c.done}${c.failed ? ` of ${R.settings.cycles} (FAILED: see the page log)` : ""} connect/destroy cycles (${fmt(c.ms / c.done, 1)} ms each): in use ${c.usedBefore} B before, ${c.usedWarm} B after ${R.settings.warmCycles} (warm), ${c.usedAfter} B after all;` +
    ` heap ${kb(c.heapBefore)} / ${kb(c.heapWarm)} / ${kb(c.heapAfter)}; objects left: core ${c.liveLeft}, JS ${c.backendLiveLeft}${c.failed ? '; A CYCLE FAILED' : ''}`);
  L.push('');
  L.push('5. Code size emrtc adds: minimal channel program with emrtc minus the same program with stubs (bytes; gz = gzip -9)');
  L.push('   ' + pad('', 28) + pad('wasm raw', 10, true) + pad('wasm gz', 10, true) + pad('js raw', 10, true) + pad('js gz', 10, true) + pad('total raw', 11, true) + pad('total gz', 10, true));
  for (const opt of ['O2', 'Os']) {
    const s = R.size[opt];
    const line = (name, a) => L.push('   ' + pad(name, 28) + pad(a.wasm.raw, 10, true) + pad(a.wasm.gzip, 10, true) + pad(a.js.raw, 10, true) +
      pad(a.js.gzip, 10, true) + pad(a.total.raw, 11, true) + pad(a.total.gzip, 10, true));
    line(`-${opt} over the bare stub`, s.added);
    line(`-${opt} over a malloc+printf stub`, s.addedOverLibc);
  }
  L.push('');
  L.push('6. Multiplayer layer (emrtc_multiplayer.h) against raw emrtc_channel put/get on the same connections and channels');
  L.push(`   four mesh peers in one page, peer 1 connected to 2, 3, 4; reliable channel, same send loop (bufferedAmount < ${MP_HWM / 1024} KiB, resume at ${MP_LWM / 1024} KiB);`);
  L.push(`   delivered msg/s (all receivers), median [q1 - q3] of ${R.multiplayer[0].reps} alternating pairs; ratio = median of the pairs' layer/raw`);
  L.push('   ' + pad('case', 22) + pad('count', 8, true) + pad('layer', 30, true) + pad('raw', 30, true) + pad('layer/raw', 20, true) +
    pad('allocs/pkt layer, raw', 24, true));
  for (const row of R.multiplayer) {
    const f = (x) => `${fmtInt(x.median)} [${fmtInt(x.q1)}-${fmtInt(x.q3)}]`;
    L.push('   ' + pad(`${row.size >= 1024 ? `${row.size / 1024} KiB` : `${row.size} B`} to ${row.targets} peer${row.targets > 1 ? 's' : ''}`, 22) +
      pad(row.count, 8, true) + pad(f(row.layer.msgsPerSec), 30, true) + pad(f(row.raw.msgsPerSec), 30, true) +
      pad(`${fmt(row.ratio.median, 3)} [${fmt(row.ratio.q1, 2)}-${fmt(row.ratio.q3, 2)}]`, 20, true) +
      pad(`${fmt(row.layerAllocsPerMessage, 4)}, ${fmt(row.rawAllocsPerMessage, 4)}`, 24, true) + (row.integrityOk ? '' : '  DATA ERROR'));
  }
  L.push('   main-thread time in the put and get loops per delivered packet, median us: ' + R.multiplayer.map((row) =>
    `${row.size >= 1024 ? `${row.size / 1024} KiB` : `${row.size} B`}${row.targets > 1 ? ` to ${row.targets}` : ''}: layer ${fmt(row.layer.cpuUsPerPacket.median, 2)}, raw ${fmt(row.raw.cpuUsPerPacket.median, 2)}`).join('; '));
  L.push('');
  if (R.stats) {
    const st = R.stats;
    L.push(`7. One stats request, connected pair, ${st.count} requests one after the other x ${st.reps} alternating pairs (median of each run's p50)`);
    L.push(`   emrtc_peer_get_stats() to its stats callback: ${fmt(st.emrtc.median)} us [${fmt(st.emrtc.q1)}-${fmt(st.emrtc.q3)}]; ` +
      `plain JS getStats() to its promise: ${fmt(st.js.median)} us [${fmt(st.js.q1)}-${fmt(st.js.q3)}]; emrtc/JS ${fmt(st.ratio.median, 3)}`);
    L.push(`   time inside the emrtc_peer_get_stats call itself: ${fmt(st.callUs.median, 2)} us; allocations per request: see 4.`);
    L.push('');
  }
  L.push('Targets');
  for (const t of R.targets) L.push(`   ${t.met ? 'MET   ' : 'MISSED'} ${pad(t.what, 48)} ${pad(t.target, 9)} ${t.shown}`);
  return L.join('\n');
}

/* ---- chart (hand-written SVG) ---- */

function chart(R) {
  const W = 780, H = 440, m = { l: 70, r: 230, t: 40, b: 56 };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const rows = R.throughput;
  const all = rows.flatMap((r) => [r.emrtc.mbPerSec.q1, r.emrtc.mbPerSec.q3, r.js.mbPerSec.q1, r.js.mbPerSec.q3, r.emrtc.mbPerSec.min, r.js.mbPerSec.min]).filter((v) => v > 0);
  const ylo = Math.pow(10, Math.floor(Math.log10(Math.min(...all))));
  const yhi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))));
  const xlo = Math.log2(SIZES[0]) - 0.5, xhi = Math.log2(SIZES[SIZES.length - 1]) + 0.5;
  const X = (size) => m.l + (Math.log2(size) - xlo) / (xhi - xlo) * pw;
  const Y = (v) => m.t + ph - (Math.log10(v) - Math.log10(ylo)) / (Math.log10(yhi) - Math.log10(ylo)) * ph;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const o = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  o.push(`<text x="${m.l}" y="22" font-size="15" font-weight="bold">Delivered throughput: emrtc (C/wasm) vs plain JS${R.quick ? ' (--quick)' : ''}</text>`);
  for (let d = ylo; d <= yhi * 1.0001; d *= 10) {
    for (const k of [1, 2, 5]) {
      const v = d * k;
      if (v > yhi * 1.0001) break;
      o.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="${k === 1 ? '#ccc' : '#eee'}"/>`);
      if (k === 1 || k === 5) o.push(`<text x="${m.l - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${v >= 1 ? v : v.toPrecision(1)}</text>`);
    }
  }
  for (const s of SIZES) {
    o.push(`<line x1="${X(s).toFixed(1)}" x2="${X(s).toFixed(1)}" y1="${m.t}" y2="${m.t + ph}" stroke="#eee"/>`);
    o.push(`<text x="${X(s).toFixed(1)}" y="${m.t + ph + 18}" text-anchor="middle">${s >= 1024 ? s / 1024 + ' KiB' : s + ' B'}</text>`);
  }
  o.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  o.push(`<text x="${m.l + pw / 2}" y="${H - 14}" text-anchor="middle">message size (log scale)</text>`);
  o.push(`<text transform="translate(18 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">MB/s delivered (log scale)</text>`);
  const series = [['emrtc', '#d62728', 'emrtc (C via wasm)', -4], ['js', '#1f77b4', 'plain JS RTCDataChannel', 4]];
  for (const [key, color, , dx] of series) {
    const pts = rows.map((r) => [X(r.size) + dx, Y(r[key].mbPerSec.median)]);
    o.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => p.map((v) => v.toFixed(1)).join(',')).join(' ')}"/>`);
    rows.forEach((r, i) => {
      const s = r[key].mbPerSec, x = pts[i][0].toFixed(1);
      o.push(`<line x1="${x}" x2="${x}" y1="${Y(s.q1).toFixed(1)}" y2="${Y(s.q3).toFixed(1)}" stroke="${color}" stroke-width="1.5"/>`);
      o.push(`<circle cx="${x}" cy="${pts[i][1].toFixed(1)}" r="4" fill="${color}"><title>${esc(key)} ${r.size} B: ${fmt(s.median, 2)} MB/s (q1 ${fmt(s.q1, 2)}, q3 ${fmt(s.q3, 2)})</title></circle>`);
    });
  }
  rows.forEach((r) => {
    const top = Math.max(r.emrtc.mbPerSec.q3, r.js.mbPerSec.q3);
    o.push(`<text x="${X(r.size).toFixed(1)}" y="${(Y(top) - 8).toFixed(1)}" text-anchor="middle" font-size="11" fill="#333">x${fmt(r.ratio.median, 3)}</text>`);
  });
  const lx = m.l + pw + 14;
  series.forEach(([, color, label], i) => {
    o.push(`<line x1="${lx}" x2="${lx + 22}" y1="${m.t + 14 + i * 20}" y2="${m.t + 14 + i * 20}" stroke="${color}" stroke-width="2"/>`);
    o.push(`<circle cx="${lx + 11}" cy="${m.t + 14 + i * 20}" r="4" fill="${color}"/>`);
    o.push(`<text x="${lx + 28}" y="${m.t + 18 + i * 20}">${esc(label)}</text>`);
  });
  const notes = ['points: medians of', `${rows[0].reps} alternating runs;`, 'bars: q1-q3;', 'xN.NNN: median of the', "pairs' emrtc/JS ratio"];
  notes.forEach((t, i) => o.push(`<text x="${lx}" y="${m.t + 70 + i * 15}" font-size="11" fill="#555">${esc(t)}</text>`));
  o.push('</svg>');
  return o.join('\n') + '\n';
}

/* ---- main ---- */

/* --multiplayer-only: section 6 alone (its rows on stdout as JSON lines), writing no results. */
async function multiplayerOnly(opts, S) {
  const { page, close } = await openBenchPage(opts.buildDir);
  try {
    await call(page, 'init');
    for (const row of await runMultiplayer(page, S)) {
      const { size, targets, count, reps, integrityOk, layerAllocsPerMessage, rawAllocsPerMessage } = row;
      const q = (x) => [x.median, x.q1, x.q3].map((v) => Number(v.toFixed(3)));
      process.stdout.write(JSON.stringify({ size, targets, count, reps, integrityOk, ratio: q(row.ratio),
        cpuUsPerPacket: { layer: q(row.layer.cpuUsPerPacket), raw: q(row.raw.cpuUsPerPacket) },
        layerMsgsPerSec: Math.round(row.layer.msgsPerSec.median), rawMsgsPerSec: Math.round(row.raw.msgsPerSec.median),
        layerAllocsPerMessage, rawAllocsPerMessage }) + '\n');
    }
  } finally {
    await close();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const S = settings(opts.quick, opts.reps);
  if (opts.multiplayerOnly) return multiplayerOnly(opts, S);
  const started = Date.now();
  const R = { version: 1, quick: opts.quick, settings: { ...S, sizes: SIZES, hwm: HWM, lwm: LWM } };
  log('bench: code size');
  R.size = codeSize(opts.buildDir);
  log('bench: opening Chromium');
  const { page, logs, close } = await openBenchPage(opts.buildDir);
  try {
    const info = await call(page, 'init');
    R.info = { ...info, date: new Date().toISOString(), cpus: require('os').cpus().length, node: process.version };
    log('bench: throughput');
    R.throughput = await runThroughput(page, S);
    log('bench: throughput, threaded build');
    R.throughputThreads = await runThroughput(page, S, 'emrtcMt');
    log('bench: rtt');
    R.rtt = await runRtt(page, S);
    log('bench: stats');
    R.stats = await runStats(page, S);
    log('bench: idle poll');
    R.poll = await runPoll(page, S);
    log('bench: multiplayer layer');
    R.multiplayer = await runMultiplayer(page, S);
    log('bench: allocations');
    R.allocs = await runAllocs(page, S);
    log(`bench: ${S.cycles} connect/destroy cycles`);
    R.cycles = await call(page, 'cycles', S.cycles, S.warmCycles);
    if (R.cycles.failed) R.cycles.pageLog = logs.slice(-5);
  } catch (e) {
    log('bench: page log:\n' + logs.slice(-30).join('\n'));
    throw e;
  } finally {
    await close();
  }
  R.targets = targets(R);
  R.elapsedSec = (Date.now() - started) / 1000;
  const text = table(R);
  R.table = text;
  fs.mkdirSync(opts.out, { recursive: true });
  const json = path.join(opts.out, 'results.json');
  fs.writeFileSync(json + '.tmp', JSON.stringify(R, null, 2) + '\n');
  fs.renameSync(json + '.tmp', json);
  fs.writeFileSync(path.join(opts.out, 'results.svg'), chart(R));
  process.stdout.write(text + '\n');
  log(`bench: wrote ${path.relative(process.cwd(), json)} and results.svg in ${R.elapsedSec.toFixed(1)} s`);
}

if (require.main === module) {
  main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
}

module.exports = { quantile, summary, chart, table, targets, parseArgs };
