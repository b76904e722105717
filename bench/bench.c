/* emrtc benchmark, C side: the same workloads bench/page.js runs through plain JavaScript, here
   through emrtc. Two peers in one page (loopback), connected by handing descriptions and candidates
   straight across. Everything is driven by bench_tick(), which page.js schedules every event-loop
   turn with the same MessageChannel scheduler its JS path uses (Module.benchSchedule), and only
   while a phase runs: an idle C side costs the JS runs nothing.

   Phases (one at a time, started by page.js through the EMSCRIPTEN_KEEPALIVE functions below):
   - connect: the main pair (A offers a reliable ordered channel, B receives it);
   - throughput: A sends `count` packets of `size` bytes while the buffered amount is under the
     high-water mark, resuming from buffered_amount_low (delivered from poll); B drains with
     get_packet and counts bytes; the time runs from the first send to the last packet read;
   - rtt: 1-byte ping-pong, A records each round trip;
   - cycles: connect/destroy a second pair `n` times (heap growth);
   - stats: `count` emrtc_peer_get_stats requests on A one after the other (the next one from the
     stats callback), each timed from the call to its callback, and the call itself timed in C;
   plus bench_poll_cost / bench_poll_loop (idle poll, timed in C) and, in the counting build
   (BENCH_COUNT_ALLOCS, see alloc_count.c), allocation counters. */
#include <emrtc.h>
#include <emscripten.h>
#include <emscripten/heap.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- scheduler: page.js provides Module.benchSchedule (a MessageChannel post) ---- */

EM_JS(void, bench_js_schedule, (void), { Module.benchSchedule(); });
EM_JS(void, bench_js_done, (void), { if (Module.benchDone) Module.benchDone(); });
/* Between connect/destroy cycles: Chromium refuses new RTCPeerConnections while about 500 exist,
   closed ones included until the garbage collector has run; page.js collects every 20 cycles. */
EM_JS(void, bench_js_cycle_done, (int n), { if (Module.benchCycleDone) Module.benchCycleDone(n); });
EM_JS(void, bench_js_log, (const char *line), { console.log("bench.c: " + UTF8ToString(line)); });

/* ---- a connected pair of peers ---- */

/* The receive backlog allowed per channel, and in total (emrtc.h's LIMITS: 1 MiB and 4 MiB by
   default, which a sender keeping 1 MiB in flight can reach while the receiver waits for its tick). */
#define BENCH_BACKLOG (16u << 20)

typedef struct pair {
    emrtc_peer a, b;
    emrtc_channel ca, cb; /* A's channel, and the one B received */
    bool failed;
} pair;

/* Every callback the bench receives: an idle poll must fire none. */
static unsigned callbacks_fired;

static emrtc_peer other(pair *p, emrtc_peer pc) { return pc.id == p->a.id ? p->b : p->a; }

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    callbacks_fired++;
    pair *p = ud;
    if (emrtc_peer_set_local_description(pc, type, sdp) || emrtc_peer_set_remote_description(other(p, pc), type, sdp))
        p->failed = true;
}

static void on_candidate(emrtc_peer pc, const char *media, int index, const char *name, void *ud) {
    callbacks_fired++;
    pair *p = ud;
    emrtc_peer_add_ice_candidate(other(p, pc), media, index, name);
}

static void on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    callbacks_fired++;
    (void)pc;
    ((pair *)ud)->cb = ch;
}

static void on_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    callbacks_fired++;
    (void)pc, (void)err;
    ((pair *)ud)->failed = true;
    bench_js_log(message);
}

static void on_stats(emrtc_peer pc, const emrtc_peer_stats *st, void *ud);

static bool pair_start(pair *p) {
    memset(p, 0, sizeof(*p));
    emrtc_peer_callbacks cbs = {
        .session_description_created = on_description,
        .ice_candidate_created = on_candidate,
        .data_channel_received = on_channel,
        .error = on_error,
        .stats = on_stats,
        .user_data = p,
    };
    p->a = emrtc_peer_create();
    p->b = emrtc_peer_create();
    if (!p->a.id || !p->b.id) return false;
    /* a receive limit well above what a throughput trial can have in flight (the plain-JS path has
       none), so that the receiver never drops: see BENCH_BACKLOG */
    const emrtc_configuration roomy = {.max_backlog_bytes = BENCH_BACKLOG};
    if (emrtc_peer_initialize(p->a, &roomy) || emrtc_peer_initialize(p->b, &roomy)) return false;
    emrtc_peer_set_callbacks(p->a, &cbs);
    emrtc_peer_set_callbacks(p->b, &cbs);
    if (emrtc_peer_create_data_channel(p->a, "bench", NULL, &p->ca)) return false; /* reliable, ordered */
    return emrtc_peer_create_offer(p->a) == EMRTC_OK;
}

