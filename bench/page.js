/* emrtc bench, page side. Holds both paths of every workload and runs one trial per call from
   bench/run.js (which alternates them and does the statistics):
   - "emrtc": bench/bench.c compiled to wasm (bench_emrtc.js), every WebRTC call through emrtc;
   - "emrtcMt": the same built with -pthread against libemrtc-mt.a (bench_emrtc_mt.js, shared heap);
   - "js":    the same workload written against RTCPeerConnection / RTCDataChannel directly.
   Both paths are driven by the same zero-delay scheduler (a MessageChannel post per event-loop turn,
   makeScheduler below), only while one of their trials runs.
   A second wasm instance, bench_emrtc_counted.js (counting allocator), is instantiated with every
   wasm import wrapped in a counter: it gives the allocation counts, the heap figures, and the count
   of JS functions the wasm reaches during a million idle polls. */
'use strict';

/* One post = one later turn of the event loop; no timer clamping, no rAF. */
function makeScheduler(fn) {
  const mc = new MessageChannel();
  mc.port1.onmessage = fn;
  return () => mc.port2.postMessage(0);
}

function pattern(size) {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + 7) & 255;
  return b;
}

/* ---- wasm instances ---- */

function loadEmrtc(factory, counted) {
  const M = {};
  let done = null;
  M.benchSchedule = makeScheduler(() => M._bench_tick());
  M.benchDone = () => { const d = done; done = null; if (d) d(); };
  M.whenDone = () => new Promise((resolve) => { done = resolve; });
  M.benchCycleDone = (n) => { if (n % 20 === 0 && self.gc) setTimeout(self.gc, 0); }; /* outside the wasm call */
  M.print = (s) => console.log(s);
  M.printErr = (s) => console.log(s);
  if (counted) {
    /* Every function the wasm imports (EM_JS bodies, the JS runtime, emscripten_get_now ...)
       goes through a counter: a wasm->JS call cannot happen without it counting. */
    M.importCalls = 0;
    M.importCallsByName = {};
    M.instantiateWasm = (imports, success) => {
      const wrapped = {};
      for (const ns of Object.keys(imports)) {
        wrapped[ns] = {};
        for (const name of Object.keys(imports[ns])) {
          const f = imports[ns][name];
          wrapped[ns][name] = typeof f !== 'function' ? f : function () {
            M.importCalls++;
            M.importCallsByName[name] = (M.importCallsByName[name] || 0) + 1;
            return f.apply(this, arguments);
          };
        }
      }
      WebAssembly.instantiateStreaming(fetch('bench_emrtc_counted.wasm'), wrapped)
        .then((r) => success(r.instance, r.module), (e) => console.log('instantiate failed: ' + e));
      return {};
    };
  }
  return factory(M);
}

async function emrtcConnect(M) {
  const finished = M.whenDone();
  if (!M._bench_connect()) throw new Error('bench_connect failed');
  await finished;
  if (!M._bench_connected()) throw new Error('the emrtc pair did not connect');
}

function emrtcThroughput(M, size, count, hwm, lwm) {
  const finished = M.whenDone();
  if (!M._bench_throughput_start(size, count, hwm, lwm)) throw new Error('bench_throughput_start refused');
  return finished.then(() => ({
    ms: M._bench_throughput_ms(),
    bytes: M._bench_throughput_bytes(),
    messages: M._bench_throughput_received(),
    bad: M._bench_throughput_bad() !== 0,
    fillMs: M._bench_throughput_fill_ms(),
  }));
}

async function emrtcRtt(M, count) {
  const finished = M.whenDone();
  if (!M._bench_rtt_start(count)) throw new Error('bench_rtt_start refused');
  await finished;
  const n = M._bench_rtt_done(), samples = new Array(n);
  for (let i = 0; i < n; i++) samples[i] = M._bench_rtt_sample(i);
  return samples;
}

async function emrtcStats(M, count) {
  const finished = M.whenDone();
  if (!M._bench_stats_start(count)) throw new Error('bench_stats_start refused');
  await finished;
  const n = M._bench_stats_done(), samples = new Array(n);
  for (let i = 0; i < n; i++) samples[i] = M._bench_stats_sample(i);
  return { samples, callUs: M._bench_stats_call_us() };
}

/* ---- the plain JS path ---- */

async function jsConnect() {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => { if (e.candidate) b.addIceCandidate(e.candidate); };
  b.onicecandidate = (e) => { if (e.candidate) a.addIceCandidate(e.candidate); };
  const ca = a.createDataChannel('bench'); /* reliable, ordered */
  const gotB = new Promise((r) => { b.ondatachannel = (e) => r(e.channel); });
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  const cb = await gotB;
  ca.binaryType = cb.binaryType = 'arraybuffer';
  const open = (dc) => dc.readyState === 'open' ? null : new Promise((r) => { dc.onopen = r; });
  await Promise.all([open(ca), open(cb)].filter(Boolean));
  return { a, b, ca, cb };
}

