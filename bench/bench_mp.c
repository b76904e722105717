/* emrtc benchmark, multiplayer part (bench_mp.js, MODULARIZE: createBenchMp): packets through
   emrtc_multiplayer against raw emrtc_channel put/get on the same connections and channels, in the
   same page and run. Four mesh multiplayer peers (ids 1..4) in one page; peer 1 is connected to 2,
   3 and 4 through the browser (descriptions and candidates handed straight across, the higher own
   id offers). Built with the counting allocator (alloc_count.c): steady-state trials must allocate
   nothing.

   A trial (bench_mp_start) sends `count` packets of `size` bytes from peer 1 on the reliable
   channel, to peer 2 (targets 1) or to all three others (targets 3), while every target channel's
   buffered amount is under the high-water mark, resuming from buffered_amount_low:
   - path 1 "layer": emrtc_multiplayer_put_packet (target 2, or broadcast), every peer drained with
     emrtc_multiplayer_get_packet, everything polled with emrtc_multiplayer_poll;
   - path 0 "raw": emrtc_channel_put_packet on each target's channel, each receiving channel
     drained with emrtc_channel_get_packet, every connection polled with emrtc_peer_poll.
   The time runs from the first send to the last packet read. page.js schedules bench_tick every
   event-loop turn while a trial runs (Module.benchSchedule, as for bench.c). */
#include <emrtc.h>
#include <emrtc_multiplayer.h>
#include <emscripten.h>
#include <stdbool.h>
#include <string.h>

EM_JS(void, mp_js_schedule, (void), { Module.benchSchedule(); });
EM_JS(void, mp_js_done, (void), { if (Module.benchDone) Module.benchDone(); });
EM_JS(void, mp_js_log, (const char *line), { console.log("bench_mp.c: " + UTF8ToString(line)); });

double bench_alloc_calls(void); /* alloc_count.c */

#define NODES 4

typedef struct link_t {
    int from, to; /* node indices; node i has peer id i + 1 */
} link_t;

static emrtc_multiplayer mp[NODES];
static link_t links[2 * (NODES - 1)];
static emrtc_peer conn_of[NODES][NODES];   /* [node][far node] */
static emrtc_channel send_ch[NODES];       /* node 0's reliable channel to node j */
static emrtc_channel recv_ch[NODES];       /* node j's reliable channel from node 0 */
static int connected;                      /* peer_connected callbacks */
static bool failed, tick_posted, running;
static uint8_t buf[64 * 1024];

static struct {
    int path, targets;
    size_t size, hwm;
    uint32_t count, sent, received;
    double bytes, t0, t1;
    double put_ms, get_ms; /* main-thread time inside the send loop and the drain loop */
    bool bad;
} tp;

static void schedule(void) {
    if (tick_posted) return;
    tick_posted = true;
    mp_js_schedule();
}

static emrtc_peer far_connection(link_t *l) {
    emrtc_multiplayer_peer_info info;
    if (emrtc_multiplayer_get_peer(mp[l->to], l->from + 1, &info) != EMRTC_OK) return (emrtc_peer){0};
    return info.connection;
}
static void on_sdp(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    if (emrtc_peer_set_local_description(pc, type, sdp) || emrtc_peer_set_remote_description(far_connection(ud), type, sdp))
        failed = true;
}
static void on_ice(emrtc_peer pc, const char *mid, int index, const char *cand, void *ud) {
    (void)pc;
    emrtc_peer_add_ice_candidate(far_connection(ud), mid, index, cand);
}
static void on_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    (void)pc, (void)err, (void)ud;
    failed = true;
    mp_js_log(message);
}
static void on_peer_connected(emrtc_multiplayer m, int id, void *ud) {
    (void)m, (void)id, (void)ud;
    connected++;
}

static void poll_all(void) {
    if (tp.path == 1 || !running) {
        for (int i = 0; i < NODES; i++) emrtc_multiplayer_poll(mp[i]);
        return;
    }
    for (int i = 0; i < NODES; i++)
        for (int j = 0; j < NODES; j++)
            if (conn_of[i][j].id) emrtc_peer_poll(conn_of[i][j]);
}

static bool below_hwm(void) {
    for (int j = 1; j <= tp.targets; j++)
        if (emrtc_channel_get_buffered_amount(send_ch[j]) >= tp.hwm) return false;
    return true;
}

static void fill(void) {
    double t = emscripten_get_now();
    while (tp.sent < tp.count && below_hwm()) {
        if (tp.path == 1) {
            if (emrtc_multiplayer_put_packet(mp[0], buf, tp.size) != EMRTC_OK) break;
        } else {
            for (int j = 1; j <= tp.targets; j++)
                if (emrtc_channel_put_packet(send_ch[j], buf, tp.size) != EMRTC_OK) tp.bad = true;
        }
        tp.sent++;
    }
    tp.put_ms += emscripten_get_now() - t;
}

static void on_low(emrtc_channel ch, void *ud) {
    (void)ch, (void)ud;
    if (running) fill();
}