static bool pair_open(const pair *p) {
    return p->cb.id && emrtc_channel_get_ready_state(p->ca) == EMRTC_CHANNEL_STATE_OPEN &&
           emrtc_channel_get_ready_state(p->cb) == EMRTC_CHANNEL_STATE_OPEN;
}

static void pair_poll(pair *p) {
    if (p->a.id) emrtc_peer_poll(p->a);
    if (p->b.id) emrtc_peer_poll(p->b);
}

static void pair_destroy(pair *p) {
    emrtc_peer_destroy(p->a);
    emrtc_peer_destroy(p->b);
    memset(p, 0, sizeof(*p));
}

/* ---- state ---- */

enum { PHASE_IDLE, PHASE_CONNECT, PHASE_THROUGHPUT, PHASE_RTT, PHASE_CYCLES, PHASE_STATS };

static pair main_pair;
static int phase;
static bool tick_posted;

static uint8_t send_buf[256 * 1024];

static struct {
    size_t size, hwm;
    uint32_t count, sent, received;
    double bytes, t0, t1;
    double fill_ms; /* main-thread time spent in the send loop (put_packet + buffered amount) */
    bool bad_size;
} tp;

#define RTT_MAX_SAMPLES 100000
static double rtt_samples[RTT_MAX_SAMPLES]; /* static: a run allocates nothing of its own */

static struct {
    uint32_t count, done;
    double t_sent;
} rtt;

static struct {
    pair p;
    uint32_t total, done, warm;
    double t0, t1;
    double used_before, used_warm, used_after;   /* mallinfo().uordblks */
    double heap_before, heap_warm, heap_after;   /* emscripten_get_heap_size() */
    int live_after, backend_live_after;
} cyc;

static void schedule(void) {
    if (tick_posted) return;
    tick_posted = true;
    bench_js_schedule();
}

/* ---- throughput ---- */

static void tp_fill(void) {
    emrtc_channel ch = main_pair.ca;
    double t = emscripten_get_now();
    while (tp.sent < tp.count && emrtc_channel_get_buffered_amount(ch) < tp.hwm) {
        if (emrtc_channel_put_packet(ch, send_buf, tp.size) != EMRTC_OK) break;
        tp.sent++;
    }
    tp.fill_ms += emscripten_get_now() - t;
}

static void on_low(emrtc_channel ch, void *ud) {
    callbacks_fired++;
    (void)ch, (void)ud;
    if (phase == PHASE_THROUGHPUT) tp_fill();
}

static void tp_tick(void) {
    const uint8_t *data;
    size_t size;
    while (emrtc_channel_get_packet(main_pair.cb, &data, &size) == EMRTC_OK) {
        tp.received++;
        tp.bytes += (double)size;
        if (size != tp.size) tp.bad_size = true;
    }
    if (tp.received >= tp.count) {
        tp.t1 = emscripten_get_now();
        phase = PHASE_IDLE;
    }
}

/* ---- rtt ---- */

static void rtt_tick(void) {
    const uint8_t *data;
    size_t size;
    while (emrtc_channel_get_packet(main_pair.cb, &data, &size) == EMRTC_OK) /* B: answer */
        emrtc_channel_put_packet(main_pair.cb, data, size);
    while (emrtc_channel_get_packet(main_pair.ca, &data, &size) == EMRTC_OK) { /* A: the answer is back */
        double now = emscripten_get_now();
        rtt_samples[rtt.done++] = now - rtt.t_sent;
        if (rtt.done >= rtt.count) {
            phase = PHASE_IDLE;
            return;
        }
        rtt.t_sent = emscripten_get_now();
        emrtc_channel_put_packet(main_pair.ca, send_buf, 1);
    }
}

/* ---- stats ---- */

static struct {
    uint32_t count, done;
    double t_sent, call_ms; /* call_ms: time inside emrtc_peer_get_stats, summed */
    double rtt_seen;        /* keeps the answer used */
} st;
static double stats_samples[RTT_MAX_SAMPLES];

static void stats_ask(void) {
    double t0 = emscripten_get_now();
    st.t_sent = t0;
    if (emrtc_peer_get_stats(main_pair.a) != EMRTC_OK) {
        bench_js_log(emrtc_last_error_message());
        phase = PHASE_IDLE;
    }
    st.call_ms += emscripten_get_now() - t0;
}