function jsThroughput(P, size, count, hwm, lwm) {
  return new Promise((resolve) => {
    const { ca, cb } = P, buf = pattern(size);
    let sent = 0, received = 0, bytes = 0, bad = false, t1 = 0, fillMs = 0;
    const fill = () => {
      const t = performance.now();
      while (sent < count && ca.bufferedAmount < hwm) { ca.send(buf); sent++; }
      fillMs += performance.now() - t;
    };
    const schedule = makeScheduler(() => {
      if (received < count) { schedule(); return; }
      ca.onbufferedamountlow = cb.onmessage = null;
      resolve({ ms: t1 - t0, bytes, messages: received, bad, fillMs });
    });
    ca.bufferedAmountLowThreshold = lwm;
    ca.onbufferedamountlow = fill;
    cb.onmessage = (e) => {
      const n = e.data.byteLength;
      received++;
      bytes += n;
      if (n !== size) bad = true;
      if (received === count) t1 = performance.now();
    };
    const t0 = performance.now();
    fill();
    schedule();
  });
}

/* Same scheduling as the C side: messages are queued by onmessage and handled in the tick. */
function jsRtt(P, count) {
  return new Promise((resolve) => {
    const { ca, cb } = P, one = new Uint8Array(1), samples = [];
    const qa = [], qb = [];
    let tSent = 0;
    ca.onmessage = (e) => qa.push(e.data);
    cb.onmessage = (e) => qb.push(e.data);
    const schedule = makeScheduler(() => {
      for (let i = 0; i < qb.length; i++) cb.send(qb[i]); /* B: answer */
      qb.length = 0;
      for (let i = 0; i < qa.length; i++) { /* A: the answer is back */
        samples.push(performance.now() - tSent);
        if (samples.length >= count) {
          ca.onmessage = cb.onmessage = null;
          resolve(samples);
          return;
        }
        tSent = performance.now();
        ca.send(one);
      }
      qa.length = 0;
      schedule();
    });
    tSent = performance.now();
    ca.send(one);
    schedule();
  });
}

/* Informational: idiomatic event-driven JS, answering inside onmessage (no tick at all). */
function jsRttDirect(P, count) {
  return new Promise((resolve) => {
    const { ca, cb } = P, one = new Uint8Array(1), samples = [];
    let tSent = 0;
    cb.onmessage = (e) => cb.send(e.data);
    ca.onmessage = () => {
      samples.push(performance.now() - tSent);
      if (samples.length >= count) { ca.onmessage = cb.onmessage = null; resolve(samples); return; }
      tSent = performance.now();
      ca.send(one);
    };
    tSent = performance.now();
    ca.send(one);
  });
}

/* ---- the multiplayer layer against raw channels (bench_mp.c) ---- */

async function mpConnect(MP) {
  const finished = MP.whenDone();
  if (!MP._bench_mp_connect()) throw new Error('bench_mp_connect failed');
  await finished;
  if (!MP._bench_mp_ready()) throw new Error('the multiplayer peers did not connect');
}

/* path 'layer' or 'raw'; targets 1 (one peer) or 3 (a broadcast to three) */
function mpTrial(MP, path, targets, size, count, hwm, lwm) {
  const finished = MP.whenDone();
  const a0 = MP._bench_mp_value(4);
  if (!MP._bench_mp_start(path === 'layer' ? 1 : 0, targets, size, count, hwm, lwm)) throw new Error('bench_mp_start refused');
  return finished.then(() => ({
    ms: MP._bench_mp_value(0), messages: MP._bench_mp_value(1), bytes: MP._bench_mp_value(2),
    bad: MP._bench_mp_value(3) !== 0, allocCalls: MP._bench_mp_value(4) - a0,
    putMs: MP._bench_mp_value(5), getMs: MP._bench_mp_value(6),
  }));
}

/* ---- the API run.js calls through page.evaluate ---- */

const state = { M: null, T: null, C: null, P: null, MP: null };