static void drain(void) {
    const uint8_t *data;
    size_t size;
    double t = emscripten_get_now();
    for (int j = 1; j <= tp.targets; j++) {
        if (tp.path == 1) {
            while (emrtc_multiplayer_get_packet(mp[j], &data, &size) == EMRTC_OK) {
                tp.received++;
                tp.bytes += (double)size;
                if (size != tp.size) tp.bad = true;
            }
        } else {
            while (emrtc_channel_get_packet(recv_ch[j], &data, &size) == EMRTC_OK) {
                tp.received++;
                tp.bytes += (double)size;
                if (size != tp.size) tp.bad = true;
            }
        }
    }
    tp.get_ms += emscripten_get_now() - t;
}

EMSCRIPTEN_KEEPALIVE void bench_tick(void) {
    tick_posted = false;
    poll_all();
    if (running) {
        drain();
        if (failed) tp.bad = true; /* an error (e.g. packets dropped at the receive limit): the trial is void */
        if (tp.received >= tp.count * (uint32_t)tp.targets || tp.bad) {
            tp.t1 = emscripten_get_now();
            running = false;
        }
    }
    if (failed || (!running && connected >= 2 * (NODES - 1))) {
        mp_js_done();
        return;
    }
    schedule();
}

/* Creates the four peers and connects 1 with 2, 3, 4; bench_mp_ready() once done. */
EMSCRIPTEN_KEEPALIVE int bench_mp_connect(void) {
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 131u + 7u);
    emrtc_set_total_backlog_limit(64u << 20);
    for (int i = 0; i < NODES; i++) {
        mp[i] = emrtc_multiplayer_create(&(emrtc_multiplayer_desc){.callbacks = {.peer_connected = on_peer_connected}});
        if (emrtc_multiplayer_create_mesh(mp[i], i + 1, NULL, 0) != EMRTC_OK) return 0;
    }
    int k = 0;
    for (int j = 1; j < NODES; j++) {
        int ends[2][2] = {{0, j}, {j, 0}};
        for (int e = 0; e < 2; e++) {
            link_t *l = &links[k++];
            l->from = ends[e][0];
            l->to = ends[e][1];
            emrtc_peer pc = emrtc_peer_create();
            /* as bench.c: a receive limit no trial reaches */
            if (emrtc_peer_initialize(pc, &(emrtc_configuration){.max_backlog_bytes = 16u << 20})) return 0;
            emrtc_peer_set_callbacks(pc, &(emrtc_peer_callbacks){.session_description_created = on_sdp,
                                                                 .ice_candidate_created = on_ice,
                                                                 .error = on_error, .user_data = l});
            if (emrtc_multiplayer_add_peer(mp[l->from], pc, l->to + 1, 1) != EMRTC_OK) return 0;
            conn_of[l->from][l->to] = pc;
        }
        if (emrtc_peer_create_offer(conn_of[j][0]) != EMRTC_OK) return 0; /* the higher own id offers */
    }
    schedule();
    return 1;
}

EMSCRIPTEN_KEEPALIVE int bench_mp_ready(void) {
    if (failed || connected < 2 * (NODES - 1)) return 0;
    for (int j = 1; j < NODES; j++) {
        emrtc_multiplayer_peer_info a, b;
        if (emrtc_multiplayer_get_peer(mp[0], j + 1, &a) || emrtc_multiplayer_get_peer(mp[j], 1, &b)) return 0;
        send_ch[j] = a.channels[0];
        recv_ch[j] = b.channels[0];
        emrtc_channel_set_callbacks(send_ch[j], &(emrtc_channel_callbacks){.buffered_amount_low = on_low});
    }
    emrtc_multiplayer_set_transfer_mode(mp[0], EMRTC_TRANSFER_MODE_RELIABLE);
    return 1;
}

/* path 0 raw, 1 layer; targets 1 (peer 2) or 3 (everyone but peer 1). */
EMSCRIPTEN_KEEPALIVE int bench_mp_start(int path, int targets, int size, int count, int hwm, int lwm) {
    if ((path != 0 && path != 1) || (targets != 1 && targets != 3) || size <= 0 || (size_t)size > sizeof buf || count <= 0)
        return 0;
    memset(&tp, 0, sizeof tp);
    tp.path = path;
    tp.targets = targets;
    tp.size = (size_t)size;
    tp.count = (uint32_t)count;
    tp.hwm = (size_t)hwm;
    for (int j = 1; j < NODES; j++) emrtc_channel_set_buffered_amount_low_threshold(send_ch[j], (size_t)lwm);
    emrtc_multiplayer_set_target_peer(mp[0], targets == 1 ? 2 : EMRTC_TARGET_PEER_BROADCAST);
    running = true;
    tp.t0 = emscripten_get_now();
    fill();
    schedule();
    return 1;
}

EMSCRIPTEN_KEEPALIVE double bench_mp_value(int which) {
    switch (which) {
    case 0: return tp.t1 - tp.t0;
    case 1: return tp.received;
    case 2: return tp.bytes;
    case 3: return tp.bad;
    case 4: return bench_alloc_calls();
    case 5: return tp.put_ms;
    case 6: return tp.get_ms;
    default: return -1;
    }
}