static void on_stats(emrtc_peer pc, const emrtc_peer_stats *stats, void *ud) {
    callbacks_fired++;
    (void)pc, (void)ud;
    if (phase != PHASE_STATS) return;
    stats_samples[st.done++] = emscripten_get_now() - st.t_sent;
    st.rtt_seen += stats->current_round_trip_time_ms;
    if (st.done >= st.count) phase = PHASE_IDLE;
    else stats_ask();
}

/* ---- cycles ---- */

static void cycles_tick(void) {
    pair_poll(&cyc.p);
    if (cyc.p.failed) {
        phase = PHASE_IDLE;
        return;
    }
    if (!pair_open(&cyc.p)) return;
    pair_destroy(&cyc.p);
    cyc.done++;
    bench_js_cycle_done((int)cyc.done);
    if (cyc.done == cyc.warm) {
        cyc.used_warm = (double)mallinfo().uordblks;
        cyc.heap_warm = (double)emscripten_get_heap_size();
    }
    if (cyc.done < cyc.total && pair_start(&cyc.p)) return;
    if (cyc.done < cyc.total) { /* the browser refused a new peer: report what was reached */
        cyc.p.failed = true;
        bench_js_log(emrtc_last_error_message());
        pair_destroy(&cyc.p);
    }
    cyc.t1 = emscripten_get_now();
    cyc.used_after = (double)mallinfo().uordblks;
    cyc.heap_after = (double)emscripten_get_heap_size();
    cyc.live_after = emrtc_live_peer_count() - 2 + emrtc_live_channel_count() - 2; /* minus the main pair */
    cyc.backend_live_after = emrtc_backend_live_object_count();
    phase = PHASE_IDLE;
}

/* ---- the tick ---- */

EMSCRIPTEN_KEEPALIVE void bench_tick(void) {
    tick_posted = false;
    if (phase == PHASE_IDLE) return;
    pair_poll(&main_pair);
    switch (phase) {
    case PHASE_CONNECT:
        if (pair_open(&main_pair) || main_pair.failed) phase = PHASE_IDLE;
        break;
    case PHASE_THROUGHPUT: tp_tick(); break;
    case PHASE_RTT: rtt_tick(); break;
    case PHASE_CYCLES: cycles_tick(); break;
    default: break;
    }
    if (phase != PHASE_IDLE) schedule();
    else bench_js_done();
}

/* ---- entry points for page.js ---- */

/* 1 while a phase runs, 0 when it is over. */
EMSCRIPTEN_KEEPALIVE int bench_busy(void) { return phase != PHASE_IDLE; }

EMSCRIPTEN_KEEPALIVE int bench_connect(void) {
    for (size_t i = 0; i < sizeof(send_buf); i++) send_buf[i] = (uint8_t)(i * 131u + 7u);
    emrtc_set_total_backlog_limit(4u * BENCH_BACKLOG);
    if (!pair_start(&main_pair)) return 0;
    phase = PHASE_CONNECT;
    schedule();
    return 1;
}

/* After bench_connect finished: 1 when the channel is open on both sides. */
EMSCRIPTEN_KEEPALIVE int bench_connected(void) {
    if (!pair_open(&main_pair) || main_pair.failed) return 0;
    emrtc_channel_set_callbacks(main_pair.ca, &(emrtc_channel_callbacks){.buffered_amount_low = on_low});
    return 1;
}

EMSCRIPTEN_KEEPALIVE int bench_throughput_start(int size, int count, int hwm, int lwm) {
    if (size <= 0 || (size_t)size > sizeof(send_buf) || count <= 0) return 0;
    memset(&tp, 0, sizeof(tp));
    tp.size = (size_t)size;
    tp.count = (uint32_t)count;
    tp.hwm = (size_t)hwm;
    emrtc_channel_set_buffered_amount_low_threshold(main_pair.ca, (size_t)lwm);
    phase = PHASE_THROUGHPUT;
    tp.t0 = emscripten_get_now();
    tp_fill();
    schedule();
    return 1;
}

EMSCRIPTEN_KEEPALIVE double bench_throughput_ms(void) { return tp.t1 - tp.t0; }
EMSCRIPTEN_KEEPALIVE double bench_throughput_bytes(void) { return tp.bytes; }
EMSCRIPTEN_KEEPALIVE int bench_throughput_received(void) { return (int)tp.received; }
EMSCRIPTEN_KEEPALIVE int bench_throughput_bad(void) { return tp.bad_size; }
EMSCRIPTEN_KEEPALIVE double bench_throughput_fill_ms(void) { return tp.fill_ms; }

EMSCRIPTEN_KEEPALIVE int bench_rtt_start(int count) {
    if (count <= 0 || count > RTT_MAX_SAMPLES) return 0;
    rtt.count = (uint32_t)count;
    rtt.done = 0;
    phase = PHASE_RTT;
    rtt.t_sent = emscripten_get_now();
    emrtc_channel_put_packet(main_pair.ca, send_buf, 1);
    schedule();
    return 1;
}