window.bench = {
  async init() {
    state.M = await loadEmrtc(createBenchEmrtc, false);
    state.C = await loadEmrtc(createBenchEmrtcCounted, true);
    state.T = await loadEmrtc(createBenchEmrtcMt, false);
    await emrtcConnect(state.M);
    await emrtcConnect(state.T);
    await emrtcConnect(state.C);
    state.P = await jsConnect();
    state.MP = await loadEmrtc(createBenchMp, false);
    await mpConnect(state.MP);
    return {
      userAgent: navigator.userAgent,
      crossOriginIsolated: self.crossOriginIsolated === true,
      threadsHeapShared: state.T.HEAPU8.buffer instanceof SharedArrayBuffer,
      timerResolutionMs: this.timerResolution(),
      maxMessageSize: state.P.a.sctp ? state.P.a.sctp.maxMessageSize : null,
    };
  },
  /* smallest non-zero step of performance.now() seen */
  timerResolution() {
    let best = Infinity, last = performance.now();
    for (let i = 0; i < 200000 && best > 0.0005; i++) {
      const t = performance.now();
      if (t !== last) { best = Math.min(best, t - last); last = t; }
    }
    return best;
  },
  throughput(path, size, count, hwm, lwm) {
    if (path === 'emrtc' || path === 'emrtcMt') return emrtcThroughput(path === 'emrtc' ? state.M : state.T, size, count, hwm, lwm);
    return jsThroughput(state.P, size, count, hwm, lwm);
  },
  async rtt(path, count) {
    const s = path === 'emrtc' ? await emrtcRtt(state.M, count) : path === 'js' ? await jsRtt(state.P, count)
      : await jsRttDirect(state.P, count);
    return s;
  },
  /* getStats one after the other: emrtc (call to stats callback, from poll) or plain JS (call to
     the promise's resolution, reading the same fields emrtc reads); ms per request */
  async stats(path, count) {
    if (path === 'emrtc') return emrtcStats(state.M, count);
    const samples = [];
    let sink = 0;
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const report = await state.P.a.getStats();
      let t = null;
      report.forEach((x) => { if (x.type === 'transport') t = x; });
      const pair = t && report.get(t.selectedCandidatePairId);
      sink += pair ? pair.currentRoundTripTime || 0 : 0;
      samples.push(performance.now() - t0);
    }
    return { samples, callUs: -1, sink };
  },
  /* Idle poll: ns per call timed in C (emscripten_get_now around the loop), in the plain build. */
  pollCost(n) {
    return state.M._bench_poll_cost(n); /* it polls the pair once first to empty the queues */
  },
  /* The same loop in the import-counting instance: how many wasm->JS calls n idle polls make. */
  async pollImports(n) {
    const C = state.C;
    /* let late events (end-of-candidates, the last bufferedamountlow) arrive and run them first */
    C._bench_settle();
    await new Promise((r) => setTimeout(r, 100));
    C._bench_settle();
    const before = C.importCalls, byBefore = Object.assign({}, C.importCallsByName), cb0 = C._bench_callbacks();
    const failedPolls = C._bench_poll_loop(n);
    const calls = C.importCalls - before, byName = {}, callbacks = C._bench_callbacks() - cb0;
    for (const k of Object.keys(C.importCallsByName)) {
      const d = C.importCallsByName[k] - (byBefore[k] || 0);
      if (d) byName[k] = d;
    }
    /* control: the counter does see wasm->JS calls (bench_poll_cost calls emscripten_get_now twice) */
    const c0 = C.importCalls;
    C._bench_poll_cost(1000);
    return { polls: n, calls, byName, callbacks, failedPolls, controlCalls: C.importCalls - c0 };
  },
  /* Allocation calls per message in steady state (counting build): warm-up trials until one makes
     no allocation (the receive and event rings only grow, by doubling, to this workload's largest
     backlog; at most 8 trials), then a measured trial of the same size. Sender and receiver are
     both in this instance. */
  async allocs(kind, size, count, hwm, lwm) {
    const C = state.C;
    const run = () => kind === 'rtt' ? emrtcRtt(C, count) : kind === 'stats' ? emrtcStats(C, count)
      : emrtcThroughput(C, size, count, hwm, lwm);
    let warmups = 0;
    for (let grew = true; grew && warmups < 8; warmups++) {
      const before = C._bench_allocs();
      await run();
      grew = C._bench_allocs() !== before;
    }
    const a0 = C._bench_allocs(), f0 = C._bench_frees(), u0 = C._bench_heap_used();
    const r = await run();
    const a1 = C._bench_allocs(), f1 = C._bench_frees(), u1 = C._bench_heap_used();
    const messages = kind === 'rtt' ? 2 * count : count; /* rtt: ping and pong; stats: requests */
    return { kind, size, messages, warmups, allocCalls: a1 - a0, freeCalls: f1 - f0, perMessage: (a1 - a0) / messages,
      heapUsedDelta: u1 - u0, bad: kind === 'rtt' ? r.length !== count : kind === 'stats' ? r.samples.length !== count : r.bad };
  },
  /* one multiplayer trial (bench_mp.c): delivered messages, time, allocation calls during it */
  mp(path, targets, size, count, hwm, lwm) {
    return mpTrial(state.MP, path, targets, size, count, hwm, lwm);
  },
  /* total connect/destroy cycles of a second pair; figures after `warm` cycles and at the end */
  async cycles(total, warm) {
    const C = state.C;
    const finished = C.whenDone();
    if (!C._bench_cycles_start(total, warm)) throw new Error('bench_cycles_start failed');
    await finished;
    const v = (i) => C._bench_cycles_value(i);
    return {
      done: v(0), failed: v(10) !== 0, ms: v(9), gcAvailable: typeof self.gc === 'function',
      usedBefore: v(1), usedWarm: v(2), usedAfter: v(3),
      heapBefore: v(4), heapWarm: v(5), heapAfter: v(6),
      liveLeft: v(7), backendLiveLeft: v(8) - 4, /* minus the main pair: 2 pcs + 2 dcs */
    };
  },
};
window.benchReady = true;