EMSCRIPTEN_KEEPALIVE int bench_stats_start(int count) {
    if (count <= 0 || count > RTT_MAX_SAMPLES) return 0;
    memset(&st, 0, sizeof(st));
    st.count = (uint32_t)count;
    phase = PHASE_STATS;
    stats_ask();
    if (phase != PHASE_STATS) return 0;
    schedule();
    return 1;
}
EMSCRIPTEN_KEEPALIVE int bench_stats_done(void) { return (int)st.done; }
EMSCRIPTEN_KEEPALIVE double bench_stats_sample(int i) { return i >= 0 && (uint32_t)i < st.done ? stats_samples[i] : -1; }
/* Mean time inside emrtc_peer_get_stats (the synchronous part: checks and the getStats() call), us. */
EMSCRIPTEN_KEEPALIVE double bench_stats_call_us(void) { return st.done ? st.call_ms * 1000 / st.done : -1; }

EMSCRIPTEN_KEEPALIVE int bench_rtt_done(void) { return (int)rtt.done; }
EMSCRIPTEN_KEEPALIVE double bench_rtt_sample(int i) { return i >= 0 && (uint32_t)i < rtt.done ? rtt_samples[i] : -1; }

/* Runs whatever is queued for the main pair (late candidates, end-of-candidates, buffered_amount_low
   of the last trial), so that the polls measured next find nothing. */
EMSCRIPTEN_KEEPALIVE void bench_settle(void) { pair_poll(&main_pair); }

/* Callbacks fired so far (page.js checks that an idle poll loop fired none). */
EMSCRIPTEN_KEEPALIVE double bench_callbacks(void) { return callbacks_fired; }

/* Idle poll: the main pair is connected, its channel open, nothing queued. ns per call. */
EMSCRIPTEN_KEEPALIVE double bench_poll_cost(int n) {
    emrtc_peer pc = main_pair.a;
    pair_poll(&main_pair); /* empty the queues first */
    double t0 = emscripten_get_now();
    for (int i = 0; i < n; i++) emrtc_peer_poll(pc);
    double t1 = emscripten_get_now();
    return (t1 - t0) * 1e6 / n;
}

/* The same loop without the clock: page.js counts the JS functions it reaches (import counting). */
EMSCRIPTEN_KEEPALIVE int bench_poll_loop(int n) {
    emrtc_peer pc = main_pair.a;
    int bad = 0;
    for (int i = 0; i < n; i++) bad += emrtc_peer_poll(pc) != EMRTC_OK;
    return bad;
}

EMSCRIPTEN_KEEPALIVE int bench_cycles_start(int total, int warm) {
    memset(&cyc, 0, sizeof(cyc));
    cyc.total = (uint32_t)total;
    cyc.warm = (uint32_t)warm;
    cyc.used_before = (double)mallinfo().uordblks;
    cyc.heap_before = (double)emscripten_get_heap_size();
    cyc.t0 = emscripten_get_now();
    if (!pair_start(&cyc.p)) return 0;
    phase = PHASE_CYCLES;
    schedule();
    return 1;
}

EMSCRIPTEN_KEEPALIVE double bench_cycles_value(int which) {
    switch (which) {
    case 0: return cyc.done;
    case 1: return cyc.used_before;
    case 2: return cyc.used_warm;
    case 3: return cyc.used_after;
    case 4: return cyc.heap_before;
    case 5: return cyc.heap_warm;
    case 6: return cyc.heap_after;
    case 7: return cyc.live_after;
    case 8: return cyc.backend_live_after;
    case 9: return cyc.t1 - cyc.t0;
    case 10: return cyc.p.failed || (cyc.done < cyc.total);
    default: return -1;
    }
}

/* Allocation counters: alloc_count.c in the counting build, zeros otherwise. */
#ifdef BENCH_COUNT_ALLOCS
double bench_alloc_calls(void);
double bench_free_calls(void);
#else
static double bench_alloc_calls(void) { return -1; }
static double bench_free_calls(void) { return -1; }
#endif

EMSCRIPTEN_KEEPALIVE double bench_allocs(void) { return bench_alloc_calls(); }
EMSCRIPTEN_KEEPALIVE double bench_frees(void) { return bench_free_calls(); }
EMSCRIPTEN_KEEPALIVE double bench_heap_used(void) { return (double)mallinfo().uordblks; }
EMSCRIPTEN_KEEPALIVE double bench_heap_size(void) { return (double)emscripten_get_heap_size(); }
